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
		return w.do(t, request{method: method, path: "/hvcsim" + path, body: body})
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

func jsonInt(n int) string { b, _ := json.Marshal(n); return string(b) }
