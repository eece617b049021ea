package simulator_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc/internal/ops"
	"github.com/hvcsdk/hvc/simulator"
)

// TestProfiles runs one user scenario (log in, create a link trusting the
// presented certificate, read its health, list and start its sync
// providers with and without the development-build credentials body,
// delete it with credentials) against several releases and checks that
// each behaves as that release of vCenter does.
func TestProfiles(t *testing.T) {
	t.Parallel()
	cases := []struct {
		version      string
		api          bool // /api served (7.0U2+)
		linksGet     bool // links get and delete_with_credentials (8.0U1+)
		sync         bool // sync and sync providers (up to 8.0)
		certificates bool // ssl_certificate (9.0+)
	}{
		{"7.0U1", false, false, true, false},
		{"8.0", true, false, true, false},
		{"8.0U1", true, true, false, false},
		{"9.0", true, true, false, true},
	}
	for _, tc := range cases {
		t.Run(tc.version, func(t *testing.T) {
			t.Parallel()
			sim := simulator.Run(t, simulator.WithVersion(tc.version))
			assert.Equal(t, tc.version, sim.Version())
			w := newWire(t, sim)

			// /api exists from 7.0U2; before, /api/session is an unknown URL.
			resp := w.do(t, request{method: http.MethodPost, path: "/api/session",
				user: simulator.DefaultAdminUser, pass: simulator.DefaultAdminPassword})
			f := apiFlavor
			if tc.api {
				require.Equal(t, http.StatusCreated, resp.status, "%s", resp)
			} else {
				requireRouteNotFound(t, apiFlavor, resp, "/api/session")
				f = restFlavor
			}
			tok := w.admin(t, f)
			call := func(method, path string, body any) response {
				return w.do(t, request{method: method, path: f.prefix + path, token: tok, body: body})
			}

			// Trust on first use: the UNVERIFIED_PEER data carries the
			// certificate itself from 9.0.
			noTP := spec("remote.local")
			delete(noTP, "ssl_thumbprint")
			e := requireError(t, f, call(http.MethodPost, "/hvc/links", createBody(f, noTP)), 400, "UNVERIFIED_PEER")
			var info map[string]string
			require.NoError(t, json.Unmarshal(e.Data, &info))
			assert.Equal(t, simulator.DefaultForeignThumbprint, info["ssl_thumbprint"])
			if tc.certificates {
				assert.Equal(t, simulator.DefaultForeignCertificate, info["ssl_certificate"])
			} else {
				assert.NotContains(t, info, "ssl_certificate")
			}
			byCert := spec("remote.local")
			delete(byCert, "ssl_thumbprint")
			byCert["ssl_certificate"] = info["ssl_certificate"]
			if !tc.certificates {
				byCert["ssl_certificate"] = simulator.DefaultForeignCertificate
				e := requireError(t, f, call(http.MethodPost, "/hvc/links", createBody(f, byCert)), 400, "UNEXPECTED_INPUT")
				assert.Equal(t, []string{"[ssl_certificate]", "com.vmware.vcenter.hvc.links.create_spec"}, e.Messages[0].Args)
				byCert = spec("remote.local")
			}
			resp = call(http.MethodPost, "/hvc/links", createBody(f, byCert))
			require.Equal(t, f.created, resp.status, "%s", resp)
			link := decode[string](t, f, resp)

			resp = call(http.MethodGet, "/hvc/links/"+link, nil)
			if tc.linksGet {
				assert.JSONEq(t, `{"connection_health_status":"HEALTHY"}`, string(result(t, f, resp)))
			} else {
				requireRouteNotFound(t, f, resp, "/hvc/links/"+link)
			}

			resp = call(http.MethodGet, "/hvc/links/"+link+"/sync/providers", nil)
			start := "/hvc/links/" + link + "/sync/providers/identity"
			withCreds := map[string]any{"credentials": map[string]string{"user_name": simulator.DefaultForeignUser, "password": simulator.DefaultForeignPassword}}
			if tc.sync {
				assert.JSONEq(t, `[{"provider":"identity"},{"provider":"authorization"}]`, string(result(t, f, resp)))
				e := requireError(t, f, call(http.MethodPost, start+"?action=start", withCreds), 400, "UNEXPECTED_INPUT")
				assert.Equal(t, []string{"[credentials]", "operation-input"}, e.Messages[0].Args)
				assert.Equal(t, "Found unexpected fields [credentials] in structure 'operation-input'.", e.Messages[0].DefaultMessage)
				requireVoid(t, f, call(http.MethodPost, start+"?action=start", nil))
			} else {
				requireRouteNotFound(t, f, resp, "/hvc/links/"+link+"/sync/providers")
				requireRouteNotFound(t, f, call(http.MethodPost, start+"?action=start", nil), start)
			}

			resp = call(http.MethodPost, "/hvc/links/"+link+"?action=delete", withCreds)
			if tc.linksGet {
				requireVoid(t, f, resp)
				assert.Empty(t, sim.Links())
			} else {
				requireRouteNotFound(t, f, resp, "/hvc/links/"+link)
				requireVoid(t, f, call(http.MethodDelete, "/hvc/links/"+link, nil))
			}
		})
	}
}

// TestProfileOperations checks, for every release and operation of the ops
// table, that the operation is served exactly when the release has it, in
// every flavor the release serves.
func TestProfileOperations(t *testing.T) {
	t.Parallel()
	for _, r := range ops.Releases() {
		t.Run(r.String(), func(t *testing.T) {
			t.Parallel()
			sim := simulator.Run(t, simulator.WithVersion(r.String()))
			w := newWire(t, sim)
			fs := []flavor{restFlavor}
			if r >= ops.APISince {
				fs = append(fs, apiFlavor)
			} else {
				requireRouteNotFound(t, apiFlavor, w.do(t, request{method: http.MethodGet, path: "/api/hvc/links"}), "/api/hvc/links")
			}
			for _, f := range fs {
				tok := w.admin(t, f)
				for _, op := range ops.All {
					assert.Equal(t, op.In(r), sim.Serves(op.Name), op.Name)
					vals := make([]string, len(op.Params()))
					for i := range vals {
						vals[i] = "nope"
					}
					p, err := op.Path(vals...)
					require.NoError(t, err)
					if op.Query() != "" {
						p += "?" + op.Query()
					}
					// An empty JSON object: valid for every operation's
					// input shape, so that a served operation fails on its
					// object or arguments, never on the route.
					resp := w.do(t, request{method: op.Method, path: f.prefix + p, token: tok, body: "{}"})
					if !op.In(r) {
						requireRouteNotFound(t, f, resp, p)
						continue
					}
					var e stdError
					if resp.status >= 400 {
						e = requireError(t, f, resp, resp.status, errorTypeOf(t, f, resp))
					}
					if len(e.Messages) > 0 {
						assert.NotContains(t, []string{"com.vmware.vapi.rest.operationsForUrlNotFound", "com.vmware.vapi.rest.httpNotFound"},
							e.Messages[0].ID, "%s %s on %s", op.Method, p, r)
					}
				}
			}
		})
	}
}

// errorTypeOf reads the error type of an error reply in flavor f.
func errorTypeOf(t *testing.T, f flavor, resp response) string {
	t.Helper()
	var v struct {
		Type      string `json:"type"`
		ErrorType string `json:"error_type"`
		Value     struct {
			ErrorType string `json:"error_type"`
		} `json:"value"`
	}
	require.NoError(t, json.Unmarshal(resp.body, &v), "%s", resp)
	if f.rest() {
		return v.Value.ErrorType
	}
	return v.ErrorType
}

// TestWithVersion checks the spelling WithVersion accepts and that an
// unknown release, or a release without /api together with WithAPIOnly, is
// an error.
func TestWithVersion(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"6.7", "7.0u3", "8.0U2", "9.0"} {
		s, err := simulator.New(simulator.WithVersion(v))
		require.NoError(t, err, v)
		r, _ := ops.ParseRelease(v)
		assert.Equal(t, r.String(), s.Version())
	}
	s, err := simulator.New()
	require.NoError(t, err)
	assert.Equal(t, simulator.DefaultVersion, s.Version())
	for _, v := range []string{"", "8", "8.0U4", "7.0.2", "10.0", "latest"} {
		_, err := simulator.New(simulator.WithVersion(v))
		assert.ErrorContains(t, err, "WithVersion", "%q", v)
	}
	_, err = simulator.New(simulator.WithVersion("7.0U1"), simulator.WithAPIOnly())
	assert.ErrorContains(t, err, "no /api")
	_, err = simulator.New(simulator.WithVersion("7.0U2"), simulator.WithAPIOnly())
	assert.NoError(t, err)
}

// TestVersionsAreAccepted: every release Versions lists is one WithVersion
// accepts, and it lists all of them, oldest first.
func TestVersionsAreAccepted(t *testing.T) {
	t.Parallel()
	vs := simulator.Versions()
	require.Len(t, vs, len(ops.Releases()))
	assert.Equal(t, "6.7", vs[0])
	for _, v := range vs {
		s, err := simulator.New(simulator.WithVersion(v))
		require.NoError(t, err, v)
		assert.Equal(t, v, s.Version())
	}
}

// TestSSLCertificate checks 9.0's ssl_certificate in a create spec: a
// matching certificate is trusted, another certificate is UNVERIFIED_PEER,
// text that is not a PEM certificate is INVALID_ARGUMENT.
func TestSSLCertificate(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t, simulator.WithVersion("9.0"))
	other := simulator.Run(t)
	w := newWire(t, sim)
	for _, f := range flavors {
		tok := w.admin(t, f)
		call := func(s map[string]any) response {
			return w.do(t, request{method: http.MethodPost, path: f.prefix + "/hvc/links", token: tok, body: createBody(f, s)})
		}
		s := spec("wrong." + f.name)
		delete(s, "ssl_thumbprint")
		s["ssl_certificate"] = "not a certificate"
		e := requireError(t, f, call(s), 400, "INVALID_ARGUMENT")
		assert.Equal(t, map[string]string{"field": "spec.ssl_certificate"}, params(t, f, e.Messages[0]))

		s["ssl_certificate"] = certPEM(other)
		requireError(t, f, call(s), 400, "UNVERIFIED_PEER")

		s["ssl_certificate"] = simulator.DefaultForeignCertificate
		s["domain_name"] = "right." + f.name
		require.Equal(t, f.created, call(s).status)
	}
}

// TestProfile91: the 9.1 profile (the hvc API reported removed) serves no
// hvc operation, answering each as an unknown URL in both flavors and as
// OPERATION_NOT_FOUND over JSON-RPC, while sessions keep working: login,
// session info and logout in both flavors and JSON-RPC login.
func TestProfile91(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t, simulator.WithVersion("9.1"))
	assert.Equal(t, "9.1", sim.Version())
	w := newWire(t, sim)
	for _, op := range ops.All {
		assert.False(t, sim.Serves(op.Name), op.Name)
	}
	for _, f := range flavors {
		tok := w.admin(t, f)
		info := request{method: http.MethodGet, path: f.sessionPath, token: tok}
		if f.rest() {
			info = request{method: http.MethodPost, path: f.sessionPath + "?~action=get", token: tok}
		}
		resp := w.do(t, info)
		require.Equal(t, http.StatusOK, resp.status, "%s session info: %s", f.name, resp)
		for _, op := range ops.All {
			vals := make([]string, len(op.Params()))
			for i := range vals {
				vals[i] = "link-1"
			}
			p, err := op.Path(vals...)
			require.NoError(t, err)
			if op.Query() != "" {
				p += "?" + op.Query()
			}
			requireRouteNotFound(t, f, w.do(t, request{method: op.Method, path: f.prefix + p, token: tok, body: "{}"}), p)
		}
		requireVoid(t, f, w.do(t, request{method: http.MethodDelete, path: f.sessionPath, token: tok}))
	}
	rpcTok := w.rpcLogin(t, simulator.DefaultAdminUser, simulator.DefaultAdminPassword)
	id, _ := w.call(t, rpcTok, ops.LinksList.VAPIService, ops.LinksList.VAPIOperation, nil).stdErr(t, "OPERATION_NOT_FOUND")
	assert.Equal(t, "vapi.method.input.invalid.method", id)
	assert.Equal(t, 1, sim.SessionCount())
}
