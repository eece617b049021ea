package simulator_test

import (
	"encoding/json"
	"net/http"
	"path"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc/simulator"
)

// goWords are the Go names a control-surface refusal must not use: the
// Fault fields and AddFault, which a client of the JSON API has no name
// for, and encoding/json's wording of a type mismatch, which names the
// simulator's own Go types.
var goWords = regexp.MustCompile(`\b(Operation|Method|Path|Action|Status|ErrorType|CustomErrorType|Body|ContentType|Header|Latency|Drop|DropAfterApply|Respond|Times|AddFault|Fault\.\w+|faultJSON|Go struct field|Go value)\b`)

// TestControlRefusalsSpeakJSON: every refusal of the control surface names
// the JSON members the request sent (or could send), never the Go field or
// type behind them.
func TestControlRefusalsSpeakJSON(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t, simulator.WithControl(), simulator.WithVersion("8.0U1"))
	w := newWire(t, sim)
	for _, tc := range []struct {
		name         string
		method, path string
		body         any
		status       int
		want         []string // JSON members the message must name, as words
	}{
		{"operation with method", http.MethodPost, "/faults", map[string]any{"operation": "CreateLink", "method": "POST"}, 400, []string{"operation", "method", "path", "action"}},
		{"unknown operation", http.MethodPost, "/faults", map[string]any{"operation": "NoSuchOperation"}, 400, []string{"operation"}},
		{"operation not served", http.MethodPost, "/faults", map[string]any{"operation": "SyncProviders.List"}, 400, nil},
		{"drop_after_apply with drop", http.MethodPost, "/faults", map[string]any{"path": "/api/hvc/links", "method": "POST", "drop_after_apply": true, "drop": true},
			400, []string{"drop_after_apply", "drop", "body", "error_type", "status"}},
		{"non-standard error_type", http.MethodPost, "/faults", map[string]any{"path": "/api/hvc/links", "error_type": "BUSY"}, 400, []string{"error_type", "custom_error_type"}},
		{"bad path pattern", http.MethodPost, "/faults", map[string]any{"path": "/api/hvc/[links"}, 400, []string{"path"}},
		{"query in path", http.MethodPost, "/faults", map[string]any{"path": "/api/hvc/links?action=create", "method": "POST"}, 400, []string{"path", "action"}},
		{"no route", http.MethodPost, "/faults", map[string]any{"path": "/api/hvc/links", "method": "PATCH"}, 400, []string{"method", "path", "action"}},
		{"fault member of the wrong type", http.MethodPost, "/faults", `{"path":"/api/hvc/links","times":"twice"}`, 400, []string{"times"}},
		{"config member of the wrong type", http.MethodPut, "/config", `{"sync_duration":5}`, 400, []string{"sync_duration"}},
		{"health member of the wrong type", http.MethodPost, "/links/nolink/health", `{"healthy":"yes"}`, 400, []string{"healthy"}},
		{"expire member of the wrong type", http.MethodPost, "/sessions/expire", `{"after":"soon"}`, 400, []string{"after"}},
		{"seed member of the wrong type", http.MethodPost, "/links", `{"psc_hostname":7}`, 400, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp := w.do(t, request{method: tc.method, path: "/hvcsim" + tc.path, body: tc.body, header: map[string]string{
				"Authorization": "Bearer " + sim.ControlToken(), "Content-Type": "application/json"}})
			require.Equal(t, tc.status, resp.status, "%s", resp)
			var e struct{ Error string }
			require.NoError(t, json.Unmarshal(resp.body, &e), "%s", resp)
			require.NotEmpty(t, e.Error, "%s", resp)
			assert.Empty(t, goWords.FindAllString(e.Error, -1), "Go names in %q", e.Error)
			for _, m := range tc.want {
				assert.Regexp(t, `\b`+regexp.QuoteMeta(m)+`\b`, e.Error, "the member %s", m)
			}
		})
	}
}

// TestFaultRefusalsSpeakGo: AddFault's own refusals keep Fault's Go field
// names, and a wrapped cause stays reachable.
func TestFaultRefusalsSpeakGo(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t)
	for _, tc := range []struct {
		f    simulator.Fault
		want string
	}{
		{simulator.Fault{Operation: "Links.Create", Method: "POST"}, "simulator: AddFault: Operation names the method, path and action; leave Method, Path and Action empty"},
		{simulator.Fault{Path: "/api/hvc/links", DropAfterApply: true, Drop: true}, "DropAfterApply handles the request, so it cannot be combined with Respond, Drop, Body, ErrorType or Status"},
		{simulator.Fault{Path: "/api/hvc/links?action=create", Method: "POST"}, "put the action in Fault.Action"},
		{simulator.Fault{Path: "/api/hvc/links", ErrorType: "BUSY"}, "set CustomErrorType to answer it anyway"},
	} {
		_, err := sim.AddFault(tc.f)
		require.Error(t, err)
		assert.Contains(t, err.Error(), tc.want)
	}
	_, err := sim.AddFault(simulator.Fault{Path: "/api/hvc/[links"})
	assert.ErrorIs(t, err, path.ErrBadPattern)
}
