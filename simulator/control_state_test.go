package simulator_test

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc/simulator"
)

// ctlClient calls a server's control surface over HTTP with its token.
type ctlClient struct {
	w   *wire
	sim *simulator.Server
}

func newCtl(t *testing.T, sim *simulator.Server) ctlClient {
	return ctlClient{w: newWire(t, sim), sim: sim}
}

func (c ctlClient) do(t *testing.T, method, path string, body any) response {
	t.Helper()
	return c.w.do(t, request{method: method, path: "/hvcsim" + path, body: body, header: map[string]string{
		"Authorization": "Bearer " + c.sim.ControlToken(), "Content-Type": "application/json"}})
}

// controlDecode decodes a control reply after checking its status.
func controlDecode[T any](t *testing.T, resp response, status int) T {
	t.Helper()
	require.Equal(t, status, resp.status, "%s", resp)
	assert.Equal(t, "application/json", resp.header.Get("Content-Type"))
	var v T
	require.NoError(t, json.Unmarshal(resp.body, &v), "%s", resp.body)
	return v
}

type listedFault struct {
	ID             int               `json:"id"`
	Method         string            `json:"method"`
	Path           string            `json:"path"`
	Action         string            `json:"action"`
	Status         int               `json:"status"`
	ErrorType      string            `json:"error_type"`
	CustomType     bool              `json:"custom_error_type"`
	Body           *string           `json:"body"`
	ContentType    string            `json:"content_type"`
	Header         map[string]string `json:"header"`
	Latency        string            `json:"latency"`
	Drop           bool              `json:"drop"`
	DropAfterApply bool              `json:"drop_after_apply"`
	Respond        bool              `json:"respond"`
	Times          int               `json:"times"`
	Used           int               `json:"used"`
	UsesLeft       *int              `json:"uses_left"`
}

// TestControlFaultsList checks GET /hvcsim/faults (faults added over HTTP
// and in Go, with their fields, uses and uses left, in the order they are
// tried) and DELETE /hvcsim/faults/{id} of either kind, 404 when absent.
func TestControlFaultsList(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t, simulator.WithControl())
	c := newCtl(t, sim)
	w := c.w
	tok := w.admin(t, apiFlavor)

	assert.Empty(t, controlDecode[[]listedFault](t, c.do(t, http.MethodGet, "/faults", nil), http.StatusOK), "an empty list, not null")

	a := controlDecode[struct{ ID int }](t, c.do(t, http.MethodPost, "/faults", map[string]any{
		"method": "GET", "path": "/api/hvc/links", "error_type": "SERVICE_UNAVAILABLE", "header": map[string]string{"Retry-After": "3"},
		"latency": "1ms", "times": 2}), http.StatusCreated)
	mustFault(t, sim, simulator.Fault{Path: "/hvc/links/{link}", Method: http.MethodDelete, Drop: true,
		Respond: func(http.ResponseWriter, *http.Request) {}})
	b := controlDecode[struct{ ID int }](t, c.do(t, http.MethodPost, "/faults", map[string]any{
		"path": "/hvc/links", "method": "POST", "drop_after_apply": true}), http.StatusCreated)
	assert.Greater(t, b.ID, a.ID)

	requireError(t, apiFlavor, w.do(t, request{method: http.MethodGet, path: "/api/hvc/links", token: tok}), 503, "SERVICE_UNAVAILABLE")

	got := controlDecode[[]listedFault](t, c.do(t, http.MethodGet, "/faults", nil), http.StatusOK)
	require.Len(t, got, 3)
	one := 1
	assert.Equal(t, listedFault{ID: a.ID, Method: "GET", Path: "/api/hvc/links", ErrorType: "SERVICE_UNAVAILABLE",
		Header: map[string]string{"Retry-After": "3"}, Latency: "1ms", Times: 2, Used: 1, UsesLeft: &one}, got[0])
	assert.True(t, got[1].Respond, "a Go Respond fault says so")
	assert.True(t, got[1].Drop)
	assert.Nil(t, got[1].UsesLeft, "no limit")
	assert.Equal(t, "/hvc/links/{link}", got[1].Path)
	assert.Equal(t, listedFault{ID: b.ID, Method: "POST", Path: "/hvc/links", DropAfterApply: true}, got[2])
	ids := []int{got[0].ID, got[1].ID, got[2].ID}
	assert.Equal(t, 3, len(map[int]bool{ids[0]: true, ids[1]: true, ids[2]: true}), "distinct ids: %v", ids)

	// A body fault lists its body; used-up faults show 0 uses left.
	body := "boom"
	bf := controlDecode[struct{ ID int }](t, c.do(t, http.MethodPost, "/faults", map[string]any{
		"path": "/hvc/management/administrators", "status": 502, "body": body, "content_type": "text/plain", "times": 1}), http.StatusCreated)
	assert.Equal(t, 502, w.do(t, request{method: http.MethodGet, path: "/api/hvc/management/administrators", token: tok}).status)
	got = controlDecode[[]listedFault](t, c.do(t, http.MethodGet, "/faults", nil), http.StatusOK)
	require.Len(t, got, 4)
	zero := 0
	assert.Equal(t, listedFault{ID: bf.ID, Path: "/hvc/management/administrators", Status: 502, Body: &body, ContentType: "text/plain",
		Times: 1, Used: 1, UsesLeft: &zero}, got[3])

	// Delete one added in Go, then one added over HTTP; a second delete is 404.
	for _, id := range []int{got[1].ID, a.ID} {
		assert.Equal(t, http.StatusNoContent, c.do(t, http.MethodDelete, "/faults/"+jsonInt(id), nil).status)
		e := controlDecode[struct{ Error string }](t, c.do(t, http.MethodDelete, "/faults/"+jsonInt(id), nil), http.StatusNotFound)
		assert.Contains(t, e.Error, "no fault with id")
	}
	controlDecode[struct{ Error string }](t, c.do(t, http.MethodDelete, "/faults/x", nil), http.StatusNotFound)
	got = controlDecode[[]listedFault](t, c.do(t, http.MethodGet, "/faults", nil), http.StatusOK)
	require.Len(t, got, 2)
	assert.Equal(t, []int{b.ID, bf.ID}, []int{got[0].ID, got[1].ID})
	assert.Equal(t, http.StatusOK, w.do(t, request{method: http.MethodGet, path: "/api/hvc/links", token: tok}).status, "the deleted fault no longer fires")
}

type stateJSON struct {
	Links              []string `json:"links"`
	LiveSessions       int      `json:"live_sessions"`
	Logins             int      `json:"logins"`
	OpenConnections    int      `json:"open_connections"`
	MaxOpenConnections int      `json:"max_open_connections"`
}

// TestControlState checks GET /hvcsim/state against the Go accessors as
// links, logins and sessions come and go.
func TestControlState(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t, simulator.WithControl())
	c := newCtl(t, sim)
	st := controlDecode[stateJSON](t, c.do(t, http.MethodGet, "/state", nil), http.StatusOK)
	assert.Equal(t, []string{}, st.Links)
	assert.Zero(t, st.LiveSessions)
	assert.Zero(t, st.Logins)
	assert.Equal(t, 1, st.OpenConnections, "the control request's own connection")

	tok := c.w.admin(t, apiFlavor)
	c.w.login(t, restFlavor, simulator.DefaultReadOnlyUser, simulator.DefaultReadOnlyPassword)
	link := c.w.createLink(t, apiFlavor, tok, "corp.local")
	c.w.do(t, request{method: http.MethodPost, path: "/api/session", header: map[string]string{"Authorization": "Basic bm9ib2R5Om5vcGU="}})
	st = controlDecode[stateJSON](t, c.do(t, http.MethodGet, "/state", nil), http.StatusOK)
	assert.Equal(t, []string{link}, st.Links)
	assert.Equal(t, sim.Links(), st.Links)
	assert.Equal(t, 2, st.LiveSessions)
	assert.Equal(t, 3, st.Logins, "a failed login counts")
	assert.Equal(t, sim.SessionCount(), st.LiveSessions)
	assert.Equal(t, sim.LoginCount(), st.Logins)
	assert.Equal(t, sim.OpenConnections(), st.OpenConnections)
	assert.GreaterOrEqual(t, st.MaxOpenConnections, st.OpenConnections)

	sim.ExpireSessions()
	st = controlDecode[stateJSON](t, c.do(t, http.MethodGet, "/state", nil), http.StatusOK)
	assert.Zero(t, st.LiveSessions)
}

// TestControlSeedLink checks POST /hvcsim/links: a valid /api create spec
// makes a link the API lists; a spec a real create refuses is refused with
// the same error type and status, and changes nothing.
func TestControlSeedLink(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t, simulator.WithControl())
	c := newCtl(t, sim)
	s := spec("seeded.local")
	got := controlDecode[map[string]string](t, c.do(t, http.MethodPost, "/links", s), http.StatusCreated)
	require.NotEmpty(t, got["link"])
	assert.Equal(t, []string{got["link"]}, sim.Links())
	tok := c.w.admin(t, apiFlavor)
	list := decode[[]map[string]string](t, apiFlavor, c.w.do(t, request{method: http.MethodGet, path: "/api/hvc/links", token: tok}))
	assert.Equal(t, []map[string]string{{"link": got["link"], "display_name": "seeded.local"}}, list)

	cases := []struct {
		name      string
		body      any
		status    int
		errorType string
	}{
		{"duplicate domain", s, 400, "ALREADY_EXISTS"},
		{"untrusted certificate", func() map[string]any { m := spec("other.local"); delete(m, "ssl_thumbprint"); return m }(), 400, "UNVERIFIED_PEER"},
		{"missing field", func() map[string]any { m := spec("other.local"); delete(m, "domain_name"); return m }(), 400, "INVALID_ARGUMENT"},
		{"unknown field", func() map[string]any { m := spec("other.local"); m["colour"] = "red"; return m }(), 400, "UNEXPECTED_INPUT"},
		{"wrong PSC password", func() map[string]any { m := spec("other.local"); m["password"] = "nope"; return m }(), 500, "ERROR"},
		{"not an object", `[1]`, 400, "INVALID_REQUEST"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := controlDecode[map[string]string](t, c.do(t, http.MethodPost, "/links", tc.body), tc.status)
			assert.Equal(t, tc.errorType, e["error_type"])
			assert.Contains(t, e["error"], "link create: "+tc.errorType)
			assert.NotContains(t, e["error"], simulator.DefaultForeignPassword)
		})
	}
	t.Cleanup(func() { assert.Len(t, sim.Links(), 1, "refused seeds change nothing") })
}

type configJSON struct {
	SyncDuration     string   `json:"sync_duration"`
	FailingProviders []string `json:"failing_providers"`
}

// TestControlConfig checks GET and PUT /hvcsim/config: the sync duration
// and the failing providers change at run time (a sync started under an
// hour's duration runs, and completes at once when the duration becomes
// 0; a provider made failing fails its next sync), invalid input changes
// nothing, and reset restores the options.
func TestControlConfig(t *testing.T) {
	t.Parallel()
	x := newFixture(t, apiFlavor, simulator.WithControl(), simulator.WithSyncDuration(time.Minute))
	c := newCtl(t, x.sim)
	assert.Equal(t, configJSON{SyncDuration: "1m0s", FailingProviders: []string{}},
		controlDecode[configJSON](t, c.do(t, http.MethodGet, "/config", nil), http.StatusOK))

	got := controlDecode[configJSON](t, c.do(t, http.MethodPut, "/config", map[string]any{"sync_duration": "1h"}), http.StatusOK)
	assert.Equal(t, configJSON{SyncDuration: "1h0m0s", FailingProviders: []string{}}, got)
	assert.Equal(t, time.Hour, x.sim.SyncDuration())
	requireVoid(t, apiFlavor, x.start(t, "identity"))
	assert.NotEqual(t, "COMPLETED", x.provider(t, "identity").CurrentSessionInfo.Stage, "an hour-long sync is running")

	got = controlDecode[configJSON](t, c.do(t, http.MethodPut, "/config", map[string]any{"sync_duration": "0s", "failing_providers": []string{"authorization"}}), http.StatusOK)
	assert.Equal(t, configJSON{SyncDuration: "0s", FailingProviders: []string{"authorization"}}, got)
	assert.Equal(t, "COMPLETED", x.provider(t, "identity").CurrentSessionInfo.Stage, "measured against the new duration")
	requireVoid(t, apiFlavor, x.start(t, "authorization"))
	info := x.provider(t, "authorization")
	assert.Equal(t, "FAILED", info.Status)
	assert.Equal(t, "FAILED", info.CurrentSessionInfo.Stage)
	requireVoid(t, apiFlavor, x.start(t, "identity"))
	assert.Equal(t, "SUCCEEDED", x.provider(t, "identity").Status)

	for _, bad := range []any{
		map[string]any{"sync_duration": "-1s"},
		map[string]any{"sync_duration": "soon"},
		map[string]any{"sync_duration": "1s", "failing_providers": []string{""}},
		map[string]any{"step_per_poll": true},
		"[]",
	} {
		e := controlDecode[struct{ Error string }](t, c.do(t, http.MethodPut, "/config", bad), http.StatusBadRequest)
		assert.Contains(t, e.Error, "config: ")
	}
	assert.Equal(t, configJSON{SyncDuration: "0s", FailingProviders: []string{"authorization"}},
		controlDecode[configJSON](t, c.do(t, http.MethodGet, "/config", nil), http.StatusOK), "refused changes change nothing")
	got = controlDecode[configJSON](t, c.do(t, http.MethodPut, "/config", map[string]any{"failing_providers": []string{}}), http.StatusOK)
	assert.Equal(t, []string{}, got.FailingProviders)

	assert.Error(t, x.sim.SetSyncDuration(-time.Second))
	assert.Error(t, x.sim.SetFailingProviders("identity", ""))
	require.NoError(t, x.sim.SetFailingProviders("identity"))
	assert.Equal(t, []string{"identity"}, x.sim.FailingProviders())
	assert.Equal(t, http.StatusNoContent, c.do(t, http.MethodPost, "/reset", nil).status)
	assert.Equal(t, configJSON{SyncDuration: "1m0s", FailingProviders: []string{}},
		controlDecode[configJSON](t, c.do(t, http.MethodGet, "/config", nil), http.StatusOK), "reset restores the options")
}

// TestControlNewEndpointsLocked: the endpoints added for parity with the
// Go API are under the same lock as the rest of the control surface.
func TestControlNewEndpointsLocked(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t, simulator.WithControl())
	w := newWire(t, sim)
	bearer := "Bearer " + sim.ControlToken()
	for _, tc := range []struct {
		method, path string
		header       map[string]string
		status       int
	}{
		{http.MethodGet, "/hvcsim/faults", nil, 401},
		{http.MethodGet, "/hvcsim/state", nil, 401},
		{http.MethodGet, "/hvcsim/config", map[string]string{"Authorization": "Bearer wrong-wrong-wrong-wrong"}, 401},
		{http.MethodGet, "/hvcsim/state", map[string]string{"Authorization": bearer, "Host": "rebound.example"}, 403},
		{http.MethodPut, "/hvcsim/config", map[string]string{"Authorization": bearer, "Content-Type": "text/plain"}, 403},
		{http.MethodPost, "/hvcsim/links", map[string]string{"Authorization": bearer, "Content-Type": "text/plain"}, 403},
		{http.MethodPost, "/hvcsim/links", map[string]string{"Content-Type": "application/json"}, 401},
	} {
		resp := w.do(t, request{method: tc.method, path: tc.path, header: tc.header, body: `{"sync_duration":"1h"}`})
		assert.Equal(t, tc.status, resp.status, "%s %s %v: %s", tc.method, tc.path, tc.header, resp)
		assert.NotContains(t, string(resp.body), "links", "%s %s: nothing but the refusal", tc.method, tc.path)
	}
	assert.Zero(t, sim.SyncDuration(), "a refused PUT changed nothing")
	assert.Empty(t, sim.Links())
}

// TestControlFactsCertPEM checks that the facts carry the served
// certificate in PEM, and none with plain HTTP.
func TestControlFactsCertPEM(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t, simulator.WithControl())
	facts := controlDecode[map[string]any](t, newCtl(t, sim).do(t, http.MethodGet, "/", nil), http.StatusOK)
	p, _ := facts["cert_pem"].(string)
	block, rest := pem.Decode([]byte(p))
	require.NotNil(t, block, "cert_pem: %q", p)
	assert.Empty(t, rest)
	cert, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	assert.True(t, cert.Equal(sim.Certificate()))

	plain := simulator.Run(t, simulator.WithControl(), simulator.WithPlainHTTP())
	facts = controlDecode[map[string]any](t, newCtl(t, plain).do(t, http.MethodGet, "/", nil), http.StatusOK)
	assert.NotContains(t, facts, "cert_pem")
}

// TestControlHead checks that HEAD, which the lock treats as a read like
// GET (no Content-Type needed), answers every GET endpoint as GET does,
// without the body, and stays behind the token.
func TestControlHead(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t, simulator.WithControl())
	c := newCtl(t, sim)
	for _, path := range []string{"/", "/certificate", "/thumbprint", "/faults", "/requests", "/state", "/config"} {
		get := c.do(t, http.MethodGet, path, nil)
		head := c.do(t, http.MethodHead, path, nil)
		assert.Equal(t, http.StatusOK, get.status, "GET %s: %s", path, get)
		assert.Equal(t, get.status, head.status, "HEAD %s answers as GET: %s", path, head)
		assert.Equal(t, get.header.Get("Content-Type"), head.header.Get("Content-Type"), "HEAD %s", path)
		assert.Empty(t, head.body, "HEAD %s has no body", path)
	}
	resp := newWire(t, sim).do(t, request{method: http.MethodHead, path: "/hvcsim/state"})
	assert.Equal(t, http.StatusUnauthorized, resp.status, "HEAD without the token is refused")
}
