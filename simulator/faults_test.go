package simulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc/simulator"
)

// TestFaultAnswers checks what each kind of fault answers, in both flavors.
func TestFaultAnswers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		fault simulator.Fault
		check func(t *testing.T, f flavor, resp response)
	}{
		{"error type", simulator.Fault{Method: "GET", Path: "/hvc/links", ErrorType: "SERVICE_UNAVAILABLE"}, func(t *testing.T, f flavor, resp response) {
			e := requireError(t, f, resp, 503, "SERVICE_UNAVAILABLE")
			assert.Equal(t, "com.vmware.hvc.simulator.fault", e.Messages[0].ID)
			assert.Empty(t, e.Data)
		}},
		{"error type with its §4.2 status", simulator.Fault{Path: "/hvc/links", ErrorType: "RESOURCE_BUSY"}, func(t *testing.T, f flavor, resp response) {
			requireError(t, f, resp, 500, "RESOURCE_BUSY")
		}},
		{"error type with a status", simulator.Fault{Path: "/hvc/links", ErrorType: "SERVICE_UNAVAILABLE", Status: 429}, func(t *testing.T, f flavor, resp response) {
			requireError(t, f, resp, 429, "SERVICE_UNAVAILABLE")
		}},
		{"custom error type is 500", simulator.Fault{Path: "/hvc/links", ErrorType: "NO_SUCH_ERROR", CustomErrorType: true}, func(t *testing.T, f flavor, resp response) {
			requireError(t, f, resp, 500, "NO_SUCH_ERROR")
		}},
		{"unauthenticated carries the challenge", simulator.Fault{Path: "/hvc/links", ErrorType: "UNAUTHENTICATED"}, func(t *testing.T, f flavor, resp response) {
			requireError(t, f, resp, 401, "UNAUTHENTICATED")
		}},
		{"body, status and content type", simulator.Fault{Path: "/hvc/links", Body: []byte("<html>bad gateway</html>"), Status: 502, ContentType: "text/html"}, func(t *testing.T, f flavor, resp response) {
			assert.Equal(t, 502, resp.status)
			assert.Equal(t, "text/html", resp.header.Get("Content-Type"))
			assert.Equal(t, "<html>bad gateway</html>", string(resp.body))
		}},
		{"body defaults", simulator.Fault{Path: "/hvc/links", Body: []byte(`{"garbage":`)}, func(t *testing.T, f flavor, resp response) {
			assert.Equal(t, 500, resp.status)
			assert.Equal(t, "application/json", resp.header.Get("Content-Type"))
			assert.Equal(t, `{"garbage":`, string(resp.body))
		}},
		{"empty body", simulator.Fault{Path: "/hvc/links", Body: []byte{}, Status: 200}, func(t *testing.T, f flavor, resp response) {
			assert.Equal(t, 200, resp.status)
			assert.Empty(t, resp.body)
		}},
		{"status only", simulator.Fault{Path: "/hvc/links", Status: http.StatusServiceUnavailable}, func(t *testing.T, f flavor, resp response) {
			assert.Equal(t, 503, resp.status)
			assert.Empty(t, resp.body)
		}},
		{"latency only handles normally", simulator.Fault{Path: "/hvc/links", Latency: 100 * time.Millisecond}, func(t *testing.T, f flavor, resp response) {
			require.Equal(t, 200, resp.status)
			assert.Len(t, decode[[]map[string]string](t, f, resp), 1)
		}},
		{"latency then error", simulator.Fault{Path: "/hvc/links", Latency: 50 * time.Millisecond, ErrorType: "TIMED_OUT"}, func(t *testing.T, f flavor, resp response) {
			requireError(t, f, resp, 500, "TIMED_OUT")
		}},
		{"glob matches the path without prefix", simulator.Fault{Path: "/hvc/*", ErrorType: "ERROR"}, func(t *testing.T, f flavor, resp response) {
			requireError(t, f, resp, 500, "ERROR")
		}},
		{"method is case-insensitive", simulator.Fault{Method: "get", ErrorType: "ERROR"}, func(t *testing.T, f flavor, resp response) {
			requireError(t, f, resp, 500, "ERROR")
		}},
		{"other method does not match", simulator.Fault{Method: "POST", Path: "/hvc/links", ErrorType: "ERROR"}, func(t *testing.T, f flavor, resp response) {
			require.Equal(t, 200, resp.status)
		}},
		{"other path does not match", simulator.Fault{Path: "/hvc/links/*", ErrorType: "ERROR"}, func(t *testing.T, f flavor, resp response) {
			require.Equal(t, 200, resp.status)
		}},
		{"an /api path matches /api only", simulator.Fault{Path: f0(), ErrorType: "ERROR"}, func(t *testing.T, f flavor, resp response) {
			if f.rest() {
				require.Equal(t, 200, resp.status)
				return
			}
			requireError(t, f, resp, 500, "ERROR")
		}},
	}
	for _, f := range flavors {
		for _, tc := range cases {
			t.Run(f.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				x := newFixture(t, f)
				mustFault(t, x.sim, tc.fault)
				start := time.Now()
				resp := x.call(t, http.MethodGet, "/hvc/links", nil)
				assert.GreaterOrEqual(t, time.Since(start), tc.fault.Latency)
				tc.check(t, f, resp)
				reqs := x.sim.Requests()
				last := reqs[len(reqs)-1]
				assert.Equal(t, resp.status, last.Status, "recorded status")
				assert.Equal(t, f.prefix+"/hvc/links", last.Path)
			})
		}
	}
}

// f0 is a fault path that includes the flavor prefix, which faults never
// see.
func f0() string { return "/api/hvc/links" }

// TestFaultSessionPaths checks faults on the login paths of each flavor.
func TestFaultSessionPaths(t *testing.T) {
	t.Parallel()
	cases := []struct {
		f    flavor
		path string
	}{{apiFlavor, "/session"}, {restFlavor, "/com/vmware/cis/session"}}
	for _, tc := range cases {
		t.Run(tc.f.name, func(t *testing.T) {
			t.Parallel()
			sim := simulator.Run(t)
			w := newWire(t, sim)
			mustFault(t, sim, simulator.Fault{Method: http.MethodPost, Path: tc.path, ErrorType: "SERVICE_UNAVAILABLE", Times: 1})
			resp := w.do(t, request{method: http.MethodPost, path: tc.f.sessionPath, user: simulator.DefaultAdminUser, pass: simulator.DefaultAdminPassword})
			requireError(t, tc.f, resp, 503, "SERVICE_UNAVAILABLE")
			assert.Zero(t, sim.LoginCount(), "a faulted login reached the handler")
			w.admin(t, tc.f)
			assert.Equal(t, 1, sim.LoginCount())
		})
	}
}

// TestFaultLifecycle checks Times, the remove function, ClearFaults and the
// order faults are tried in.
func TestFaultLifecycle(t *testing.T) {
	t.Parallel()
	for _, f := range flavors {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			x := newFixture(t, f)
			list := func() response { return x.call(t, http.MethodGet, "/hvc/links", nil) }

			// Times: the first fault applies twice, then the second once,
			// then none.
			removeA := mustFault(t, x.sim, simulator.Fault{Path: "/hvc/links", ErrorType: "SERVICE_UNAVAILABLE", Times: 2})
			mustFault(t, x.sim, simulator.Fault{Path: "/hvc/links", ErrorType: "TIMED_OUT", Times: 1})
			requireError(t, f, list(), 503, "SERVICE_UNAVAILABLE")
			requireError(t, f, list(), 503, "SERVICE_UNAVAILABLE")
			requireError(t, f, list(), 500, "TIMED_OUT")
			require.Equal(t, 200, list().status)
			removeA()
			removeA() // removing twice is harmless

			// remove: a fault without Times applies until removed.
			removeB := mustFault(t, x.sim, simulator.Fault{Path: "/hvc/links", ErrorType: "ERROR"})
			removeC := mustFault(t, x.sim, simulator.Fault{Path: "/hvc/links", ErrorType: "TIMED_OUT"})
			for range 3 {
				requireError(t, f, list(), 500, "ERROR")
			}
			removeB()
			requireError(t, f, list(), 500, "TIMED_OUT")
			removeC()
			require.Equal(t, 200, list().status)

			// ClearFaults removes all.
			mustFault(t, x.sim, simulator.Fault{Path: "/hvc/links", ErrorType: "ERROR"})
			mustFault(t, x.sim, simulator.Fault{ErrorType: "ERROR"})
			requireError(t, f, list(), 500, "ERROR")
			x.sim.ClearFaults()
			require.Equal(t, 200, list().status)
			requireVoid(t, f, x.call(t, http.MethodDelete, "/hvc/links/"+x.link, nil))
		})
	}
}

// TestFaultBadPattern checks that AddFault refuses a malformed pattern.
func TestFaultBadPattern(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t)
	_, err := sim.AddFault(simulator.Fault{Path: "/hvc/["})
	assert.ErrorContains(t, err, "bad Path pattern")
}

// TestFaultEscapedPath checks that faults match path segments in their
// escaped form.
func TestFaultEscapedPath(t *testing.T) {
	t.Parallel()
	x := newFixture(t, apiFlavor)
	mustFault(t, x.sim, simulator.Fault{Path: "/hvc/links/a%2Fb", ErrorType: "ERROR"})
	requireError(t, apiFlavor, x.call(t, http.MethodGet, "/hvc/links/a%2Fb", nil), 500, "ERROR")
	requireError(t, apiFlavor, x.call(t, http.MethodGet, "/hvc/links/a%2Fc", nil), 404, "NOT_FOUND")
}

// TestFaultLatencyEndsWithRequest checks that a fault's latency ends when
// the client gives up: the handler does not sleep out the latency.
func TestFaultLatencyEndsWithRequest(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		call func(w *wire, f flavor, tok string) error
	}{
		{"context deadline", func(w *wire, f flavor, tok string) error {
			ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
			defer cancel()
			_, err := w.try(ctx, request{method: http.MethodGet, path: f.prefix + "/hvc/links", token: tok})
			if !errors.Is(err, context.DeadlineExceeded) {
				return errors.Join(errors.New("want context.DeadlineExceeded"), err)
			}
			return nil
		}},
		{"client timeout", func(w *wire, f flavor, tok string) error {
			w.hc.Timeout = 150 * time.Millisecond
			resp, err := w.try(context.Background(), request{method: http.MethodGet, path: f.prefix + "/hvc/links", token: tok})
			if err == nil {
				return fmt.Errorf("no timeout: %s %v", resp, resp.header)
			}
			return nil
		}},
	}
	for _, f := range flavors {
		for _, tc := range cases {
			t.Run(f.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				sim := simulator.Run(t)
				w := newWire(t, sim)
				tok := w.admin(t, f)
				sim.ResetRequests()
				mustFault(t, sim, simulator.Fault{Path: "/hvc/links", Latency: time.Minute, ErrorType: "ERROR"})
				start := time.Now()
				require.NoError(t, tc.call(w, f, tok))
				require.Less(t, time.Since(start), 10*time.Second)
				require.Eventually(t, func() bool { return len(sim.Requests()) == 1 }, 5*time.Second, 10*time.Millisecond,
					"the handler still waits out the latency")
				rec := sim.Requests()[0]
				assert.Zero(t, rec.Status, "an abandoned request has no status")
				assert.Equal(t, f.prefix+"/hvc/links", rec.Path)
				assert.Less(t, time.Since(start), 10*time.Second)
			})
		}
	}
}

// TestFaultDrop checks that a dropped connection reaches the client as an
// error and is recorded with status 0.
func TestFaultDrop(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		fault simulator.Fault
	}{
		{"drop", simulator.Fault{Path: "/hvc/links", Drop: true}},
		{"drop after latency", simulator.Fault{Path: "/hvc/links", Drop: true, Latency: 50 * time.Millisecond}},
		{"drop wins over a body", simulator.Fault{Path: "/hvc/links", Drop: true, Body: []byte("{}"), ErrorType: "ERROR"}},
	}
	for _, f := range flavors {
		for _, tc := range cases {
			t.Run(f.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				sim := simulator.Run(t)
				w := newWire(t, sim)
				tok := w.admin(t, f)
				sim.ResetRequests()
				tc.fault.Times = 1
				mustFault(t, sim, tc.fault)
				// A POST is not retried by the transport on a reused
				// connection, so exactly one request reaches the server.
				_, err := w.try(context.Background(), request{method: http.MethodPost, path: f.prefix + "/hvc/links", token: tok, body: createBody(f, spec("x.local"))})
				require.Error(t, err)
				reqs := sim.Requests()
				require.Len(t, reqs, 1)
				assert.Equal(t, simulator.RecordedRequest{Method: "POST", Path: f.prefix + "/hvc/links", Flavor: f.name, Status: 0, Time: reqs[0].Time}, reqs[0])
				assert.Empty(t, sim.Links())
				// The server still serves.
				w.createLink(t, f, tok, "x.local")
			})
		}
	}
}

// TestRequests checks the request log and ResetRequests.
func TestRequests(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t)
	w := newWire(t, sim)
	before := time.Now()
	tok := w.admin(t, apiFlavor)
	w.do(t, request{method: http.MethodGet, path: "/api/hvc/links", token: tok})
	w.do(t, request{method: http.MethodPost, path: "/rest/hvc/management/administrators?action=add", token: tok, body: map[string]string{"group_name": "a@b"}})
	w.do(t, request{method: http.MethodGet, path: "/api/hvc/links/a%2Fb", token: tok})
	w.do(t, request{method: http.MethodGet, path: "/nowhere?x=1"})
	got := sim.Requests()
	require.Len(t, got, 5)
	want := []simulator.RecordedRequest{
		{Method: "POST", Path: "/api/session", Flavor: "api", Status: 201},
		{Method: "GET", Path: "/api/hvc/links", Flavor: "api", Status: 200},
		{Method: "POST", Path: "/rest/hvc/management/administrators", RawQuery: "action=add", Flavor: "rest", Status: 200, Body: []byte(`{"group_name":"a@b"}`)},
		{Method: "GET", Path: "/api/hvc/links/a%2Fb", Flavor: "api", Status: 404},
		{Method: "GET", Path: "/nowhere", RawQuery: "x=1", Flavor: "", Status: 404},
	}
	for i := range got {
		assert.False(t, got[i].Time.Before(before.Add(-time.Second)), "time of %d", i)
		if i > 0 {
			assert.False(t, got[i].Time.Before(got[i-1].Time), "log out of order at %d", i)
		}
		got[i].Time = time.Time{}
	}
	assert.Equal(t, want, got)

	// The log is a copy.
	got[0].Method = "X"
	assert.Equal(t, "POST", sim.Requests()[0].Method)

	sim.ResetRequests()
	assert.Empty(t, sim.Requests())
	w.do(t, request{method: http.MethodGet, path: "/api/hvc/links", token: tok})
	assert.Len(t, sim.Requests(), 1)
}

// TestFaultDropAfterApply checks that a DropAfterApply fault lets the
// operation change state and then closes the connection without a reply,
// over REST in both flavors and over JSON-RPC, added with AddFault or on
// the control surface.
func TestFaultDropAfterApply(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		control bool // add the fault with POST /hvcsim/faults
		rpc     bool
		f       flavor
	}{
		{"api", false, false, apiFlavor},
		{"rest", false, false, restFlavor},
		{"api via control", true, false, apiFlavor},
		{"jsonrpc", false, true, apiFlavor},
		{"jsonrpc via control", true, true, apiFlavor},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sim := simulator.Run(t, simulator.WithControl(), simulator.WithVersion("8.0U1"))
			w := newWire(t, sim)
			var tok string
			if tc.rpc {
				tok = w.rpcLogin(t, simulator.DefaultAdminUser, simulator.DefaultAdminPassword)
			} else {
				tok = w.admin(t, tc.f)
			}
			sim.ResetRequests()
			if tc.control {
				resp := w.do(t, request{method: http.MethodPost, path: "/hvcsim/faults", body: map[string]any{
					"method": "POST", "path": "/hvc/links", "drop_after_apply": true, "times": 1,
				}, header: map[string]string{"Authorization": "Bearer " + sim.ControlToken(), "Content-Type": "application/json"}})
				require.Equal(t, http.StatusCreated, resp.status, "%s", resp)
			} else {
				mustFault(t, sim, simulator.Fault{Method: http.MethodPost, Path: "/hvc/links", DropAfterApply: true, Times: 1})
			}
			var err error
			if tc.rpc {
				_, err = w.try(t.Context(), request{method: http.MethodPost, path: "/api", body: invoke("com.vmware.vcenter.hvc.links", "create",
					map[string]any{"spec": rpcSpec("corp.local", simulator.DefaultForeignThumbprint)}, sessionCtx(tok))})
			} else {
				_, err = w.try(t.Context(), request{method: http.MethodPost, path: tc.f.prefix + "/hvc/links", token: tok, body: createBody(tc.f, spec("corp.local"))})
			}
			require.Error(t, err, "the client sees the connection dropped")
			assert.NotContains(t, err.Error(), "status", "no reply at all")
			assert.Len(t, sim.Links(), 1, "the create was applied")
			reqs := sim.Requests()
			require.Len(t, reqs, 1)
			assert.Zero(t, reqs[0].Status, "recorded as dropped")
			// Times: 1, and the server still serves on a new connection.
			if tc.rpc {
				w.rpcCreateLink(t, tok, "other.local")
			} else {
				w.createLink(t, tc.f, tok, "other.local")
			}
			assert.Len(t, sim.Links(), 2)
		})
	}
}

// TestFaultDropAfterApplyRefused checks that AddFault refuses
// DropAfterApply with a field that answers the request instead.
func TestFaultDropAfterApplyRefused(t *testing.T) {
	t.Parallel()
	sim, err := simulator.New()
	require.NoError(t, err)
	for _, f := range []simulator.Fault{
		{DropAfterApply: true, Drop: true},
		{DropAfterApply: true, ErrorType: "ERROR"},
		{DropAfterApply: true, Status: 500},
		{DropAfterApply: true, Body: []byte("{}")},
		{DropAfterApply: true, Respond: func(http.ResponseWriter, *http.Request) {}},
	} {
		remove, err := sim.AddFault(f)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "DropAfterApply")
		assert.Nil(t, remove)
	}
}

// TestFaultErrorTypeChecked checks that a fault's ErrorType must be one of
// the 25 standard error types unless CustomErrorType says it is on
// purpose, in AddFault and on the control surface.
func TestFaultErrorTypeChecked(t *testing.T) {
	t.Parallel()
	cases := []struct {
		errorType string
		custom    bool
		ok        bool
	}{
		{"RESOURCE_BUSY", false, true},
		{"UNVERIFIED_PEER", false, true},
		{"ERROR", false, true},
		{"BUSY", false, false},
		{"resource_busy", false, false},
		{"RESOURCE_BUSY ", false, false},
		{"com.vmware.vapi.std.errors.resource_busy", false, false},
		{"BUSY", true, true},
		{"resource_busy", true, true},
	}
	sim := simulator.Run(t, simulator.WithControl())
	w := newWire(t, sim)
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%q custom=%v", tc.errorType, tc.custom), func(t *testing.T) {
			t.Parallel()
			remove, err := sim.AddFault(simulator.Fault{Path: "/hvc/links/{link}", Method: http.MethodDelete, ErrorType: tc.errorType, CustomErrorType: tc.custom})
			if tc.ok {
				require.NoError(t, err)
				remove()
			} else {
				require.Error(t, err)
				assert.Nil(t, remove)
				assert.Contains(t, err.Error(), fmt.Sprintf("ErrorType %q is not a standard error type", tc.errorType))
				assert.Contains(t, err.Error(), "(one of ERROR, ALREADY_EXISTS,")
				assert.Contains(t, err.Error(), "UNSUPPORTED, UNVERIFIED_PEER)")
				assert.Contains(t, err.Error(), "CustomErrorType")
			}

			resp := w.do(t, request{method: http.MethodPost, path: "/hvcsim/faults", body: map[string]any{
				"path": "/hvc/links/{link}", "method": "DELETE", "error_type": tc.errorType, "custom_error_type": tc.custom, "times": 1,
			}, header: map[string]string{"Authorization": "Bearer " + sim.ControlToken(), "Content-Type": "application/json"}})
			if tc.ok {
				require.Equal(t, http.StatusCreated, resp.status, "%s", resp)
				return
			}
			require.Equal(t, http.StatusBadRequest, resp.status, "%s", resp)
			var e struct{ Error string }
			require.NoError(t, json.Unmarshal(resp.body, &e))
			assert.Contains(t, e.Error, fmt.Sprintf("error_type %q is not a standard error type", tc.errorType))
			assert.Contains(t, e.Error, `set "custom_error_type": true`, "the hint names the JSON member")
			assert.NotContains(t, e.Error, "CustomErrorType", "a Go field name means nothing to a control-surface client")
			for _, typ := range []string{"ERROR", "ALREADY_EXISTS", "RESOURCE_BUSY", "UNVERIFIED_PEER"} {
				assert.Contains(t, e.Error, typ, "the valid types are named")
			}
		})
	}
}
