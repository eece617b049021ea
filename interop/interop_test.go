// Package interop drives the simulator's vAPI JSON-RPC endpoint with
// VMware's official Go vAPI runtime.
package interop

import (
	"context"
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

	"github.com/hvcsdk/hvc"
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
				switch o.VAPIID() {
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

// The std errors the runtime surfaces as typed vAPI errors, on each
// release: already_exists, not_found, resource_busy (a second sync start
// where sync providers are served, an injected fault on Links.Get where
// they are not), unauthenticated, unauthorized and operation_not_found.
func TestErrors(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"7.0U1", "8.0", "8.0U1"} {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			rel, err := ops.ParseRelease(version)
			if err != nil {
				t.Fatal(err)
			}
			srv := simulator.Run(t, simulator.WithVersion(version), simulator.WithSyncDuration(time.Hour))
			r := rigFor(t, srv)
			c := r.conn(security.NewSessionSecurityContext(r.login(simulator.DefaultAdminUser, simulator.DefaultAdminPassword)))
			ro := r.conn(security.NewSessionSecurityContext(r.login(simulator.DefaultReadOnlyUser, simulator.DefaultReadOnlyPassword)))
			link := mustOK(t, "links create", call(c, "com.vmware.vcenter.hvc.links", "create", map[string]data.DataValue{"spec": createSpec()})).(*data.StringValue).Value()
			unknown := map[string]data.DataValue{"link": str("no-such-link")}
			linkP := map[string]data.DataValue{"link": str(link)}
			type errCase struct {
				name, want string
				conn       vapiclient.Connector
				service    string
				operation  string
				params     map[string]data.DataValue
			}
			cases := []errCase{
				{"create twice", "already_exists", c, "com.vmware.vcenter.hvc.links", "create", map[string]data.DataValue{"spec": createSpec()}},
				{"delete unknown link", "not_found", c, "com.vmware.vcenter.hvc.links", "delete", unknown},
				{"bad password", "unauthenticated", r.conn(security.NewUserPasswordSecurityContext(simulator.DefaultAdminUser, "wrong")), "com.vmware.cis.session", "create", nil},
				{"unknown session", "unauthenticated", r.conn(security.NewSessionSecurityContext("no-such-session")), "com.vmware.vcenter.hvc.links", "list", nil},
				{"read-only user", "unauthorized", ro, "com.vmware.vcenter.hvc.management.administrators", "add", map[string]data.DataValue{"group_name": str("Added@vsphere.local")}},
			}
			if ops.LinksGet.In(rel) {
				if _, err := srv.AddFault(simulator.Fault{Operation: ops.LinksGet.Name, ErrorType: "RESOURCE_BUSY", Times: 1}); err != nil {
					t.Fatal(err)
				}
				cases = append(cases,
					errCase{"get unknown link", "not_found", c, "com.vmware.vcenter.hvc.links", "get", unknown},
					errCase{"operation the release lacks", "operation_not_found", c, "com.vmware.vcenter.hvc.links.sync.providers", "list", linkP})
			} else {
				provP := map[string]data.DataValue{"link": str(link), "provider": str(simulator.DefaultProviders[0])}
				mustOK(t, "first sync start", call(c, "com.vmware.vcenter.hvc.links.sync.providers", "start", provP))
				cases = append(cases,
					errCase{"sync provider of an unknown link", "not_found", c, "com.vmware.vcenter.hvc.links.sync.providers", "get",
						map[string]data.DataValue{"link": str("no-such-link"), "provider": str(simulator.DefaultProviders[0])}},
					errCase{"operation the release lacks", "operation_not_found", c, "com.vmware.vcenter.hvc.links", "get", linkP})
			}
			// RESOURCE_BUSY first, while the fault (Times: 1) or the
			// running sync meets this call alone.
			if ops.LinksGet.In(rel) {
				wantErr(t, "links get under a RESOURCE_BUSY fault", call(c, "com.vmware.vcenter.hvc.links", "get", linkP), "resource_busy")
				mustOK(t, "links get after the fault", call(c, "com.vmware.vcenter.hvc.links", "get", linkP))
			} else {
				provP := map[string]data.DataValue{"link": str(link), "provider": str(simulator.DefaultProviders[0])}
				wantErr(t, "second sync start", call(c, "com.vmware.vcenter.hvc.links.sync.providers", "start", provP), "resource_busy")
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					wantErr(t, tc.name, call(tc.conn, tc.service, tc.operation, tc.params), tc.want)
				})
			}
		})
	}
}

// A create with a thumbprint the foreign PSC does not present is
// UNVERIFIED_PEER, whose data is a certificate_info structure naming the
// presented thumbprint (and, on 9.0, the certificate).
func TestErrorUnverifiedPeer(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"7.0U1", "8.0", "8.0U1", "9.0"} {
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

// A link created over REST (by the hvc SDK, in the flavor the release
// serves) is listed and read over JSON-RPC through the official runtime,
// and one created over JSON-RPC is listed and read by the SDK; a session
// opened on either side works on the other.
func TestSharedWithREST(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"7.0U1", "8.0", "8.0U1"} {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			r := newRig(t, version)
			sdk, err := hvc.New(r.srv.URL(), hvc.WithCredentials(simulator.DefaultAdminUser, simulator.DefaultAdminPassword), hvc.WithRootCAs(r.srv.CertPool()))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(sdk.CloseIdleConnections)
			spec := hvc.LinkCreateSpec{PSCHostname: simulator.DefaultForeignPSC, DomainName: "rest.local", Username: simulator.DefaultForeignUser,
				Password: simulator.DefaultForeignPassword, SSLThumbprint: simulator.DefaultForeignThumbprint}
			restLink, err := sdk.Links.Create(ctx, spec)
			if err != nil {
				t.Fatalf("SDK links create: %v", err)
			}

			// The SDK's REST session, used as a session_id context.
			c := r.conn(security.NewSessionSecurityContext(sdk.SessionID()))
			list, ok := mustOK(t, "links list", call(c, "com.vmware.vcenter.hvc.links", "list", nil)).(*data.ListValue)
			if !ok || len(list.List()) != 1 {
				t.Fatalf("links list over JSON-RPC: %v, want the REST-created link", list)
			}
			sum, ok := list.List()[0].(*data.StructValue)
			if !ok || text(sum, "link") != restLink || text(sum, "display_name") != "rest.local" {
				t.Fatalf("links list over JSON-RPC: %v, want %s (rest.local)", list.List()[0], restLink)
			}
			get := ops.LinksGet.In(mustRelease(t, version))
			if get {
				mustOK(t, "links get of the REST-created link", call(c, "com.vmware.vcenter.hvc.links", "get", map[string]data.DataValue{"link": str(restLink)}))
			}

			rpcLink := mustOK(t, "links create", call(c, "com.vmware.vcenter.hvc.links", "create", map[string]data.DataValue{"spec": createSpec()})).(*data.StringValue).Value()
			// A JSON-RPC session, used by the SDK.
			rpcSDK, err := hvc.New(r.srv.URL(), hvc.WithSessionID(r.login(simulator.DefaultAdminUser, simulator.DefaultAdminPassword)), hvc.WithRootCAs(r.srv.CertPool()))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(rpcSDK.CloseIdleConnections)
			got, err := rpcSDK.Links.List(ctx)
			if err != nil {
				t.Fatalf("SDK links list: %v", err)
			}
			want := []hvc.LinkSummary{{Link: restLink, DisplayName: "rest.local"}, {Link: rpcLink, DisplayName: simulator.DefaultForeignDomain}}
			if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
				t.Fatalf("SDK links list: %v, want %v", got, want)
			}
			if get {
				if _, err := rpcSDK.Links.Get(ctx, rpcLink); err != nil {
					t.Fatalf("SDK links get of the JSON-RPC-created link: %v", err)
				}
			}
			if err := rpcSDK.Links.Delete(ctx, rpcLink); err != nil {
				t.Fatalf("SDK links delete of the JSON-RPC-created link: %v", err)
			}
			mustOK(t, "links delete of the REST-created link", call(c, "com.vmware.vcenter.hvc.links", "delete", map[string]data.DataValue{"link": str(restLink)}))
			if left, err := sdk.Links.List(ctx); err != nil || len(left) != 0 {
				t.Fatalf("SDK links list after both deletes: %v, %v; want none", left, err)
			}
		})
	}
}

func mustRelease(t *testing.T, version string) ops.Release {
	t.Helper()
	rel, err := ops.ParseRelease(version)
	if err != nil {
		t.Fatal(err)
	}
	return rel
}
