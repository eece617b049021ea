package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc/simulator"
)

// lockedBuffer is a stderr sink written by one goroutine and read by the
// test after the command stopped.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestRunVerboseJSONRPC: hvcsim -v logs one line per vAPI JSON-RPC call
// naming its transport and service.operation, and never the passwords or
// the session id the calls carry.
func TestRunVerboseJSONRPC(t *testing.T) {
	t.Parallel()
	const adminPW, pscPW = "Verbose-Adm1nPw-x", "Verbose-PscPw9-y"
	var stderr lockedBuffer
	lines, stop := startRunLog(t, &stderr, "-addr", "127.0.0.1:0", "-v", "-vcenter-version", "8.0U1",
		"-admin", "root@corp.local:"+adminPW, "-foreign-psc-credentials", simulator.DefaultForeignPSC+"=pscadmin@foreign.local:"+pscPW)
	stopped := false
	defer func() {
		if !stopped {
			_ = stop()
		}
	}()
	env := exports(t, lines)
	hc := pinned(t, env["HVCSIM_THUMBPRINT"])
	invoke := func(operation string, input map[string]any, security map[string]any) map[string]any {
		t.Helper()
		service, op, _ := strings.Cut(operation, ":")
		if input == nil {
			input = map[string]any{}
		}
		b, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "invoke", "params": map[string]any{
			"serviceId": service, "operationId": op, "ctx": map[string]any{"securityCtx": security},
			"input": map[string]any{"STRUCTURE": map[string]any{"operation-input": input}}}})
		require.NoError(t, err)
		resp, err := hc.Post(env["HVC_URL"]+"/api", "application/json", bytes.NewReader(b))
		require.NoError(t, err)
		defer resp.Body.Close()
		reply, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s", reply)
		var out struct {
			Result map[string]any `json:"result"`
		}
		require.NoError(t, json.Unmarshal(reply, &out), "%s", reply)
		require.Contains(t, out.Result, "output", "%s", reply)
		return out.Result
	}
	res := invoke("com.vmware.cis.session:create", nil, map[string]any{
		"schemeId": "com.vmware.vapi.std.security.user_pass", "userName": "root@corp.local", "password": adminPW})
	sid, _ := res["output"].(map[string]any)["SECRET"].(string)
	require.NotEmpty(t, sid)
	sessionCtx := map[string]any{"schemeId": "com.vmware.vapi.std.security.session_id", "sessionId": sid}
	invoke("com.vmware.vcenter.hvc.links:create", map[string]any{"spec": map[string]any{"STRUCTURE": map[string]any{
		"com.vmware.vcenter.hvc.links.create_spec": map[string]any{
			"psc_hostname": simulator.DefaultForeignPSC, "domain_name": "verbose.local", "username": "pscadmin@foreign.local",
			"password": map[string]any{"SECRET": pscPW}, "ssl_thumbprint": map[string]any{"OPTIONAL": env["HVC_PSC_THUMBPRINT"]},
		}}}}, sessionCtx)
	invoke("com.vmware.vcenter.hvc.links:list", nil, sessionCtx)
	require.NoError(t, stop())
	stopped = true

	logged := stderr.String()
	for _, op := range []string{"com.vmware.cis.session.create", "com.vmware.vcenter.hvc.links.create", "com.vmware.vcenter.hvc.links.list"} {
		assert.Contains(t, logged, "path=/api query=\"\" flavor=jsonrpc operation="+op+" status=200", "hvcsim -v names %s", op)
	}
	assert.Equal(t, 3, strings.Count(logged, "simulator request"), "%s", logged)
	for _, secret := range []string{adminPW, pscPW, sid, sid[:len(sid)/2]} {
		assert.NotContains(t, logged, secret)
	}
}
