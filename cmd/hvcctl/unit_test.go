package main

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
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
		got, err := parseTarget(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want one containing %q", c.in, err, c.err)
			}
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("%q: the error quotes the password: %v", c.in, err)
			}
			continue
		}
		if err != nil || got.endpoint != c.endpoint || got.hostport != c.hostport || got.user != c.user || got.urlPass != c.pass {
			t.Errorf("%q: got %+v, %v; want %s %s %s", c.in, got, err, c.endpoint, c.hostport, c.user)
		}
	}
}

func TestKnownHosts(t *testing.T) {
	t.Parallel()
	f := filepath.Join(t.TempDir(), "sub", "known_hosts")
	if _, ok := lookupKnownHost(f, "vc:443"); ok {
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
		if got, _ := lookupKnownHost(f, c.hp); got != c.want {
			t.Errorf("%s: %q, want %q", c.hp, got, c.want)
		}
	}
	if err := addKnownHost(f, "vc.example:443", "EE"); err != nil {
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

func TestYAMLKeepsJSONKeysAndOrder(t *testing.T) {
	t.Parallel()
	v := []providerOut{{Link: "l", Provider: "p: x", Status: "SUCCEEDED", PollingIntervalInSeconds: 30,
		CurrentSessionInfo: &sessionInfoOut{Stage: "COMPLETED", CompletedWork: 1, TotalWork: 2}}}
	b, err := toYAML(v)
	if err != nil {
		t.Fatal(err)
	}
	want := `- link: l
  provider: 'p: x'
  status: SUCCEEDED
  last_sync_time: null
  polling_interval_in_seconds: 30
  current_session_info:
    stage: COMPLETED
    completed_work: 1
    total_work: 2
    start_time: null
    completion_time: null
    exception: null
  status_message: null
`
	if string(b) != want {
		t.Errorf("got:\n%s\nwant:\n%s", b, want)
	}
}

func TestUnknownEnvSuggestion(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"HVC_USER": "HVC_USERNAME", "HVC_PASWORD": "HVC_PASSWORD", "HVC_INSECUR": "HVC_INSECURE", "HVC_COMPLETELY_ELSE": ""} {
		if got := closest(in, knownEnv); got != want {
			t.Errorf("%s: %q, want %q", in, got, want)
		}
	}
}

func pemCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// TestClosestSuggestsOnlyCloseNames: the unknown-variable warning suggests
// a known name only for a likely misspelling (edit distance 2 or less, or
// the only known name it is a prefix of, or that is a prefix of it).
func TestClosestSuggestsOnlyCloseNames(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"HVC_FOO", ""},
		{"HVC_X", ""},
		{"HVC_BAR", ""},
		{"HVC_PSC", ""}, // a prefix of many: no guess
		{"HVC_USER", "HVC_USERNAME"},
		{"HVC_URI", "HVC_URL"},
		{"HVC_PASWORD", "HVC_PASSWORD"},
		{"HVC_FLAVOUR", "HVC_FLAVOR"},
		{"HVC_DEBGU", "HVC_DEBUG"},
		{"HVC_PSC_HOST", "HVC_PSC_HOSTNAME"},
		{"HVC_URLS", "HVC_URL"},
	} {
		if got := closest(c.in, knownEnv); got != c.want {
			t.Errorf("closest(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestOpErrorDropsTheSDKPrefix: an SDK error under a command's operation
// reads "wait for …: waiting for …", not "wait for …: hvc: waiting for …".
func TestOpErrorDropsTheSDKPrefix(t *testing.T) {
	t.Parallel()
	sdk := fmt.Errorf("hvc: waiting for the sync of provider p on link l: %w", context.DeadlineExceeded)
	err := op(sdk, "wait for the sync of %s/%s", "l", "p")
	want := "wait for the sync of l/p: waiting for the sync of provider p on link l: context deadline exceeded"
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Error("the cause is lost")
	}
}
