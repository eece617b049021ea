package simulator_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc/simulator"
)

// TestFaultPathForms checks that Fault.Path accepts the path shown in error
// messages and in RecordedRequest.Path (with its flavor prefix) and the
// flavor-less template with {placeholders}, not only the flavor-less glob.
func TestFaultPathForms(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, path string
		fires      map[string]bool // by flavor name
	}{
		{"api path", "/api/hvc/links", map[string]bool{"api": true}},
		{"rest path", "/rest/hvc/links", map[string]bool{"rest": true}},
		{"flavor-less path", "/hvc/links", map[string]bool{"api": true, "rest": true}},
		{"template", "/hvc/links/{link}/sync/providers", map[string]bool{"api": true, "rest": true}},
		{"api template", "/api/hvc/links/{link}/sync/providers", map[string]bool{"api": true}},
		{"glob", "/hvc/links/*/sync/providers", map[string]bool{"api": true, "rest": true}},
	}
	for _, tc := range cases {
		for _, f := range flavors {
			t.Run(tc.name+"/"+f.name, func(t *testing.T) {
				t.Parallel()
				x := newFixture(t, f)
				mustFault(t, x.sim, simulator.Fault{Path: tc.path, ErrorType: "SERVICE_UNAVAILABLE"})
				p := "/hvc/links"
				if tc.name != "api path" && tc.name != "rest path" && tc.name != "flavor-less path" {
					p = "/hvc/links/" + x.link + "/sync/providers"
				}
				resp := x.call(t, http.MethodGet, p, nil)
				if tc.fires[f.name] {
					requireError(t, f, resp, 503, "SERVICE_UNAVAILABLE")
				} else if resp.status != http.StatusOK {
					t.Fatalf("fault %q fired on %s%s: %s", tc.path, f.prefix, p, resp)
				}
			})
		}
	}
}

// TestFaultNeverMatches checks that AddFault refuses a fault no route of
// the server can match, and accepts every form that can.
func TestFaultNeverMatches(t *testing.T) {
	t.Parallel()
	cases := []struct {
		version string
		fault   simulator.Fault
		ok      bool
	}{
		{"8.0", simulator.Fault{Path: "/api/hvc/links"}, true},
		{"8.0", simulator.Fault{Path: "/rest/hvc/links/{link}/sync/providers/{provider}", Action: "start"}, true},
		{"8.0", simulator.Fault{Path: "/hvc/links/*"}, true},
		{"8.0", simulator.Fault{Path: "/hvc/*/{id}/sync"}, true},
		{"8.0", simulator.Fault{Path: "/session", Method: "POST"}, true},
		{"8.0", simulator.Fault{Path: "/rest/com/vmware/cis/session", Action: "get"}, true},
		{"8.0", simulator.Fault{Method: "PUT"}, true},
		{"8.0", simulator.Fault{Path: "/hvc/management/administrators", Action: "add"}, true},
		{"8.0", simulator.Fault{Path: "/hvc/nope"}, false},
		{"8.0", simulator.Fault{Path: "/hvc/management/administrators?action=add"}, false},
		{"8.0", simulator.Fault{Path: "/hvc/links/"}, false},
		{"8.0", simulator.Fault{Path: "/api/api/hvc/links"}, false},
		{"8.0", simulator.Fault{Path: "/hvc/links", Method: "PATCH"}, false},
		{"8.0", simulator.Fault{Path: "/hvc/links", Action: "start"}, false},
		{"8.0", simulator.Fault{Path: "/hvc/management/administrators", Action: "clear"}, false},
		{"8.0", simulator.Fault{Path: "/hvc/links/{link}", Method: "GET"}, false},         // links get: 8.0U1+
		{"8.0U1", simulator.Fault{Path: "/hvc/links/{link}", Method: "GET"}, true},        // links get: 8.0U1+
		{"8.0U1", simulator.Fault{Path: "/hvc/links/*/sync/providers"}, false},            // sync: up to 8.0
		{"7.0U1", simulator.Fault{Path: "/api/hvc/links"}, false},                         // no /api before 7.0U2
		{"7.0U1", simulator.Fault{Path: "/hvc/links/{link}/sync", Action: "reset"}, true}, // /rest
	}
	for _, tc := range cases {
		t.Run(tc.version+" "+tc.fault.Method+" "+tc.fault.Path+" "+tc.fault.Action, func(t *testing.T) {
			t.Parallel()
			sim, err := simulator.New(simulator.WithVersion(tc.version))
			require.NoError(t, err)
			remove, err := sim.AddFault(tc.fault)
			if tc.ok {
				require.NoError(t, err)
				remove()
				return
			}
			require.Error(t, err)
			assert.Regexp(t, "would never fire|put the action in Fault.Action", err.Error())
			assert.Nil(t, remove)
		})
	}
}

// TestFaultActionHeaderRespond checks Action (add and remove of the
// administrators are told apart), Header (a Retry-After on a 503) and the
// Respond escape hatch.
func TestFaultActionHeaderRespond(t *testing.T) {
	t.Parallel()
	for _, f := range flavors {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			x := newFixture(t, f)
			mustFault(t, x.sim, simulator.Fault{Path: "/hvc/management/administrators", Action: "remove", ErrorType: "SERVICE_UNAVAILABLE",
				Header: http.Header{"Retry-After": {"7"}}})
			add := x.call(t, http.MethodPost, "/hvc/management/administrators?action=add", map[string]string{"group_name": "a@b"})
			requireVoid(t, f, add)
			rm := x.call(t, http.MethodPost, "/hvc/management/administrators?action=remove", map[string]string{"group_name": "a@b"})
			requireError(t, f, rm, 503, "SERVICE_UNAVAILABLE")
			assert.Equal(t, "7", rm.header.Get("Retry-After"))

			var seen string
			mustFault(t, x.sim, simulator.Fault{Method: http.MethodGet, Path: f.prefix + "/hvc/links", Times: 1,
				Respond: func(w http.ResponseWriter, r *http.Request) {
					seen = r.URL.Path
					w.Header().Set("Content-Type", "text/plain")
					w.WriteHeader(http.StatusTeapot)
					_, _ = w.Write([]byte("custom"))
				}})
			resp := x.call(t, http.MethodGet, "/hvc/links", nil)
			assert.Equal(t, http.StatusTeapot, resp.status)
			assert.Equal(t, "custom", string(resp.body))
			assert.Equal(t, f.prefix+"/hvc/links", seen)
			assert.Equal(t, http.StatusOK, x.call(t, http.MethodGet, "/hvc/links", nil).status, "Times: 1")
		})
	}
}

// TestHandle checks that Handle adds a route, replaces a built-in one
// (whatever its wildcard is called), and refuses a conflicting pattern.
func TestHandle(t *testing.T) {
	t.Parallel()
	x := newFixture(t, apiFlavor)
	require.NoError(t, x.sim.Handle("GET /api/hvc/links/{id}/sync/providers", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`[{"provider":"custom-` + r.PathValue("id") + `"}]`)) //nolint:gosec // a test handler echoing its own path to a test client
	})))
	resp := x.call(t, http.MethodGet, "/hvc/links/l1/sync/providers", nil)
	assert.JSONEq(t, `[{"provider":"custom-l1"}]`, string(resp.body))

	require.NoError(t, x.sim.Handle("GET /api/hvc/extra", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
	})))
	assert.Equal(t, http.StatusAccepted, x.call(t, http.MethodGet, "/hvc/extra", nil).status)
	// A fault can target the added route.
	mustFault(t, x.sim, simulator.Fault{Path: "/api/hvc/extra", ErrorType: "ERROR", Times: 1})
	requireError(t, apiFlavor, x.call(t, http.MethodGet, "/hvc/extra", nil), 500, "ERROR")
	// The rest of the table is untouched.
	assert.Equal(t, http.StatusOK, x.call(t, http.MethodGet, "/hvc/links", nil).status)

	assert.Error(t, x.sim.Handle("DELETE /api/hvc/{a}/x", http.NotFoundHandler()), "conflicts with DELETE /api/hvc/links/{link}")
	assert.Error(t, x.sim.Handle("NOT A PATTERN", http.NotFoundHandler()))
	assert.Error(t, x.sim.Handle("GET /x", nil))
	assert.Equal(t, http.StatusOK, x.call(t, http.MethodGet, "/hvc/links", nil).status, "a refused Handle changes nothing")
}
