package bench

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// fakeVC is a lean /api-flavor vCenter for benchmarks: fixed answers, one
// valid session token at a time, and a login counter. It does as little as
// possible so that the measured cost is the client's.
type fakeVC struct {
	srv    *httptest.Server
	token  atomic.Pointer[string]
	logins atomic.Int64
	gen    atomic.Int64
}

var (
	providerInfo = []byte(`{"status":"SUCCEEDED","polling_interval_in_seconds":30,"last_sync_time":"2020-05-01T10:00:00.000Z",` +
		`"current_session_info":{"stage":"COMPLETED","completed_work":10,"total_work":10,` +
		`"start_time":"2020-05-01T10:00:00.000Z","completion_time":"2020-05-01T10:01:00.000Z"}}`)
	linkList = []byte(`[{"link":"link-1","display_name":"remote.local"},{"link":"link-2","display_name":"other.local"}]`)
)

func newFakeVC(tb testing.TB) *fakeVC {
	f := &fakeVC{}
	f.expire()
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	tb.Cleanup(f.srv.Close)
	return f
}

// expire invalidates the current session: the next call gets 401.
func (f *fakeVC) expire() {
	t := "tok-" + strconv.FormatInt(f.gen.Add(1), 10)
	f.token.Store(&t)
}

func (f *fakeVC) serve(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if r.URL.Path == "/api/session" && r.Method == http.MethodPost {
		f.logins.Add(1)
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`"` + *f.token.Load() + `"`))
		return
	}
	if r.Header.Get("vmware-api-session-id") != *f.token.Load() {
		h.Set("WWW-Authenticate", `Basic realm="VAPI endpoint"`)
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error_type":"UNAUTHENTICATED","messages":[{"args":[],"default_message":"Authentication required.","id":"com.vmware.vapi.endpoint.method.authentication.required"}]}`))
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/api/hvc/links":
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`"link-1"`))
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/p1"):
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodGet && r.URL.Path == "/api/hvc/links":
		_, _ = w.Write(linkList)
	case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/p1"):
		_, _ = w.Write(providerInfo)
	default:
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error_type":"NOT_FOUND","messages":[]}`))
	}
}
