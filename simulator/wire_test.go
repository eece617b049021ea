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

// fixture is a started simulator with an admin session and one link to
// "remote.local" in one flavor.
type fixture struct {
	f    flavor
	sim  *simulator.Server
	w    *wire
	tok  string
	link string
}

func newFixture(t *testing.T, f flavor, opts ...simulator.Option) fixture {
	t.Helper()
	sim := simulator.Run(t, opts...)
	w := newWire(t, sim)
	tok := w.admin(t, f)
	return fixture{f: f, sim: sim, w: w, tok: tok, link: w.createLink(t, f, tok, "remote.local")}
}

func (x fixture) call(t *testing.T, method, path string, body any) response {
	t.Helper()
	return x.w.do(t, request{method: method, path: x.f.prefix + path, token: x.tok, body: body})
}

// TestOperations runs every hvc operation successfully in both flavors and
// checks the exact status, Content-Type, envelope and result.
func TestOperations(t *testing.T) {
	t.Parallel()
	type linkSummary struct {
		Link        string `json:"link"`
		DisplayName string `json:"display_name"`
	}
	type linkInfo struct {
		ConnectionHealthStatus string      `json:"connection_health_status"`
		HealthStatusMessage    *stdMessage `json:"health_status_message"`
	}
	cases := []struct {
		name string
		run  func(t *testing.T, x fixture)
	}{
		{"links create", func(t *testing.T, x fixture) {
			resp := x.call(t, http.MethodPost, "/hvc/links", createBody(x.f, spec("second.local")))
			require.Equal(t, x.f.created, resp.status, "%s", resp)
			assert.Equal(t, "link-2", decode[string](t, x.f, resp))
			if x.f.rest() {
				assert.JSONEq(t, `{"value":"link-2"}`, string(resp.body))
			} else {
				assert.Equal(t, `"link-2"`, string(resp.body))
			}
			assert.Equal(t, []string{"link-1", "link-2"}, x.sim.Links())
		}},
		{"links create with port and without optionals", func(t *testing.T, x fixture) {
			s := spec("third.local")
			s["port"] = "443"
			delete(s, "admin_groups")
			resp := x.call(t, http.MethodPost, "/hvc/links", createBody(x.f, s))
			require.Equal(t, x.f.created, resp.status, "%s", resp)
			assert.Equal(t, "link-2", decode[string](t, x.f, resp))
		}},
		{"links create accepts a plain lower-case thumbprint", func(t *testing.T, x fixture) {
			s := spec("plain.local")
			s["ssl_thumbprint"] = strings.ToLower(strings.ReplaceAll(simulator.DefaultForeignThumbprint, ":", ""))
			resp := x.call(t, http.MethodPost, "/hvc/links", createBody(x.f, s))
			require.Equal(t, x.f.created, resp.status, "%s", resp)
		}},
		{"links list", func(t *testing.T, x fixture) {
			x.w.createLink(t, x.f, x.tok, "second.local")
			resp := x.call(t, http.MethodGet, "/hvc/links", nil)
			require.Equal(t, http.StatusOK, resp.status)
			assert.Equal(t, []linkSummary{{"link-1", "remote.local"}, {"link-2", "second.local"}}, decode[[]linkSummary](t, x.f, resp))
		}},
		{"links list empty is an array", func(t *testing.T, x fixture) {
			requireVoid(t, x.f, x.call(t, http.MethodDelete, "/hvc/links/"+x.link, nil))
			resp := x.call(t, http.MethodGet, "/hvc/links", nil)
			require.Equal(t, http.StatusOK, resp.status)
			assert.JSONEq(t, `[]`, string(result(t, x.f, resp)))
		}},
		{"links get", func(t *testing.T, x fixture) {
			resp := x.call(t, http.MethodGet, "/hvc/links/"+x.link, nil)
			require.Equal(t, http.StatusOK, resp.status)
			assert.JSONEq(t, `{"connection_health_status":"HEALTHY"}`, string(result(t, x.f, resp)))
		}},
		{"links get unhealthy", func(t *testing.T, x fixture) {
			require.True(t, x.sim.SetLinkHealth(x.link, false, "PSC unreachable"))
			require.False(t, x.sim.SetLinkHealth("link-99", false, "x"))
			resp := x.call(t, http.MethodGet, "/hvc/links/"+x.link, nil)
			require.Equal(t, http.StatusOK, resp.status)
			info := decode[linkInfo](t, x.f, resp)
			assert.Equal(t, "UNHEALTHY", info.ConnectionHealthStatus)
			require.NotNil(t, info.HealthStatusMessage)
			assert.Equal(t, "PSC unreachable", info.HealthStatusMessage.DefaultMessage)
			assert.NotEmpty(t, info.HealthStatusMessage.ID)
			assert.NotNil(t, info.HealthStatusMessage.Args)
		}},
		{"links delete", func(t *testing.T, x fixture) {
			requireVoid(t, x.f, x.call(t, http.MethodDelete, "/hvc/links/"+x.link, nil))
			assert.Empty(t, x.sim.Links())
			requireError(t, x.f, x.call(t, http.MethodDelete, "/hvc/links/"+x.link, nil), 404, "NOT_FOUND")
		}},
		{"links delete_with_credentials", func(t *testing.T, x fixture) {
			body := map[string]any{"credentials": map[string]string{"user_name": simulator.DefaultForeignUser, "password": simulator.DefaultForeignPassword}}
			requireVoid(t, x.f, x.call(t, http.MethodPost, "/hvc/links/"+x.link+"?action=delete", body))
			assert.Empty(t, x.sim.Links())
		}},
		{"sync reset", func(t *testing.T, x fixture) {
			requireVoid(t, x.f, x.call(t, http.MethodPost, "/hvc/links/"+x.link+"/sync/providers/identity?action=start", nil))
			requireVoid(t, x.f, x.call(t, http.MethodPost, "/hvc/links/"+x.link+"/sync?action=reset", nil))
			info := decode[providerInfo](t, x.f, x.call(t, http.MethodGet, "/hvc/links/"+x.link+"/sync/providers/identity", nil))
			assert.Equal(t, "NO_SYNC_FOUND", info.Status)
			assert.Nil(t, info.LastSyncTime)
			assert.Nil(t, info.CurrentSessionInfo)
		}},
		{"providers list", func(t *testing.T, x fixture) {
			resp := x.call(t, http.MethodGet, "/hvc/links/"+x.link+"/sync/providers", nil)
			require.Equal(t, http.StatusOK, resp.status)
			assert.JSONEq(t, `[{"provider":"identity"},{"provider":"authorization"}]`, string(result(t, x.f, resp)))
		}},
		{"providers get before any sync", func(t *testing.T, x fixture) {
			resp := x.call(t, http.MethodGet, "/hvc/links/"+x.link+"/sync/providers/identity", nil)
			require.Equal(t, http.StatusOK, resp.status)
			assert.JSONEq(t, `{"status":"NO_SYNC_FOUND","polling_interval_in_seconds":30}`, string(result(t, x.f, resp)))
		}},
		{"providers start", func(t *testing.T, x fixture) {
			requireVoid(t, x.f, x.call(t, http.MethodPost, "/hvc/links/"+x.link+"/sync/providers/authorization?action=start", nil))
			info := decode[providerInfo](t, x.f, x.call(t, http.MethodGet, "/hvc/links/"+x.link+"/sync/providers/authorization", nil))
			assert.Equal(t, "SUCCEEDED", info.Status)
			requireTime(t, info.LastSyncTime, "last_sync_time")
			require.NotNil(t, info.CurrentSessionInfo)
			assert.Equal(t, "COMPLETED", info.CurrentSessionInfo.Stage)
			require.NotNil(t, info.CurrentSessionInfo.TotalWork)
			assert.Equal(t, *info.CurrentSessionInfo.TotalWork, *info.CurrentSessionInfo.CompletedWork)
			requireTime(t, info.CurrentSessionInfo.StartTime, "start_time")
			requireTime(t, info.CurrentSessionInfo.CompletionTime, "completion_time")
			assert.Nil(t, info.CurrentSessionInfo.Exception)
			assert.Nil(t, info.StatusMessage)
		}},
		{"providers start with an empty or null credentials body", func(t *testing.T, x fixture) {
			for _, body := range []string{`{}`, `{"credentials":null}`} {
				requireVoid(t, x.f, x.call(t, http.MethodPost, "/hvc/links/"+x.link+"/sync/providers/identity?action=start", body))
				requireVoid(t, x.f, x.call(t, http.MethodPost, "/hvc/links/"+x.link+"/sync?action=reset", body))
			}
		}},
		{"administrators get", func(t *testing.T, x fixture) {
			resp := x.call(t, http.MethodGet, "/hvc/management/administrators", nil)
			require.Equal(t, http.StatusOK, resp.status)
			assert.Equal(t, []string{"Administrators@vsphere.local"}, decode[[]string](t, x.f, resp))
		}},
		{"administrators set dedupes", func(t *testing.T, x fixture) {
			body := map[string]any{"group_names": []string{"b@d", "a@d", "b@d"}}
			requireVoid(t, x.f, x.call(t, http.MethodPut, "/hvc/management/administrators", body))
			assert.Equal(t, []string{"a@d", "b@d"}, decode[[]string](t, x.f, x.call(t, http.MethodGet, "/hvc/management/administrators", nil)))
		}},
		{"administrators set empty", func(t *testing.T, x fixture) {
			requireVoid(t, x.f, x.call(t, http.MethodPut, "/hvc/management/administrators", map[string]any{"group_names": []string{}}))
			resp := x.call(t, http.MethodGet, "/hvc/management/administrators", nil)
			assert.JSONEq(t, `[]`, string(result(t, x.f, resp)))
		}},
		{"administrators add", func(t *testing.T, x fixture) {
			requireVoid(t, x.f, x.call(t, http.MethodPost, "/hvc/management/administrators?action=add", map[string]string{"group_name": "ops@remote.local"}))
			requireVoid(t, x.f, x.call(t, http.MethodPost, "/hvc/management/administrators?action=add", map[string]string{"group_name": "ops@remote.local"}))
			assert.Equal(t, []string{"Administrators@vsphere.local", "ops@remote.local"},
				decode[[]string](t, x.f, x.call(t, http.MethodGet, "/hvc/management/administrators", nil)))
		}},
		{"administrators remove", func(t *testing.T, x fixture) {
			requireVoid(t, x.f, x.call(t, http.MethodPost, "/hvc/management/administrators?action=remove", map[string]string{"group_name": "Administrators@vsphere.local"}))
			requireVoid(t, x.f, x.call(t, http.MethodPost, "/hvc/management/administrators?action=remove", map[string]string{"group_name": "absent@vsphere.local"}))
			resp := x.call(t, http.MethodGet, "/hvc/management/administrators", nil)
			assert.JSONEq(t, `[]`, string(result(t, x.f, resp)))
		}},
	}
	for _, f := range flavors {
		for _, tc := range cases {
			t.Run(f.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				// Operations the default release lacks run on the first
				// release that has them.
				var opts []simulator.Option
				switch tc.name {
				case "links get", "links get unhealthy", "links delete_with_credentials":
					opts = append(opts, simulator.WithVersion("8.0U1"))
				}
				tc.run(t, newFixture(t, f, opts...))
			})
		}
	}
}

// TestNotFound checks 404 NOT_FOUND, naming the missing link or provider,
// for every operation on a link or provider.
func TestNotFound(t *testing.T) {
	t.Parallel()
	creds := map[string]any{"credentials": map[string]string{"user_name": "u@d", "password": "p"}}
	cases := []struct {
		name, method, path string
		body               any
		kind, id           string
	}{
		{"links get", http.MethodGet, "/hvc/links/link-9", nil, "link", "link-9"},
		{"links delete", http.MethodDelete, "/hvc/links/link-9", nil, "link", "link-9"},
		{"links delete_with_credentials", http.MethodPost, "/hvc/links/link-9?action=delete", creds, "link", "link-9"},
		{"sync reset", http.MethodPost, "/hvc/links/link-9/sync?action=reset", nil, "link", "link-9"},
		{"providers list", http.MethodGet, "/hvc/links/link-9/sync/providers", nil, "link", "link-9"},
		{"providers get unknown link", http.MethodGet, "/hvc/links/link-9/sync/providers/identity", nil, "link", "link-9"},
		{"providers get unknown provider", http.MethodGet, "/hvc/links/link-1/sync/providers/nope", nil, "provider", "nope"},
		{"providers start unknown link", http.MethodPost, "/hvc/links/link-9/sync/providers/identity?action=start", nil, "link", "link-9"},
		{"providers start unknown provider", http.MethodPost, "/hvc/links/link-1/sync/providers/nope?action=start", nil, "provider", "nope"},
		{"escaped slash in link id", http.MethodGet, "/hvc/links/link-1%2Fsync", nil, "link", "link-1/sync"},
		{"escaped slash in link id, delete", http.MethodDelete, "/hvc/links/a%2F..%2Fb", nil, "link", "a/../b"},
		{"escaped slash in provider id", http.MethodGet, "/hvc/links/link-1/sync/providers/identity%2Fx", nil, "provider", "identity/x"},
		{"escaped characters in link id", http.MethodGet, "/hvc/links/l%20%3F%23", nil, "link", "l ?#"},
	}
	xs := newFixtures(t)
	for _, f := range flavors {
		for _, tc := range cases {
			x := xs.get(f, tc.method, tc.path)
			t.Run(f.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				e := requireError(t, f, x.call(t, tc.method, tc.path, tc.body), http.StatusNotFound, "NOT_FOUND")
				assert.Contains(t, e.Messages[0].DefaultMessage, tc.id)
				assert.Equal(t, []string{tc.id}, e.Messages[0].Args)
				assert.Equal(t, map[string]string{tc.kind: tc.id}, params(t, f, e.Messages[0]))
			})
		}
	}
}

// TestCreateErrors checks create's validation and its declared errors.
func TestCreateErrors(t *testing.T) {
	t.Parallel()
	without := func(field string) map[string]any { s := spec("new.local"); delete(s, field); return s }
	with := func(field string, v any) map[string]any { s := spec("new.local"); s[field] = v; return s }
	cases := []struct {
		name      string
		spec      map[string]any
		errorType string
		status    int
		field     string // INVALID_ARGUMENT: the field the message must name
	}{
		{"missing psc_hostname", without("psc_hostname"), "INVALID_ARGUMENT", 400, "psc_hostname"},
		{"missing domain_name", without("domain_name"), "INVALID_ARGUMENT", 400, "domain_name"},
		{"missing username", without("username"), "INVALID_ARGUMENT", 400, "username"},
		{"missing password", without("password"), "INVALID_ARGUMENT", 400, "password"},
		{"empty psc_hostname", with("psc_hostname", ""), "INVALID_ARGUMENT", 400, "psc_hostname"},
		{"blank domain_name", with("domain_name", "  "), "INVALID_ARGUMENT", 400, "domain_name"},
		{"empty username", with("username", ""), "INVALID_ARGUMENT", 400, "username"},
		{"empty password", with("password", ""), "INVALID_ARGUMENT", 400, "password"},
		{"empty spec", map[string]any{}, "INVALID_ARGUMENT", 400, "psc_hostname"},
		{"port not a number", with("port", "https"), "INVALID_ARGUMENT", 400, "port"},
		{"port zero", with("port", "0"), "INVALID_ARGUMENT", 400, "port"},
		{"port too large", with("port", "65536"), "INVALID_ARGUMENT", 400, "port"},
		{"port negative", with("port", "-443"), "INVALID_ARGUMENT", 400, "port"},
		{"port empty", with("port", ""), "INVALID_ARGUMENT", 400, "port"},
		{"ssl_thumbprint not hex", with("ssl_thumbprint", "not-a-thumbprint"), "INVALID_ARGUMENT", 400, "ssl_thumbprint"},
		{"port as a JSON number", with("port", 443), "INVALID_REQUEST", 400, ""},
		{"missing ssl_thumbprint", without("ssl_thumbprint"), "UNVERIFIED_PEER", 400, ""},
		{"wrong ssl_thumbprint", with("ssl_thumbprint", strings.Repeat("AB:", 31)+"AB"), "UNVERIFIED_PEER", 400, ""},
		{"already exists", spec("remote.local"), "ALREADY_EXISTS", 400, ""},
		{"already exists, other case", spec("REMOTE.local"), "ALREADY_EXISTS", 400, ""},
		{"unknown PSC", with("psc_hostname", "psc.unknown.example"), "ERROR", 500, ""},
	}
	for _, f := range flavors {
		x := newFixture(t, f)
		for _, tc := range cases {
			t.Run(f.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				e := requireError(t, f, x.call(t, http.MethodPost, "/hvc/links", createBody(f, tc.spec)), tc.status, tc.errorType)
				switch tc.errorType {
				case "INVALID_ARGUMENT":
					assert.Contains(t, e.Messages[0].DefaultMessage, tc.field)
					assert.Equal(t, map[string]string{"field": "spec." + tc.field}, params(t, f, e.Messages[0]))
				case "UNVERIFIED_PEER":
					var data map[string]string
					require.NoError(t, json.Unmarshal(e.Data, &data), "data: %s", e.Data)
					assert.Equal(t, map[string]string{"ssl_thumbprint": simulator.DefaultForeignThumbprint}, data)
				case "ALREADY_EXISTS":
					assert.Equal(t, map[string]string{"domain_name": "remote.local"}, params(t, f, e.Messages[0]))
				}
				if tc.errorType != "UNVERIFIED_PEER" {
					assert.Empty(t, e.Data)
				}
			})
		}
		t.Cleanup(func() { assert.Equal(t, []string{"link-1"}, x.sim.Links(), "a failed create added a link") })
	}
	t.Run("rest/missing spec", func(t *testing.T) {
		t.Parallel()
		x := newFixture(t, restFlavor)
		for _, body := range []any{map[string]any{}, map[string]any{"spec": nil}} {
			e := requireError(t, restFlavor, x.call(t, http.MethodPost, "/hvc/links", body), 400, "INVALID_ARGUMENT")
			assert.Equal(t, map[string]string{"field": "spec"}, params(t, restFlavor, e.Messages[0]))
		}
		// An /api-style (unwrapped) spec sent to /rest sets fields the
		// operation input does not have.
		e := requireError(t, restFlavor, x.call(t, http.MethodPost, "/hvc/links", spec("flat.local")), 400, "UNEXPECTED_INPUT")
		assert.Equal(t, "vapi.data.structure.field.unexpected", e.Messages[0].ID)
		assert.Equal(t, []string{"[admin_groups, domain_name, password, psc_hostname, ssl_thumbprint, username]", "operation-input"}, e.Messages[0].Args)
		assert.NotContains(t, string(e.Messages[0].DefaultMessage), simulator.DefaultForeignPassword, "the password's value is not echoed")
	})
	t.Run("custom foreign PSC", func(t *testing.T) {
		t.Parallel()
		const tp = "01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:16:17:18:19:1A:1B:1C:1D:1E:1F:20"
		for _, f := range flavors {
			sim := simulator.Run(t, simulator.WithForeignPSC("PSC.Other.Example", tp))
			w := newWire(t, sim)
			tok := w.admin(t, f)
			s := spec("other.local")
			s["psc_hostname"] = "psc.other.example"
			s["ssl_thumbprint"] = simulator.DefaultForeignThumbprint
			e := requireError(t, f, w.do(t, request{method: http.MethodPost, path: f.prefix + "/hvc/links", token: tok, body: createBody(f, s)}), 400, "UNVERIFIED_PEER")
			assert.JSONEq(t, `{"ssl_thumbprint":"`+tp+`"}`, string(e.Data))
			s["ssl_thumbprint"] = tp
			resp := w.do(t, request{method: http.MethodPost, path: f.prefix + "/hvc/links", token: tok, body: createBody(f, s)})
			require.Equal(t, f.created, resp.status, "%s", resp)
		}
	})
}

// TestAdministratorsErrors checks the validation of the administrators
// operations' bodies.
func TestAdministratorsErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, method, path string
		body               any
		errorType, field   string
	}{
		{"set without group_names", http.MethodPut, "", map[string]any{}, "INVALID_ARGUMENT", "group_names"},
		{"set without body", http.MethodPut, "", nil, "INVALID_ARGUMENT", "group_names"},
		{"set with a bad group", http.MethodPut, "", map[string]any{"group_names": []string{"a@d", "nodomain"}}, "INVALID_ARGUMENT", "group_names"},
		{"set with a string", http.MethodPut, "", map[string]any{"group_names": "a@d"}, "INVALID_REQUEST", ""},
		{"add without group_name", http.MethodPost, "?action=add", map[string]any{}, "INVALID_ARGUMENT", "group_name"},
		{"add a bad group", http.MethodPost, "?action=add", map[string]string{"group_name": "@d"}, "INVALID_ARGUMENT", "group_name"},
		{"add a group without domain", http.MethodPost, "?action=add", map[string]string{"group_name": "g@"}, "INVALID_ARGUMENT", "group_name"},
		{"remove without body", http.MethodPost, "?action=remove", nil, "INVALID_ARGUMENT", "group_name"},
		{"remove malformed", http.MethodPost, "?action=remove", "{", "INVALID_REQUEST", ""},
	}
	for _, f := range flavors {
		x := newFixture(t, f)
		for _, tc := range cases {
			t.Run(f.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				e := requireError(t, f, x.call(t, tc.method, "/hvc/management/administrators"+tc.path, tc.body), 400, tc.errorType)
				if tc.field != "" {
					assert.Contains(t, e.Messages[0].DefaultMessage, tc.field)
					assert.Equal(t, map[string]string{"field": tc.field}, params(t, f, e.Messages[0]))
				}
			})
		}
		t.Cleanup(func() {
			resp := x.call(t, http.MethodGet, "/hvc/management/administrators", nil)
			assert.Equal(t, []string{"Administrators@vsphere.local"}, decode[[]string](t, f, resp), "a failed call changed the set")
		})
	}
}

// TestCredentialsErrors checks the Credentials body of
// delete_with_credentials and of providers start.
func TestCredentialsErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		path  string
		body  any
		field string
	}{
		{"delete without body", "/hvc/links/link-1?action=delete", nil, "credentials"},
		{"delete without credentials", "/hvc/links/link-1?action=delete", map[string]any{}, "credentials"},
		{"delete without user_name", "/hvc/links/link-1?action=delete", map[string]any{"credentials": map[string]string{"password": "p"}}, "credentials.user_name"},
		{"delete without password", "/hvc/links/link-1?action=delete", map[string]any{"credentials": map[string]string{"user_name": "u"}}, "credentials.password"},
		{"delete with credentials null", "/hvc/links/link-1?action=delete", map[string]any{"credentials": nil}, "credentials"},
	}
	for _, f := range flavors {
		x := newFixture(t, f, simulator.WithVersion("8.0U1"))
		for _, tc := range cases {
			t.Run(f.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				e := requireError(t, f, x.call(t, http.MethodPost, tc.path, tc.body), 400, "INVALID_ARGUMENT")
				assert.Contains(t, e.Messages[0].DefaultMessage, tc.field)
				assert.Equal(t, map[string]string{"field": tc.field}, params(t, f, e.Messages[0]))
			})
		}
		t.Cleanup(func() { assert.Equal(t, []string{"link-1"}, x.sim.Links()) })
	}
}

// TestReadOnlyUser checks that the read-only user may read but gets 403
// UNAUTHORIZED on every call that changes state, before any validation.
func TestReadOnlyUser(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, method, path string
		body               any
		mutating           bool
	}{
		{"links create", http.MethodPost, "/hvc/links", "spec", true},
		{"links create with a bad body", http.MethodPost, "/hvc/links", "{", true},
		{"links delete", http.MethodDelete, "/hvc/links/link-1", nil, true},
		{"links delete unknown", http.MethodDelete, "/hvc/links/link-9", nil, true},
		{"links delete_with_credentials", http.MethodPost, "/hvc/links/link-1?action=delete", map[string]any{"credentials": map[string]string{"user_name": "u", "password": "p"}}, true},
		{"sync reset", http.MethodPost, "/hvc/links/link-1/sync?action=reset", nil, true},
		{"providers start", http.MethodPost, "/hvc/links/link-1/sync/providers/identity?action=start", nil, true},
		{"administrators set", http.MethodPut, "/hvc/management/administrators", map[string]any{"group_names": []string{}}, true},
		{"administrators add", http.MethodPost, "/hvc/management/administrators?action=add", map[string]string{"group_name": "x@y"}, true},
		{"administrators remove", http.MethodPost, "/hvc/management/administrators?action=remove", map[string]string{"group_name": "Administrators@vsphere.local"}, true},
		{"links list", http.MethodGet, "/hvc/links", nil, false},
		{"links get", http.MethodGet, "/hvc/links/link-1", nil, false},
		{"providers list", http.MethodGet, "/hvc/links/link-1/sync/providers", nil, false},
		{"providers get", http.MethodGet, "/hvc/links/link-1/sync/providers/identity", nil, false},
		{"administrators get", http.MethodGet, "/hvc/management/administrators", nil, false},
	}
	xs := newFixtures(t)
	for _, f := range flavors {
		for _, tc := range cases {
			x := xs.get(f, tc.method, tc.path)
			ro := x.w.login(t, f, simulator.DefaultReadOnlyUser, simulator.DefaultReadOnlyPassword)
			t.Run(f.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				body := tc.body
				if body == "spec" {
					body = createBody(f, spec("ro.local"))
				}
				resp := x.w.do(t, request{method: tc.method, path: f.prefix + tc.path, token: ro, body: body})
				if tc.mutating {
					requireError(t, f, resp, http.StatusForbidden, "UNAUTHORIZED")
					return
				}
				require.Equal(t, http.StatusOK, resp.status, "%s", resp)
				result(t, f, resp)
			})
		}
		x := xs.get(f, http.MethodGet, "/hvc/links")
		t.Cleanup(func() {
			assert.Equal(t, []string{"link-1"}, x.sim.Links(), "read-only user changed the links")
			resp := x.call(t, http.MethodGet, "/hvc/management/administrators", nil)
			assert.Equal(t, []string{"Administrators@vsphere.local"}, decode[[]string](t, f, resp))
			info := decode[providerInfo](t, f, x.call(t, http.MethodGet, "/hvc/links/link-1/sync/providers/identity", nil))
			assert.Equal(t, "NO_SYNC_FOUND", info.Status, "read-only user started a sync")
		})
	}
}
