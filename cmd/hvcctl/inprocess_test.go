package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hvcsdk/hvc/simulator"
)

// runInProcess runs hvcctl's app in this process with the environment e
// and stdin, through the app's stream and environment seams.
func runInProcess(t *testing.T, e env, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{
		stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb,
		lookupEnv: func(k string) (string, bool) { v, ok := e[k]; return v, ok },
		environ:   e.list(),
		readPassword: func(string) ([]byte, error) {
			t.Error("prompted without a terminal")
			return nil, os.ErrInvalid
		},
	}
	code := a.run(context.Background(), args)
	return result{stdout: out.String(), stderr: errb.String(), code: code}
}

// TestSessionCommandsInProcess: session login, show and logout, and cert,
// run in process against the simulator; the password comes from the
// stdin seam.
func TestSessionCommandsInProcess(t *testing.T) {
	t.Parallel()
	sim, e := startSim(t)
	e = e.with("HVC_PASSWORD", "")
	r := runInProcess(t, e, simulator.DefaultAdminPassword+"\n", "session", "login", "--password-stdin", "-o", "json")
	var login struct {
		Cached       bool   `json:"cached"`
		SessionCache string `json:"session_cache"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &login) != nil || !login.Cached ||
		!strings.HasPrefix(login.SessionCache, filepath.Join(e["HVCCTL_HOME"], "sessions")) {
		t.Fatalf("session login: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runInProcess(t, e, "", "session", "show", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"valid": true`) {
		t.Errorf("session show: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runInProcess(t, e, "", "link", "ls")
	if r.code != 0 || sim.LoginCount() != 1 {
		t.Errorf("link ls on the cached session: exit %d, %d logins, stderr %q", r.code, sim.LoginCount(), r.stderr)
	}
	r = runInProcess(t, e, "", "session", "logout")
	if r.code != 0 || !strings.Contains(r.stdout, "logged out") || sim.SessionCount() != 0 {
		t.Errorf("session logout: exit %d, stdout %q, %d live sessions", r.code, r.stdout, sim.SessionCount())
	}
	r = runInProcess(t, e, "", "link", "ls")
	if r.code != exitAuth || !strings.Contains(r.stderr, "no password for") {
		t.Errorf("link ls after logout: exit %d, stderr %q", r.code, r.stderr)
	}
	r = runInProcess(t, e, "", "cert", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, sim.Thumbprint()) || !strings.Contains(r.stdout, `"known": true`) {
		t.Errorf("cert: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}
