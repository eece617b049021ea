package simulator_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc/simulator"
)

// TestControl drives the control surface: faults (added, refused, removed),
// session expiry, the request log with masked and raw bodies, link health
// and reset. Control requests are neither recorded nor faulted.
func TestControl(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t, simulator.WithControl(), simulator.WithVersion("8.0U1"))
	w := newWire(t, sim)
	ctl := func(method, path string, body any) response {
		return w.do(t, request{method: method, path: "/hvcsim" + path, body: body, header: map[string]string{
			"Authorization": "Bearer " + sim.ControlToken(), "Content-Type": "application/json"}})
	}
	f := apiFlavor
	tok := w.admin(t, f)
	link := w.createLink(t, f, tok, "remote.local")

	resp := ctl(http.MethodPost, "/faults", map[string]any{"method": "GET", "path": "/api/hvc/links/{link}", "error_type": "SERVICE_UNAVAILABLE",
		"header": map[string]string{"Retry-After": "3"}, "times": 1})
	require.Equal(t, http.StatusCreated, resp.status, "%s", resp)
	got := w.do(t, request{method: http.MethodGet, path: "/api/hvc/links/" + link, token: tok})
	requireError(t, f, got, 503, "SERVICE_UNAVAILABLE")
	assert.Equal(t, "3", got.header.Get("Retry-After"))

	resp = ctl(http.MethodPost, "/faults", map[string]any{"path": "/api/hvc/links/{link}/sync/providers"})
	assert.Equal(t, http.StatusBadRequest, resp.status, "8.0U1 has no sync providers: %s", resp)
	assert.Contains(t, string(resp.body), "would never fire")
	assert.Equal(t, http.StatusBadRequest, ctl(http.MethodPost, "/faults", `{"pathh":"/hvc/links"}`).status)
	assert.Equal(t, http.StatusBadRequest, ctl(http.MethodPost, "/faults", `{"path":"/hvc/links","latency":"soon"}`).status)

	resp = ctl(http.MethodPost, "/faults", map[string]any{"path": "/hvc/links", "status": 500, "body": "boom", "content_type": "text/plain"})
	require.Equal(t, http.StatusCreated, resp.status)
	var id struct{ ID int }
	require.NoError(t, json.Unmarshal(resp.body, &id))
	assert.Equal(t, 500, w.do(t, request{method: http.MethodGet, path: "/rest/hvc/links", token: tok}).status)
	assert.Equal(t, http.StatusNoContent, ctl(http.MethodDelete, "/faults/"+jsonInt(id.ID), nil).status)
	assert.Equal(t, http.StatusNotFound, ctl(http.MethodDelete, "/faults/"+jsonInt(id.ID), nil).status)
	assert.Equal(t, 200, w.do(t, request{method: http.MethodGet, path: "/api/hvc/links", token: tok}).status)

	assert.Equal(t, http.StatusNoContent, ctl(http.MethodPost, "/links/"+link+"/health", map[string]any{"healthy": false, "message": "down"}).status)
	assert.Contains(t, string(w.do(t, request{method: http.MethodGet, path: "/api/hvc/links/" + link, token: tok}).body), "UNHEALTHY")

	assert.Equal(t, http.StatusNoContent, ctl(http.MethodPost, "/sessions/expire", nil).status)
	requireError(t, f, w.do(t, request{method: http.MethodGet, path: "/api/hvc/links", token: tok}), 401, "UNAUTHENTICATED")

	var log []struct {
		Method, Path string
		Body         *string
	}
	require.NoError(t, json.Unmarshal(ctl(http.MethodGet, "/requests?bodies=masked", nil).body, &log))
	var create string
	for _, r := range log {
		assert.False(t, strings.HasPrefix(r.Path, "/hvcsim"), "control requests are not recorded")
		if r.Method == http.MethodPost && r.Path == "/api/hvc/links" {
			require.NotNil(t, r.Body)
			create = *r.Body
		}
	}
	assert.Contains(t, create, `"password":"[REDACTED]"`)
	assert.NotContains(t, create, simulator.DefaultForeignPassword)
	raw := string(ctl(http.MethodGet, "/requests?bodies=raw", nil).body)
	assert.Contains(t, raw, `\"password\":\"`+simulator.DefaultForeignPassword+`\"`)
	assert.NotContains(t, string(ctl(http.MethodGet, "/requests", nil).body), `"body"`)
	assert.Equal(t, http.StatusBadRequest, ctl(http.MethodGet, "/requests?bodies=all", nil).status)

	assert.Equal(t, http.StatusNoContent, ctl(http.MethodPost, "/reset", nil).status)
	assert.Empty(t, sim.Links())
	assert.Zero(t, sim.LoginCount())
	assert.Empty(t, sim.Requests())

	assert.Contains(t, string(ctl(http.MethodGet, "/certificate", nil).body), "BEGIN CERTIFICATE")
	assert.Contains(t, string(ctl(http.MethodGet, "/thumbprint", nil).body), sim.Thumbprint())
	assert.Equal(t, http.StatusNotFound, ctl(http.MethodGet, "/nope", nil).status)

	// Without WithControl, /hvcsim is just an unknown URL.
	plain := simulator.Run(t)
	requireRouteNotFound(t, apiFlavor, newWire(t, plain).do(t, request{method: http.MethodGet, path: "/hvcsim/"}), "/hvcsim/")
}

// TestControlLocked: over HTTP the control surface refuses a request without
// the token or with a wrong one (401), a DNS-rebinding Host or a
// cross-origin text/plain POST (403), each with a JSON error that names what
// is missing and never the facts; a configured token is the one required.
func TestControlLocked(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t, simulator.WithControl(), simulator.WithControlToken("ci-token-0123456789"))
	require.Equal(t, "ci-token-0123456789", sim.ControlToken())
	w := newWire(t, sim)
	bearer := "Bearer " + sim.ControlToken()
	refused := func(name string, resp response, status int, says string) {
		t.Helper()
		assert.Equal(t, status, resp.status, "%s: %s", name, resp)
		assert.Equal(t, "application/json", resp.header.Get("Content-Type"), name)
		var e struct{ Error string }
		require.NoError(t, json.Unmarshal(resp.body, &e), name)
		assert.Contains(t, e.Error, says, name)
		assert.NotContains(t, string(resp.body), simulator.DefaultAdminPassword, name+": never the facts")
	}
	refused("no token", w.do(t, request{method: http.MethodGet, path: "/hvcsim/"}), 401, "Authorization: Bearer")
	refused("wrong token", w.do(t, request{method: http.MethodGet, path: "/hvcsim/",
		header: map[string]string{"Authorization": "Bearer nope-nope-nope-nope"}}), 401, "wrong control token")
	refused("DNS rebinding", w.do(t, request{method: http.MethodGet, path: "/hvcsim/",
		header: map[string]string{"Authorization": bearer, "Host": "evil.example:443"}}), 403, "Host")
	refused("cross-origin text/plain POST", w.do(t, request{method: http.MethodPost, path: "/hvcsim/reset", body: "{}",
		header: map[string]string{"Authorization": bearer, "Content-Type": "text/plain", "Origin": "https://evil.example"}}), 403, "application/json")
	refused("fault without content type", w.do(t, request{method: http.MethodDelete, path: "/hvcsim/faults",
		header: map[string]string{"Authorization": bearer}}), 403, "application/json")
	refused("cross-origin fault, no token", w.do(t, request{method: http.MethodPost, path: "/hvcsim/faults", body: `{"path":"/api/session"}`,
		header: map[string]string{"Content-Type": "text/plain"}}), 401, "Authorization")
	assert.Empty(t, sim.Requests(), "nothing reached the simulator")

	for _, host := range []string{"localhost", "127.0.0.1", strings.TrimPrefix(sim.URL(), "https://")} {
		resp := w.do(t, request{method: http.MethodGet, path: "/hvcsim/", header: map[string]string{"Authorization": bearer, "Host": host}})
		assert.Equal(t, http.StatusOK, resp.status, "Host %s: %s", host, resp)
	}
	assert.Equal(t, http.StatusNoContent, w.do(t, request{method: http.MethodPost, path: "/hvcsim/reset",
		header: map[string]string{"Authorization": bearer, "Content-Type": "application/json; charset=utf-8"}}).status)

	// Each server draws its own random token.
	a := simulator.Run(t, simulator.WithControl())
	b := simulator.Run(t, simulator.WithControl())
	assert.Len(t, a.ControlToken(), 48)
	assert.NotEqual(t, a.ControlToken(), b.ControlToken())
	_, err := simulator.New(simulator.WithControlToken("short"))
	assert.Error(t, err)
}

func jsonInt(n int) string { b, _ := json.Marshal(n); return string(b) }
