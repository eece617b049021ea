package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hvcsdk/hvc/simulator"
)

// TestGolden runs every command, in table and JSON form (a few in YAML),
// against one simulator in a fixed order and compares stdout, stderr and
// the exit code with golden files. Syncs advance one stage per read, so the
// progress lines are deterministic too. A step that changes state runs its
// JSON form on a second object (jsonArgs) so that both forms do the same.
func TestGolden(t *testing.T) {
	t.Parallel()
	// vCenter 8.0 (the default) has sync providers; 8.0U1 has links get
	// and delete with credentials instead.
	sim, e := startSim(t, simulator.WithSyncStepPerPoll())
	sim2, e2 := startSim(t, simulator.WithVersion("8.0U1"))
	mustRun(t, e2, 0, "link", "create")
	mustRun(t, e2, 0, "link", "create", "--psc-domain", "two.local")
	emptyKH := filepath.Join(t.TempDir(), "empty_known_hosts")
	if err := os.WriteFile(emptyKH, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	type step struct {
		name     string
		env      env
		args     []string
		jsonArgs []string // default: args
		code     int
		formats  []string // default: table and json
	}
	const wait = "--poll-interval=10ms"
	const pscUser = "administrator@foreign.local"
	steps := []step{
		{name: "version", args: []string{"version"}},
		{name: "link-ls-empty", args: []string{"link", "ls"}},
		{name: "link-create", args: []string{"link", "create", "--admin-group", "Ops@foreign.local"},
			jsonArgs: []string{"link", "create", "--psc-domain", "json.local"}},
		{name: "link-create-exists", args: []string{"link", "create"}, code: exitAlreadyExists},
		{name: "link-create-untrusted-psc", env: e.with("HVC_PSC_THUMBPRINT", "", "HVC_PSC_DOMAIN", "third.local"), args: []string{"link", "create"}, code: exitTLS},
		{name: "link-create-more", args: []string{"link", "create", "--psc-domain", "c.local"}, jsonArgs: []string{"link", "create", "--psc-domain", "d.local"}},
		{name: "link-ls", args: []string{"link", "ls"}, formats: []string{"table", "json", "yaml"}},
		{name: "link-get", env: e2, args: []string{"link", "get", "link-1"}, formats: []string{"table", "json", "yaml"}},
		{name: "link-get-missing", env: e2, args: []string{"link", "get", "link-9"}, code: exitNotFound, formats: []string{"table", "json", "yaml"}},
		{name: "link-get-unavailable", args: []string{"link", "get", "link-1"}, code: exitUnavailable},
		{name: "sync-ls", args: []string{"sync", "ls", "link-1"}},
		{name: "sync-get", args: []string{"sync", "get", "link-1", "identity"}, formats: []string{"table", "json", "yaml"}},
		{name: "sync-start", args: []string{"sync", "start", "link-1", "identity"}, jsonArgs: []string{"sync", "start", "link-2", "identity"}},
		{name: "sync-start-busy", args: []string{"sync", "start", "link-1", "identity"}, jsonArgs: []string{"sync", "start", "link-2", "identity"}, code: exitBusy},
		{name: "sync-wait", args: []string{"sync", "wait", "link-1", "identity", wait}, jsonArgs: []string{"sync", "wait", "link-2", "identity", wait}},
		{name: "sync-start-wait", args: []string{"sync", "start", "link-1", "authorization", "--wait", wait},
			jsonArgs: []string{"sync", "start", "link-2", "authorization", "--wait", wait}},
		{name: "sync-start-unknown-provider", args: []string{"sync", "start", "link-1", "identity", "nosuch"}, code: exitNotFound},
		{name: "sync-start-creds-rejected", args: []string{"sync", "start", "link-1", "identity", "--psc-user", pscUser}, code: exitError},
		{name: "sync-ls-unavailable", env: e2, args: []string{"sync", "ls", "link-1"}, code: exitUnavailable},
		{name: "sync-get-after", args: []string{"sync", "get", "link-1", "authorization"}},
		{name: "sync-reset", args: []string{"sync", "reset", "link-1", "--yes"}},
		{name: "sync-reset-no-yes", args: []string{"sync", "reset", "link-1"}, code: exitUsage},
		{name: "admin-ls", args: []string{"admin", "ls"}, formats: []string{"table", "json", "yaml"}},
		{name: "admin-add", args: []string{"admin", "add", "Ops@vsphere.local"}, jsonArgs: []string{"admin", "add", "Ops2@vsphere.local"}},
		{name: "admin-rm", args: []string{"admin", "rm", "Ops@vsphere.local"}, jsonArgs: []string{"admin", "rm", "Ops2@vsphere.local"}},
		{name: "admin-set", args: []string{"admin", "set", "Administrators@vsphere.local", "HvcAdmins@vsphere.local", "--yes"}},
		{name: "admin-rm-absent", args: []string{"admin", "rm", "Nobody@vsphere.local"}, code: exitNotFound},
		{name: "admin-set-conflict", args: []string{"admin", "set", "Ops@vsphere.local", "--none"}, code: exitUsage},
		{name: "admin-set-no-yes", args: []string{"admin", "set", "Nobody@vsphere.local"}, code: exitUsage},
		{name: "session-login", args: []string{"session", "login"}},
		{name: "session-show", args: []string{"session", "show"}},
		{name: "session-logout", args: []string{"session", "logout"}, formats: []string{"table"}},
		{name: "session-show-none", args: []string{"session", "show"}},
		{name: "session-logout-none", args: []string{"session", "logout"}},
		{name: "cert", args: []string{"cert"}},
		{name: "cert-add-wrong", env: e.with("HVC_TLS_KNOWN_HOSTS", emptyKH), args: []string{"cert", "--add", "--thumbprint", strings.Repeat("AB:", 31) + "AB"}, code: exitTLS},
		{name: "untrusted", env: e.with("HVC_TLS_KNOWN_HOSTS", emptyKH), args: []string{"link", "ls"}, code: exitTLS},
		{name: "wrong-password", env: e.with("HVC_PASSWORD", "not-the-password"), args: []string{"link", "ls"}, code: exitAuth},
		{name: "read-only-user", env: e.with("HVC_USERNAME", simulator.DefaultReadOnlyUser, "HVC_PASSWORD", simulator.DefaultReadOnlyPassword),
			args: []string{"admin", "add", "X@vsphere.local"}, code: exitAuth},
		{name: "no-url", env: e.with("HVC_URL", ""), args: []string{"link", "ls"}, code: exitUsage},
		{name: "usage-args", args: []string{"link", "get"}, code: exitUsage},
		{name: "usage-flag", args: []string{"link", "ls", "--no-such-flag"}, code: exitUsage},
		{name: "usage-subcommand", args: []string{"sync", "frob"}, code: exitUsage},
		{name: "usage-misspelled-command", args: []string{"lnk", "ls"}, code: exitUsage},
		{name: "usage-no-subcommand", args: []string{"admin"}, code: exitUsage, formats: []string{"table"}},
		{name: "link-rm-no-yes", args: []string{"link", "rm", "link-3"}, code: exitUsage},
		{name: "link-rm", args: []string{"link", "rm", "link-3", "--yes"}, jsonArgs: []string{"link", "rm", "link-4", "--yes"}},
		{name: "link-rm-creds", env: e2, args: []string{"link", "rm", "link-1", "--yes", "--psc-user", pscUser},
			jsonArgs: []string{"link", "rm", "link-2", "--yes", "--psc-user", pscUser}},
		{name: "link-rm-creds-unavailable", args: []string{"link", "rm", "link-1", "--yes", "--psc-user", pscUser}, code: exitUnavailable},
		{name: "link-ls-after", args: []string{"link", "ls"}},
	}
	for _, s := range steps {
		formats := s.formats
		if formats == nil {
			formats = []string{"table", "json"}
		}
		for _, format := range formats {
			se, ss := e, sim
			if s.env != nil {
				se = s.env
			}
			if se["HVC_URL"] == sim2.URL() {
				ss = sim2
			}
			args := s.args
			if format == "json" && s.jsonArgs != nil {
				args = s.jsonArgs
			}
			args = append(append([]string{}, args...), "-o", format)
			r := hvcctl(t, se, "", args...)
			if r.code != s.code {
				t.Errorf("%s (%s): exit %d, want %d\nstderr: %s", s.name, format, r.code, s.code, r.stderr)
			}
			got := fmt.Sprintf("$ hvcctl %s\n[exit %d]\n--- stdout\n%s--- stderr\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
			golden(t, s.name+"."+format, normalize(got, ss, se))
		}
	}
}
