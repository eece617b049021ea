package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hvcsdk/hvc/cmd/hvcctl/internal/conn"
)

// thumbprintOf is the thumbprint hvcctl shows for a DER certificate.
func thumbprintOf(der []byte) string { return conn.Thumbprint(der) }

// TestKnownHostsOthersCouldWriteAreRefused: a known-hosts file another
// user owns or may change is refused (exit 2, saying what to fix) before
// any password is sent, instead of deciding trust.
func TestKnownHostsOthersCouldWriteAreRefused(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, want string
		spoil      func(t *testing.T, kh string)
	}{
		{name: "world-writable", want: "lets other users change it", spoil: func(t *testing.T, kh string) {
			if err := os.Chmod(kh, 0o666); err != nil { //nolint:gosec // G302: the too-open file is what is tested
				t.Fatal(err)
			}
		}},
		{name: "another user's", want: "owned by uid 65534", spoil: func(t *testing.T, kh string) {
			if os.Getuid() != 0 {
				t.Skip("making a file of another user needs root; the unit test covers it through the owner seam")
			}
			if err := os.Chown(kh, 65534, 65534); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			sim, e := startSim(t)
			c.spoil(t, e["HVC_TLS_KNOWN_HOSTS"])
			r := mustRun(t, e, exitUsage, "link", "ls")
			if !strings.Contains(r.stderr, "refusing the known-hosts file") || !strings.Contains(r.stderr, c.want) {
				t.Errorf("stderr: %q", r.stderr)
			}
			if n := sim.LoginCount(); n != 0 {
				t.Errorf("%d logins: the password was sent", n)
			}
		})
	}
}

// TestCertAddRefusesAFileThatHidesEntries: with a known-hosts line over 64
// KiB, cert --add fails and says nothing was added, since the next command
// could not read the entry back.
func TestCertAddRefusesAFileThatHidesEntries(t *testing.T) {
	t.Parallel()
	sim, e := startSim(t)
	kh := e["HVC_TLS_KNOWN_HOSTS"]
	long := "junk " + strings.Repeat("A", 70<<10) + "\n"
	if err := os.WriteFile(kh, []byte(long), 0o600); err != nil {
		t.Fatal(err)
	}
	r := mustRun(t, e, exitUsage, "cert", "--add", "--thumbprint", sim.Thumbprint())
	if strings.Contains(r.stdout, "added") || !strings.Contains(r.stderr, "nothing was added") || !strings.Contains(r.stderr, "line 1 is longer than 64 KiB") {
		t.Errorf("cert --add: stdout %q, stderr %q", r.stdout, r.stderr)
	}
	r = mustRun(t, e, exitUsage, "link", "ls")
	if !strings.Contains(r.stderr, "line 1 is longer than 64 KiB") {
		t.Errorf("link ls: stderr %q", r.stderr)
	}
}

// TestCertAddConcurrent: 20 cert --add runs at once, each for another
// server, keep all 20 lines.
func TestCertAddConcurrent(t *testing.T) {
	t.Parallel()
	const n = 20
	kh := filepath.Join(t.TempDir(), "known_hosts")
	want := map[string]string{}
	var envs []env
	for range n {
		sim, e := startSim(t)
		host := strings.TrimPrefix(sim.URL(), "https://")
		want[host] = sim.Thumbprint()
		envs = append(envs, e.with("HVC_TLS_KNOWN_HOSTS", kh))
	}
	// Start all 20 before waiting for any (go test would run at most
	// GOMAXPROCS parallel subtests at a time).
	runAll(t, envs, func(e env) []string { return []string{"cert", strings.TrimPrefix(e["HVC_URL"], "https://"), "--add"} },
		func(r result) {
			if r.code != 0 || !strings.Contains(r.stdout, "added") {
				t.Errorf("cert --add: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
			}
		})
	b, err := os.ReadFile(kh)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	got := map[string]string{}
	for _, l := range lines {
		if f := strings.Fields(l); len(f) == 2 {
			got[f[0]] = f[1]
		}
	}
	if len(lines) != n || len(got) != n {
		t.Fatalf("%d lines survive, want %d:\n%s", len(lines), n, b)
	}
	for h, tp := range want {
		if got[h] != tp {
			t.Errorf("%s: %q, want %q", h, got[h], tp)
		}
	}
}

// TestGovcKnownHostsFallback: a host pinned only in govc's known_hosts
// ($GOVMOMI_HOME, default ~/.govmomi) is trusted; the file is only read.
func TestGovcKnownHostsFallback(t *testing.T) {
	t.Parallel()
	sim, e := startSim(t)
	line, err := os.ReadFile(e["HVC_TLS_KNOWN_HOSTS"])
	if err != nil {
		t.Fatal(err)
	}
	e = e.with("HVC_TLS_KNOWN_HOSTS", "")
	mustRun(t, e, exitTLS, "link", "ls")

	govc := filepath.Join(e["HOME"], ".govmomi")
	if err := os.MkdirAll(govc, 0o700); err != nil {
		t.Fatal(err)
	}
	kh := filepath.Join(govc, "known_hosts")
	if err := os.WriteFile(kh, line, 0o644); err != nil { //nolint:gosec // G306: govc writes it with the umask's mode
		t.Fatal(err)
	}
	mustRun(t, e, 0, "link", "ls")
	moved := t.TempDir()
	if err := os.Rename(kh, filepath.Join(moved, "known_hosts")); err != nil {
		t.Fatal(err)
	}
	mustRun(t, e, exitTLS, "link", "ls")
	mustRun(t, e.with("GOVMOMI_HOME", moved), 0, "link", "ls")
	if b, _ := os.ReadFile(filepath.Join(moved, "known_hosts")); string(b) != string(line) {
		t.Errorf("govc's file changed: %q", b)
	}
	if sim.LoginCount() == 0 {
		t.Error("no command logged in")
	}
}

// runAll starts hvcctl once per environment, all at once, waits for all
// of them and checks each result.
func runAll(t *testing.T, envs []env, args func(env) []string, check func(result)) {
	t.Helper()
	if bin == "" {
		t.Skip(buildErr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	type run struct {
		cmd      *exec.Cmd
		out, err bytes.Buffer
	}
	runs := make([]*run, len(envs))
	for i, e := range envs {
		r := &run{cmd: exec.CommandContext(ctx, bin, args(e)...)}
		r.cmd.Env = e.list()
		r.cmd.Stdout, r.cmd.Stderr = &r.out, &r.err
		if err := r.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		runs[i] = r
	}
	for _, r := range runs {
		err := r.cmd.Wait()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		transcript.Lock()
		transcript.Write(r.out.Bytes())
		transcript.Write(r.err.Bytes())
		transcript.Unlock()
		check(result{stdout: r.out.String(), stderr: r.err.String(), code: code})
	}
}
