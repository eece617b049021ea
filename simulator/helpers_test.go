package simulator_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc/internal/ops"
	"github.com/hvcsdk/hvc/simulator"
)

// flavor describes one of the two wire dialects as a client sees it.
type flavor struct {
	name        string
	prefix      string // "/api" or "/rest"
	sessionPath string // login/logout path, prefix included
	created     int    // status of a create
	void        int    // status of a void operation
}

var (
	apiFlavor  = flavor{name: "api", prefix: "/api", sessionPath: "/api/session", created: http.StatusCreated, void: http.StatusNoContent}
	restFlavor = flavor{name: "rest", prefix: "/rest", sessionPath: "/rest/com/vmware/cis/session", created: http.StatusOK, void: http.StatusOK}
	flavors    = []flavor{apiFlavor, restFlavor}
)

func (f flavor) rest() bool { return f.name == "rest" }

// wire is a raw HTTP client of one simulator.
type wire struct {
	sim *simulator.Server
	hc  *http.Client
}

// newWire returns a client that trusts sim's certificate and whose idle
// connections are closed when the test ends.
func newWire(t testing.TB, sim *simulator.Server) *wire {
	t.Helper()
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: sim.CertPool(), MinVersion: tls.VersionTLS12}}
	t.Cleanup(tr.CloseIdleConnections)
	return &wire{sim: sim, hc: &http.Client{Transport: tr, Timeout: 15 * time.Second}}
}

// response is a fully read answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) String() string { return http.StatusText(r.status) + " " + string(r.body) }

// request describes one call.
type request struct {
	method string
	path   string // with flavor prefix and query
	token  string
	body   any // nil: none; []byte or string: raw; else JSON-encoded
	user   string
	pass   string // Basic auth when user is set
	header map[string]string
}

func (w *wire) do(t testing.TB, rq request) response {
	t.Helper()
	resp, err := w.try(context.Background(), rq)
	require.NoError(t, err, "%s %s", rq.method, rq.path)
	return resp
}

func (w *wire) try(ctx context.Context, rq request) (response, error) {
	var body io.Reader
	switch b := rq.body.(type) {
	case nil:
	case []byte:
		body = bytes.NewReader(b)
	case string:
		body = strings.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			return response{}, err
		}
		body = bytes.NewReader(enc)
	}
	req, err := http.NewRequestWithContext(ctx, rq.method, w.sim.URL()+rq.path, body)
	if err != nil {
		return response{}, err
	}
	if rq.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if rq.token != "" {
		req.Header.Set("vmware-api-session-id", rq.token)
	}
	if rq.user != "" {
		req.SetBasicAuth(rq.user, rq.pass)
	}
	for k, v := range rq.header {
		if k == "Host" {
			req.Host = v // Go sends req.Host, not a Host header
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := w.hc.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, err
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// login opens a session for user in flavor f and returns its token.
func (w *wire) login(t testing.TB, f flavor, user, pass string) string {
	t.Helper()
	resp := w.do(t, request{method: http.MethodPost, path: f.sessionPath, user: user, pass: pass,
		header: map[string]string{"vmware-use-header-authn": "true"}})
	require.Equal(t, f.created, resp.status, "login: %s", resp)
	var tok string
	require.NoError(t, json.Unmarshal(result(t, f, resp), &tok))
	require.NotEmpty(t, tok)
	return tok
}

func (w *wire) admin(t testing.TB, f flavor) string {
	t.Helper()
	return w.login(t, f, simulator.DefaultAdminUser, simulator.DefaultAdminPassword)
}

// result checks a successful, non-void answer's Content-Type and envelope
// and returns the result: the body on /api, the "value" member (the only
// one) on /rest.
func result(t testing.TB, f flavor, resp response) json.RawMessage {
	t.Helper()
	require.Less(t, resp.status, 300, "not a success: %s", resp)
	require.Equal(t, "application/json", resp.header.Get("Content-Type"), "Content-Type of %s", resp)
	require.True(t, json.Valid(resp.body), "not JSON: %q", resp.body)
	if !f.rest() {
		return resp.body
	}
	var env map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(resp.body, &env), "/rest result is not an object: %s", resp.body)
	require.Len(t, env, 1, "/rest result has other members than value: %s", resp.body)
	v, ok := env["value"]
	require.True(t, ok, "/rest result lacks value: %s", resp.body)
	return v
}

// decode checks a successful answer and decodes its result into v.
func decode[T any](t testing.TB, f flavor, resp response) T {
	t.Helper()
	var v T
	raw := result(t, f, resp)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&v), "decode %s", raw)
	return v
}

// requireVoid checks the answer of a void operation: the flavor's status
// and an empty body.
func requireVoid(t testing.TB, f flavor, resp response) {
	t.Helper()
	require.Equal(t, f.void, resp.status, "%s", resp)
	require.Empty(t, resp.body)
}

// stdMessage is a LocalizableMessage as decoded by the tests; params stays
// raw because its encoding differs between the flavors.
type stdMessage struct {
	ID             string          `json:"id"`
	DefaultMessage string          `json:"default_message"`
	Args           []string        `json:"args"`
	Params         json.RawMessage `json:"params,omitempty"`
	Localized      *string         `json:"localized,omitempty"`
}

// stdError is the inner error structure of both envelopes.
type stdError struct {
	ErrorType string          `json:"error_type"`
	Messages  []stdMessage    `json:"messages"`
	Data      json.RawMessage `json:"data,omitempty"`
}

// requireError checks that resp is the standard error errorType with the
// status of docs/wire.md#error-types-and-http-statuses in flavor f's envelope, and returns it.
func requireError(t testing.TB, f flavor, resp response, status int, errorType string) stdError {
	t.Helper()
	require.Equal(t, status, resp.status, "%s", resp)
	require.Equal(t, "application/json", resp.header.Get("Content-Type"), "Content-Type of %s", resp)
	raw := json.RawMessage(resp.body)
	if f.rest() {
		var env map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(resp.body, &env), "%s", resp.body)
		require.ElementsMatch(t, []string{"type", "value"}, keys(env), "/rest envelope: %s", resp.body)
		var typ string
		require.NoError(t, json.Unmarshal(env["type"], &typ))
		require.Equal(t, "com.vmware.vapi.std.errors."+strings.ToLower(errorType), typ)
		raw = env["value"]
	}
	var members map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &members), "%s", raw)
	for k := range members {
		require.Contains(t, []string{"error_type", "messages", "data"}, k, "unexpected member in %s", raw)
	}
	var e stdError
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&e), "%s", raw)
	if f.rest() && errorType == "UNAUTHENTICATED" {
		// The observed legacy 401 body has no error_type inside value
		// (vranystepan/nagios-go-vcsa-health README).
		_, has := members["error_type"]
		require.False(t, has, "legacy 401 body has error_type inside value: %s", raw)
		e.ErrorType = errorType
	}
	require.Equal(t, errorType, e.ErrorType)
	require.NotEmpty(t, e.Messages, "no messages in %s", raw)
	var msgs []map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(members["messages"], &msgs))
	for i, m := range e.Messages {
		assert.NotEmpty(t, m.ID, "message %d id", i)
		assert.NotEmpty(t, m.DefaultMessage, "message %d default_message", i)
		assert.Equal(t, byte('['), msgs[i]["args"][0], "message %d args must be an array, not %s", i, msgs[i]["args"])
	}
	if errorType == "UNAUTHENTICATED" {
		assert.NotEmpty(t, resp.header.Get("WWW-Authenticate"), "401 without WWW-Authenticate")
		assert.Empty(t, e.Data, "UNAUTHENTICATED has no data")
	}
	return e
}

// params decodes a message's params in flavor f's map encoding (an object
// on /api, a [{"key","value"}] list on /rest), returning each parameter's
// string value.
func params(t testing.TB, f flavor, m stdMessage) map[string]string {
	t.Helper()
	require.NotEmpty(t, m.Params, "message %s has no params", m.ID)
	out := map[string]string{}
	if f.rest() {
		require.Equal(t, byte('['), m.Params[0], "/rest params must be a key/value list: %s", m.Params)
		var list []struct {
			Key   string `json:"key"`
			Value struct {
				S string `json:"s"`
			} `json:"value"`
		}
		dec := json.NewDecoder(bytes.NewReader(m.Params))
		dec.DisallowUnknownFields()
		require.NoError(t, dec.Decode(&list))
		for _, kv := range list {
			out[kv.Key] = kv.Value.S
		}
		return out
	}
	require.Equal(t, byte('{'), m.Params[0], "/api params must be an object: %s", m.Params)
	var obj map[string]struct {
		S string `json:"s"`
	}
	dec := json.NewDecoder(bytes.NewReader(m.Params))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&obj))
	for k, v := range obj {
		out[k] = v.S
	}
	return out
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// spec is a valid CreateSpec for the default foreign PSC.
func spec(domain string) map[string]any {
	return map[string]any{
		"psc_hostname":   simulator.DefaultForeignPSC,
		"domain_name":    domain,
		"username":       simulator.DefaultForeignUser,
		"password":       simulator.DefaultForeignPassword,
		"ssl_thumbprint": simulator.DefaultForeignThumbprint,
		"admin_groups":   []string{"admins@" + domain},
	}
}

// createBody wraps a CreateSpec as flavor f sends it.
func createBody(f flavor, s map[string]any) any {
	if f.rest() {
		return map[string]any{"spec": s}
	}
	return s
}

// createLink creates a link to domain and returns its id.
func (w *wire) createLink(t testing.TB, f flavor, tok, domain string) string {
	t.Helper()
	resp := w.do(t, request{method: http.MethodPost, path: f.prefix + "/hvc/links", token: tok, body: createBody(f, spec(domain))})
	require.Equal(t, f.created, resp.status, "%s", resp)
	return decode[string](t, f, resp)
}

// providerInfo is links.sync.providers.Info.
type providerInfo struct {
	LastSyncTime             *string      `json:"last_sync_time"`
	Status                   string       `json:"status"`
	PollingIntervalInSeconds *int64       `json:"polling_interval_in_seconds"`
	CurrentSessionInfo       *sessionInfo `json:"current_session_info"`
	StatusMessage            *stdMessage  `json:"status_message"`
}

type sessionInfo struct {
	Stage          string      `json:"stage"`
	CompletedWork  *int64      `json:"completed_work"`
	TotalWork      *int64      `json:"total_work"`
	CompletionTime *string     `json:"completion_time"`
	StartTime      *string     `json:"start_time"`
	Exception      *stdMessage `json:"exception"`
}

// timeFormat is vCenter's date-time: UTC with milliseconds.
const timeFormat = "2006-01-02T15:04:05.000Z"

func requireTime(t testing.TB, s *string, what string) time.Time {
	t.Helper()
	require.NotNil(t, s, "%s unset", what)
	tm, err := time.Parse(timeFormat, *s)
	require.NoError(t, err, "%s = %q", what, *s)
	return tm
}

// requireRouteNotFound checks the reply of a real vCenter to a URL it has no
// operation for: on /rest the vAPI REST layer's operationsForUrlNotFound
// body (as observed in vmware-archive/vmware-openapi-generator#72), on /api
// and outside both prefixes the httpNotFound body (as observed in
// ansible-collections/vmware.vmware_rest#240). rel is the path without the
// flavor prefix and query.
func requireRouteNotFound(t testing.TB, f flavor, resp response, rel string) {
	t.Helper()
	require.Equal(t, http.StatusNotFound, resp.status, "%s", resp)
	require.Equal(t, "application/json", resp.header.Get("Content-Type"), "Content-Type of %s", resp)
	if i := strings.IndexByte(rel, '?'); i >= 0 {
		rel = rel[:i]
	}
	if rel == "" {
		rel = "/"
	}
	if f.rest() {
		args, _ := json.Marshal([]string{rel})
		text, _ := json.Marshal("Unable to find operations for URL: " + rel + ".")
		require.JSONEq(t, `{"type":"com.vmware.vapi.std.errors.not_found","value":{"error_type":"NOT_FOUND","messages":[{"args":`+
			string(args)+`,"default_message":`+string(text)+`,"id":"com.vmware.vapi.rest.operationsForUrlNotFound"}]}}`, string(resp.body))
		return
	}
	require.JSONEq(t, `{"error_type":"NOT_FOUND","messages":[{"args":[],"default_message":"Not found.","id":"com.vmware.vapi.rest.httpNotFound"}]}`, string(resp.body))
}

// opFor returns the operation of the ops table a flavor-less request path
// (with its ?action=) would reach, or nil.
func opFor(method, p string) *ops.Op {
	rel, query, _ := strings.Cut(p, "?")
	action := ""
	for _, kv := range strings.Split(query, "&") {
		if v, ok := strings.CutPrefix(kv, "action="); ok {
			action = v
		}
	}
	segs := strings.Split(rel, "/")
	for _, op := range ops.All {
		tsegs := strings.Split(op.Template, "/")
		if op.Method != method || op.Action != action || len(tsegs) != len(segs) {
			continue
		}
		match := true
		for i, ts := range tsegs {
			if !strings.HasPrefix(ts, "{") && ts != segs[i] {
				match = false
			}
		}
		if match {
			return op
		}
	}
	return nil
}

// versionFor is a release that has the operation a request reaches: the
// default release when it has it, else the first release that does.
func versionFor(method, p string) string {
	op := opFor(method, p)
	if op == nil || op.In(ops.R80) {
		return simulator.DefaultVersion
	}
	return op.Since.String()
}

// fixtures starts one fixture per flavor and release on first use.
type fixtures struct {
	t    *testing.T
	opts []simulator.Option
	mu   sync.Mutex
	m    map[string]fixture
}

func newFixtures(t *testing.T, opts ...simulator.Option) *fixtures {
	return &fixtures{t: t, opts: opts, m: map[string]fixture{}}
}

// get returns the fixture of flavor f whose release has the operation of
// method and path. It must be called from the parent test, not a subtest.
func (fs *fixtures) get(f flavor, method, p string) fixture {
	v := versionFor(method, p)
	fs.mu.Lock()
	defer fs.mu.Unlock()
	key := f.name + " " + v
	x, ok := fs.m[key]
	if !ok {
		x = newFixture(fs.t, f, append([]simulator.Option{simulator.WithVersion(v)}, fs.opts...)...)
		fs.m[key] = x
	}
	return x
}

// certPEM is sim's certificate in PEM.
func certPEM(sim *simulator.Server) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: sim.Certificate().Raw}))
}

// mustFault injects f into sim and fails the test if AddFault refuses it.
func mustFault(t testing.TB, sim *simulator.Server, f simulator.Fault) func() {
	t.Helper()
	remove, err := sim.AddFault(f)
	require.NoError(t, err)
	return remove
}
