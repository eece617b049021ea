package provider

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/hvcsdk/hvc"
	"github.com/hvcsdk/hvc/simulator"
)

func strp(s string) *string { return &s }

func boolp(b bool) *bool { return &b }

func mapEnv(m map[string]string) lookupFunc {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// TestResolvePrecedence: an argument beats its HVC_* variable, which beats
// the GOVC_* one; the URL's user and password come last.
func TestResolvePrecedence(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwFile, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	kh := filepath.Join(dir, "known_hosts")
	if err := os.WriteFile(kh, []byte("# c\nvc.example "+simulator.DefaultForeignThumbprint+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name                 string
		rc                   rawConfig
		env                  map[string]string
		endpoint, user, pass string
		trust                string
		err                  string
		secret               string // must not be in the error ("secret" unless set)
	}{
		{name: "arguments win", rc: rawConfig{URL: strp("a.example"), Username: strp("u"), Password: strp("p"), Insecure: boolp(true)},
			env:      map[string]string{"HVC_URL": "b.example", "HVC_USERNAME": "eu", "HVC_PASSWORD": "ep", "HVC_THUMBPRINT": "xx"},
			endpoint: "https://a.example", user: "u", pass: "p", trust: "insecure"},
		{name: "HVC beats GOVC", env: map[string]string{"HVC_URL": "b.example:8443", "GOVC_URL": "c.example",
			"HVC_USERNAME": "hu", "GOVC_USERNAME": "gu", "HVC_PASSWORD": "hp", "GOVC_PASSWORD": "gp", "HVCCTL_HOME": dir},
			endpoint: "https://b.example:8443", user: "hu", pass: "hp", trust: "system roots"},
		{name: "GOVC URL carries the user", env: map[string]string{"GOVC_URL": "gu:gp@c.example", "HVCCTL_HOME": dir},
			endpoint: "https://c.example", user: "gu", pass: "gp", trust: "system roots"},
		{name: "password file", env: map[string]string{"HVC_URL": "vc.example", "HVC_USERNAME": "u", "HVC_PASSWORD_FILE": pwFile, "HVC_TLS_KNOWN_HOSTS": kh},
			endpoint: "https://vc.example", user: "u", pass: "from-file", trust: "known hosts " + kh},
		{name: "file and plain both", env: map[string]string{"HVC_URL": "vc.example", "HVC_USERNAME": "u", "HVC_PASSWORD_FILE": pwFile, "HVC_PASSWORD": "x"},
			err: "both HVC_PASSWORD and HVC_PASSWORD_FILE are set"},
		{name: "insecure and thumbprint", env: map[string]string{"HVC_URL": "vc.example", "HVC_USERNAME": "u", "HVC_PASSWORD": "x", "HVC_INSECURE": "true", "HVC_THUMBPRINT": simulator.DefaultForeignThumbprint},
			err: "HVC_INSECURE and HVC_THUMBPRINT exclude each other"},
		{name: "password in url argument", rc: rawConfig{URL: strp("u:secret@vc.example")},
			err: "url must not carry a password"},
		{name: "no url", err: "no vCenter URL"},
		{name: "unparsable url keeps its secret", env: map[string]string{"GOVC_URL": "u:secret%zz@vc.example"},
			err: "invalid vCenter URL", secret: "%zz"},
		{name: "bad flavor", env: map[string]string{"HVC_URL": "vc.example", "HVC_USERNAME": "u", "HVC_PASSWORD": "x", "HVC_FLAVOR": "soap", "HVCCTL_HOME": dir},
			err: `flavor "soap"`},
		{name: "bad api_timeout", env: map[string]string{"HVC_URL": "vc.example", "HVC_USERNAME": "u", "HVC_PASSWORD": "x", "HVC_API_TIMEOUT": "soon", "HVCCTL_HOME": dir},
			err: `api_timeout "soon"`},
		{name: "bad thumbprint", rc: rawConfig{Thumbprint: strp("zz")}, env: map[string]string{"HVC_URL": "vc.example", "HVC_USERNAME": "u", "HVC_PASSWORD": "x"},
			err: "thumbprint:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := resolve(tc.rc, mapEnv(tc.env))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one containing %q", err, tc.err)
				}
				secret := tc.secret
				if secret == "" {
					secret = "secret"
				}
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q holds the password", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.endpoint != tc.endpoint || s.username != tc.user || s.password != tc.pass || s.trustDesc != tc.trust {
				t.Errorf("got %s %s %s %q, want %s %s %s %q", s.endpoint, s.username, s.password, s.trustDesc,
					tc.endpoint, tc.user, tc.pass, tc.trust)
			}
		})
	}
}

// TestStringNeedsReplace is the psc_hostname/domain_name replacement rule.
func TestStringNeedsReplace(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                      string
		stateNull, imported, fold bool
		state, plan               string
		want                      bool
	}{
		{"changed", false, false, true, "a.example", "b.example", true},
		{"case only", false, false, true, "A.example", "a.example", false},
		{"case matters", false, false, false, "A", "a", true},
		{"filled in after import", true, true, true, "", "a.example", false},
		{"null but not imported", true, false, true, "", "a.example", true},
		{"imported, then changed", false, true, true, "a.example", "b.example", true},
	}
	for _, tc := range tests {
		if got := stringNeedsReplace(tc.stateNull, tc.imported, tc.state, tc.plan, tc.fold); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestSchemas validates every schema the provider declares.
func TestSchemas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := New("test")()
	var ps fwprovider.SchemaResponse
	p.Schema(ctx, fwprovider.SchemaRequest{}, &ps)
	if ps.Diagnostics.HasError() {
		t.Fatal(ps.Diagnostics)
	}
	if d := ps.Schema.ValidateImplementation(ctx); d.HasError() {
		t.Fatal(d)
	}
	for _, f := range p.Resources(ctx) {
		var rs resource.SchemaResponse
		f().Schema(ctx, resource.SchemaRequest{}, &rs)
		if rs.Diagnostics.HasError() {
			t.Fatal(rs.Diagnostics)
		}
		if d := rs.Schema.ValidateImplementation(ctx); d.HasError() {
			t.Fatal(d)
		}
	}
	for _, f := range p.DataSources(ctx) {
		var ds datasource.SchemaResponse
		f().Schema(ctx, datasource.SchemaRequest{}, &ds)
		if d := ds.Schema.ValidateImplementation(ctx); d.HasError() || ds.Diagnostics.HasError() {
			t.Fatal(d, ds.Diagnostics)
		}
	}
	var rs resource.SchemaResponse
	newLinkResource().Schema(ctx, resource.SchemaRequest{}, &rs)
	pw := rs.Schema.Attributes["password_wo"]
	if !pw.IsWriteOnly() || !pw.IsSensitive() {
		t.Error("password_wo must be write-only and sensitive")
	}
}

// TestSessions: overlapping operations share one login; the last to end
// logs out, so no session stays open.
func TestSessions(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t)
	s := &sessions{newClient: func() (*hvc.Client, error) {
		return hvc.New(sim.URL(), hvc.WithCredentials(simulator.DefaultAdminUser, simulator.DefaultAdminPassword),
			hvc.WithRootCAs(sim.CertPool()))
	}}
	ctx := context.Background()
	a, err := s.acquire()
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.acquire()
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Fatal("overlapping operations got different clients")
	}
	for _, c := range []*hvc.Client{a, b} {
		if _, err := c.Links.List(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.release(ctx); err != nil {
		t.Fatal(err)
	}
	if n := sim.SessionCount(); n != 1 {
		t.Fatalf("%d sessions while one operation still runs, want 1", n)
	}
	if err := s.release(ctx); err != nil {
		t.Fatal(err)
	}
	if n := sim.SessionCount(); n != 0 {
		t.Errorf("%d sessions after the last operation, want 0", n)
	}
	if n := sim.LoginCount(); n != 1 {
		t.Errorf("%d logins, want 1", n)
	}
}
