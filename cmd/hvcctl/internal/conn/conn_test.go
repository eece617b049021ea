package conn

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseTargetGovcForms(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, endpoint, hostport, user, pass, err string
	}{
		{in: "vc.example", endpoint: "https://vc.example", hostport: "vc.example:443"},
		{in: "VC.example:8443", endpoint: "https://VC.example:8443", hostport: "vc.example:8443"},
		{in: "https://vc.example/sdk", endpoint: "https://vc.example", hostport: "vc.example:443"},
		{in: "user@vsphere.local:p%40ss:w@vc.example", endpoint: "https://vc.example", hostport: "vc.example:443", user: "user@vsphere.local", pass: "p@ss:w"},
		{in: "https://u:p@[::1]:9443/", endpoint: "https://[::1]:9443", hostport: "[::1]:9443", user: "u", pass: "p"},
		{in: "http://127.0.0.1:8080", endpoint: "http://127.0.0.1:8080", hostport: "127.0.0.1:8080"},
		{in: "ftp://vc.example", err: "scheme"},
		{in: "https://vc.example/ui", err: "unexpected path"},
		{in: "https://u:secret@vc example", err: "invalid URL"},
		{in: "", err: "empty"},
	}
	for _, c := range cases {
		got, err := ParseTarget(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want one containing %q", c.in, err, c.err)
			}
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("%q: the error quotes the password: %v", c.in, err)
			}
			continue
		}
		if err != nil || got.Endpoint != c.endpoint || got.HostPort != c.hostport || got.User != c.user || got.URLPassword != c.pass {
			t.Errorf("%q: got %+v, %v; want %s %s %s", c.in, got, err, c.endpoint, c.hostport, c.user)
		}
	}
}

func TestKnownHosts(t *testing.T) {
	t.Parallel()
	f := filepath.Join(t.TempDir(), "sub", "known_hosts")
	if _, ok := LookupKnownHost(f, "vc:443"); ok {
		t.Fatal("found an entry in a missing file")
	}
	if err := os.MkdirAll(filepath.Dir(f), 0o700); err != nil {
		t.Fatal(err)
	}
	content := "# comment\nvc.example AA:BB\nother:8443 CC\nvc.example:443 DD\n"
	if err := os.WriteFile(f, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ hp, want string }{{"vc.example:443", "DD"}, {"other:8443", "CC"}, {"other:443", ""}, {"VC.EXAMPLE:443", "DD"}} {
		if got, _ := LookupKnownHost(f, c.hp); got != c.want {
			t.Errorf("%s: %q, want %q", c.hp, got, c.want)
		}
	}
	if err := AddKnownHost(f, "vc.example:443", "EE"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(f)
	if string(b) != "# comment\nother:8443 CC\nvc.example:443 EE\n" {
		t.Errorf("after add: %q", b)
	}
	if fi, _ := os.Stat(f); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %o", fi.Mode().Perm())
	}
}
