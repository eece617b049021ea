package simulator_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc/internal/ops"
	"github.com/hvcsdk/hvc/simulator"
)

// badByte stands for a byte that is not UTF-8 (0xFF): JSON encoding would
// replace it, so it is put into the encoded body afterwards.
const badByte = "\uE000"

// rawJSON encodes v and puts the raw byte 0xFF where badByte is.
func rawJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return bytes.ReplaceAll(b, []byte(badByte), []byte{0xFF})
}

// TestNamesValidated: names stored (link domain, PSC host name, user name,
// admin groups, administrators) and ids looked up in paths (link,
// provider) are refused with 400 INVALID_ARGUMENT naming the field when
// they hold NUL or other control characters or bytes that are not UTF-8,
// or are longer than the documented bounds; the bounds themselves pass.
// REST (both flavors) and JSON-RPC answer the same.
func TestNamesValidated(t *testing.T) {
	t.Parallel()
	label63 := strings.Repeat("a", 63)
	domain253 := label63 + "." + label63 + "." + label63 + "." + strings.Repeat("b", 61)
	type target struct {
		name  string
		field string // in the error
		max   int    // longest valid value
		long  func(n int) string
		// rest and rpc send v; rpc is nil for the REST-only checks.
		rest func(f flavor, tok, v string) request
		rpc  func(v string) (service, operation string, input map[string]any)
	}
	createWith := func(member string) func(f flavor, tok, v string) request {
		return func(f flavor, tok, v string) request {
			sp := spec("v.local")
			if member == "admin_groups" {
				sp[member] = []string{v}
			} else {
				sp[member] = v
			}
			return request{method: http.MethodPost, path: f.prefix + "/hvc/links", token: tok, body: createBody(f, sp)}
		}
	}
	rpcCreateWith := func(member string) func(v string) (string, string, map[string]any) {
		return func(v string) (string, string, map[string]any) {
			sp := rpcSpec("v.local", simulator.DefaultForeignThumbprint)
			fields := sp["STRUCTURE"].(map[string]any)["com.vmware.vcenter.hvc.links.create_spec"].(map[string]any)
			if member == "admin_groups" {
				fields[member] = map[string]any{"OPTIONAL": []any{v}}
			} else {
				fields[member] = v
			}
			return ops.LinksCreate.VAPIService, ops.LinksCreate.VAPIOperation, map[string]any{"spec": sp}
		}
	}
	repeat := func(n int) string { return strings.Repeat("a", n) }
	group := func(n int) string { return strings.Repeat("g", n-len("@x.local")) + "@x.local" }
	targets := []target{
		{name: "domain_name", field: "spec.domain_name", max: 253, long: func(n int) string { return domain253 + strings.Repeat("b", n-253) },
			rest: createWith("domain_name"), rpc: rpcCreateWith("domain_name")},
		{name: "psc_hostname", field: "spec.psc_hostname", max: 253, long: repeat,
			rest: createWith("psc_hostname"), rpc: rpcCreateWith("psc_hostname")},
		{name: "username", field: "spec.username", max: 512, long: repeat,
			rest: createWith("username"), rpc: rpcCreateWith("username")},
		{name: "admin_groups", field: "spec.admin_groups", max: 512, long: group,
			rest: createWith("admin_groups"), rpc: rpcCreateWith("admin_groups")},
		{name: "administrators add", field: "group_name", max: 512, long: group,
			rest: func(f flavor, tok, v string) request {
				return request{method: http.MethodPost, path: f.prefix + "/hvc/management/administrators?action=add", token: tok, body: map[string]string{"group_name": v}}
			},
			rpc: func(v string) (string, string, map[string]any) {
				return ops.AdministratorsAdd.VAPIService, ops.AdministratorsAdd.VAPIOperation, map[string]any{"group_name": v}
			}},
		{name: "administrators set", field: "group_names", max: 512, long: group,
			rest: func(f flavor, tok, v string) request {
				return request{method: http.MethodPut, path: f.prefix + "/hvc/management/administrators", token: tok, body: map[string][]string{"group_names": {v}}}
			},
			rpc: func(v string) (string, string, map[string]any) {
				return ops.AdministratorsSet.VAPIService, ops.AdministratorsSet.VAPIOperation, map[string]any{"group_names": []any{v}}
			}},
		{name: "link id", field: "link", max: 255, long: repeat,
			rest: func(f flavor, tok, v string) request {
				return request{method: http.MethodGet, path: f.prefix + "/hvc/links/" + url.PathEscape(v) + "/sync/providers", token: tok}
			},
			rpc: func(v string) (string, string, map[string]any) {
				return ops.SyncProvidersList.VAPIService, ops.SyncProvidersList.VAPIOperation, map[string]any{"link": v}
			}},
		{name: "provider id", field: "provider", max: 255, long: repeat,
			rest: func(f flavor, tok, v string) request {
				return request{method: http.MethodGet, path: f.prefix + "/hvc/links/link-1/sync/providers/" + url.PathEscape(v), token: tok}
			},
			rpc: func(v string) (string, string, map[string]any) {
				return ops.SyncProvidersGet.VAPIService, ops.SyncProvidersGet.VAPIOperation, map[string]any{"link": "link-1", "provider": v}
			}},
	}
	bad := []struct {
		name    string
		value   func(tg target) string
		problem string
	}{
		{"NUL", func(target) string { return "a\x00b@x.local" }, "control characters"},
		{"control character", func(target) string { return "a\x07b@x.local" }, "control characters"},
		{"newline", func(target) string { return "a\nb@x.local" }, "control characters"},
		{"DEL", func(target) string { return "a\x7fb@x.local" }, "control characters"},
		{"C1 control", func(target) string { return "a\u0085b@x.local" }, "control characters"},
		{"not UTF-8", func(target) string { return "a" + badByte + "b@x.local" }, "not valid UTF-8"},
		{"U+FFFD", func(target) string { return "a\uFFFDb@x.local" }, "not valid UTF-8"},
		{"over-long", func(tg target) string { return tg.long(tg.max + 1) }, "longer than"},
	}
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			sim := simulator.Run(t)
			w := newWire(t, sim)
			api := w.admin(t, apiFlavor)
			link := w.createLink(t, apiFlavor, api, "seed.local")
			require.Equal(t, "link-1", link)
			rpcTok := w.rpcLogin(t, simulator.DefaultAdminUser, simulator.DefaultAdminPassword)
			for _, b := range bad {
				v := b.value(tg)
				for _, f := range flavors {
					rq := tg.rest(f, w.admin(t, f), v)
					if rq.body != nil {
						rq.body = rawJSON(t, rq.body)
					}
					rq.path = strings.ReplaceAll(rq.path, url.PathEscape(badByte), "%FF")
					e := requireError(t, f, w.do(t, rq), 400, "INVALID_ARGUMENT")
					assert.Contains(t, e.Messages[0].DefaultMessage, tg.field, "%s %s", b.name, f.name)
					assert.Contains(t, e.Messages[0].DefaultMessage, b.problem, "%s %s", b.name, f.name)
					assert.Equal(t, tg.field, params(t, f, e.Messages[0])["field"], "%s %s", b.name, f.name)
				}
				svc, op, in := tg.rpc(v)
				rep := w.rpcRaw(t, json.RawMessage(rawJSON(t, invoke(svc, op, in, sessionCtx(rpcTok)))))
				rep.stdErr(t, "INVALID_ARGUMENT")
				msg := rep.err.Fields["messages"].List[0].Fields["default_message"].Str
				assert.Contains(t, msg, tg.field, "%s JSON-RPC", b.name)
				assert.Contains(t, msg, b.problem, "%s JSON-RPC", b.name)
			}
			assert.Equal(t, []string{"link-1"}, sim.Links(), "a refused create made a link")
			// The longest valid value passes the name checks: it is then
			// judged as any other value (created, a PSC login that fails,
			// a link that does not exist, …), never INVALID_ARGUMENT.
			resp := w.do(t, tg.rest(apiFlavor, api, tg.long(tg.max)))
			assert.NotContains(t, string(resp.body), "INVALID_ARGUMENT", "the longest valid value was refused: %s", resp)
		})
	}
}
