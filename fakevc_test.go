package hvc_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc"
)

// Credentials the fake vCenter accepts.
const (
	fvcUser = "administrator@vsphere.local"
	fvcPass = "fvc-Pa55w0rd!secret"
)

// fvcConfig shapes a fake vCenter before it starts.
type fvcConfig struct {
	// noAPI makes every /api path 404, like a vCenter older than 7.0U2.
	noAPI bool
	// provider is the scripted sequence of provider Info bodies (the /api
	// form) returned by successive GETs of any provider; the last repeats.
	provider []string
	// startStatus/startBody replace the success reply of providers start.
	startStatus int
	startBody   string
	// hook, when set, sees every authenticated hvc request first; returning
	// true means it answered.
	hook func(w http.ResponseWriter, r *http.Request) bool
	// refused, when set, is called for every hvc request answered 401
	// because its session is not live, before the reply is written.
	refused func(r *http.Request)
}

// fvc is a small fake vCenter over real TLS (httptest's self-signed cert).
// It speaks just enough of both flavors for the client's session, TLS,
// retry and wait logic. Use it for behaviour the simulator cannot script
// (a reply per attempt, counters per path); see wire_test.go for when to
// use which fake.
type fvc struct {
	*httptest.Server
	cfg fvcConfig

	apiLogins, restLogins atomic.Int64 // successful logins per flavor
	loginAttempts         atomic.Int64 // every POST to a session path
	rejectLogins          atomic.Bool  // answer every login 401
	providerGets          atomic.Int64
	nextToken             atomic.Int64

	mu      sync.Mutex
	tokens  map[string]bool
	hits    map[string]int // "METHOD /path" → count
	deleted []string       // tokens seen on DELETE session
}

// newFVC starts a fake vCenter and closes it when t ends.
func newFVC(t testing.TB, cfg fvcConfig) *fvc {
	t.Helper()
	f := &fvc{cfg: cfg, tokens: map[string]bool{}, hits: map[string]int{}}
	f.Server = httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
	f.Config.ErrorLog = log.New(io.Discard, "", 0) // failed handshakes are expected in TLS tests
	f.StartTLS()
	t.Cleanup(f.Close)
	return f
}

// pool trusts the server's self-signed certificate.
func (f *fvc) pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(f.Certificate())
	return p
}

// client returns a client trusting the server, logging in as fvcUser unless
// opts say otherwise, and releases its connections when t ends.
func (f *fvc) client(t testing.TB, opts ...hvc.Option) *hvc.Client {
	t.Helper()
	all := append([]hvc.Option{hvc.WithRootCAs(f.pool()), hvc.WithCredentials(fvcUser, fvcPass)}, opts...)
	return fvcNew(t, f.URL, all...)
}

// fvcNew calls hvc.New, fails t on error and closes idle connections at the end.
func fvcNew(t testing.TB, endpoint string, opts ...hvc.Option) *hvc.Client {
	t.Helper()
	c, err := hvc.New(endpoint, opts...)
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// logins counts successful logins of both flavors.
func (f *fvc) logins() int64 { return f.apiLogins.Load() + f.restLogins.Load() }

// Hits counts requests with method and URL path.
func (f *fvc) Hits(method, path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[method+" "+path]
}

// Total counts every request the server handled.
func (f *fvc) Total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, v := range f.hits {
		n += v
	}
	return n
}

// PrefixHits counts requests whose path starts with prefix.
func (f *fvc) PrefixHits(prefix string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for k, v := range f.hits {
		if _, p, _ := strings.Cut(k, " "); strings.HasPrefix(p, prefix) {
			n += v
		}
	}
	return n
}

// Deleted returns the tokens seen on DELETE session, in order.
func (f *fvc) Deleted() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.deleted...)
}

// Expire invalidates every session, like a token timeout or a restart.
func (f *fvc) Expire() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.tokens)
}

// Mint creates a live session without a login, as another tool would.
func (f *fvc) Mint() string {
	tok := fmt.Sprintf("fvc-sess-%04d-7c1e9a", f.nextToken.Add(1))
	f.mu.Lock()
	f.tokens[tok] = true
	f.mu.Unlock()
	return tok
}

// Live reports whether tok is a current session.
func (f *fvc) Live(tok string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokens[tok]
}

func (f *fvc) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.hits[r.Method+" "+r.URL.Path]++
	f.mu.Unlock()

	path := r.URL.Path
	legacy := strings.HasPrefix(path, "/rest/")
	switch {
	case strings.HasPrefix(path, "/api/") && f.cfg.noAPI:
		http.NotFound(w, r)
		return
	case path == "/api/session" || path == "/rest/com/vmware/cis/session":
		f.session(w, r, legacy)
		return
	case !legacy && !strings.HasPrefix(path, "/api/"):
		http.NotFound(w, r)
		return
	}
	if !f.Live(r.Header.Get("vmware-api-session-id")) {
		if f.cfg.refused != nil {
			f.cfg.refused(r)
		}
		fvcError(w, legacy, http.StatusUnauthorized, "UNAUTHENTICATED")
		return
	}
	if f.cfg.hook != nil && f.cfg.hook(w, r) {
		return
	}
	rest := strings.TrimPrefix(strings.TrimPrefix(path, "/api"), "/rest")
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	switch {
	case rest == "/hvc/links" && r.Method == http.MethodGet:
		fvcResult(w, legacy, http.StatusOK, `[{"link":"link-1","display_name":"foreign.local"}]`)
	case rest == "/hvc/links" && r.Method == http.MethodPost:
		fvcResult(w, legacy, http.StatusCreated, `"link-new"`)
	case len(parts) == 6 && parts[4] == "providers" && r.Method == http.MethodGet:
		i := int(f.providerGets.Add(1)) - 1
		if len(f.cfg.provider) == 0 {
			fvcResult(w, legacy, http.StatusOK, `{"status":"NO_SYNC_FOUND","polling_interval_in_seconds":60}`)
			return
		}
		fvcResult(w, legacy, http.StatusOK, f.cfg.provider[min(i, len(f.cfg.provider)-1)])
	case len(parts) == 6 && parts[4] == "providers" && r.Method == http.MethodPost && r.URL.Query().Get("action") == "start":
		if f.cfg.startStatus != 0 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(f.cfg.startStatus)
			_, _ = io.WriteString(w, f.cfg.startBody)
			return
		}
		fvcResult(w, legacy, http.StatusNoContent, "")
	default:
		fvcError(w, legacy, http.StatusNotFound, "NOT_FOUND")
	}
}

func (f *fvc) session(w http.ResponseWriter, r *http.Request, legacy bool) {
	tok := r.Header.Get("vmware-api-session-id")
	switch r.Method {
	case http.MethodPost:
		f.loginAttempts.Add(1)
		u, p, ok := r.BasicAuth()
		if !ok || u != fvcUser || p != fvcPass || f.rejectLogins.Load() {
			fvcError(w, legacy, http.StatusUnauthorized, "UNAUTHENTICATED")
			return
		}
		tok = f.Mint()
		if legacy {
			f.restLogins.Add(1)
		} else {
			f.apiLogins.Add(1)
		}
		b, _ := json.Marshal(tok)
		fvcResult(w, legacy, http.StatusCreated, string(b))
	case http.MethodDelete:
		f.mu.Lock()
		live := f.tokens[tok]
		delete(f.tokens, tok)
		f.deleted = append(f.deleted, tok)
		f.mu.Unlock()
		if !live {
			fvcError(w, legacy, http.StatusUnauthorized, "UNAUTHENTICATED")
			return
		}
		fvcResult(w, legacy, http.StatusNoContent, "")
	case http.MethodGet:
		if !f.Live(tok) {
			fvcError(w, legacy, http.StatusUnauthorized, "UNAUTHENTICATED")
			return
		}
		fvcResult(w, legacy, http.StatusOK, `{"user":"`+fvcUser+`","created_time":"2024-01-01T00:00:00Z","last_accessed_time":"2024-01-01T00:00:00Z"}`)
	default:
		fvcError(w, legacy, http.StatusMethodNotAllowed, "INVALID_REQUEST")
	}
}

// fvcResult writes a success reply: /api sends the result as is with its
// own status; /rest wraps it in {"value":…} and always answers 200.
func fvcResult(w http.ResponseWriter, legacy bool, status int, result string) {
	if legacy {
		status = http.StatusOK
		if result != "" {
			result = `{"value":` + result + `}`
		}
	}
	if result == "" {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, result)
}

// fvcError writes a std error of type typ in the flavor's envelope.
func fvcError(w http.ResponseWriter, legacy bool, status int, typ string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="VAPI endpoint"`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if legacy {
		_, _ = io.WriteString(w, `{"type":"com.vmware.vapi.std.errors.`+strings.ToLower(typ)+`","value":{"messages":[]}}`)
		return
	}
	_, _ = io.WriteString(w, `{"error_type":"`+typ+`","messages":[]}`)
}

// Mint2 is Mint in the shape of a WithSessionSource function.
func (f *fvc) Mint2(context.Context) (string, error) { return f.Mint(), nil }
