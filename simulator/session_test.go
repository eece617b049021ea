package simulator_test

import (
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc/simulator"
)

// TestLogin checks the login answer of both flavors: 201 with a JSON
// string on /api, 200 {"value":token} on /rest, and the session cookie.
func TestLogin(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		headerAuth bool
	}{
		{"cookie", false},
		{"header authn", true},
	}
	for _, f := range flavors {
		for _, tc := range cases {
			t.Run(f.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				sim := simulator.Run(t)
				w := newWire(t, sim)
				rq := request{method: http.MethodPost, path: f.sessionPath, user: simulator.DefaultAdminUser, pass: simulator.DefaultAdminPassword}
				if tc.headerAuth {
					rq.header = map[string]string{"vmware-use-header-authn": "true"}
				}
				resp := w.do(t, rq)
				require.Equal(t, f.created, resp.status, "%s", resp)
				var tok string
				require.NoError(t, json.Unmarshal(result(t, f, resp), &tok))
				require.NotEmpty(t, tok)
				if f.rest() {
					assert.Equal(t, `{"value":"`+tok+`"}`, string(resp.body))
				} else {
					assert.Equal(t, `"`+tok+`"`, string(resp.body))
				}
				assert.Equal(t, 1, sim.SessionCount())
				assert.Equal(t, 1, sim.LoginCount())

				cookies := (&http.Response{Header: resp.header}).Cookies()
				if tc.headerAuth {
					assert.Empty(t, cookies, "cookie set despite vmware-use-header-authn")
				} else {
					require.Len(t, cookies, 1)
					c := cookies[0]
					assert.Equal(t, "vmware-api-session-id", c.Name)
					assert.Equal(t, tok, c.Value)
					assert.Equal(t, f.prefix, c.Path)
					assert.True(t, c.HttpOnly)
					assert.True(t, c.Secure, "cookie of a TLS server must be Secure")
					// The cookie alone authenticates.
					resp := w.do(t, request{method: http.MethodGet, path: f.prefix + "/hvc/links",
						header: map[string]string{"Cookie": "vmware-api-session-id=" + tok}})
					require.Equal(t, http.StatusOK, resp.status, "%s", resp)
				}
				resp = w.do(t, request{method: http.MethodGet, path: f.prefix + "/hvc/links", token: tok})
				require.Equal(t, http.StatusOK, resp.status, "%s", resp)
			})
		}
	}
}

// TestLoginFailures checks that bad Basic credentials answer 401
// UNAUTHENTICATED with a challenge, and that every attempt is counted.
func TestLoginFailures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		header map[string]string
		user   string
		pass   string
	}{
		{"wrong password", nil, simulator.DefaultAdminUser, "wrong"},
		{"unknown user", nil, "nobody@vsphere.local", simulator.DefaultAdminPassword},
		{"read-only user with admin password", nil, simulator.DefaultReadOnlyUser, simulator.DefaultAdminPassword},
		{"no credentials", nil, "", ""},
		{"malformed Basic", map[string]string{"Authorization": "Basic !!!"}, "", ""},
		{"bearer", map[string]string{"Authorization": "Bearer abc"}, "", ""},
	}
	for _, f := range flavors {
		sim := simulator.Run(t)
		w := newWire(t, sim)
		for _, tc := range cases {
			t.Run(f.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				resp := w.do(t, request{method: http.MethodPost, path: f.sessionPath, user: tc.user, pass: tc.pass, header: tc.header})
				e := requireError(t, f, resp, http.StatusUnauthorized, "UNAUTHENTICATED")
				assert.Equal(t, "com.vmware.vapi.endpoint.method.authentication.required", e.Messages[0].ID)
				assert.Empty(t, (&http.Response{Header: resp.header}).Cookies())
			})
		}
		t.Cleanup(func() {
			assert.Equal(t, len(cases), sim.LoginCount())
			assert.Zero(t, sim.SessionCount())
		})
	}
}

// TestUnauthenticated checks that every operation, and session info and
// logout, need a live session.
func TestUnauthenticated(t *testing.T) {
	t.Parallel()
	ops := []struct{ name, method, path string }{
		{"links create", http.MethodPost, "/hvc/links"},
		{"links list", http.MethodGet, "/hvc/links"},
		{"links get", http.MethodGet, "/hvc/links/link-1"},
		{"links delete", http.MethodDelete, "/hvc/links/link-1"},
		{"links delete_with_credentials", http.MethodPost, "/hvc/links/link-1?action=delete"},
		{"sync reset", http.MethodPost, "/hvc/links/link-1/sync?action=reset"},
		{"providers list", http.MethodGet, "/hvc/links/link-1/sync/providers"},
		{"providers get", http.MethodGet, "/hvc/links/link-1/sync/providers/identity"},
		{"providers start", http.MethodPost, "/hvc/links/link-1/sync/providers/identity?action=start"},
		{"administrators get", http.MethodGet, "/hvc/management/administrators"},
		{"administrators set", http.MethodPut, "/hvc/management/administrators"},
		{"administrators add", http.MethodPost, "/hvc/management/administrators?action=add"},
		{"administrators remove", http.MethodPost, "/hvc/management/administrators?action=remove"},
	}
	tokens := []struct{ name, token string }{{"missing", ""}, {"unknown", "0123456789abcdef0123456789abcdef"}}
	xs := newFixtures(t)
	for _, f := range flavors {
		all := append(ops, struct{ name, method, path string }{"session logout", http.MethodDelete, ""})
		if f.rest() {
			all = append(all, struct{ name, method, path string }{"session info", http.MethodPost, "?~action=get"})
		} else {
			all = append(all, struct{ name, method, path string }{"session info", http.MethodGet, ""})
		}
		for _, op := range all {
			x := xs.get(f, op.method, op.path)
			for _, tk := range tokens {
				t.Run(f.name+"/"+op.name+"/"+tk.name, func(t *testing.T) {
					t.Parallel()
					path := f.prefix + op.path
					if op.name == "session logout" || op.name == "session info" {
						path = f.sessionPath + op.path
					}
					resp := x.w.do(t, request{method: op.method, path: path, token: tk.token})
					e := requireError(t, f, resp, http.StatusUnauthorized, "UNAUTHENTICATED")
					assert.Equal(t, "Authentication required.", e.Messages[0].DefaultMessage)
				})
			}
		}
		for _, x := range xs.m {
			t.Cleanup(func() {
				assert.Equal(t, []string{"link-1"}, x.sim.Links())
				assert.Equal(t, 1, x.sim.SessionCount())
			})
		}
	}
}

// TestSessionInfo checks GET /api/session and POST
// /rest/com/vmware/cis/session?~action=get.
func TestSessionInfo(t *testing.T) {
	t.Parallel()
	type info struct {
		User             string  `json:"user"`
		CreatedTime      *string `json:"created_time"`
		LastAccessedTime *string `json:"last_accessed_time"`
	}
	for _, f := range flavors {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			sim := simulator.Run(t)
			w := newWire(t, sim)
			for _, u := range []struct{ name, pass string }{
				{simulator.DefaultAdminUser, simulator.DefaultAdminPassword},
				{simulator.DefaultReadOnlyUser, simulator.DefaultReadOnlyPassword},
			} {
				before := time.Now().UTC().Truncate(time.Millisecond)
				tok := w.login(t, f, u.name, u.pass)
				sim.Advance(time.Second)
				rq := request{method: http.MethodGet, path: f.sessionPath, token: tok}
				if f.rest() {
					rq = request{method: http.MethodPost, path: f.sessionPath + "?~action=get", token: tok}
				}
				resp := w.do(t, rq)
				require.Equal(t, http.StatusOK, resp.status, "%s", resp)
				got := decode[info](t, f, resp)
				assert.Equal(t, u.name, got.User)
				created := requireTime(t, got.CreatedTime, "created_time")
				accessed := requireTime(t, got.LastAccessedTime, "last_accessed_time")
				assert.False(t, created.Before(before), "created %v before %v", created, before)
				assert.GreaterOrEqual(t, accessed.Sub(created), time.Second, "last_accessed_time %v not a second after created_time %v", accessed, created)
			}
		})
	}
}

// TestLogout checks that logout answers 204 (/api) or 200 (/rest) with no
// body and kills the token, and only that token.
func TestLogout(t *testing.T) {
	t.Parallel()
	for _, f := range flavors {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			sim := simulator.Run(t)
			w := newWire(t, sim)
			tok, other := w.admin(t, f), w.admin(t, f)
			require.Equal(t, 2, sim.SessionCount())
			requireVoid(t, f, w.do(t, request{method: http.MethodDelete, path: f.sessionPath, token: tok}))
			assert.Equal(t, 1, sim.SessionCount())
			requireError(t, f, w.do(t, request{method: http.MethodGet, path: f.prefix + "/hvc/links", token: tok}), 401, "UNAUTHENTICATED")
			requireError(t, f, w.do(t, request{method: http.MethodDelete, path: f.sessionPath, token: tok}), 401, "UNAUTHENTICATED")
			resp := w.do(t, request{method: http.MethodGet, path: f.prefix + "/hvc/links", token: other})
			require.Equal(t, http.StatusOK, resp.status, "%s", resp)
		})
	}
}

// TestSessionShared checks that a session opened in one flavor is valid in
// the other: both are fronts of the same vAPI endpoint.
func TestSessionShared(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t)
	w := newWire(t, sim)
	for _, from := range flavors {
		tok := w.admin(t, from)
		for _, to := range flavors {
			resp := w.do(t, request{method: http.MethodGet, path: to.prefix + "/hvc/links", token: tok})
			require.Equal(t, http.StatusOK, resp.status, "%s token on %s: %s", from.name, to.name, resp)
		}
	}
}

// TestIdleTimeout checks that a session used within the idle timeout stays
// alive and one left idle longer expires, on the server's clock (Advance):
// no sleeps, so the outcome does not depend on the machine's load.
func TestIdleTimeout(t *testing.T) {
	t.Parallel()
	const idle = 30 * time.Minute
	for _, f := range flavors {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			frozen := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
			sim := simulator.Run(t, simulator.WithIdleTimeout(idle), simulator.WithClock(func() time.Time { return frozen }))
			w := newWire(t, sim)
			tok := w.admin(t, f)
			list := request{method: http.MethodGet, path: f.prefix + "/hvc/links", token: tok}
			// Used every idle-1s for three idle timeouts: stays alive.
			for range 3 {
				sim.Advance(idle - time.Second)
				resp := w.do(t, list)
				require.Equal(t, http.StatusOK, resp.status, "a session in use expired: %s", resp)
			}
			// Exactly idle without use is still alive; a second more is not.
			sim.Advance(idle)
			require.Equal(t, http.StatusOK, w.do(t, list).status, "expired at exactly the idle timeout")
			sim.Advance(idle + time.Second)
			requireError(t, f, w.do(t, list), 401, "UNAUTHENTICATED")
			assert.Zero(t, sim.SessionCount(), "the expired session is still counted")
			// A new login works.
			list.token = w.admin(t, f)
			require.Equal(t, http.StatusOK, w.do(t, list).status)
		})
	}
}

// TestClock checks WithClock: the server reads the given clock, plus what
// Advance adds, for idle expiry and the times it reports; nil is refused.
func TestClock(t *testing.T) {
	t.Parallel()
	_, err := simulator.New(simulator.WithClock(nil))
	require.ErrorContains(t, err, "nil clock")

	var mu sync.Mutex
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	set := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	sim := simulator.Run(t, simulator.WithClock(clock), simulator.WithIdleTimeout(time.Minute))
	w := newWire(t, sim)
	tok := w.admin(t, apiFlavor)
	type info struct {
		User             string `json:"user"`
		CreatedTime      string `json:"created_time"`
		LastAccessedTime string `json:"last_accessed_time"`
	}
	set(30 * time.Second)
	sim.Advance(-time.Hour) // ignored: time never runs backwards
	sim.Advance(15 * time.Second)
	got := decode[info](t, apiFlavor, w.do(t, request{method: http.MethodGet, path: "/api/session", token: tok}))
	assert.Equal(t, "2030-01-02T03:04:05.000Z", got.CreatedTime)
	assert.Equal(t, "2030-01-02T03:04:50.000Z", got.LastAccessedTime)
	reqs := sim.Requests()
	assert.Equal(t, time.Date(2030, 1, 2, 3, 4, 50, 0, time.UTC), reqs[len(reqs)-1].Time.UTC(), "recorded time")
	set(time.Minute + time.Millisecond)
	requireError(t, apiFlavor, w.do(t, request{method: http.MethodGet, path: "/api/session", token: tok}), 401, "UNAUTHENTICATED")
}

// TestExpireSessions checks ExpireSessions, as a vCenter restart.
func TestExpireSessions(t *testing.T) {
	t.Parallel()
	for _, f := range flavors {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			sim := simulator.Run(t)
			w := newWire(t, sim)
			toks := []string{w.admin(t, f), w.admin(t, f), w.login(t, f, simulator.DefaultReadOnlyUser, simulator.DefaultReadOnlyPassword)}
			sim.ExpireSessions()
			assert.Zero(t, sim.SessionCount())
			for _, tok := range toks {
				requireError(t, f, w.do(t, request{method: http.MethodGet, path: f.prefix + "/hvc/links", token: tok}), 401, "UNAUTHENTICATED")
			}
			tok := w.admin(t, f)
			require.Equal(t, http.StatusOK, w.do(t, request{method: http.MethodGet, path: f.prefix + "/hvc/links", token: tok}).status)
			assert.Equal(t, 4, sim.LoginCount())
		})
	}
}

// TestExpireSessionsAfter checks the exact boundary: n authenticated
// requests pass, the next gets 401, and the expiry happens only once.
func TestExpireSessionsAfter(t *testing.T) {
	t.Parallel()
	for _, f := range flavors {
		for _, n := range []int{0, 1, 3} {
			t.Run(f.name+"/"+string(rune('0'+n)), func(t *testing.T) {
				t.Parallel()
				sim := simulator.Run(t)
				w := newWire(t, sim)
				tok, other := w.admin(t, f), w.admin(t, f)
				sim.ExpireSessionsAfter(n)
				list := request{method: http.MethodGet, path: f.prefix + "/hvc/links", token: tok}
				// Unauthenticated requests and logins do not count.
				requireError(t, f, w.do(t, request{method: http.MethodGet, path: f.prefix + "/hvc/links"}), 401, "UNAUTHENTICATED")
				fresh := w.admin(t, f)
				for i := range n {
					resp := w.do(t, list)
					require.Equal(t, http.StatusOK, resp.status, "request %d of %d: %s", i+1, n, resp)
				}
				requireError(t, f, w.do(t, list), 401, "UNAUTHENTICATED")
				assert.Zero(t, sim.SessionCount(), "every session ends")
				for _, old := range []string{other, fresh} {
					requireError(t, f, w.do(t, request{method: http.MethodGet, path: f.prefix + "/hvc/links", token: old}), 401, "UNAUTHENTICATED")
				}
				list.token = w.admin(t, f)
				for range 5 {
					require.Equal(t, http.StatusOK, w.do(t, list).status, "sessions expired a second time")
				}
			})
		}
		t.Run(f.name+"/cancel", func(t *testing.T) {
			t.Parallel()
			sim := simulator.Run(t)
			w := newWire(t, sim)
			tok := w.admin(t, f)
			sim.ExpireSessionsAfter(1)
			sim.ExpireSessionsAfter(-5)
			for range 3 {
				require.Equal(t, http.StatusOK, w.do(t, request{method: http.MethodGet, path: f.prefix + "/hvc/links", token: tok}).status)
			}
		})
	}
}

// TestUsers checks WithAdmin, WithReadOnlyUser and WithUser.
func TestUsers(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t,
		simulator.WithAdmin("root@corp.local", "r00t"),
		simulator.WithReadOnlyUser("viewer@corp.local", "v1ew"),
		simulator.WithUser("ops@corp.local", "0ps", false),
		simulator.WithUser("audit@corp.local", "aud1t", true),
	)
	w := newWire(t, sim)
	cases := []struct {
		user, pass string
		ok         bool
		readOnly   bool
	}{
		{"root@corp.local", "r00t", true, false},
		{"viewer@corp.local", "v1ew", true, true},
		{"ops@corp.local", "0ps", true, false},
		{"audit@corp.local", "aud1t", true, true},
		{simulator.DefaultAdminUser, simulator.DefaultAdminPassword, false, false},
		{simulator.DefaultReadOnlyUser, simulator.DefaultReadOnlyPassword, false, false},
	}
	for _, f := range flavors {
		for _, tc := range cases {
			t.Run(f.name+"/"+tc.user, func(t *testing.T) {
				t.Parallel()
				resp := w.do(t, request{method: http.MethodPost, path: f.sessionPath, user: tc.user, pass: tc.pass})
				if !tc.ok {
					requireError(t, f, resp, 401, "UNAUTHENTICATED")
					return
				}
				tok := w.login(t, f, tc.user, tc.pass)
				resp = w.do(t, request{method: http.MethodPost, path: f.prefix + "/hvc/management/administrators?action=add", token: tok,
					body: map[string]string{"group_name": "g@corp.local"}})
				if tc.readOnly {
					requireError(t, f, resp, 403, "UNAUTHORIZED")
				} else {
					requireVoid(t, f, resp)
				}
			})
		}
	}
}

// TestFlavorSelection checks WithRESTOnly and WithAPIOnly: the missing
// flavor answers 404 everywhere, the other works.
func TestFlavorSelection(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		opt     simulator.Option
		served  flavor
		missing flavor
	}{
		{"rest only", simulator.WithRESTOnly(), restFlavor, apiFlavor},
		{"api only", simulator.WithAPIOnly(), apiFlavor, restFlavor},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sim := simulator.Run(t, tc.opt)
			w := newWire(t, sim)
			tok := w.admin(t, tc.served)
			w.createLink(t, tc.served, tok, "remote.local")
			for _, rq := range []request{
				{method: http.MethodPost, path: tc.missing.sessionPath, user: simulator.DefaultAdminUser, pass: simulator.DefaultAdminPassword},
				{method: http.MethodGet, path: tc.missing.prefix + "/hvc/links", token: tok},
				{method: http.MethodGet, path: tc.missing.prefix + "/hvc/links/link-1", token: tok},
				{method: http.MethodGet, path: tc.missing.prefix, token: tok},
			} {
				resp := w.do(t, rq)
				require.Equal(t, http.StatusNotFound, resp.status, "%s %s: %s", rq.method, rq.path, resp)
				assert.Equal(t, "application/json", resp.header.Get("Content-Type"))
			}
			assert.Equal(t, 1, sim.LoginCount(), "a login on the missing flavor was counted")
			resp := w.do(t, request{method: http.MethodGet, path: tc.served.prefix + "/hvc/links", token: tok})
			require.Equal(t, http.StatusOK, resp.status)
			assert.Len(t, decode[[]map[string]string](t, tc.served, resp), 1)
		})
	}
}
