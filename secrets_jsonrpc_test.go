package hvc_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc/internal/ops"
	"github.com/hvcsdk/hvc/simulator"
)

// auditUnknownSession is a session id no login issued, sent as a
// credential: the simulator must not show it either.
const auditUnknownSession = `SessUnknown-Kp4Rw7Zn2-<&>"\'-end`

// rpcAudit drives the simulator's vAPI JSON-RPC endpoint for the audit and
// keeps every reply.
type rpcAudit struct {
	t       *testing.T
	hc      *http.Client
	url     string
	a       *auditLog
	issued  []string
	calls   int
	ops     map[string]bool // "<serviceId>.<operationId>" called
	replies []string
}

func rpcInvoke(service, operation string, input map[string]any, security map[string]any) map[string]any {
	if input == nil {
		input = map[string]any{}
	}
	ctx := map[string]any{"appCtx": map[string]any{}}
	if security != nil {
		ctx["securityCtx"] = security
	}
	return map[string]any{"jsonrpc": "2.0", "id": "1", "method": "invoke", "params": map[string]any{
		"serviceId": service, "operationId": operation,
		"input": map[string]any{"STRUCTURE": map[string]any{"operation-input": input}}, "ctx": ctx,
	}}
}

func userPass(user string, password any) map[string]any {
	return map[string]any{"schemeId": "com.vmware.vapi.std.security.user_pass", "userName": user, "password": password}
}

func sessionCtx(id string) map[string]any {
	return map[string]any{"schemeId": "com.vmware.vapi.std.security.session_id", "sessionId": id}
}

func secret(s string) map[string]any { return map[string]any{"SECRET": s} }

// post sends body (a string as is, anything else as JSON) and returns the
// reply body, which the audit checks (a successful session create's output
// is the session id itself, so it is kept aside as issued instead). label
// names the call in a leak report.
func (x *rpcAudit) post(label string, body any, header map[string]string) string {
	x.t.Helper()
	var b []byte
	if s, ok := body.(string); ok {
		b = []byte(s)
	} else {
		var err error
		b, err = json.Marshal(body)
		require.NoError(x.t, err)
	}
	req, err := http.NewRequestWithContext(x.t.Context(), http.MethodPost, x.url+"/api", bytes.NewReader(b))
	require.NoError(x.t, err)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	x.calls++
	resp, err := x.hc.Do(req)
	if err != nil { // a Drop fault
		x.a.add(label+" transport error", err.Error())
		return ""
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(resp.Body)
	require.NoError(x.t, err)
	var env struct {
		Result *struct {
			Output json.RawMessage `json:"output"`
		} `json:"result"`
	}
	var m map[string]any
	if s, ok := body.(map[string]any); ok {
		m = s
	}
	if p, ok := m["params"].(map[string]any); ok {
		x.ops[p["serviceId"].(string)+"."+p["operationId"].(string)] = true
		if p["serviceId"] == "com.vmware.cis.session" && p["operationId"] == "create" && json.Unmarshal(reply, &env) == nil && env.Result != nil {
			var out struct{ SECRET string }
			if json.Unmarshal(env.Result.Output, &out) == nil && out.SECRET != "" {
				x.issued = append(x.issued, out.SECRET)
				return string(reply)
			}
		}
	}
	x.replies = append(x.replies, string(reply))
	x.a.add(label+" reply", string(reply))
	return string(reply)
}

// call invokes an operation with session id and requires the reply to be
// a success (want "") or the std error named errors.<want>.
func (x *rpcAudit) call(label, id, service, operation string, input map[string]any, want string) {
	x.t.Helper()
	reply := x.post(label, rpcInvoke(service, operation, input, sessionCtx(id)), nil)
	x.a.ops++
	if want == "" {
		assert.Contains(x.t, reply, `"output"`, "%s: %s", label, reply)
		return
	}
	assert.Contains(x.t, reply, `"com.vmware.vapi.std.errors.`+want+`"`, "%s: %s", label, reply)
}

// login opens a session with user_pass and returns its id.
func (x *rpcAudit) login(label string, password any) string {
	x.t.Helper()
	n := len(x.issued)
	x.post(label, rpcInvoke("com.vmware.cis.session", "create", nil, userPass(auditUser, password)), nil)
	require.Len(x.t, x.issued, n+1, "%s: no session id issued", label)
	return x.issued[n]
}

// rpcAuditSpec is a typed links create_spec holding password.
func rpcAuditSpec(domain, thumbprint string, password any) map[string]any {
	return map[string]any{"STRUCTURE": map[string]any{"com.vmware.vcenter.hvc.links.create_spec": map[string]any{
		"psc_hostname": simulator.DefaultForeignPSC, "port": map[string]any{"OPTIONAL": nil}, "domain_name": domain,
		"username": simulator.DefaultForeignUser, "password": password,
		"ssl_thumbprint": map[string]any{"OPTIONAL": thumbprint}, "admin_groups": map[string]any{"OPTIONAL": nil},
	}}}
}

func rpcAuditCreds(structure, user string, password any) map[string]any {
	return map[string]any{"OPTIONAL": map[string]any{"STRUCTURE": map[string]any{structure: map[string]any{
		"user_name": user, "password": password}}}}
}

// TestSecretsAuditJSONRPC runs every operation of the ops table over vAPI
// JSON-RPC, with the secrets its row carries (and session create with a
// user_pass context, right and wrong, as a string and as a SECRET), on its
// success and error paths, plus envelope errors and faults holding
// secrets, against a simulator logging as hvcsim -v does (text) and as
// JSON. It checks that no password and no session id (issued or not)
// appears in the request log (Requests() as %v/%+v/%#v and GET
// /hvcsim/requests without bodies, ?bodies=masked and ?bodies=raw), the
// debug log or any reply other than the session create that issues the
// id — after proving they went over the wire.
func TestSecretsAuditJSONRPC(t *testing.T) {
	t.Parallel()
	for _, run := range []struct {
		version string
		json    bool
	}{{"8.0", false}, {"8.0", true}, {"8.0U1", false}, {"8.0U1", true}} {
		name := run.version + "/text"
		if run.json {
			name = run.version + "/json"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			secretsAuditJSONRPC(t, run.version, run.json)
		})
	}
}

func secretsAuditJSONRPC(t *testing.T, version string, jsonLog bool) {
	rel, err := ops.ParseRelease(version)
	require.NoError(t, err)
	var logBuf syncWriter
	hopts := &slog.HandlerOptions{Level: slog.LevelDebug}
	var handler slog.Handler = slog.NewTextHandler(&logBuf, hopts) // as hvcsim -v
	if jsonLog {
		handler = slog.NewJSONHandler(&logBuf, hopts)
	}
	sim := simulator.Run(t,
		simulator.WithVersion(version),
		simulator.WithControl(),
		simulator.WithLogger(slog.New(handler)),
		simulator.WithAdmin(auditUser, auditAdminPW),
		simulator.WithSyncDuration(time.Hour),
		simulator.WithForeignPSCCredentials(simulator.DefaultForeignPSC, simulator.DefaultForeignUser, auditPSCPW),
	)
	tap := &auditTap{next: sim.Handler()}
	front := httptest.NewUnstartedServer(tap)
	front.StartTLS()
	t.Cleanup(front.Close)
	hc := front.Client()
	t.Cleanup(hc.CloseIdleConnections)
	a := &auditLog{}
	x := &rpcAudit{t: t, hc: hc, url: front.URL, a: a, ops: map[string]bool{}}

	// Session create: right and wrong passwords, as strings and SECRETs.
	sid := x.login("session create", auditAdminPW)
	sid2 := x.login("session create with a SECRET password", secret(auditAdminPW))
	for _, pw := range []any{auditWrongPW, secret(auditWrongPW)} {
		reply := x.post("session create wrong password", rpcInvoke("com.vmware.cis.session", "create", nil, userPass(auditUser, pw)), nil)
		assert.Contains(t, reply, "com.vmware.vapi.std.errors.unauthenticated")
	}
	x.post("session create without scheme", rpcInvoke("com.vmware.cis.session", "create", nil,
		map[string]any{"userName": auditUser, "password": auditAdminPW}), nil)
	x.call("session get", sid, "com.vmware.cis.session", "get", nil, "")
	x.call("links list unknown session", auditUnknownSession, "com.vmware.vcenter.hvc.links", "list", nil, "unauthenticated")
	// The session in the Vmware-Api-Session-Id header only, as the Go runtime also sends it.
	x.post("links list header session", rpcInvoke("com.vmware.vcenter.hvc.links", "list", nil, nil), map[string]string{"Vmware-Api-Session-Id": sid})

	// Every operation of the table the release serves, with its secrets.
	links := "com.vmware.vcenter.hvc.links"
	linkIDs := 0
	create := func(label, domain, thumbprint string, password any, want string) {
		x.call(label, sid, links, "create", map[string]any{"spec": rpcAuditSpec(domain, thumbprint, password)}, want)
		if want == "" {
			linkIDs++
		}
	}
	create("links create", "one.local", simulator.DefaultForeignThumbprint, secret(auditPSCPW), "")
	create("links create untyped password", "two.local", simulator.DefaultForeignThumbprint, auditPSCPW, "")
	create("links create duplicate", "one.local", simulator.DefaultForeignThumbprint, secret(auditPSCPW), "already_exists")
	create("links create wrong thumbprint", "bad.local", "AA:BB", secret(auditPSCPW), "unverified_peer")
	create("links create wrong PSC password", "bad.local", simulator.DefaultForeignThumbprint, secret(auditWrongPW), "error")
	require.Len(t, sim.Links(), linkIDs)
	one, two := sim.Links()[0], sim.Links()[1]
	provider := sim.Providers()[0]
	linkP := map[string]any{"link": one}
	for _, op := range ops.All {
		if !op.In(rel) {
			in := map[string]any{"link": one}
			if op.Secrets { // sent all the same, and refused
				in["credentials"] = rpcAuditCreds("com.vmware.vcenter.hvc.links.credentials", "sync@remote.local", secret(auditSyncPW))
			}
			x.call(op.Name+" unavailable", sid, op.VAPIService, op.VAPIOperation, in, "operation_not_found")
			continue
		}
		switch op {
		case ops.LinksCreate: // above
		case ops.LinksList, ops.AdministratorsGet:
			x.call(op.Name, sid, op.VAPIService, op.VAPIOperation, nil, "")
		case ops.LinksGet, ops.SyncReset, ops.SyncProvidersList:
			x.call(op.Name, sid, op.VAPIService, op.VAPIOperation, linkP, "")
			x.call(op.Name+" unknown link", sid, op.VAPIService, op.VAPIOperation, map[string]any{"link": "link-404"}, "not_found")
		case ops.SyncProvidersGet:
			x.call(op.Name, sid, op.VAPIService, op.VAPIOperation, map[string]any{"link": one, "provider": provider}, "")
		case ops.SyncProvidersStart:
			// No released start takes credentials: they are sent, and refused.
			x.call(op.Name+" with credentials", sid, op.VAPIService, op.VAPIOperation, map[string]any{"link": one, "provider": provider,
				"credentials": rpcAuditCreds("com.vmware.vcenter.hvc.links.sync.providers.credentials", "sync@remote.local", secret(auditSyncPW))}, "unexpected_input")
			x.call(op.Name, sid, op.VAPIService, op.VAPIOperation, map[string]any{"link": one, "provider": provider, "credentials": map[string]any{"OPTIONAL": nil}}, "")
			x.call(op.Name+" busy", sid, op.VAPIService, op.VAPIOperation, map[string]any{"link": one, "provider": provider}, "resource_busy")
		case ops.AdministratorsSet:
			x.call(op.Name, sid, op.VAPIService, op.VAPIOperation, map[string]any{"group_names": []any{"a@audit.local", "b@audit.local"}}, "")
		case ops.AdministratorsAdd, ops.AdministratorsRemove:
			x.call(op.Name, sid, op.VAPIService, op.VAPIOperation, map[string]any{"group_name": "a@audit.local"}, "")
		case ops.LinksDeleteWithCredentials:
			creds := func(pw string) map[string]any {
				return rpcAuditCreds("com.vmware.vcenter.hvc.links.credentials", simulator.DefaultForeignUser, secret(pw))
			}
			x.call(op.Name+" wrong password", sid, links, "delete_with_credentials", map[string]any{"link": two, "credentials": creds(auditWrongPW)}, "error")
			x.call(op.Name+" unknown link", sid, links, "delete_with_credentials", map[string]any{"link": "link-404", "credentials": creds(auditPSCPW)}, "not_found")
			x.call(op.Name, sid, links, "delete_with_credentials", map[string]any{"link": two, "credentials": creds(auditPSCPW)}, "")
		case ops.LinksDelete: // below, last
		default:
			t.Errorf("%s: no audit input: add one", op.Name)
		}
	}

	// Envelope errors whose bodies hold secrets.
	for label, body := range map[string]any{
		"not JSON": `{"jsonrpc":"2.0","params":{"ctx":{"securityCtx":{"password":"` + auditCore(auditAdminPW) + `"`,
		"too deep": strings.Repeat(`{"a":`, 40) + strconv.Quote(auditAdminPW) + strings.Repeat("}", 40),
		"method": func() any {
			m := rpcInvoke(links, "list", nil, userPass(auditUser, auditAdminPW))
			m["method"] = "call"
			return m
		}(),
		"version": func() any { m := rpcInvoke(links, "list", nil, sessionCtx(sid)); m["jsonrpc"] = "1.0"; return m }(),
		"untyped input": func() any {
			m := rpcInvoke(links, "list", nil, sessionCtx(sid))
			m["params"].(map[string]any)["input"] = map[string]any{"password": auditPSCPW}
			return m
		}(),
		"bad SECRET":     rpcInvoke(links, "create", map[string]any{"spec": rpcAuditSpec("x.local", "", map[string]any{"SECRET": []any{auditPSCPW}})}, sessionCtx(sid)),
		"unexpected arg": rpcInvoke(links, "list", map[string]any{"password": secret(auditPSCPW)}, sessionCtx(sid)),
	} {
		x.post("envelope "+label, body, nil)
	}

	// Faults: a std error by operation name, a dropped reply after the
	// create ran, a dropped connection.
	_, err = sim.AddFault(simulator.Fault{Operation: "Links.Create", ErrorType: "SERVICE_UNAVAILABLE", Times: 1})
	require.NoError(t, err)
	create("links create under a fault", "three.local", simulator.DefaultForeignThumbprint, secret(auditPSCPW), "service_unavailable")
	_, err = sim.AddFault(simulator.Fault{Operation: "Links.Create", DropAfterApply: true, Times: 1})
	require.NoError(t, err)
	x.post("links create reply dropped", rpcInvoke(links, "create", map[string]any{"spec": rpcAuditSpec("four.local", simulator.DefaultForeignThumbprint, secret(auditPSCPW))}, sessionCtx(sid)), nil)
	_, err = sim.AddFault(simulator.Fault{Path: "/session", Drop: true, Times: 1})
	require.NoError(t, err)
	x.post("session create dropped", rpcInvoke("com.vmware.cis.session", "create", nil, userPass(auditUser, auditAdminPW)), nil)

	for _, l := range sim.Links() {
		x.call("links delete", sid, links, "delete", map[string]any{"link": l}, "")
	}
	x.call("links delete unknown", sid, links, "delete", map[string]any{"link": "link-404"}, "not_found")
	x.call("session delete", sid, "com.vmware.cis.session", "delete", nil, "")
	x.call("session delete of the second session", sid2, "com.vmware.cis.session", "delete", nil, "")
	x.call("session get after delete", sid, "com.vmware.cis.session", "get", nil, "unauthenticated")

	// The request log, in Go and over the control surface in every body mode.
	reqs := sim.Requests()
	a.value("simulator requests", reqs)
	for i, r := range reqs {
		a.add("request "+strconv.Itoa(i)+" body", string(r.Body))
	}
	control := map[string]string{}
	for _, mode := range []string{"", "?bodies=masked", "?bodies=raw"} {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, front.URL+"/hvcsim/requests"+mode, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+sim.ControlToken())
		resp, err := hc.Do(req)
		require.NoError(t, err)
		b, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s", b)
		control[mode] = string(b)
		a.add("GET /hvcsim/requests"+mode, string(b))
	}
	logText := logBuf.String()
	a.add("debug log", logText)

	// The secrets went over the wire, so the audit means something.
	wire, _ := tap.wire()
	secrets := []auditSecret{
		newAuditSecret("admin password", auditAdminPW),
		newAuditSecret("wrong password", auditWrongPW),
		newAuditSecret("foreign PSC password", auditPSCPW),
		newAuditSecret("sync credentials password", auditSyncPW),
		newAuditSecret("unknown session id", auditUnknownSession),
	}
	for i, id := range x.issued {
		secrets = append(secrets, newAuditSecret("session id "+strconv.Itoa(i), id))
	}
	require.GreaterOrEqual(t, len(x.issued), 2)
	for _, sec := range secrets {
		_, sent := sec.foundIn(wire)
		assert.True(t, sent, "%s was never sent: the audit would prove nothing", sec.name)
	}

	// The log and the request log record what they promise.
	require.Len(t, reqs, x.calls, "every call is recorded")
	masked := 0
	for _, r := range reqs {
		assert.Equal(t, simulator.FlavorJSONRPC, r.Flavor)
		if bytes.Contains(r.Body, []byte(`"*****"`)) {
			masked++
		}
	}
	assert.Greater(t, masked, x.calls/2, "the request log masked too few bodies: is it recording them?")
	for mode, s := range control {
		assert.Contains(t, s, `"flavor":"jsonrpc"`, "GET /hvcsim/requests%s", mode)
		assert.Contains(t, s, `"operation":"com.vmware.vcenter.hvc.links.create"`, "GET /hvcsim/requests%s names the operation", mode)
		if mode != "" {
			assert.Contains(t, s, "one.local", "GET /hvcsim/requests%s keeps the bodies", mode)
		}
	}
	opAttr := "operation=com.vmware.vcenter.hvc.links.create"
	if jsonLog {
		opAttr = `"operation":"com.vmware.vcenter.hvc.links.create"`
	}
	assert.Equal(t, x.calls, strings.Count(logText, "simulator request"), "one log line per call")
	assert.Contains(t, logText, opAttr, "the log line names the vAPI operation")
	for o := range x.ops {
		assert.Contains(t, logText, o, "the log never names %s", o)
	}

	// Nothing shows a secret.
	leaks := reportLeaks(t, a.strs, secrets)
	t.Logf("%s: %d calls (%d operations), %d strings, %d log bytes, %d session ids, %d secrets, %d leaks",
		version, x.calls, len(x.ops), len(a.strs), len(logText), len(x.issued), len(secrets), leaks)
}

// syncWriter is a log sink the server's goroutines may write to at once.
type syncWriter struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}
