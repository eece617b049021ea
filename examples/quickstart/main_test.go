package main

import (
	"bytes"
	"context"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc"
	"github.com/hvcsdk/hvc/simulator"
)

// TestRunAgainstSimulator runs the demo exactly as `make demo` does.
func TestRunAgainstSimulator(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out bytes.Buffer
	require.NoError(t, run(ctx, &out, func(string) string { return "" }))
	s := out.String()
	for _, want := range []string{
		"simulator playing vCenter 8.0", "logged in to https://127.0.0.1:", "(flavor: api)",
		"presents certificate", "thumbprint matches the known value",
		"created link ", "-> remote.local", "starting sync of provider",
		"CHANGE_DETECTION", "COMPLETED", "sync SUCCEEDED", "deleted link ", "logged out",
	} {
		assert.Contains(t, s, want)
	}
	assert.Less(t, strings.Index(s, "created link"), strings.Index(s, "sync SUCCEEDED"))
}

// TestRunRefusesUnknownThumbprint: the demo does not link to a PSC whose
// certificate is not the known one.
func TestRunRefusesUnknownThumbprint(t *testing.T) {
	t.Parallel()
	tg, cleanup, err := configure(func(string) string { return "" })
	require.NoError(t, err)
	defer cleanup()
	tg.knownPSC = strings.Repeat("00:", 31) + "00"
	var out bytes.Buffer
	_, err = createLink(context.Background(), &out, mustClient(t, tg), tg)
	require.ErrorContains(t, err, "refusing to link")
}

func mustClient(t *testing.T, tg target) *hvc.Client {
	t.Helper()
	c, err := hvc.New(tg.url, tg.opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Logout(context.Background()) })
	return c
}

// TestRunSkipsSyncWhereThereIsNone: against a vCenter 8.0U1 (here the
// simulator playing one, reached like a real server through HVC_*), the demo
// links and unlinks and says why it skips the sync.
func TestRunSkipsSyncWhereThereIsNone(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t, simulator.WithVersion("8.0U1"))
	env := map[string]string{
		"HVC_URL": sim.URL(), "HVC_USERNAME": simulator.DefaultAdminUser, "HVC_PASSWORD": simulator.DefaultAdminPassword,
		"HVC_THUMBPRINT": sim.Thumbprint(), "HVC_PSC_HOSTNAME": simulator.DefaultForeignPSC, "HVC_PSC_DOMAIN": "remote.local",
		"HVC_PSC_USERNAME": simulator.DefaultForeignUser, "HVC_PSC_PASSWORD": simulator.DefaultForeignPassword, "HVC_PSC_THUMBPRINT": simulator.DefaultForeignThumbprint,
	}
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, func(k string) string { return env[k] }))
	s := out.String()
	assert.Contains(t, s, "skipping the sync: hvc: GET /hvc/links/link-1/sync/providers: sync providers exist in vSphere 6.7–8.0")
	assert.Contains(t, s, "deleted link link-1")
	assert.Empty(t, sim.Links())
}

// TestRunTrustsFromEnvironment: pointed at a server through HVC_URL (as
// after `. ./sim.env` from hvcctl sim or hvcsim), the demo trusts the
// certificate the way hvcctl does: by the server's line in the
// HVC_TLS_KNOWN_HOSTS file, by the CA certificates in HVC_TLS_CA_CERTS, or
// not at all with HVC_INSECURE.
func TestRunTrustsFromEnvironment(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t)
	host := strings.TrimPrefix(sim.URL(), "https://")
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	knownHosts := write("known_hosts", "# hvcctl known hosts\nother.example:443 "+strings.Repeat("00:", 31)+"00\n"+host+" "+sim.Thumbprint()+"\n")
	wrongHosts := write("wrong_hosts", host+" "+strings.Repeat("AB:", 31)+"AB\n")
	caCerts := write("ca.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: sim.Certificate().Raw})))
	for _, tc := range []struct {
		name    string
		trust   map[string]string
		wantErr string
	}{
		{"known hosts", map[string]string{"HVC_TLS_KNOWN_HOSTS": knownHosts}, ""},
		{"ca certs", map[string]string{"HVC_TLS_CA_CERTS": caCerts}, ""},
		{"insecure", map[string]string{"HVC_INSECURE": "true"}, ""},
		{"known hosts mismatch", map[string]string{"HVC_TLS_KNOWN_HOSTS": wrongHosts}, "login"},
		{"nothing", map[string]string{}, "login"},
		{"missing ca file", map[string]string{"HVC_TLS_CA_CERTS": filepath.Join(dir, "none.pem")}, "HVC_TLS_CA_CERTS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{
				"HVC_URL": sim.URL(), "HVC_USERNAME": simulator.DefaultAdminUser, "HVC_PASSWORD": simulator.DefaultAdminPassword,
				"HVC_PSC_HOSTNAME": simulator.DefaultForeignPSC, "HVC_PSC_DOMAIN": "foreign-" + strings.ReplaceAll(tc.name, " ", "-") + ".local",
				"HVC_PSC_USERNAME": simulator.DefaultForeignUser, "HVC_PSC_PASSWORD": simulator.DefaultForeignPassword,
				"HVC_PSC_THUMBPRINT": simulator.DefaultForeignThumbprint,
			}
			for k, v := range tc.trust {
				env[k] = v
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			var out bytes.Buffer
			err := run(ctx, &out, func(k string) string { return env[k] })
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err, out.String())
			assert.Contains(t, out.String(), "sync SUCCEEDED")
		})
	}
}
