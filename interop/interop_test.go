// Package interop drives the simulator's vAPI JSON-RPC endpoint with
// VMware's official Go vAPI runtime.
package interop

import (
	"crypto/tls"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vmware/vsphere-automation-sdk-go/runtime/core"
	"github.com/vmware/vsphere-automation-sdk-go/runtime/data"
	vapilog "github.com/vmware/vsphere-automation-sdk-go/runtime/log"
	vapiclient "github.com/vmware/vsphere-automation-sdk-go/runtime/protocol/client"
	"github.com/vmware/vsphere-automation-sdk-go/runtime/security"

	"github.com/hvcsdk/hvc/internal/ops"
	"github.com/hvcsdk/hvc/simulator"
)

func init() { vapilog.SetLogger(quietLog{}) }

type quietLog struct{}

func (quietLog) Error(...any)          {}
func (quietLog) Errorf(string, ...any) {}
func (quietLog) Info(...any)           {}
func (quietLog) Infof(string, ...any)  {}
func (quietLog) Debug(...any)          {}
func (quietLog) Debugf(string, ...any) {}

// endpoint is the path the connector posts to; a test of the test changes it.
const endpoint = "/api"

type rig struct {
	t   *testing.T
	srv *simulator.Server
	hc  *http.Client
}

func newRig(t *testing.T, version string) *rig {
	t.Helper()
	return rigFor(t, simulator.Run(t, simulator.WithVersion(version)))
}

func (r *rig) conn(sc core.SecurityContext) vapiclient.Connector {
	return vapiclient.NewConnector(r.srv.URL()+endpoint, vapiclient.WithHttpClient(r.hc), vapiclient.WithSecurityContext(sc))
}

// call invokes service.operation with the given parameters and returns the
// method result.
func call(c vapiclient.Connector, service, operation string, params map[string]data.DataValue) core.MethodResult {
	if params == nil {
		params = map[string]data.DataValue{}
	}
	in := data.NewStructValue("operation-input", params)
	return c.GetApiProvider().Invoke(service, operation, in, c.NewExecutionContext())
}

func (r *rig) login(user, password string) string {
	r.t.Helper()
	res := call(r.conn(security.NewUserPasswordSecurityContext(user, password)), "com.vmware.cis.session", "create", nil)
	if !res.IsSuccess() {
		r.t.Fatalf("session create: %s", res.Error().Name())
	}
	s, ok := res.Output().(*data.SecretValue)
	if !ok || s.Value() == "" {
		r.t.Fatalf("session create: output %T, want a non-empty secret", res.Output())
	}
	return s.Value()
}

func str(s string) data.DataValue { return data.NewStringValue(s) }

func createSpec() data.DataValue {
	return data.NewStructValue("com.vmware.vcenter.hvc.links.create_spec", map[string]data.DataValue{
		"psc_hostname":   str(simulator.DefaultForeignPSC),
		"port":           data.NewOptionalValue(nil),
		"domain_name":    str(simulator.DefaultForeignDomain),
		"username":       str(simulator.DefaultForeignUser),
		"password":       data.NewSecretValue(simulator.DefaultForeignPassword),
		"ssl_thumbprint": data.NewOptionalValueString(simulator.DefaultForeignThumbprint),
		"admin_groups":   data.NewOptionalValue(nil),
	})
}

func groups(names ...string) data.DataValue {
	l := data.NewListValue()
	for _, n := range names {
		l.Add(str(n))
	}
	return l
}

func mustOK(t *testing.T, what string, res core.MethodResult) data.DataValue {
	t.Helper()
	if !res.IsSuccess() {
		t.Fatalf("%s: vAPI error %s", what, res.Error().Name())
	}
	return res.Output()
}

func wantErr(t *testing.T, what string, res core.MethodResult, name string) {
	t.Helper()
	if res.IsSuccess() {
		t.Fatalf("%s: succeeded, want %s", what, name)
	}
	if got := res.Error().Name(); got != "com.vmware.vapi.std.errors."+name {
		t.Fatalf("%s: error %s, want %s", what, got, name)
	}
}

// Every hvc operation the profile serves, over the official runtime's
// JSON-RPC protocol, between session create and session delete.
func TestOperations(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"7.0U1", "8.0", "8.0U1"} {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			rel, err := ops.ParseRelease(version)
			if err != nil {
				t.Fatal(err)
			}
			r := newRig(t, version)
			token := r.login(simulator.DefaultAdminUser, simulator.DefaultAdminPassword)
			c := r.conn(security.NewSessionSecurityContext(token))
			info, ok := mustOK(t, "session get", call(c, "com.vmware.cis.session", "get", nil)).(*data.StructValue)
			if !ok {
				t.Fatalf("session get: output is not a structure")
			}
			if u, err := info.String("user"); err != nil || u == "" {
				t.Fatalf("session get: user %q, %v", u, err)
			}

			out := mustOK(t, "links create", call(c, "com.vmware.vcenter.hvc.links", "create", map[string]data.DataValue{"spec": createSpec()}))
			sv, ok := out.(*data.StringValue)
			if !ok || sv.Value() == "" {
				t.Fatalf("links create: output %T, want an id", out)
			}
			link := sv.Value()
			linkP := map[string]data.DataValue{"link": str(link)}
			provP := map[string]data.DataValue{"link": str(link), "provider": str(simulator.DefaultProviders[0])}
			done := map[*ops.Op]bool{ops.LinksCreate: true}
			run := func(o *ops.Op, p map[string]data.DataValue) {
				t.Helper()
				mustOK(t, o.Name, call(c, o.VAPIService, o.VAPIOperation, p))
				done[o] = true
			}
			// Read and sync operations first, deletes last.
			var deletes []*ops.Op
			for _, o := range ops.All {
				if !o.In(rel) || done[o] {
					continue
				}
				switch o.VAPIService + "." + o.VAPIOperation {
				case "com.vmware.vcenter.hvc.links.list", "com.vmware.vcenter.hvc.management.administrators.get":
					run(o, nil)
				case "com.vmware.vcenter.hvc.links.get", "com.vmware.vcenter.hvc.links.sync.reset",
					"com.vmware.vcenter.hvc.links.sync.providers.list":
					run(o, linkP)
				case "com.vmware.vcenter.hvc.links.sync.providers.get", "com.vmware.vcenter.hvc.links.sync.providers.start":
					run(o, provP)
				case "com.vmware.vcenter.hvc.management.administrators.set":
					run(o, map[string]data.DataValue{"group_names": groups("Administrators@vsphere.local", "Extra@vsphere.local")})
				case "com.vmware.vcenter.hvc.management.administrators.add":
					run(o, map[string]data.DataValue{"group_name": str("Added@vsphere.local")})
				case "com.vmware.vcenter.hvc.management.administrators.remove":
					run(o, map[string]data.DataValue{"group_name": str("Added@vsphere.local")})
				case "com.vmware.vcenter.hvc.links.delete", "com.vmware.vcenter.hvc.links.delete_with_credentials":
					deletes = append(deletes, o)
				default:
					t.Errorf("%s: no test input", o.Name)
				}
			}
			for i, o := range deletes {
				if i > 0 { // the previous delete removed the link: make another
					out := mustOK(t, "links create", call(c, "com.vmware.vcenter.hvc.links", "create", map[string]data.DataValue{"spec": createSpec()}))
					link = out.(*data.StringValue).Value()
				}
				p := map[string]data.DataValue{"link": str(link)}
				if o.VAPIOperation == "delete_with_credentials" {
					p["credentials"] = data.NewOptionalValue(data.NewStructValue("com.vmware.vcenter.hvc.links.credentials", map[string]data.DataValue{
						"user_name": str(simulator.DefaultForeignUser), "password": data.NewSecretValue(simulator.DefaultForeignPassword),
					}))
				}
				run(o, p)
			}
			for _, o := range ops.All {
				if o.In(rel) != done[o] {
					t.Errorf("%s: served by %s %v, exercised %v", o.Name, version, o.In(rel), done[o])
				}
			}
			mustOK(t, "session delete", call(c, "com.vmware.cis.session", "delete", nil))
			wantErr(t, "session get after delete", call(c, "com.vmware.cis.session", "get", nil), "unauthenticated")
		})
	}
}

// The std errors the runtime surfaces as typed vAPI errors.
func TestErrors(t *testing.T) {
	t.Parallel()
	r := newRig(t, "8.0U1")
	c := r.conn(security.NewSessionSecurityContext(r.login(simulator.DefaultAdminUser, simulator.DefaultAdminPassword)))
	ro := r.conn(security.NewSessionSecurityContext(r.login(simulator.DefaultReadOnlyUser, simulator.DefaultReadOnlyPassword)))
	mustOK(t, "links create", call(c, "com.vmware.vcenter.hvc.links", "create", map[string]data.DataValue{"spec": createSpec()}))
	unknown := map[string]data.DataValue{"link": str("no-such-link")}
	for _, tc := range []struct {
		name, want string
		conn       vapiclient.Connector
		service    string
		operation  string
		params     map[string]data.DataValue
	}{
		{"create twice", "already_exists", c, "com.vmware.vcenter.hvc.links", "create", map[string]data.DataValue{"spec": createSpec()}},
		{"get unknown link", "not_found", c, "com.vmware.vcenter.hvc.links", "get", unknown},
		{"delete unknown link", "not_found", c, "com.vmware.vcenter.hvc.links", "delete", unknown},
		{"bad password", "unauthenticated", r.conn(security.NewUserPasswordSecurityContext(simulator.DefaultAdminUser, "wrong")), "com.vmware.cis.session", "create", nil},
		{"unknown session", "unauthenticated", r.conn(security.NewSessionSecurityContext("no-such-session")), "com.vmware.vcenter.hvc.links", "list", nil},
		{"read-only user", "unauthorized", ro, "com.vmware.vcenter.hvc.management.administrators", "add", map[string]data.DataValue{"group_name": str("Added@vsphere.local")}},
		{"operation the release lacks", "operation_not_found", c, "com.vmware.vcenter.hvc.links.sync.providers", "list", unknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			wantErr(t, tc.name, call(tc.conn, tc.service, tc.operation, tc.params), tc.want)
		})
	}
}

// A second sync start while the first runs is RESOURCE_BUSY, on a release
// that serves sync providers.
func TestErrorResourceBusy(t *testing.T) {
	t.Parallel()
	srv := simulator.Run(t, simulator.WithVersion("8.0"), simulator.WithSyncDuration(time.Hour))
	r := rigFor(t, srv)
	c := r.conn(security.NewSessionSecurityContext(r.login(simulator.DefaultAdminUser, simulator.DefaultAdminPassword)))
	link := mustOK(t, "links create", call(c, "com.vmware.vcenter.hvc.links", "create", map[string]data.DataValue{"spec": createSpec()})).(*data.StringValue).Value()
	p := map[string]data.DataValue{"link": str(link), "provider": str(simulator.DefaultProviders[0])}
	mustOK(t, "first start", call(c, "com.vmware.vcenter.hvc.links.sync.providers", "start", p))
	wantErr(t, "second start", call(c, "com.vmware.vcenter.hvc.links.sync.providers", "start", p), "resource_busy")
}

// A create with a thumbprint the foreign PSC does not present is
// UNVERIFIED_PEER, whose data is a certificate_info structure naming the
// presented thumbprint (and, on 9.0, the certificate).
func TestErrorUnverifiedPeer(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"7.0U1", "8.0U1", "9.0"} {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, version)
			c := r.conn(security.NewSessionSecurityContext(r.login(simulator.DefaultAdminUser, simulator.DefaultAdminPassword)))
			spec := createSpec().(*data.StructValue)
			spec.SetField("ssl_thumbprint", data.NewOptionalValueString("AA:BB:CC"))
			res := call(c, "com.vmware.vcenter.hvc.links", "create", map[string]data.DataValue{"spec": spec})
			wantErr(t, "create with a wrong thumbprint", res, "unverified_peer")
			opt, err := res.Error().Field("data")
			if err != nil {
				t.Fatalf("unverified_peer: no data field: %v", err)
			}
			ov, ok := opt.(*data.OptionalValue)
			if !ok || !ov.IsSet() {
				t.Fatalf("unverified_peer: data %T, want a set optional", opt)
			}
			info, ok := ov.Value().(*data.StructValue)
			if !ok {
				t.Fatalf("unverified_peer: data value %T, want a structure", ov.Value())
			}
			if info.Name() != "com.vmware.vcenter.hvc.links.certificate_info" {
				t.Errorf("unverified_peer: data structure %q", info.Name())
			}
			if got := text(info, "ssl_thumbprint"); got != r.srv.ForeignThumbprint(simulator.DefaultForeignPSC) {
				t.Errorf("unverified_peer: ssl_thumbprint %q, want the PSC's", got)
			}
			hasPEM := strings.Contains(text(info, "ssl_certificate"), "BEGIN CERTIFICATE")
			if want := version == "9.0"; hasPEM != want {
				t.Errorf("unverified_peer: ssl_certificate present %v, want %v", hasPEM, want)
			}
		})
	}
}

// text is a string field's value, looking through an optional; "" when the
// field is absent, unset or not a string.
func text(s *data.StructValue, field string) string {
	v, err := s.Field(field)
	if err != nil {
		return ""
	}
	if o, ok := v.(*data.OptionalValue); ok {
		if !o.IsSet() {
			return ""
		}
		v = o.Value()
	}
	if sv, ok := v.(*data.StringValue); ok {
		return sv.Value()
	}
	return ""
}

func rigFor(t *testing.T, srv *simulator.Server) *rig {
	t.Helper()
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.CertPool(), MinVersion: tls.VersionTLS12}}}
	t.Cleanup(hc.CloseIdleConnections)
	return &rig{t: t, srv: srv, hc: hc}
}
