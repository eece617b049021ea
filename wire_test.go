package hvc_test

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc"
)

// Wire tests: every operation, both flavors, checked byte by byte against
// docs/wire.md (Operations, Sessions) through an httpmock transport (never
// the global one).
//
// Which fake to use (there are three; learn this one last):
//   - mockVC (this file, httpmock): narrow wire-shape checks only — the
//     exact method, path, query, headers and body one call sends, and how a
//     canned reply decodes. No network, no TLS, no state.
//   - fvc (fakevc_test.go, httptest TLS): client behaviour that needs a
//     scripted server — session expiry storms, retries and backoff, drops at
//     chosen moments, provider progress sequences.
//   - the simulator (package simulator): everything a user would do against
//     a vCenter, with state, users, versions and faults. Prefer it for
//     behaviour tests; reach for fvc only when the simulator cannot express
//     the script.

const (
	mockEndpoint = "https://vc.example"
	mockSession  = "sess-1"
	// mockThumbprint is a well-formed SHA-256 thumbprint.
	mockThumbprint = "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99"
)

// seenRequest is what the mock transport received of one request.
type seenRequest struct {
	Method string
	// Path is req.URL.EscapedPath(): what went on the wire.
	Path   string
	Query  string
	Header http.Header
	Body   []byte
}

// mockVC records every request and answers it with its responder. All
// requests go to the no-responder hook so nothing escapes the record and
// GetTotalCallCount counts every one.
type mockVC struct {
	MT   *httpmock.MockTransport
	mu   sync.Mutex
	reqs []seenRequest
}

func newMockVC(t *testing.T, reply httpmock.Responder) *mockVC {
	t.Helper()
	m := &mockVC{MT: httpmock.NewMockTransport()}
	m.MT.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		var body []byte
		if req.Body != nil {
			b, err := io.ReadAll(req.Body)
			if err != nil {
				return nil, err
			}
			body = b
		}
		m.mu.Lock()
		m.reqs = append(m.reqs, seenRequest{Method: req.Method, Path: req.URL.EscapedPath(),
			Query: req.URL.RawQuery, Header: req.Header.Clone(), Body: body})
		m.mu.Unlock()
		return reply(req)
	})
	return m
}

// Requests returns a copy of the requests seen so far.
func (m *mockVC) Requests() []seenRequest {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]seenRequest(nil), m.reqs...)
}

// Client returns a client sending through the mock with flavor f.
func (m *mockVC) Client(t *testing.T, f hvc.Flavor, opts ...hvc.Option) *hvc.Client {
	t.Helper()
	all := append([]hvc.Option{hvc.WithHTTPClient(&http.Client{Transport: m.MT}), hvc.WithFlavor(f)}, opts...)
	c, err := hvc.New(mockEndpoint, all...)
	require.NoError(t, err)
	return c
}

// jsonReply answers every request with status and body, labelled JSON when
// there is a body.
func jsonReply(status int, body string) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(status, body)
		if body != "" {
			resp.Header.Set("Content-Type", "application/json")
		}
		return resp, nil
	}
}

// flavors are the two explicit flavors with a name for subtests.
var flavors = []struct {
	name   string
	flavor hvc.Flavor
	legacy bool
}{
	{"api", hvc.FlavorAPI, false},
	{"rest", hvc.FlavorREST, true},
}

// exchange is one expected request and the reply the mock gives it.
type exchange struct {
	method, path, query string
	// body is the expected request JSON; "" means no body at all.
	body string
	// status and reply are the mock's answer.
	status int
	reply  string
}

// minimalSpecJSON has no optional member at all: unset optionals are omitted.
const minimalSpecJSON = `{"psc_hostname":"psc.remote.example","domain_name":"remote.local",
	"username":"administrator@remote.local","password":"Pa55-w0rd!"}`

const (
	credsJSON      = `{"credentials":{"user_name":"admin@foreign.local","password":"f0reign-pw"}}`
	providerGetAPI = `{"status":"SUCCEEDED","polling_interval_in_seconds":30,
		"last_sync_time":"2020-05-01T10:00:00.000Z",
		"current_session_info":{"stage":"COMPLETED","completed_work":10,"total_work":10,
			"start_time":"2020-05-01T10:00:00.000Z","completion_time":"2020-05-01T10:01:00.000Z"}}`
	providerFailedAPI = `{"status":"FAILED","polling_interval_in_seconds":60,
		"status_message":{"id":"sync.failed","default_message":"Sync failed: boom","args":["boom"]},
		"current_session_info":{"stage":"FAILED","completed_work":3,"total_work":10,
			"start_time":"2020-05-01T10:00:00Z","completion_time":"2020-05-01T10:00:30Z",
			"exception":{"id":"sync.ex","default_message":"boom","args":[]}}}`
)

var (
	foreignCreds = hvc.Credentials{UserName: "admin@foreign.local", Password: "f0reign-pw"}
	t0           = time.Date(2020, 5, 1, 10, 0, 0, 0, time.UTC)
	t1           = time.Date(2020, 5, 1, 10, 1, 0, 0, time.UTC)
	t30          = time.Date(2020, 5, 1, 10, 0, 30, 0, time.UTC)
)

func ptr[T any](v T) *T { return &v }

func basicAuth(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// wireCase is one operation: how to call it, what each flavor must put on
// the wire, and what it must return.
type wireCase struct {
	name string
	call func(ctx context.Context, c *hvc.Client) (any, error)
	api  exchange
	rest exchange
	want any
	// login makes the client hold credentials instead of a session id; the
	// request must then carry Basic auth and no session header.
	login bool
}

func wireCases() []wireCase {
	const lp = "/hvc/links"
	return []wireCase{
		{
			name: "Links.Create/full spec",
			call: func(ctx context.Context, c *hvc.Client) (any, error) { return c.Links.Create(ctx, fullSpec()) },
			api:  exchange{"POST", "/api" + lp, "", fullSpecJSON, 201, `"link-1"`},
			rest: exchange{"POST", "/rest" + lp, "", `{"spec":` + fullSpecJSON + `}`, 200, `{"value":"link-1"}`},
			want: "link-1",
		},
		{
			name: "Links.Create/unset optionals omitted",
			call: func(ctx context.Context, c *hvc.Client) (any, error) { return c.Links.Create(ctx, minimalSpec()) },
			api:  exchange{"POST", "/api" + lp, "", minimalSpecJSON, 201, `"link-2"`},
			rest: exchange{"POST", "/rest" + lp, "", `{"spec":` + minimalSpecJSON + `}`, 200, `{"value":"link-2"}`},
			want: "link-2",
		},
		{
			name: "Links.List",
			call: func(ctx context.Context, c *hvc.Client) (any, error) { return c.Links.List(ctx) },
			api: exchange{"GET", "/api" + lp, "", "", 200,
				`[{"link":"link-1","display_name":"remote.local"},{"link":"link-2","display_name":"other.local"}]`},
			rest: exchange{"GET", "/rest" + lp, "", "", 200,
				`{"value":[{"link":"link-1","display_name":"remote.local"},{"link":"link-2","display_name":"other.local"}]}`},
			want: []hvc.LinkSummary{{Link: "link-1", DisplayName: "remote.local"}, {Link: "link-2", DisplayName: "other.local"}},
		},
		{
			name: "Links.List/empty",
			call: func(ctx context.Context, c *hvc.Client) (any, error) { return c.Links.List(ctx) },
			api:  exchange{"GET", "/api" + lp, "", "", 200, `[]`},
			rest: exchange{"GET", "/rest" + lp, "", "", 200, `{"value":[]}`},
			want: []hvc.LinkSummary{},
		},
		{
			name: "Links.Get/healthy",
			call: func(ctx context.Context, c *hvc.Client) (any, error) { return c.Links.Get(ctx, "link-1") },
			api:  exchange{"GET", "/api" + lp + "/link-1", "", "", 200, `{"connection_health_status":"HEALTHY"}`},
			rest: exchange{"GET", "/rest" + lp + "/link-1", "", "", 200, `{"value":{"connection_health_status":"HEALTHY"}}`},
			want: hvc.LinkInfo{ConnectionHealthStatus: hvc.HealthStatusHealthy},
		},
		{
			// Maps are objects on /api and key/value lists on /rest (docs/wire.md#value-encoding).
			name: "Links.Get/unhealthy with message params",
			call: func(ctx context.Context, c *hvc.Client) (any, error) { return c.Links.Get(ctx, "link-1") },
			api: exchange{"GET", "/api" + lp + "/link-1", "", "", 200, `{"connection_health_status":"UNHEALTHY",
				"health_status_message":{"id":"hvc.unhealthy","default_message":"psc.remote.example unreachable",
				"args":["psc.remote.example"],"params":{"host":{"s":"psc.remote.example"}}}}`},
			rest: exchange{"GET", "/rest" + lp + "/link-1", "", "", 200, `{"value":{"connection_health_status":"UNHEALTHY",
				"health_status_message":{"id":"hvc.unhealthy","default_message":"psc.remote.example unreachable",
				"args":["psc.remote.example"],"params":[{"key":"host","value":{"s":"psc.remote.example"}}]}}}`},
			want: hvc.LinkInfo{ConnectionHealthStatus: hvc.HealthStatusUnhealthy, HealthStatusMessage: &hvc.LocalizableMessage{
				ID: "hvc.unhealthy", DefaultMessage: "psc.remote.example unreachable", Args: []string{"psc.remote.example"},
				Params: map[string]hvc.LocalizationParam{"host": {S: ptr("psc.remote.example")}}}},
		},
		{
			name: "Links.Get/unknown health status kept",
			call: func(ctx context.Context, c *hvc.Client) (any, error) { return c.Links.Get(ctx, "link-1") },
			api:  exchange{"GET", "/api" + lp + "/link-1", "", "", 200, `{"connection_health_status":"DEGRADED","future":1}`},
			rest: exchange{"GET", "/rest" + lp + "/link-1", "", "", 200, `{"value":{"connection_health_status":"DEGRADED","future":1}}`},
			want: hvc.LinkInfo{ConnectionHealthStatus: "DEGRADED"},
		},
		{
			name: "Links.Delete",
			call: func(ctx context.Context, c *hvc.Client) (any, error) { return nil, c.Links.Delete(ctx, "link-1") },
			api:  exchange{"DELETE", "/api" + lp + "/link-1", "", "", 204, ""},
			rest: exchange{"DELETE", "/rest" + lp + "/link-1", "", "", 200, ""},
		},
		{
			name: "Links.DeleteWithCredentials",
			call: func(ctx context.Context, c *hvc.Client) (any, error) {
				return nil, c.Links.DeleteWithCredentials(ctx, "link-1", foreignCreds)
			},
			api:  exchange{"POST", "/api" + lp + "/link-1", "action=delete", credsJSON, 204, ""},
			rest: exchange{"POST", "/rest" + lp + "/link-1", "action=delete", credsJSON, 200, ""},
		},
		{
			name: "Sync.Reset",
			call: func(ctx context.Context, c *hvc.Client) (any, error) { return nil, c.Sync.Reset(ctx, "link-1") },
			api:  exchange{"POST", "/api" + lp + "/link-1/sync", "action=reset", "", 204, ""},
			rest: exchange{"POST", "/rest" + lp + "/link-1/sync", "action=reset", "", 200, ""},
		},
		{
			name: "SyncProviders.List",
			call: func(ctx context.Context, c *hvc.Client) (any, error) { return c.SyncProviders.List(ctx, "link-1") },
			api:  exchange{"GET", "/api" + lp + "/link-1/sync/providers", "", "", 200, `[{"provider":"p1"},{"provider":"p2"}]`},
			rest: exchange{"GET", "/rest" + lp + "/link-1/sync/providers", "", "", 200, `{"value":[{"provider":"p1"},{"provider":"p2"}]}`},
			want: []hvc.ProviderSummary{{Provider: "p1"}, {Provider: "p2"}},
		},
		{
			name: "SyncProviders.Get/succeeded",
			call: func(ctx context.Context, c *hvc.Client) (any, error) { return c.SyncProviders.Get(ctx, "link-1", "p1") },
			api:  exchange{"GET", "/api" + lp + "/link-1/sync/providers/p1", "", "", 200, providerGetAPI},
			rest: exchange{"GET", "/rest" + lp + "/link-1/sync/providers/p1", "", "", 200, `{"value":` + providerGetAPI + `}`},
			want: hvc.ProviderInfo{LastSyncTime: &t0, Status: hvc.SyncStatusSucceeded, PollingIntervalInSeconds: 30,
				CurrentSessionInfo: &hvc.SyncSessionInfo{Stage: hvc.SyncStageCompleted, CompletedWork: 10, TotalWork: 10,
					StartTime: t0, CompletionTime: &t1}},
		},
		{
			name: "SyncProviders.Get/failed",
			call: func(ctx context.Context, c *hvc.Client) (any, error) { return c.SyncProviders.Get(ctx, "link-1", "p1") },
			api:  exchange{"GET", "/api" + lp + "/link-1/sync/providers/p1", "", "", 200, providerFailedAPI},
			rest: exchange{"GET", "/rest" + lp + "/link-1/sync/providers/p1", "", "", 200, `{"value":` + providerFailedAPI + `}`},
			want: hvc.ProviderInfo{Status: hvc.SyncStatusFailed, PollingIntervalInSeconds: 60,
				StatusMessage: &hvc.LocalizableMessage{ID: "sync.failed", DefaultMessage: "Sync failed: boom", Args: []string{"boom"}},
				CurrentSessionInfo: &hvc.SyncSessionInfo{Stage: hvc.SyncStageFailed, CompletedWork: 3, TotalWork: 10,
					StartTime: t0, CompletionTime: &t30,
					Exception: &hvc.LocalizableMessage{ID: "sync.ex", DefaultMessage: "boom", Args: []string{}}}},
		},
		{
			name: "SyncProviders.Get/no sync found",
			call: func(ctx context.Context, c *hvc.Client) (any, error) { return c.SyncProviders.Get(ctx, "link-1", "p1") },
			api:  exchange{"GET", "/api" + lp + "/link-1/sync/providers/p1", "", "", 200, `{"status":"NO_SYNC_FOUND","polling_interval_in_seconds":30}`},
			rest: exchange{"GET", "/rest" + lp + "/link-1/sync/providers/p1", "", "", 200, `{"value":{"status":"NO_SYNC_FOUND","polling_interval_in_seconds":30}}`},
			want: hvc.ProviderInfo{Status: hvc.SyncStatusNoSyncFound, PollingIntervalInSeconds: 30},
		},
		{
			name: "SyncProviders.Start/no credentials",
			call: func(ctx context.Context, c *hvc.Client) (any, error) {
				return nil, c.SyncProviders.Start(ctx, "link-1", "p1", nil)
			},
			api:  exchange{"POST", "/api" + lp + "/link-1/sync/providers/p1", "action=start", "", 204, ""},
			rest: exchange{"POST", "/rest" + lp + "/link-1/sync/providers/p1", "action=start", "", 200, ""},
		},
		{
			name: "SyncProviders.Start/with credentials",
			call: func(ctx context.Context, c *hvc.Client) (any, error) {
				creds := foreignCreds
				return nil, c.SyncProviders.Start(ctx, "link-1", "p1", &creds)
			},
			api:  exchange{"POST", "/api" + lp + "/link-1/sync/providers/p1", "action=start", credsJSON, 204, ""},
			rest: exchange{"POST", "/rest" + lp + "/link-1/sync/providers/p1", "action=start", credsJSON, 200, ""},
		},
		{
			name: "Administrators.Get",
			call: func(ctx context.Context, c *hvc.Client) (any, error) { return c.Administrators.Get(ctx) },
			api:  exchange{"GET", "/api/hvc/management/administrators", "", "", 200, `["a@d","b@d"]`},
			rest: exchange{"GET", "/rest/hvc/management/administrators", "", "", 200, `{"value":["a@d","b@d"]}`},
			want: []string{"a@d", "b@d"},
		},
		{
			name: "Administrators.Set",
			call: func(ctx context.Context, c *hvc.Client) (any, error) {
				return nil, c.Administrators.Set(ctx, []string{"a@d", "b@d"})
			},
			api:  exchange{"PUT", "/api/hvc/management/administrators", "", `{"group_names":["a@d","b@d"]}`, 204, ""},
			rest: exchange{"PUT", "/rest/hvc/management/administrators", "", `{"group_names":["a@d","b@d"]}`, 200, ""},
		},
		{
			name: "Administrators.Set/nil clears",
			call: func(ctx context.Context, c *hvc.Client) (any, error) { return nil, c.Administrators.Set(ctx, nil) },
			api:  exchange{"PUT", "/api/hvc/management/administrators", "", `{"group_names":[]}`, 204, ""},
			rest: exchange{"PUT", "/rest/hvc/management/administrators", "", `{"group_names":[]}`, 200, ""},
		},
		{
			name: "Administrators.Add",
			call: func(ctx context.Context, c *hvc.Client) (any, error) {
				return nil, c.Administrators.Add(ctx, "xyz@abc.com")
			},
			api:  exchange{"POST", "/api/hvc/management/administrators", "action=add", `{"group_name":"xyz@abc.com"}`, 204, ""},
			rest: exchange{"POST", "/rest/hvc/management/administrators", "action=add", `{"group_name":"xyz@abc.com"}`, 200, ""},
		},
		{
			name: "Administrators.Remove",
			call: func(ctx context.Context, c *hvc.Client) (any, error) {
				return nil, c.Administrators.Remove(ctx, "xyz@abc.com")
			},
			api:  exchange{"POST", "/api/hvc/management/administrators", "action=remove", `{"group_name":"xyz@abc.com"}`, 204, ""},
			rest: exchange{"POST", "/rest/hvc/management/administrators", "action=remove", `{"group_name":"xyz@abc.com"}`, 200, ""},
		},
		{
			name: "Login",
			call: func(ctx context.Context, c *hvc.Client) (any, error) {
				err := c.Login(ctx)
				return c.SessionID(), err
			},
			api:   exchange{"POST", "/api/session", "", "", 201, `"tok-9"`},
			rest:  exchange{"POST", "/rest/com/vmware/cis/session", "", "", 200, `{"value":"tok-9"}`},
			want:  "tok-9",
			login: true,
		},
		{
			name: "Logout",
			call: func(ctx context.Context, c *hvc.Client) (any, error) {
				err := c.Logout(ctx)
				return c.SessionID(), err
			},
			api:  exchange{"DELETE", "/api/session", "", "", 204, ""},
			rest: exchange{"DELETE", "/rest/com/vmware/cis/session", "", "", 200, ""},
			want: "",
		},
	}
}

const (
	loginUser = "administrator@vsphere.local"
	loginPass = "vc-Pa55!"
)

func TestWireOperations(t *testing.T) {
	t.Parallel()
	for _, tc := range wireCases() {
		for _, fl := range flavors {
			ex := tc.api
			if fl.legacy {
				ex = tc.rest
			}
			t.Run(tc.name+"/"+fl.name, func(t *testing.T) {
				t.Parallel()
				m := newMockVC(t, jsonReply(ex.status, ex.reply))
				opt := hvc.WithSessionID(mockSession)
				if tc.login {
					opt = hvc.WithCredentials(loginUser, loginPass)
				}
				c := m.Client(t, fl.flavor, opt)

				got, err := tc.call(context.Background(), c)
				require.NoError(t, err)

				reqs := m.Requests()
				require.Len(t, reqs, 1, "exactly one request")
				r := reqs[0]
				assert.Equal(t, ex.method, r.Method)
				assert.Equal(t, ex.path, r.Path)
				assert.Equal(t, ex.query, r.Query)
				assert.Equal(t, "application/json", r.Header.Get("Accept"))
				if tc.login {
					assert.Empty(t, r.Header.Values("vmware-api-session-id"))
					assert.Equal(t, basicAuth(loginUser, loginPass), r.Header.Get("Authorization"))
					assert.Equal(t, "true", r.Header.Get("vmware-use-header-authn"))
				} else {
					assert.Equal(t, []string{mockSession}, r.Header.Values("vmware-api-session-id"))
					assert.Empty(t, r.Header.Get("Authorization"))
				}
				if ex.body == "" {
					assert.Empty(t, r.Body, "no request body")
					assert.Empty(t, r.Header.Get("Content-Type"), "no Content-Type without a body")
				} else {
					assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
					assert.JSONEq(t, ex.body, string(r.Body))
				}

				if got != nil || tc.want != nil {
					assert.Equal(t, tc.want, got)
				}
				assert.Equal(t, 1, m.MT.GetTotalCallCount())
			})
		}
	}
}

// TestWireEscapesPathParams checks that ids are path-escaped: "a/b" must
// stay one segment ("a%2Fb") rather than add one.
func TestWireEscapesPathParams(t *testing.T) {
	t.Parallel()
	// ids are (raw, escaped) pairs; each link id is paired with a provider id.
	ids := []struct{ link, el, provider, ep string }{
		{"a/b", "a%2Fb", "p 1/x?y#z", "p%201%2Fx%3Fy%23z"},
		{"50%", "50%25", "a%2Fb", "a%252Fb"},
		{"ü x", "%C3%BC%20x", "{provider}", "%7Bprovider%7D"},
		{"a;b,c", "a%3Bb%2Cc", "..x", "..x"},
		{"link-1", "link-1", "com.vmware.vcenter.hvc.links.sync.Providers:p1", "com.vmware.vcenter.hvc.links.sync.Providers:p1"},
	}
	for _, id := range ids {
		for _, tc := range operations {
			if len(tc.op.Params()) == 0 {
				continue
			}
			for _, fl := range flavors {
				t.Run(tc.name()+"/"+id.link+"/"+fl.name, func(t *testing.T) {
					t.Parallel()
					prefix := map[bool]string{false: "/api", true: "/rest"}[fl.legacy]
					want := strings.NewReplacer("{link}", id.el, "{provider}", id.ep).Replace(tc.op.Template)
					// A NOT_FOUND reply shows the escaped, flavor-less path in the error.
					m := newMockVC(t, jsonReply(404, errorBody(envFor(fl.legacy), hvc.ErrorTypeNotFound, `"messages":[]`)))
					c := m.Client(t, fl.flavor, hvc.WithSessionID(mockSession))
					err := tc.call(context.Background(), c, id.link, id.provider)
					var nf *hvc.NotFoundError
					require.ErrorAs(t, err, &nf)
					wantErrPath := want
					if tc.op.Action != "" {
						wantErrPath += "?action=" + tc.op.Action
					}
					assert.Equal(t, wantErrPath, nf.Path)

					reqs := m.Requests()
					require.Len(t, reqs, 1)
					assert.Equal(t, prefix+want, reqs[0].Path)
					assert.Equal(t, tc.op.Query(), reqs[0].Query)
				})
			}
		}
	}
}

// TestWireDeclaredErrors: every error docs/wire.md declares per operation,
// plus the errors any operation may return, decodes to its typed error in both flavors.
func TestWireDeclaredErrors(t *testing.T) {
	t.Parallel()
	type row struct {
		name   string
		call   func(ctx context.Context, c *hvc.Client) error
		method string
		path   string // flavor-less, with the action; "" for session ops
		errs   []hvc.ErrorType
		login  bool
	}
	var rows []row
	for _, tc := range operations {
		errs := slices.Clone(tc.declared())
		for _, r := range runtimeErrors {
			if !slices.Contains(errs, r) {
				errs = append(errs, r)
			}
		}
		p, err := tc.op.Path([]string{"link-1", "p1"}[:len(tc.op.Params())]...)
		require.NoError(t, err)
		if q := tc.op.Query(); q != "" {
			p += "?" + q
		}
		rows = append(rows, row{tc.name(), func(ctx context.Context, c *hvc.Client) error {
			return tc.call(ctx, c, "link-1", "p1")
		}, tc.op.Method, p, errs, false})
	}
	rows = append(rows,
		row{"Login", func(ctx context.Context, c *hvc.Client) error { return c.Login(ctx) },
			"POST", "", []hvc.ErrorType{hvc.ErrorTypeUnauthenticated, hvc.ErrorTypeServiceUnavailable}, true},
		// Logout treats 401 as already logged out (tested below), so only 503.
		row{"Logout", func(ctx context.Context, c *hvc.Client) error { return c.Logout(ctx) },
			"DELETE", "", []hvc.ErrorType{hvc.ErrorTypeServiceUnavailable}, false})
	for _, op := range rows {
		for _, typ := range op.errs {
			kind := kindOf(t, typ)
			for _, fl := range flavors {
				t.Run(op.name+"/"+string(typ)+"/"+fl.name, func(t *testing.T) {
					t.Parallel()
					path := op.path
					if op.path == "" {
						// Path is flavor-less for the session resource too.
						path = map[bool]string{false: "/session", true: "/com/vmware/cis/session"}[fl.legacy]
					}
					body := errorBody(envFor(fl.legacy), typ,
						`"messages":[{"id":"vapi.x","default_message":"declared `+string(typ)+`","args":[]}]`)
					m := newMockVC(t, jsonReply(kind.status, body))
					opt := hvc.WithSessionID(mockSession)
					if op.login {
						opt = hvc.WithCredentials(loginUser, loginPass)
					}
					c := m.Client(t, fl.flavor, opt)
					err := op.call(context.Background(), c)
					require.Error(t, err)
					assert.True(t, kind.as(err), "want %s, got %T: %v", typ, err, err)
					assert.ErrorIs(t, err, kind.sentinel)
					var std *hvc.StdError
					require.ErrorAs(t, err, &std)
					assert.Equal(t, typ, std.ErrorType)
					assert.Equal(t, kind.status, std.StatusCode)
					assert.Equal(t, op.method, std.Method)
					assert.Equal(t, path, std.Path)
					wantOp := map[string]string{"Login": "Session.Create", "Logout": "Session.Delete"}[op.name]
					if wantOp == "" {
						wantOp = op.name // a table operation's name, e.g. "Links.Create"
					}
					assert.Equal(t, wantOp, std.Op, "every error names its operation")
					assert.Equal(t, "declared "+string(typ), std.Message())
					assert.Equal(t, 1, m.MT.GetTotalCallCount(), "errors are not retried by default")
				})
			}
		}
	}
}

// TestWireLogoutUnauthenticated: a session the server already dropped counts
// as logged out.
func TestWireLogoutUnauthenticated(t *testing.T) {
	t.Parallel()
	for _, fl := range flavors {
		t.Run(fl.name, func(t *testing.T) {
			t.Parallel()
			m := newMockVC(t, jsonReply(401, errorBody(envFor(fl.legacy), hvc.ErrorTypeUnauthenticated, `"messages":[]`)))
			c := m.Client(t, fl.flavor, hvc.WithSessionID(mockSession))
			require.NoError(t, c.Logout(context.Background()))
			assert.Empty(t, c.SessionID())
			require.NoError(t, c.Logout(context.Background()), "second logout sends nothing")
			assert.Equal(t, 1, m.MT.GetTotalCallCount())
		})
	}
}

// TestWireLegacyResultWithoutValue: a /rest success body must carry "value".
func TestWireLegacyResultWithoutValue(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, body string }{
		{"raw list", `[{"link":"l"}]`},
		{"empty object", `{}`},
		{"not json", `<html>`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := newMockVC(t, jsonReply(200, tc.body))
			c := m.Client(t, hvc.FlavorREST, hvc.WithSessionID(mockSession))
			_, err := c.Links.List(context.Background())
			var de *hvc.DecodeError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, "GET", de.Method)
			assert.Equal(t, "/hvc/links", de.Path)
			assert.Equal(t, 200, de.StatusCode)
		})
	}
}

// validationOps names the operation of each group of TestValidationNothingSent's cases.
var validationOps = map[string]string{
	"create": "Links.Create", "create trusting": "Links.Create", "links get": "Links.Get",
	"links delete": "Links.Delete", "links delete with creds": "Links.DeleteWithCredentials",
	"sync reset": "Sync.Reset", "providers list": "SyncProviders.List", "providers get": "SyncProviders.Get",
	"providers start": "SyncProviders.Start", "admins add": "Administrators.Add",
	"admins remove": "Administrators.Remove", "admins set": "Administrators.Set",
}

// TestValidationNothingSent: invalid input fails locally with
// ErrInvalidArgument naming the field, and nothing reaches the transport.
func TestValidationNothingSent(t *testing.T) {
	t.Parallel()
	withSpec := func(f func(*hvc.LinkCreateSpec)) func(ctx context.Context, c *hvc.Client) error {
		return func(ctx context.Context, c *hvc.Client) error {
			s := fullSpec()
			f(&s)
			_, err := c.Links.Create(ctx, s)
			return err
		}
	}
	cases := []struct {
		name  string
		call  func(ctx context.Context, c *hvc.Client) error
		field string
	}{
		{"create/missing psc_hostname", withSpec(func(s *hvc.LinkCreateSpec) { s.PSCHostname = "" }), "psc_hostname"},
		{"create/blank psc_hostname", withSpec(func(s *hvc.LinkCreateSpec) { s.PSCHostname = "  " }), "psc_hostname"},
		{"create/missing domain_name", withSpec(func(s *hvc.LinkCreateSpec) { s.DomainName = "" }), "domain_name"},
		{"create/missing username", withSpec(func(s *hvc.LinkCreateSpec) { s.Username = "" }), "username"},
		{"create/missing password", withSpec(func(s *hvc.LinkCreateSpec) { s.Password = "" }), "password"},
		{"create/port 0", withSpec(func(s *hvc.LinkCreateSpec) { s.Port = "0" }), "port"},
		{"create/port 70000", withSpec(func(s *hvc.LinkCreateSpec) { s.Port = "70000" }), "port"},
		{"create/port -1", withSpec(func(s *hvc.LinkCreateSpec) { s.Port = "-1" }), "port"},
		{"create/port not a number", withSpec(func(s *hvc.LinkCreateSpec) { s.Port = "https" }), "port"},
		{"create/bad thumbprint chars", withSpec(func(s *hvc.LinkCreateSpec) { s.SSLThumbprint = "zz:zz" }), "ssl_thumbprint"},
		{"create/short thumbprint", withSpec(func(s *hvc.LinkCreateSpec) { s.SSLThumbprint = "AA:BB:CC" }), "ssl_thumbprint"},
		{"create/thumbprint misplaced colons", withSpec(func(s *hvc.LinkCreateSpec) {
			s.SSLThumbprint = strings.Replace(mockThumbprint, "AA:BB", "AAB:B", 1)
		}), "ssl_thumbprint"},
		{"create/empty admin group", withSpec(func(s *hvc.LinkCreateSpec) { s.AdminGroups = []string{"a@d", ""} }), "admin_groups"},
		{"create trusting/nil callback", func(ctx context.Context, c *hvc.Client) error {
			_, err := c.Links.CreateTrusting(ctx, fullSpec(), nil)
			return err
		}, "trust"},
		{"links get/empty id", func(ctx context.Context, c *hvc.Client) error { _, err := c.Links.Get(ctx, ""); return err }, "link"},
		{"links get/dot", func(ctx context.Context, c *hvc.Client) error { _, err := c.Links.Get(ctx, "."); return err }, "link"},
		{"links get/dot dot", func(ctx context.Context, c *hvc.Client) error { _, err := c.Links.Get(ctx, ".."); return err }, "link"},
		{"links delete/empty id", func(ctx context.Context, c *hvc.Client) error { return c.Links.Delete(ctx, "") }, "link"},
		{"links delete/blank id", func(ctx context.Context, c *hvc.Client) error { return c.Links.Delete(ctx, " \t") }, "link"},
		{"links delete with creds/empty id", func(ctx context.Context, c *hvc.Client) error {
			return c.Links.DeleteWithCredentials(ctx, "", foreignCreds)
		}, "link"},
		{"links delete with creds/missing user", func(ctx context.Context, c *hvc.Client) error {
			return c.Links.DeleteWithCredentials(ctx, "l", hvc.Credentials{Password: "p"})
		}, "credentials.user_name"},
		{"links delete with creds/missing password", func(ctx context.Context, c *hvc.Client) error {
			return c.Links.DeleteWithCredentials(ctx, "l", hvc.Credentials{UserName: "u"})
		}, "credentials.password"},
		{"sync reset/empty id", func(ctx context.Context, c *hvc.Client) error { return c.Sync.Reset(ctx, "") }, "link"},
		{"providers list/empty link", func(ctx context.Context, c *hvc.Client) error {
			_, err := c.SyncProviders.List(ctx, "")
			return err
		}, "link"},
		{"providers get/empty link", func(ctx context.Context, c *hvc.Client) error {
			_, err := c.SyncProviders.Get(ctx, "", "p1")
			return err
		}, "link"},
		{"providers get/empty provider", func(ctx context.Context, c *hvc.Client) error {
			_, err := c.SyncProviders.Get(ctx, "l", "")
			return err
		}, "provider"},
		{"providers start/empty provider", func(ctx context.Context, c *hvc.Client) error {
			return c.SyncProviders.Start(ctx, "l", "", nil)
		}, "provider"},
		{"providers start/dot dot provider", func(ctx context.Context, c *hvc.Client) error {
			return c.SyncProviders.Start(ctx, "l", "..", nil)
		}, "provider"},
		{"providers start/empty link", func(ctx context.Context, c *hvc.Client) error {
			return c.SyncProviders.Start(ctx, "", "p1", nil)
		}, "link"},
		{"providers start/creds missing password", func(ctx context.Context, c *hvc.Client) error {
			return c.SyncProviders.Start(ctx, "l", "p1", &hvc.Credentials{UserName: "u"})
		}, "credentials.password"},
		{"admins add/empty group", func(ctx context.Context, c *hvc.Client) error { return c.Administrators.Add(ctx, "") }, "group_name"},
		{"admins remove/blank group", func(ctx context.Context, c *hvc.Client) error { return c.Administrators.Remove(ctx, "  ") }, "group_name"},
		{"admins set/empty group", func(ctx context.Context, c *hvc.Client) error {
			return c.Administrators.Set(ctx, []string{"a@d", ""})
		}, "group_names"},
	}
	for _, tc := range cases {
		for _, fl := range flavors {
			t.Run(tc.name+"/"+fl.name, func(t *testing.T) {
				t.Parallel()
				m := newMockVC(t, jsonReply(500, `{"error_type":"ERROR","messages":[]}`))
				c := m.Client(t, fl.flavor, hvc.WithSessionID(mockSession))
				err := tc.call(context.Background(), c)
				require.Error(t, err)
				assert.ErrorIs(t, err, hvc.ErrInvalidArgument)
				var ia *hvc.InvalidArgumentError
				require.ErrorAs(t, err, &ia)
				assert.Equal(t, 0, ia.StatusCode, "never sent")
				words, _, _ := strings.Cut(tc.name, "/")
				assert.Equal(t, validationOps[words], ia.Op, "every error names its operation")
				assert.Contains(t, err.Error(), tc.field)
				assert.False(t, errors.Is(err, hvc.ErrNotFound))
				assert.Equal(t, 0, m.MT.GetTotalCallCount(), "nothing may be sent")
			})
		}
	}
}
