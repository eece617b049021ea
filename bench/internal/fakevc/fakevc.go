// Package fakevc is the benchmarks' vCenter: fixed /api-flavor answers to
// the few operations the benchmarks call, given either in memory (Transport,
// so that only the client's own work is measured) or over loopback by a
// server process of its own (Serve, so that the client's allocation counts
// are not mixed with the server's). It does as little as possible; for
// behaviour use the simulator package.
package fakevc

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Canned bodies.
var (
	// LinkID is what Links.Create answers.
	LinkID = "link-1"

	createReply  = []byte(`"` + LinkID + `"`)
	providerInfo = []byte(`{"status":"SUCCEEDED","polling_interval_in_seconds":30,"last_sync_time":"2020-05-01T10:00:00.000Z",` +
		`"current_session_info":{"stage":"COMPLETED","completed_work":10,"total_work":10,` +
		`"start_time":"2020-05-01T10:00:00.000Z","completion_time":"2020-05-01T10:01:00.000Z"}}`)
	linkList     = []byte(`[{"link":"link-1","display_name":"remote.local"},{"link":"link-2","display_name":"other.local"}]`)
	unauthorized = []byte(`{"error_type":"UNAUTHENTICATED","messages":[{"args":[],"default_message":"Authentication required.","id":"com.vmware.vapi.endpoint.method.authentication.required"}]}`)
	notFound     = []byte(`{"error_type":"NOT_FOUND","messages":[]}`)
)

// SessionHeader is the canonical form of the session header; every client
// under test must send it.
const SessionHeader = "Vmware-Api-Session-Id"

// ProviderPath is the sync provider every provider operation names.
const ProviderPath = "/api/hvc/links/link-1/sync/providers/p1"

// answer is the reply to an authenticated call. The routes are exact, so a
// client that builds a wrong path or query gets 404.
func answer(method, path, query string) (int, []byte) {
	switch {
	case method == http.MethodPost && path == "/api/hvc/links" && query == "":
		return http.StatusCreated, createReply
	case method == http.MethodPost && path == ProviderPath && query == "action=start":
		return http.StatusNoContent, nil
	case method == http.MethodGet && path == "/api/hvc/links" && query == "":
		return http.StatusOK, linkList
	case method == http.MethodGet && path == ProviderPath && query == "":
		return http.StatusOK, providerInfo
	}
	return http.StatusNotFound, notFound
}

// CheckBody is the strict check of a request body that tests (not
// benchmarks) turn on: Create must send the spec's fields, every other call
// no body at all, or "{}" (which the vAPI runtime sends for an operation
// without a body parameter, GETs included).
func CheckBody(method, path string, body []byte) error {
	if method == http.MethodPost && path == "/api/hvc/links" {
		var spec struct {
			PSCHostname string   `json:"psc_hostname"`
			Password    string   `json:"password"`
			AdminGroups []string `json:"admin_groups"`
		}
		if err := json.Unmarshal(body, &spec); err != nil {
			return errors.New("create body: " + err.Error())
		}
		if spec.PSCHostname == "" || spec.Password == "" || len(spec.AdminGroups) != 1 {
			return errors.New("create body lacks fields: " + string(body))
		}
		return nil
	}
	if b := bytes.TrimSpace(body); len(b) != 0 && string(b) != "{}" {
		return errors.New(method + " " + path + " sent a body: " + strconv.Quote(string(body)))
	}
	return nil
}

// authorized reports whether h carries token as the session id. Reading the
// map with the canonical key costs nothing.
func authorized(h http.Header, token string) bool {
	v := h[SessionHeader]
	return len(v) == 1 && v[0] == token
}

var jsonHeader = http.Header{"Content-Type": {"application/json"}}

// Transport answers in memory, without a network, so a benchmark measures
// only the client: its own allocations plus the two of each reply (the
// *http.Response and its body). It reads and discards request bodies as a
// connection would. Replies share one read-only header map.
type Transport struct {
	// Token is the valid session id.
	Token string
	// Strict checks request bodies with CheckBody (tests only: it costs).
	Strict bool
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	var err error
	if req.Body != nil {
		if t.Strict {
			var b bytes.Buffer
			_, err = b.ReadFrom(req.Body)
			if err == nil {
				err = CheckBody(req.Method, req.URL.Path, b.Bytes())
			}
		} else {
			err = drain(req.Body)
		}
		req.Body.Close()
		if err != nil {
			return nil, err
		}
	}
	status, body := http.StatusUnauthorized, unauthorized
	if authorized(req.Header, t.Token) {
		status, body = answer(req.Method, req.URL.Path, req.URL.RawQuery)
	}
	return &http.Response{
		Status: statusText(status), StatusCode: status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: jsonHeader, Body: &replyBody{Reader: *bytes.NewReader(body)},
		ContentLength: int64(len(body)), Request: req,
	}, nil
}

// drain reads r to its end as a connection would, through a pooled buffer:
// io.Copy would hand it to r's WriteTo, which for some readers (the
// io.MultiReader govmomi sends as an empty body) allocates 32 KiB that no
// real transport spends.
func drain(r io.Reader) error {
	bp := bufs.Get().(*[]byte)
	defer bufs.Put(bp)
	for {
		_, err := r.Read(*bp)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

var bufs = sync.Pool{New: func() any { b := make([]byte, 4096); return &b }}

// replyBody is a reply's body: one allocation, closable.
type replyBody struct{ bytes.Reader }

func (*replyBody) Close() error { return nil }

// statusText is the Status line text without allocating per call.
func statusText(code int) string {
	switch code {
	case http.StatusOK:
		return "200 OK"
	case http.StatusCreated:
		return "201 Created"
	case http.StatusNoContent:
		return "204 No Content"
	case http.StatusUnauthorized:
		return "401 Unauthorized"
	}
	return "404 Not Found"
}

// isControl reports a benchmark-control path of the server process.
func isControl(path string) bool { return strings.HasPrefix(path, "/_bench/") }
