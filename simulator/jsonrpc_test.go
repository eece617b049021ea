package simulator_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc/internal/ops"
	"github.com/hvcsdk/hvc/internal/vapi"
	"github.com/hvcsdk/hvc/simulator"
)

// rpcReply is a JSON-RPC answer, its output and error decoded as vAPI
// values.
type rpcReply struct {
	http   response
	id     json.RawMessage
	output *vapi.Value // nil when result.output is absent
	err    *vapi.Value // result.error
	code   int         // envelope error code, 0 for none
}

// rpcRaw posts body to /api as JSON-RPC and decodes the reply, which must
// be HTTP 200 JSON.
func (w *wire) rpcRaw(t testing.TB, body any) rpcReply {
	t.Helper()
	resp := w.do(t, request{method: http.MethodPost, path: "/api", body: body})
	require.Equal(t, http.StatusOK, resp.status, "%s", resp)
	require.Equal(t, "application/json", resp.header.Get("Content-Type"))
	var env struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
		Result  *struct {
			Output json.RawMessage `json:"output"`
			Error  json.RawMessage `json:"error"`
		} `json:"result"`
		Error *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal(resp.body, &env), "%s", resp)
	require.Equal(t, "2.0", env.JSONRPC, "%s", resp)
	rep := rpcReply{http: resp, id: env.ID}
	switch {
	case env.Error != nil:
		require.Nil(t, env.Result, "%s", resp)
		require.NotEmpty(t, env.Error.Message)
		rep.code = env.Error.Code
	case env.Result != nil && env.Result.Error != nil:
		v, err := vapi.Decode(env.Result.Error)
		require.NoError(t, err, "%s", resp)
		rep.err = &v
	default:
		require.NotNil(t, env.Result, "%s", resp)
		require.NotNil(t, env.Result.Output, "no output member: %s", resp)
		v, err := vapi.Decode(env.Result.Output)
		require.NoError(t, err, "%s", resp)
		rep.output = &v
	}
	return rep
}

func invoke(service, operation string, input map[string]any, security map[string]any) map[string]any {
	if input == nil {
		input = map[string]any{}
	}
	ctx := map[string]any{"appCtx": map[string]any{}}
	if security != nil {
		ctx["securityCtx"] = security
	}
	return map[string]any{"jsonrpc": "2.0", "id": "7", "method": "invoke", "params": map[string]any{
		"serviceId": service, "operationId": operation,
		"input": map[string]any{"STRUCTURE": map[string]any{"operation-input": input}}, "ctx": ctx,
	}}
}

func sessionCtx(tok string) map[string]any {
	return map[string]any{"schemeId": "com.vmware.vapi.std.security.session_id", "sessionId": tok}
}

// call invokes an operation with session tok.
func (w *wire) call(t testing.TB, tok, service, operation string, input map[string]any) rpcReply {
	t.Helper()
	return w.rpcRaw(t, invoke(service, operation, input, sessionCtx(tok)))
}

// ok requires a successful reply and returns its output.
func (r rpcReply) ok(t testing.TB) vapi.Value {
	t.Helper()
	require.NotNil(t, r.output, "not a success: %s", r.http)
	return *r.output
}

// stdErr requires a std error named errors.<snake> with error_type typ
// and at least one localizable message, and returns the first message's id.
func (r rpcReply) stdErr(t testing.TB, typ string) (msgID string, data vapi.Value) {
	t.Helper()
	require.NotNil(t, r.err, "not a std error: %s", r.http)
	e := *r.err
	require.Equal(t, vapi.Error, e.Kind)
	require.Equal(t, "com.vmware.vapi.std.errors."+strings.ToLower(typ), e.Str, "%s", r.http)
	et := e.Fields["error_type"]
	require.Equal(t, vapi.Optional, et.Kind)
	require.NotNil(t, et.Elem)
	assert.Equal(t, typ, et.Elem.Str)
	msgs := e.Fields["messages"]
	require.Equal(t, vapi.List, msgs.Kind)
	require.NotEmpty(t, msgs.List)
	m := msgs.List[0]
	require.Equal(t, vapi.Structure, m.Kind)
	require.Equal(t, "com.vmware.vapi.std.localizable_message", m.Str)
	assert.NotEmpty(t, m.Fields["default_message"].Str)
	assert.Equal(t, vapi.List, m.Fields["args"].Kind)
	require.Equal(t, vapi.Optional, e.Fields["data"].Kind)
	return m.Fields["id"].Str, e.Fields["data"]
}

// rpcLogin opens a session over JSON-RPC.
func (w *wire) rpcLogin(t testing.TB, user, pass string) string {
	t.Helper()
	out := w.rpcRaw(t, invoke("com.vmware.cis.session", "create", nil, map[string]any{
		"schemeId": "com.vmware.vapi.std.security.user_pass", "userName": user, "password": pass,
	})).ok(t)
	require.Equal(t, vapi.Secret, out.Kind)
	require.NotEmpty(t, out.Str)
	return out.Str
}

// rpcSpec is a valid links.CreateSpec for the default foreign PSC, typed.
func rpcSpec(domain, thumbprint string) map[string]any {
	return map[string]any{"STRUCTURE": map[string]any{"com.vmware.vcenter.hvc.links.create_spec": map[string]any{
		"psc_hostname":   simulator.DefaultForeignPSC,
		"port":           map[string]any{"OPTIONAL": nil},
		"domain_name":    domain,
		"username":       simulator.DefaultForeignUser,
		"password":       map[string]any{"SECRET": simulator.DefaultForeignPassword},
		"ssl_thumbprint": map[string]any{"OPTIONAL": thumbprint},
		"admin_groups":   map[string]any{"OPTIONAL": []any{"admins@" + domain}},
	}}}
}

func (w *wire) rpcCreateLink(t testing.TB, tok, domain string) string {
	t.Helper()
	out := w.call(t, tok, "com.vmware.vcenter.hvc.links", "create", map[string]any{
		"spec": rpcSpec(domain, simulator.DefaultForeignThumbprint)}).ok(t)
	require.Equal(t, vapi.String, out.Kind)
	return out.Str
}

// rpcProfiles are the releases the table tests run on: before /api REST,
// the last with sync, the first with links get.
var rpcProfiles = []string{"7.0U1", "8.0", "8.0U1"}

// TestJSONRPCOperations runs every operation of the ops table over
// JSON-RPC on each profile: served ones answer their typed output, the
// others operation_not_found.
func TestJSONRPCOperations(t *testing.T) {
	t.Parallel()
	provider := func(sim *simulator.Server) string { return sim.Providers()[0] }
	type tc struct {
		input func(sim *simulator.Server, link string) map[string]any
		check func(t *testing.T, out vapi.Value, link string)
	}
	void := func(t *testing.T, out vapi.Value, _ string) { assert.Equal(t, vapi.Null, out.Kind) }
	linkOnly := func(_ *simulator.Server, link string) map[string]any { return map[string]any{"link": link} }
	cases := map[*ops.Op]tc{
		ops.LinksCreate: {
			input: func(*simulator.Server, string) map[string]any {
				return map[string]any{"spec": rpcSpec("other.local", simulator.DefaultForeignThumbprint)}
			},
			check: func(t *testing.T, out vapi.Value, link string) {
				assert.Equal(t, vapi.String, out.Kind)
				assert.NotEqual(t, link, out.Str)
			},
		},
		ops.LinksList: {
			check: func(t *testing.T, out vapi.Value, link string) {
				require.Equal(t, vapi.List, out.Kind)
				require.Len(t, out.List, 1)
				s := out.List[0]
				assert.Equal(t, "com.vmware.vcenter.hvc.links.summary", s.Str)
				assert.Equal(t, link, s.Fields["link"].Str)
				assert.Equal(t, "corp.local", s.Fields["display_name"].Str)
			},
		},
		ops.LinksGet: {input: linkOnly, check: func(t *testing.T, out vapi.Value, _ string) {
			require.Equal(t, "com.vmware.vcenter.hvc.links.info", out.Str)
			h := out.Fields["connection_health_status"]
			require.Equal(t, vapi.Optional, h.Kind)
			require.NotNil(t, h.Elem)
			assert.Equal(t, "HEALTHY", h.Elem.Str)
		}},
		ops.LinksDelete: {input: linkOnly, check: void},
		ops.LinksDeleteWithCredentials: {input: func(_ *simulator.Server, link string) map[string]any {
			return map[string]any{"link": link, "credentials": map[string]any{"OPTIONAL": map[string]any{"STRUCTURE": map[string]any{
				"com.vmware.vcenter.hvc.links.credentials": map[string]any{
					"user_name": simulator.DefaultForeignUser, "password": map[string]any{"SECRET": simulator.DefaultForeignPassword}},
			}}}}
		}, check: void},
		ops.SyncReset: {input: linkOnly, check: void},
		ops.SyncProvidersList: {input: linkOnly, check: func(t *testing.T, out vapi.Value, _ string) {
			require.Equal(t, vapi.List, out.Kind)
			require.NotEmpty(t, out.List)
			assert.Equal(t, "com.vmware.vcenter.hvc.links.sync.providers.summary", out.List[0].Str)
		}},
		ops.SyncProvidersGet: {input: func(sim *simulator.Server, link string) map[string]any {
			return map[string]any{"link": link, "provider": provider(sim)}
		}, check: func(t *testing.T, out vapi.Value, _ string) {
			require.Equal(t, "com.vmware.vcenter.hvc.links.sync.providers.info", out.Str)
			assert.Equal(t, "NO_SYNC_FOUND", out.Fields["status"].Str)
			assert.Equal(t, vapi.Number, out.Fields["polling_interval_in_seconds"].Kind)
			assert.Equal(t, vapi.None(), out.Fields["last_sync_time"])
		}},
		ops.SyncProvidersStart: {input: func(sim *simulator.Server, link string) map[string]any {
			// The Go runtime sends the undeclared credentials as unset.
			return map[string]any{"link": link, "provider": provider(sim), "credentials": map[string]any{"OPTIONAL": nil}}
		}, check: void},
		ops.AdministratorsGet: {check: func(t *testing.T, out vapi.Value, _ string) {
			require.Equal(t, vapi.List, out.Kind)
			assert.Equal(t, []vapi.Value{vapi.Str("Administrators@vsphere.local")}, out.List)
		}},
		ops.AdministratorsSet: {input: func(*simulator.Server, string) map[string]any {
			return map[string]any{"group_names": []any{"a@corp.local", "b@corp.local"}}
		}, check: void},
		ops.AdministratorsAdd: {input: func(*simulator.Server, string) map[string]any {
			return map[string]any{"group_name": "a@corp.local"}
		}, check: void},
		ops.AdministratorsRemove: {input: func(*simulator.Server, string) map[string]any {
			return map[string]any{"group_name": "Administrators@vsphere.local"}
		}, check: void},
	}
	for _, op := range ops.All {
		c, ok := cases[op]
		require.True(t, ok, "no JSON-RPC case for %s: add one", op.Name)
		for _, v := range rpcProfiles {
			t.Run(v+"/"+op.Name, func(t *testing.T) {
				t.Parallel()
				sim := simulator.Run(t, simulator.WithVersion(v))
				w := newWire(t, sim)
				tok := w.rpcLogin(t, simulator.DefaultAdminUser, simulator.DefaultAdminPassword)
				link := w.rpcCreateLink(t, tok, "corp.local")
				var in map[string]any
				if c.input != nil {
					in = c.input(sim, link)
				}
				rep := w.call(t, tok, op.VAPIService, op.VAPIOperation, in)
				rel, err := ops.ParseRelease(v)
				require.NoError(t, err)
				if !op.In(rel) {
					id, _ := rep.stdErr(t, "OPERATION_NOT_FOUND")
					assert.Equal(t, "vapi.method.input.invalid.method", id)
					return
				}
				c.check(t, rep.ok(t), link)
			})
		}
	}
}

// TestJSONRPCSession opens, reads and closes a session over JSON-RPC.
func TestJSONRPCSession(t *testing.T) {
	t.Parallel()
	for _, v := range append([]string{"6.7"}, rpcProfiles...) {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			sim := simulator.Run(t, simulator.WithVersion(v))
			w := newWire(t, sim)
			tok := w.rpcLogin(t, simulator.DefaultAdminUser, simulator.DefaultAdminPassword)
			info := w.call(t, tok, "com.vmware.cis.session", "get", nil).ok(t)
			require.Equal(t, "com.vmware.cis.session.info", info.Str)
			assert.Equal(t, simulator.DefaultAdminUser, info.Fields["user"].Str)
			for _, f := range []string{"created_time", "last_accessed_time"} {
				s := info.Fields[f].Str
				requireTime(t, &s, f)
			}
			assert.Equal(t, vapi.Null, w.call(t, tok, "com.vmware.cis.session", "delete", nil).ok(t).Kind)
			assert.Equal(t, 0, sim.SessionCount())
			w.call(t, tok, "com.vmware.cis.session", "get", nil).stdErr(t, "UNAUTHENTICATED")
			w.call(t, tok, "com.vmware.cis.session", "delete", nil).stdErr(t, "UNAUTHENTICATED")
		})
	}
}

// TestJSONRPCErrors checks the std errors as result.error with the type
// and message ids the REST side gives.
func TestJSONRPCErrors(t *testing.T) {
	t.Parallel()
	const viewer, viewerPass = "viewer@corp.local", "v1ew"
	sim := simulator.Run(t, simulator.WithVersion("8.0U1"), simulator.WithReadOnlyUser(viewer, viewerPass))
	w := newWire(t, sim)
	tok := w.rpcLogin(t, simulator.DefaultAdminUser, simulator.DefaultAdminPassword)
	link := w.rpcCreateLink(t, tok, "corp.local")
	links := "com.vmware.vcenter.hvc.links"

	t.Run("AlreadyExists", func(t *testing.T) {
		t.Parallel()
		id, _ := w.call(t, tok, links, "create", map[string]any{"spec": rpcSpec("CORP.local", simulator.DefaultForeignThumbprint)}).stdErr(t, "ALREADY_EXISTS")
		assert.Equal(t, "com.vmware.vcenter.hvc.links.already_exists", id)
	})
	t.Run("NotFound", func(t *testing.T) {
		t.Parallel()
		id, data := w.call(t, tok, links, "get", map[string]any{"link": "link-99"}).stdErr(t, "NOT_FOUND")
		restTok := w.admin(t, apiFlavor)
		rest := requireError(t, apiFlavor, w.do(t, request{method: http.MethodGet, path: "/api/hvc/links/link-99", token: restTok}), http.StatusNotFound, "NOT_FOUND")
		assert.Equal(t, rest.Messages[0].ID, id)
		assert.Equal(t, vapi.None(), data)
	})
	t.Run("InvalidArgument", func(t *testing.T) {
		t.Parallel()
		id, _ := w.call(t, tok, links, "delete", nil).stdErr(t, "INVALID_ARGUMENT")
		assert.Equal(t, "com.vmware.vapi.std.errors.invalid_argument", id)
		w.call(t, tok, links, "list", map[string]any{"bogus": "x"}).stdErr(t, "UNEXPECTED_INPUT")
		w.call(t, tok, links, "delete", map[string]any{"link": ".."}).stdErr(t, "INVALID_ARGUMENT")
		w.call(t, tok, links, "delete", map[string]any{"link": 7}).stdErr(t, "INVALID_ARGUMENT")
	})
	t.Run("UnauthenticatedBadPassword", func(t *testing.T) {
		t.Parallel()
		id, data := w.rpcRaw(t, invoke("com.vmware.cis.session", "create", nil, map[string]any{
			"schemeId": "com.vmware.vapi.std.security.user_pass", "userName": simulator.DefaultAdminUser, "password": "wrong",
		})).stdErr(t, "UNAUTHENTICATED")
		assert.Equal(t, "com.vmware.vapi.endpoint.method.authentication.required", id)
		assert.Equal(t, vapi.None(), data)
	})
	t.Run("UnauthenticatedUnknownSession", func(t *testing.T) {
		t.Parallel()
		w.call(t, "no-such-session", links, "list", nil).stdErr(t, "UNAUTHENTICATED")
		w.rpcRaw(t, invoke(links, "list", nil, nil)).stdErr(t, "UNAUTHENTICATED")
		// Authentication comes before the parameters, as on REST.
		w.call(t, "no-such-session", links, "delete", nil).stdErr(t, "UNAUTHENTICATED")
	})
	t.Run("UnverifiedPeer", func(t *testing.T) {
		t.Parallel()
		id, data := w.call(t, tok, links, "create", map[string]any{"spec": rpcSpec("other.local", "AA:BB")}).stdErr(t, "UNVERIFIED_PEER")
		assert.Equal(t, "com.vmware.vcenter.hvc.links.certificate.unverified", id)
		require.NotNil(t, data.Elem, "UNVERIFIED_PEER without data")
		assert.Equal(t, "com.vmware.vcenter.hvc.links.certificate_info", data.Elem.Str)
		assert.Equal(t, sim.ForeignThumbprint(simulator.DefaultForeignPSC), data.Elem.Fields["ssl_thumbprint"].Str)
	})
	t.Run("Unauthorized", func(t *testing.T) {
		t.Parallel()
		vt := w.rpcLogin(t, viewer, viewerPass)
		w.call(t, vt, links, "list", nil).ok(t)
		id, _ := w.call(t, vt, links, "delete", map[string]any{"link": link}).stdErr(t, "UNAUTHORIZED")
		assert.Equal(t, "com.vmware.vapi.endpoint.method.authorization.failed", id)
	})
	t.Run("OperationNotFound", func(t *testing.T) {
		t.Parallel()
		id, _ := w.call(t, tok, "com.vmware.vcenter.nope", "list", nil).stdErr(t, "OPERATION_NOT_FOUND")
		assert.Equal(t, "vapi.method.input.invalid.interface", id)
		id, _ = w.call(t, tok, links, "frobnicate", nil).stdErr(t, "OPERATION_NOT_FOUND")
		assert.Equal(t, "vapi.method.input.invalid.method", id)
		w.call(t, tok, "com.vmware.vcenter.hvc.links.sync", "reset", map[string]any{"link": link}).stdErr(t, "OPERATION_NOT_FOUND")
	})
}

// TestJSONRPCSharedWithREST checks that sessions and links are one model
// for REST and JSON-RPC.
func TestJSONRPCSharedWithREST(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t, simulator.WithVersion("8.0"))
	w := newWire(t, sim)
	rpcTok := w.rpcLogin(t, simulator.DefaultAdminUser, simulator.DefaultAdminPassword)
	restTok := w.admin(t, apiFlavor)

	rpcLink := w.rpcCreateLink(t, rpcTok, "corp.local")
	restLink := w.createLink(t, restFlavor, rpcTok, "second.local") // a JSON-RPC session on /rest

	list := decode[[]map[string]string](t, apiFlavor, w.do(t, request{method: http.MethodGet, path: "/api/hvc/links", token: rpcTok}))
	assert.Equal(t, []map[string]string{{"link": rpcLink, "display_name": "corp.local"}, {"link": restLink, "display_name": "second.local"}}, list)

	out := w.call(t, restTok, "com.vmware.vcenter.hvc.links", "list", nil).ok(t) // a REST session on JSON-RPC
	require.Len(t, out.List, 2)
	assert.Equal(t, restLink, out.List[1].Fields["link"].Str)

	// Logging out over REST ends the session for JSON-RPC too.
	requireVoid(t, apiFlavor, w.do(t, request{method: http.MethodDelete, path: "/api/session", token: rpcTok}))
	w.call(t, rpcTok, "com.vmware.vcenter.hvc.links", "list", nil).stdErr(t, "UNAUTHENTICATED")
}

// TestJSONRPCFault checks that faults aimed at an operation fire on its
// JSON-RPC call too.
func TestJSONRPCFault(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t, simulator.WithVersion("8.0U1"))
	w := newWire(t, sim)
	tok := w.rpcLogin(t, simulator.DefaultAdminUser, simulator.DefaultAdminPassword)
	mustFault(t, sim, simulator.Fault{Method: http.MethodPost, Path: "/hvc/links", ErrorType: "RESOURCE_BUSY", Times: 1})
	id, _ := w.call(t, tok, "com.vmware.vcenter.hvc.links", "create", map[string]any{"spec": rpcSpec("corp.local", simulator.DefaultForeignThumbprint)}).stdErr(t, "RESOURCE_BUSY")
	assert.Equal(t, "com.vmware.hvc.simulator.fault", id)
	assert.Empty(t, sim.Links(), "the faulted create ran")
	w.rpcCreateLink(t, tok, "corp.local") // Times: 1

	// A fault for every request fires once per call, as a vAPI error.
	mustFault(t, sim, simulator.Fault{ErrorType: "SERVICE_UNAVAILABLE", Times: 1})
	w.call(t, tok, "com.vmware.vcenter.hvc.links", "list", nil).stdErr(t, "SERVICE_UNAVAILABLE")
	w.call(t, tok, "com.vmware.vcenter.hvc.links", "list", nil).ok(t)
	mustFault(t, sim, simulator.Fault{Path: "/session", ErrorType: "SERVICE_UNAVAILABLE", Times: 1})
	w.call(t, tok, "com.vmware.cis.session", "get", nil).stdErr(t, "SERVICE_UNAVAILABLE")

	mustFault(t, sim, simulator.Fault{Method: http.MethodDelete, Path: "/hvc/links/{link}", Drop: true, Times: 1})
	_, err := w.try(t.Context(), request{method: http.MethodPost, path: "/api", body: invoke("com.vmware.vcenter.hvc.links", "delete",
		map[string]any{"link": "link-1"}, sessionCtx(tok))})
	require.Error(t, err, "a Drop fault closes the connection")
	require.Len(t, sim.Links(), 1, "the dropped delete must not run")

	mustFault(t, sim, simulator.Fault{Method: http.MethodGet, Path: "/api/hvc/links", Status: http.StatusServiceUnavailable, Times: 1})
	resp := w.do(t, request{method: http.MethodPost, path: "/api", body: invoke("com.vmware.vcenter.hvc.links", "list", nil, sessionCtx(tok))})
	assert.Equal(t, http.StatusServiceUnavailable, resp.status)
}

// TestJSONRPCRequestLog checks that calls are logged as JSON-RPC with
// secrets masked.
func TestJSONRPCRequestLog(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t, simulator.WithVersion("8.0U1"))
	w := newWire(t, sim)
	tok := w.rpcLogin(t, simulator.DefaultAdminUser, simulator.DefaultAdminPassword)
	w.rpcCreateLink(t, tok, "corp.local")
	reqs := sim.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "com.vmware.cis.session.create", reqs[0].Operation)
	assert.Equal(t, "com.vmware.vcenter.hvc.links.create", reqs[1].Operation)
	for _, r := range reqs {
		assert.Equal(t, simulator.FlavorJSONRPC, r.Flavor)
		assert.Equal(t, "/api", r.Path)
		assert.Equal(t, http.StatusOK, r.Status)
		assert.True(t, json.Valid(r.Body), "%s", r.Body)
		for _, secret := range []string{simulator.DefaultAdminPassword, simulator.DefaultForeignPassword, tok} {
			assert.NotContains(t, string(r.Body), secret)
		}
	}
	assert.Contains(t, string(reqs[1].Body), "corp.local", "the log keeps what is not secret")
}

// TestJSONRPCEnvelope checks the envelope-level errors: HTTP 200 with a
// JSON-RPC error object, never a panic or the REST 404.
func TestJSONRPCEnvelope(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t, simulator.WithVersion("7.0U1"), simulator.WithMaxRequestBytes(4096))
	w := newWire(t, sim)
	good := func(mut func(m map[string]any)) map[string]any {
		m := invoke("com.vmware.vcenter.hvc.links", "list", nil, nil)
		mut(m)
		return m
	}
	cases := []struct {
		name string
		body any
		code int
	}{
		{"not JSON", "{nope", -32700},
		{"too deep", strings.Repeat("[", 40) + strings.Repeat("]", 40), -32700},
		{"too large", `{"jsonrpc":"2.0","id":1,"method":"invoke","params":{"serviceId":"` + strings.Repeat("x", 5000) + `"}}`, -32600},
		{"batch", `[]`, -32600},
		{"string", `"x"`, -32600},
		{"version", good(func(m map[string]any) { m["jsonrpc"] = "1.0" }), -32600},
		{"object id", good(func(m map[string]any) { m["id"] = map[string]any{} }), -32600},
		{"method", good(func(m map[string]any) { m["method"] = "call" }), -32601},
		{"no params", good(func(m map[string]any) { delete(m, "params") }), -32602},
		{"no serviceId", good(func(m map[string]any) { delete(m["params"].(map[string]any), "serviceId") }), -32602},
		{"untyped input", good(func(m map[string]any) { m["params"].(map[string]any)["input"] = map[string]any{"link": "x"} }), -32602},
		{"input of another structure", good(func(m map[string]any) {
			m["params"].(map[string]any)["input"] = map[string]any{"STRUCTURE": map[string]any{"x": map[string]any{}}}
		}), -32602},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep := w.rpcRaw(t, tc.body)
			assert.Equal(t, tc.code, rep.code, "%s", rep.http)
		})
	}
	t.Run("beyond the codec's bound", func(t *testing.T) {
		t.Parallel()
		big := simulator.Run(t, simulator.WithMaxRequestBytes(4<<20))
		body := `{"jsonrpc":"2.0","id":1,"method":"invoke","params":{"serviceId":"` + strings.Repeat("x", vapi.MaxSize) + `"}}`
		assert.Equal(t, -32600, newWire(t, big).rpcRaw(t, body).code)
	})
	t.Run("id echoed", func(t *testing.T) {
		t.Parallel()
		rep := w.rpcRaw(t, good(func(m map[string]any) { m["id"] = 42 }))
		assert.Equal(t, "42", string(rep.id))
	})
	t.Run("not JSON-RPC without the JSON content type", func(t *testing.T) {
		t.Parallel()
		resp := w.do(t, request{method: http.MethodPost, path: "/api", body: "x", header: map[string]string{"Content-Type": "text/plain"}})
		assert.Equal(t, http.StatusNotFound, resp.status)
	})
}

// TestJSONRPCCredentialForms checks the other ways VMware's runtimes send
// credentials: the password as a SECRET, and the session only in the
// Vmware-Api-Session-Id header (the Go runtime sends both).
func TestJSONRPCCredentialForms(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t, simulator.WithVersion("6.7"))
	w := newWire(t, sim)
	out := w.rpcRaw(t, invoke("com.vmware.cis.session", "create", nil, map[string]any{
		"schemeId": "com.vmware.vapi.std.security.user_pass", "userName": simulator.DefaultAdminUser,
		"password": map[string]any{"SECRET": simulator.DefaultAdminPassword},
	})).ok(t)
	require.Equal(t, vapi.Secret, out.Kind)
	resp := w.do(t, request{method: http.MethodPost, path: "/api", token: out.Str,
		body: invoke("com.vmware.vcenter.hvc.links", "list", nil, nil)})
	require.Equal(t, http.StatusOK, resp.status)
	assert.JSONEq(t, `{"jsonrpc":"2.0","id":"7","result":{"output":[]}}`, string(resp.body))
	// The body's session wins over the header's.
	resp = w.do(t, request{method: http.MethodPost, path: "/api", token: out.Str,
		body: invoke("com.vmware.vcenter.hvc.links", "list", nil, sessionCtx("stale"))})
	assert.Contains(t, string(resp.body), "com.vmware.vapi.std.errors.unauthenticated")
}

// TestJSONRPCUnverifiedPeer90 checks that 9.0's certificate_info carries
// the PEM certificate too.
func TestJSONRPCUnverifiedPeer90(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t, simulator.WithVersion("9.0"))
	w := newWire(t, sim)
	tok := w.rpcLogin(t, simulator.DefaultAdminUser, simulator.DefaultAdminPassword)
	_, data := w.call(t, tok, "com.vmware.vcenter.hvc.links", "create", map[string]any{"spec": rpcSpec("corp.local", "AA:BB")}).stdErr(t, "UNVERIFIED_PEER")
	require.NotNil(t, data.Elem)
	assert.Equal(t, sim.ForeignThumbprint(simulator.DefaultForeignPSC), data.Elem.Fields["ssl_thumbprint"].Str)
	assert.Contains(t, data.Elem.Fields["ssl_certificate"].Str, "BEGIN CERTIFICATE")
}

// TestJSONRPCFaultControl checks that a fault set over the HTTP control
// surface, naming an operation by its SDK name, its vAPI id, or its
// method, template and action, fires on that operation's calls over /api,
// /rest and JSON-RPC, and only on them.
func TestJSONRPCFaultControl(t *testing.T) {
	t.Parallel()
	links := "com.vmware.vcenter.hvc.links"
	// setup starts an 8.0U1 server with the control surface, a JSON-RPC
	// session and, with link, one link.
	setup := func(t *testing.T, link bool) (*simulator.Server, ctlClient, string, string) {
		t.Helper()
		sim := simulator.Run(t, simulator.WithControl(), simulator.WithVersion("8.0U1"))
		c := newCtl(t, sim)
		tok := c.w.rpcLogin(t, simulator.DefaultAdminUser, simulator.DefaultAdminPassword)
		id := ""
		if link {
			id = c.w.rpcCreateLink(t, tok, "corp.local")
		}
		return sim, c, tok, id
	}
	addFault := func(t *testing.T, c ctlClient, f map[string]any) {
		t.Helper()
		controlDecode[struct{ ID int }](t, c.do(t, http.MethodPost, "/faults", f), http.StatusCreated)
	}

	t.Run("by SDK name, on every transport", func(t *testing.T) {
		t.Parallel()
		sim, c, tok, _ := setup(t, false)
		w := c.w
		addFault(t, c, map[string]any{"operation": "Links.Create", "error_type": "RESOURCE_BUSY", "times": 3})
		id, _ := w.call(t, tok, links, "create", map[string]any{"spec": rpcSpec("corp.local", simulator.DefaultForeignThumbprint)}).stdErr(t, "RESOURCE_BUSY")
		assert.Equal(t, "com.vmware.hvc.simulator.fault", id)
		for _, f := range flavors {
			resp := w.do(t, request{method: http.MethodPost, path: f.prefix + "/hvc/links", token: tok, body: createBody(f, spec(f.name+".local"))})
			requireError(t, f, resp, http.StatusInternalServerError, "RESOURCE_BUSY")
		}
		assert.Empty(t, sim.Links(), "a faulted create ran")
		listed := controlDecode[[]map[string]any](t, c.do(t, http.MethodGet, "/faults", nil), http.StatusOK)
		require.Len(t, listed, 1)
		assert.Equal(t, "Links.Create", listed[0]["operation"])
		assert.InDelta(t, 0, listed[0]["uses_left"], 0)
		w.rpcCreateLink(t, tok, "corp.local") // used up
	})

	t.Run("by vAPI id, that operation only", func(t *testing.T) {
		t.Parallel()
		_, c, tok, link := setup(t, true)
		addFault(t, c, map[string]any{"operation": "com.vmware.vcenter.hvc.management.administrators.add", "error_type": "UNAUTHORIZED"})
		admins := "com.vmware.vcenter.hvc.management.administrators"
		c.w.call(t, tok, admins, "add", map[string]any{"group_name": "x@corp.local"}).stdErr(t, "UNAUTHORIZED")
		// remove shares add's method and path, not its action.
		c.w.call(t, tok, admins, "remove", map[string]any{"group_name": "Administrators@vsphere.local"}).ok(t)
		c.w.call(t, tok, links, "get", map[string]any{"link": link}).ok(t)
	})

	t.Run("by template and action", func(t *testing.T) {
		t.Parallel()
		sim, c, tok, link := setup(t, true)
		addFault(t, c, map[string]any{"method": "POST", "path": "/hvc/links/{link}", "action": "delete", "error_type": "NOT_FOUND", "times": 1})
		c.w.call(t, tok, links, "delete_with_credentials", map[string]any{"link": link, "credentials": map[string]any{"OPTIONAL": nil}}).stdErr(t, "NOT_FOUND")
		assert.Len(t, sim.Links(), 1, "the faulted delete ran")
	})

	t.Run("refused", func(t *testing.T) {
		t.Parallel()
		_, c, _, _ := setup(t, false)
		for name, f := range map[string]map[string]any{
			"unknown operation":           {"operation": "Links.Frobnicate", "status": 500},
			"not served by the release":   {"operation": "SyncProviders.Start", "status": 500},
			"operation and its own route": {"operation": "Links.Create", "method": "POST", "status": 500},
		} {
			resp := c.do(t, http.MethodPost, "/faults", f)
			assert.Equal(t, http.StatusBadRequest, resp.status, "%s: %s", name, resp)
		}
	})
}
