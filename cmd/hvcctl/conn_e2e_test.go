package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hvcsdk/hvc/simulator"

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
// ($GOVMOMI_HOME, default ~/.govmomi) is trusted, unless others may change
// that file; the file is only read.
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
	// govc's file gets hvcctl's own checks: one others may change is
	// ignored with a warning saying why, and trusts nothing.
	if err := os.Chmod(kh, 0o666); err != nil { //nolint:gosec // G302: the too-open file is what is tested
		t.Fatal(err)
	}
	r := mustRun(t, e, exitTLS, "link", "ls")
	if !strings.Contains(r.stderr, "warning: ignoring govc's refusing the known-hosts file "+kh) || !strings.Contains(r.stderr, "lets other users change it") {
		t.Errorf("a world-writable govc known_hosts: stderr %q", r.stderr)
	}
	if err := os.Chmod(kh, 0o644); err != nil { //nolint:gosec // G302: govc's umask mode, as above
		t.Fatal(err)
	}
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

// TestPromptNeverEchoesUnderATypingRace: the password typed the moment its
// prompt appears is never echoed, in 100 runs on a pseudo-terminal.
func TestPromptNeverEchoesUnderATypingRace(t *testing.T) {
	t.Parallel()
	_, e := startSim(t)
	noPW := e.with("HVC_PASSWORD", "")
	for i := range 100 {
		got, code := onTerminal(t, noPW, [][2]string{{"Password for", simulator.DefaultAdminPassword + "\n"}},
			"link", "ls", "--persist-session=false")
		if code != 0 || strings.Contains(got, simulator.DefaultAdminPassword) {
			t.Fatalf("run %d: exit %d, the terminal showed %q", i, code, got)
		}
	}
}

// TestHomeNotPrivateIsRefusedNotChanged: an existing HVCCTL_HOME others
// can enter (here sticky and world-writable, like /tmp) is not used for
// the session cache, the warning says what to fix, and its mode is left
// as it was.
func TestHomeNotPrivateIsRefusedNotChanged(t *testing.T) {
	t.Parallel()
	_, e := startSim(t)
	home := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	mode := 0o777 | os.ModeSticky
	if err := os.Chmod(home, mode); err != nil {
		t.Fatal(err)
	}
	e = e.with("HVCCTL_HOME", home)
	r := mustRun(t, e, 0, "link", "ls")
	if !strings.Contains(r.stderr, "cannot keep the session cache in "+home) || !strings.Contains(r.stderr, "chmod 700 "+home) {
		t.Errorf("stderr: %q", r.stderr)
	}
	fi, err := os.Stat(home)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&(os.ModePerm|os.ModeSticky) != mode {
		t.Errorf("HVCCTL_HOME mode is now %v, was %v", fi.Mode(), mode)
	}
	if _, err := os.Stat(filepath.Join(home, "sessions")); err == nil {
		t.Error("a session cache was made in the shared directory")
	}
}

// TestStaleTempFilesAreRemoved: the temporary file a killed write left
// next to a session file (it may hold a live session id) is removed by the
// next write of that file; files with other names are left alone.
func TestStaleTempFilesAreRemoved(t *testing.T) {
	t.Parallel()
	sim, e := startSim(t)
	mustRun(t, e, 0, "link", "ls")
	dir, base := filepath.Split(onlyCacheFile(t, e))
	stale := filepath.Join(dir, "."+base+".tmp-123456")
	kept := []string{filepath.Join(dir, "."+base+".tmp-notdigits"), filepath.Join(dir, "notes.txt")}
	for _, f := range append([]string{stale}, kept...) {
		if err := os.WriteFile(f, []byte(`{"session_id":"live"}`), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	sim.ExpireSessions()
	mustRun(t, e, 0, "link", "ls") // renews the session and rewrites the file
	if _, err := os.Stat(stale); err == nil {
		t.Error("the stale temporary file is still there")
	}
	for _, f := range kept {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("%s was removed", f)
		}
	}
}

// TestLocalSecretsAndPlainHTTP: a password file others can read is refused
// (exit 2); a URL password with '/', '#', '?' or '%' is never quoted, and
// '#', '?' and a bad %-escape are errors naming HVC_PASSWORD; an http://
// URL draws a warning as --insecure does.
func TestLocalSecretsAndPlainHTTP(t *testing.T) {
	t.Parallel()
	_, e := startSim(t)
	pw := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pw, []byte(simulator.DefaultAdminPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(pw, 0o644); err != nil { //nolint:gosec // G302: the too-open file is what is tested
		t.Fatal(err)
	}
	r := mustRun(t, e.with("HVC_PASSWORD", "", "HVC_PASSWORD_FILE", pw), exitUsage, "link", "ls")
	if !strings.Contains(r.stderr, "other users can read it; run chmod 600 "+pw) {
		t.Errorf("password file 0644: stderr %q", r.stderr)
	}

	// A govc-style URL password with '/', '#', '?' or '%': no output quotes
	// any piece of it. '/' and a good %-escape are that password (the
	// simulator refuses it: exit 3); '#', '?' and a bad %-escape are usage
	// errors naming HVC_PASSWORD ('#' would otherwise make the rest of the
	// URL a fragment and change the host).
	host := strings.TrimPrefix(e["HVC_URL"], "https://")
	for _, c := range []struct {
		pass string
		code int
	}{
		{"Sec/retPw", exitAuth}, {"Sec%2FretPw", exitAuth}, {"Sec%zzretPw", exitUsage},
		{"Sec#ret?Pw", exitUsage}, {"Sec?retPw", exitUsage}, {"Sec#retPw", exitUsage}, {"Sec#@127.0.0.1:1/retPw", exitUsage},
	} {
		r = hvcctl(t, e.with("HVC_PASSWORD", "", "HVC_URL", "adm:"+c.pass+"@"+host), "", "link", "ls", "--persist-session=false")
		if r.code != c.code || (c.code == exitUsage && !strings.Contains(r.stderr, "HVC_PASSWORD")) {
			t.Errorf("URL password %q: exit %d, want %d; stderr %q", c.pass, r.code, c.code, r.stderr)
		}
		for _, piece := range []string{"Sec", "ret", "Pw"} {
			if strings.Contains(r.stdout+r.stderr, piece) {
				t.Errorf("URL password %q: the output quotes %q of it: %q", c.pass, piece, r.stdout+r.stderr)
			}
		}
	}

	r = hvcctl(t, e.with("HVC_URL", "http://127.0.0.1:1"), "", "link", "ls", "--timeout", "5s")
	if r.code == 0 || !strings.Contains(r.stderr, "warning: http://127.0.0.1:1 is plain http://") {
		t.Errorf("http:// URL: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestRacingCommandsLeaveOneSession: 8 commands started together without a
// cached session log in once and leave one live session; 8 that all find
// the cached session expired each renew it, and the losers log theirs
// out; "session login" logs out the session it replaces.
func TestRacingCommandsLeaveOneSession(t *testing.T) {
	t.Parallel()
	sim, e := startSim(t)
	envs := []env{e, e, e, e, e, e, e, e}
	ls := func(env) []string { return []string{"link", "ls"} }
	ok := func(r result) {
		if r.code != 0 {
			t.Errorf("link ls: exit %d, stderr %q", r.code, r.stderr)
		}
	}
	runAll(t, envs, ls, ok)
	if l, s := sim.LoginCount(), sim.SessionCount(); l != 1 || s != 1 {
		t.Errorf("8 commands without a cached session: %d logins, %d live sessions; want 1 and 1", l, s)
	}
	sim.ExpireSessions()
	runAll(t, envs, ls, ok)
	if s := sim.SessionCount(); s != 1 {
		t.Errorf("8 commands renewing an expired session leave %d live sessions, want 1", s)
	}
	mustRun(t, e, 0, "link", "ls")
	mustRun(t, e, 0, "session", "login")
	mustRun(t, e, 0, "session", "login")
	if s := sim.SessionCount(); s != 1 {
		t.Errorf("after two session logins %d live sessions, want 1", s)
	}
	mustRun(t, e, 0, "session", "logout")
	if s := sim.SessionCount(); s != 0 {
		t.Errorf("after session logout %d live sessions, want 0", s)
	}
}

// rewriteSessionFile applies edit to the JSON of the only session file.
func rewriteSessionFile(t *testing.T, e env, edit func(m map[string]any)) {
	t.Helper()
	file := onlyCacheFile(t, e)
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	if b, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestCachedPasswordIsCheckedByTheMAC: with a password given, a cached
// session is checked by its keyed MAC, not by re-deriving the PBKDF2
// verifier: with the verifier spoiled the session is still used (no new
// login), a wrong password still fails, an entry without a MAC gets one
// after one slow check, and without the key the verifier decides again.
func TestCachedPasswordIsCheckedByTheMAC(t *testing.T) {
	t.Parallel()
	sim, e := startSim(t)
	runtime := filepath.Join(t.TempDir(), "run")
	if err := os.Mkdir(runtime, 0o700); err != nil {
		t.Fatal(err)
	}
	e = e.with("XDG_RUNTIME_DIR", runtime)
	mustRun(t, e, 0, "link", "ls")
	key := filepath.Join(runtime, "hvcctl", "verify.key")
	if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("MAC key %s: %v, %v", key, fi, err)
	}
	var good any
	spoil := func(m map[string]any) {
		good = m["password_verifier"]
		m["password_verifier"] = map[string]any{"alg": "pbkdf2-sha256", "iterations": 100000, "salt": strings.Repeat("00", 16), "hash": strings.Repeat("00", 32)}
	}
	rewriteSessionFile(t, e, spoil)
	mustRun(t, e, 0, "link", "ls")
	if n := sim.LoginCount(); n != 1 {
		t.Errorf("logins: %d, want 1 (the MAC should have accepted the password)", n)
	}
	mustRun(t, e.with("HVC_PASSWORD", "wrong-password"), exitAuth, "link", "ls")

	// An entry without a MAC (an older file): one slow check, then a MAC.
	sim.ExpireSessions()
	mustRun(t, e, 0, "link", "ls") // renewed: a fresh entry
	logins := sim.LoginCount()
	rewriteSessionFile(t, e, func(m map[string]any) { delete(m, "password_mac"); m["password_verifier"] = good })
	mustRun(t, e, 0, "link", "ls")
	rewriteSessionFile(t, e, spoil)
	mustRun(t, e, 0, "link", "ls")
	if n := sim.LoginCount(); n != logins {
		t.Errorf("logins: %d, want %d (the MAC added after the slow check should have decided)", n, logins)
	}
	// Without the key, the (spoiled) verifier decides: a new login.
	if err := os.Remove(key); err != nil {
		t.Fatal(err)
	}
	mustRun(t, e, 0, "link", "ls")
	if n := sim.LoginCount(); n != logins+1 {
		t.Errorf("logins: %d, want %d", n, logins+1)
	}
}
