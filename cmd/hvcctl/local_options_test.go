package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hvcsdk/hvc/cmd/hvcctl/internal/conn"
)

// connectedApp is a testApp whose connector has the settings the
// simulator environment e names (as resolveGlobals would make them), for
// unit tests of the localOptions types.
func connectedApp(e env, output string) (a *app, stdout, stderr *bytes.Buffer) {
	a, stdout, stderr = testApp(output)
	a.conn = &conn.Connector{
		Settings: conn.Settings{URL: e["HVC_URL"], Username: e["HVC_USERNAME"], KnownHosts: e["HVC_TLS_KNOWN_HOSTS"],
			Thumbprint: e["HVC_THUMBPRINT"], Home: e["HVCCTL_HOME"], Persist: true,
			Password: conn.PasswordSource{Env: e["HVC_PASSWORD"], EnvVar: "HVC_PASSWORD"}},
		Stdin: a.stdinReader, Warnf: a.warnf, Debugf: func(string, ...any) {},
	}
	return a, stdout, stderr
}

// runLocalJSON completes, validates and runs o with argv, as runLocal
// does, and decodes what it printed to stdout (the -o json of
// connectedApp) into out when it succeeds.
func runLocalJSON(t *testing.T, o localOptions, argv []string, stdout *bytes.Buffer, out any) error {
	t.Helper()
	err := prepare(o, nil, argv)
	if err == nil {
		err = o.run(context.Background())
	}
	if err == nil {
		if jerr := json.Unmarshal(stdout.Bytes(), out); jerr != nil {
			t.Fatalf("%T: stdout %q: %v", o, stdout, jerr)
		}
	}
	return err
}

// runSession runs session verb in process and decodes its JSON output.
func runSession(t *testing.T, e env, verb string) (sessionOut, error) {
	t.Helper()
	a, stdout, _ := connectedApp(e, "json")
	var out sessionOut
	err := runLocalJSON(t, &sessionOptions{app: a, verb: verb}, nil, stdout, &out)
	return out, err
}

// TestSessionOptions runs session login, show and logout as options types
// against the simulator, without the binary: login checks the password and
// caches the session, a second login logs out the one it replaces, show
// probes without logging in and reports an expired session as not valid,
// logout ends and removes it, and a second logout says there was none.
func TestSessionOptions(t *testing.T) {
	t.Parallel()
	if err := (&sessionOptions{verb: "refresh"}).validate(); err == nil {
		t.Error("validate took an unknown verb")
	}
	sim, e := startSim(t)
	out, err := runSession(t, e, "login")
	if err != nil || !out.Cached || out.Valid == nil || !*out.Valid || out.SessionCache == nil ||
		!strings.HasPrefix(*out.SessionCache, filepath.Join(e["HVCCTL_HOME"], "sessions")) {
		t.Fatalf("login: %+v, %v", out, err)
	}
	if _, err := runSession(t, e, "login"); err != nil {
		t.Fatal(err)
	}
	if l, s := sim.LoginCount(), sim.SessionCount(); l != 2 || s != 1 {
		t.Errorf("two logins: %d logins, %d live sessions; want 2 and 1", l, s)
	}
	out, err = runSession(t, e.with("HVC_PASSWORD", ""), "show")
	if err != nil || !out.Cached || out.Valid == nil || !*out.Valid || sim.LoginCount() != 2 {
		t.Errorf("show: %+v, %v, %d logins", out, err, sim.LoginCount())
	}
	sim.ExpireSessions()
	out, err = runSession(t, e, "show")
	if err != nil || !out.Cached || out.Valid == nil || *out.Valid {
		t.Errorf("show of an expired session: %+v, %v", out, err)
	}
	if _, err := runSession(t, e, "login"); err != nil {
		t.Fatal(err)
	}
	out, err = runSession(t, e, "logout")
	if err != nil || out.LoggedOut == nil || !*out.LoggedOut || sim.SessionCount() != 0 {
		t.Errorf("logout: %+v, %v, %d live sessions", out, err, sim.SessionCount())
	}
	out, err = runSession(t, e, "logout")
	if err != nil || out.LoggedOut == nil || *out.LoggedOut || out.Cached {
		t.Errorf("second logout: %+v, %v", out, err)
	}
	_, err = runSession(t, e.with("HVC_PASSWORD", "wrong-password"), "login")
	if exitCode(err) != exitAuth {
		t.Errorf("login with a wrong password: exit %d (%v)", exitCode(err), err)
	}
}

// TestCertOptions runs cert as an options type against the simulator:
// validate refuses --add without a known-hosts file before anything
// connects; the thumbprint is printed and not known in an empty file;
// --add records it once; --add with another expected thumbprint adds
// nothing and exits 60; a HOST argument in govc's user@host form is
// reduced to host:port.
func TestCertOptions(t *testing.T) {
	t.Parallel()
	sim, e := startSim(t)
	host := strings.TrimPrefix(sim.URL(), "https://")
	kh := filepath.Join(t.TempDir(), "known_hosts")
	e = e.with("HVC_TLS_KNOWN_HOSTS", kh)
	cert := func(e env, add bool, argv ...string) (certOut, error) {
		t.Helper()
		a, stdout, _ := connectedApp(e, "json")
		var out certOut
		err := runLocalJSON(t, &certOptions{app: a, add: add}, argv, stdout, &out)
		return out, err
	}

	if _, err := cert(e.with("HVC_TLS_KNOWN_HOSTS", ""), true); exitCode(err) != exitUsage || !strings.Contains(err.Error(), "no known-hosts file") {
		t.Errorf("--add without a known-hosts file: %v", err)
	}
	out, err := cert(e, false, "user:pw@"+host)
	if err != nil || out.Host != host || out.Thumbprint != sim.Thumbprint() || out.Known || out.Added || out.KnownHosts != kh {
		t.Errorf("cert HOST: %+v, %v", out, err)
	}
	wrong := strings.Repeat("AB:", 31) + "AB"
	if _, err := cert(e.with("HVC_THUMBPRINT", wrong), true); exitCode(err) != exitTLS || !strings.Contains(err.Error(), "nothing was added") {
		t.Errorf("--add of an unexpected certificate: %v", err)
	}
	if _, err := os.Stat(kh); err == nil {
		t.Error("the refused --add wrote the known-hosts file")
	}
	for i, wantAdded := range []bool{true, false} {
		out, err = cert(e.with("HVC_THUMBPRINT", sim.Thumbprint()), true)
		if err != nil || !out.Known || out.Added != wantAdded {
			t.Errorf("--add #%d: %+v, %v", i+1, out, err)
		}
	}
	if b, _ := os.ReadFile(kh); string(b) != host+" "+sim.Thumbprint()+"\n" {
		t.Errorf("known_hosts: %q", b)
	}
}
