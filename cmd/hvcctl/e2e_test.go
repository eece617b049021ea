package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hvcsdk/hvc/simulator"
)

// cacheFiles returns the session files of an environment's HVCCTL_HOME.
func cacheFiles(t *testing.T, e env) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(e["HVCCTL_HOME"], "sessions", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// onlyCacheFile is the session file of e's HVCCTL_HOME; the test fails
// unless there is exactly one.
func onlyCacheFile(t *testing.T, e env) string {
	t.Helper()
	files := cacheFiles(t, e)
	if len(files) != 1 {
		t.Fatalf("want 1 session file, got %v", files)
	}
	return files[0]
}

// cachedSessionID reads the session id of the only cache file.
func cachedSessionID(t *testing.T, e env) string {
	t.Helper()
	f := onlyCacheFile(t, e)
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		SessionID string `json:"session_id"`
	}
	if err := json.Unmarshal(b, &c); err != nil || c.SessionID == "" {
		t.Fatalf("session file %s: %v %q", f, err, b)
	}
	return c.SessionID
}

func TestSessionCacheFileModesAndReuse(t *testing.T) {
	t.Parallel()
	sim, e := startSim(t)
	mustRun(t, e, 0, "link", "ls")
	mustRun(t, e, 0, "admin", "ls")
	if n := sim.LoginCount(); n != 1 {
		t.Errorf("two commands logged in %d times, want 1 (the session is reused)", n)
	}
	for _, c := range []struct {
		path string
		mode os.FileMode
	}{{e["HVCCTL_HOME"], 0o700}, {filepath.Join(e["HVCCTL_HOME"], "sessions"), 0o700}} {
		fi, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != c.mode {
			t.Errorf("%s: mode %o, want %o", c.path, fi.Mode().Perm(), c.mode)
		}
	}
	file := onlyCacheFile(t, e)
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("session file mode %o, want 600", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(file)
	if bytes.Contains(b, []byte(simulator.DefaultAdminPassword)) {
		t.Error("the session file holds the password")
	}
	// The session expires on the server: the next command renews it once and
	// rewrites the cache.
	old := cachedSessionID(t, e)
	sim.ExpireSessions()
	mustRun(t, e, 0, "link", "ls")
	if n := sim.LoginCount(); n != 2 {
		t.Errorf("logins after expiry: %d, want 2", n)
	}
	if cachedSessionID(t, e) == old {
		t.Error("the renewed session was not cached")
	}
	// A session file readable by others is not used.
	if err := os.Chmod(file, 0o644); err != nil { //nolint:gosec // G302: a too-open file is what is tested
		t.Fatal(err)
	}
	r := mustRun(t, e, 0, "link", "ls")
	if !strings.Contains(r.stderr, "readable by others") || sim.LoginCount() != 3 {
		t.Errorf("a 0644 session file was used; logins %d, stderr %q", sim.LoginCount(), r.stderr)
	}
}

func TestWrongPasswordWithCachedSessionFails(t *testing.T) {
	t.Parallel()
	sim, e := startSim(t)
	mustRun(t, e, 0, "session", "login")
	before := cachedSessionID(t, e)
	r := mustRun(t, e.with("HVC_PASSWORD", "wrong-password"), exitAuth, "link", "ls")
	if !strings.Contains(r.stderr, "UNAUTHENTICATED") {
		t.Errorf("stderr: %q", r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("stdout: %q", r.stdout)
	}
	// The right password still uses the cached session without a login.
	logins := sim.LoginCount()
	mustRun(t, e, 0, "link", "ls")
	if sim.LoginCount() != logins || cachedSessionID(t, e) != before {
		t.Error("the right password did not reuse the cached session")
	}
	// Without any password the cached session is the credential...
	mustRun(t, e.with("HVC_PASSWORD", ""), 0, "link", "ls")
	// ...and another user never gets it.
	r = mustRun(t, e.with("HVC_USERNAME", simulator.DefaultReadOnlyUser, "HVC_PASSWORD", ""), exitAuth, "link", "ls")
	if !strings.Contains(r.stderr, "no password for "+simulator.DefaultReadOnlyUser) {
		t.Errorf("stderr: %q", r.stderr)
	}
	// An expired session with no password to renew it: exit 3, and a hint.
	sim.ExpireSessions()
	r = mustRun(t, e.with("HVC_PASSWORD", ""), exitAuth, "link", "ls")
	if !strings.Contains(r.stderr, "session login") || len(cacheFiles(t, e)) != 0 {
		t.Errorf("expired cached session: stderr %q, files %v", r.stderr, cacheFiles(t, e))
	}
}

func TestNoTerminalNoPrompt(t *testing.T) {
	t.Parallel()
	_, e := startSim(t)
	cases := []struct {
		name string
		env  env
		args []string
		code int
		want string
	}{
		{"no password", e.with("HVC_PASSWORD", ""), []string{"link", "ls"}, exitAuth, "set HVC_PASSWORD or HVC_PASSWORD_FILE, pass --password-stdin"},
		{"no PSC password", e.with("HVC_PSC_PASSWORD", ""), []string{"link", "create"}, exitAuth, "set HVC_PSC_PASSWORD or HVC_PSC_PASSWORD_FILE"},
		{"no PSC thumbprint", e.with("HVC_PSC_THUMBPRINT", ""), []string{"link", "create"}, exitTLS, "pass --psc-thumbprint " + simulator.DefaultForeignThumbprint},
		{"link rm", e, []string{"link", "rm", "link-1"}, exitUsage, "pass --yes"},
		{"sync reset", e, []string{"sync", "reset", "link-1"}, exitUsage, "pass --yes"},
		{"admin set", e, []string{"admin", "set", "A@b"}, exitUsage, "pass --yes"},
		{"session login", e.with("HVC_PASSWORD", ""), []string{"session", "login"}, exitAuth, "no terminal to prompt on"},
	}
	for _, c := range cases {
		r := hvcctl(t, c.env, "y\n", c.args...)
		if r.code != c.code || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%s: exit %d (want %d), stderr %q, want it to contain %q", c.name, r.code, c.code, r.stderr, c.want)
		}
		if strings.Contains(r.stderr, "[y/N]") || strings.Contains(r.stderr, "Password for") {
			t.Errorf("%s: prompted without a terminal: %q", c.name, r.stderr)
		}
	}
}

func TestPasswordSources(t *testing.T) {
	t.Parallel()
	_, e := startSim(t)
	noPW := e.with("HVC_PASSWORD", "")
	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte(simulator.DefaultAdminPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Each run skips the cache so that the password is really used.
	r := hvcctl(t, noPW, simulator.DefaultAdminPassword+"\n", "link", "ls", "--password-stdin", "--persist-session=false")
	if r.code != 0 {
		t.Errorf("--password-stdin: exit %d: %s", r.code, r.stderr)
	}
	mustRun(t, noPW.with("HVC_PASSWORD_FILE", pwFile), 0, "link", "ls", "--persist-session=false")
	mustRun(t, noPW, 0, "link", "ls", "--password-file", pwFile, "--persist-session=false")
	r = mustRun(t, e.with("HVC_PASSWORD_FILE", pwFile), exitUsage, "link", "ls")
	if !strings.Contains(r.stderr, "both HVC_PASSWORD and HVC_PASSWORD_FILE") {
		t.Errorf("stderr: %q", r.stderr)
	}
	// A password in --url is refused: it would show in ps.
	host := strings.TrimPrefix(e["HVC_URL"], "https://")
	r = mustRun(t, noPW, exitUsage, "link", "ls", "--url", "administrator@vsphere.local:x@"+host)
	if !strings.Contains(r.stderr, "--url must not carry a password") || strings.Contains(r.stderr, ":x@") {
		t.Errorf("stderr: %q", r.stderr)
	}
	// No password flag exists at all.
	mustRun(t, noPW, exitUsage, "link", "ls", "--password", "x")
}

func TestGovcEnvironmentAndPrecedence(t *testing.T) {
	t.Parallel()
	sim, e := startSim(t)
	host := strings.TrimPrefix(sim.URL(), "https://")
	// A govc user's environment: credentials in GOVC_URL with /sdk,
	// GOVC_TLS_KNOWN_HOSTS.
	govc := env{"HOME": e["HOME"], "HVCCTL_HOME": e["HVCCTL_HOME"],
		"GOVC_URL":             "administrator@vsphere.local:" + simulator.DefaultAdminPassword + "@" + host + "/sdk",
		"GOVC_TLS_KNOWN_HOSTS": e["HVC_TLS_KNOWN_HOSTS"]}
	mustRun(t, govc, 0, "link", "ls", "--persist-session=false")
	// GOVC_USERNAME/GOVC_PASSWORD with a bare host:port, and GOVC_INSECURE.
	govc2 := env{"HOME": e["HOME"], "HVCCTL_HOME": e["HVCCTL_HOME"], "GOVC_URL": host,
		"GOVC_USERNAME": simulator.DefaultAdminUser, "GOVC_PASSWORD": simulator.DefaultAdminPassword, "GOVC_INSECURE": "1"}
	r := mustRun(t, govc2, 0, "link", "ls", "--persist-session=false")
	if !strings.Contains(r.stderr, "verification of "+host+" is disabled") {
		t.Errorf("no --insecure warning: %q", r.stderr)
	}
	// HVC_* beats GOVC_*, flags beat both.
	mustRun(t, e.with("GOVC_URL", "https://127.0.0.1:1"), 0, "link", "ls")
	mustRun(t, e.with("HVC_URL", "https://127.0.0.1:1"), 0, "link", "ls", "--url", sim.URL())
	mustRun(t, e.with("HVC_INSECURE", "true"), 0, "cert", "--insecure=false")
	// An unknown HVC_* variable is named, with the likely intended one.
	r = mustRun(t, e.with("HVC_USER", "x"), 0, "version")
	if !strings.Contains(r.stderr, "unknown environment variable HVC_USER is ignored (did you mean HVC_USERNAME?)") {
		t.Errorf("stderr: %q", r.stderr)
	}
	r = mustRun(t, e.with("HVC_INSECURE", "yes-please"), exitUsage, "link", "ls")
	if !strings.Contains(r.stderr, "HVC_INSECURE") {
		t.Errorf("stderr: %q", r.stderr)
	}
}

func TestUnwritableHomeWarnsOnce(t *testing.T) {
	t.Parallel()
	_, e := startSim(t)
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	r := mustRun(t, e.with("HVCCTL_HOME", file), 0, "link", "ls")
	if n := strings.Count(r.stderr, "continuing without it"); n != 1 {
		t.Errorf("want one warning, got %d: %q", n, r.stderr)
	}
}

func TestPersistSessionFalseLogsOut(t *testing.T) {
	t.Parallel()
	sim, e := startSim(t)
	mustRun(t, e, 0, "link", "ls", "--persist-session=false")
	if n := sim.SessionCount(); n != 0 {
		t.Errorf("%d sessions left open", n)
	}
	if f := cacheFiles(t, e); len(f) != 0 {
		t.Errorf("session files written: %v", f)
	}
	mustRun(t, e.with("HVC_PERSIST_SESSION", "0"), 0, "admin", "ls")
	if n := sim.SessionCount(); n != 0 {
		t.Errorf("HVC_PERSIST_SESSION=0: %d sessions left open", n)
	}
}

func TestExitCodesOfServerErrors(t *testing.T) {
	t.Parallel()
	sim, e := startSim(t)
	mustRun(t, e, 0, "link", "create")
	// vCenter 8.0 has no links get: exit 7, naming the releases that do.
	r := mustRun(t, e, exitUnavailable, "link", "get", "link-1")
	if !strings.Contains(r.stderr, "8.0U1") {
		t.Errorf("stderr: %q", r.stderr)
	}
	// -o json: a type of its own, so that a script keyed on error_type
	// does not take it for a missing object; the server's type stays.
	r = mustRun(t, e, exitUnavailable, "link", "get", "link-1", "-o", "json")
	var je struct {
		Error struct {
			ErrorType       string `json:"error_type"`
			ServerErrorType string `json:"server_error_type"`
			StatusCode      int    `json:"status_code"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(r.stderr), &je); err != nil {
		t.Fatalf("%v: %q", err, r.stderr)
	}
	if je.Error.ErrorType != "OPERATION_UNAVAILABLE" || je.Error.ServerErrorType != "NOT_FOUND" || je.Error.StatusCode != 404 {
		t.Errorf("unavailable operation in JSON: %+v", je.Error)
	}
	if _, err := sim.AddFault(simulator.Fault{Method: "GET", Path: "/hvc/management/administrators", Latency: 5 * time.Second}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r = mustRun(t, e, exitTimeout, "admin", "ls", "--timeout", "300ms")
	if time.Since(start) > 4*time.Second {
		t.Errorf("--timeout did not bound the command: %v", time.Since(start))
	}
	if !strings.Contains(r.stderr, "deadline") {
		t.Errorf("stderr: %q", r.stderr)
	}
}

func TestSIGINTDuringSyncWait(t *testing.T) {
	t.Parallel()
	if bin == "" {
		t.Skip(buildErr)
	}
	sim, e := startSim(t, simulator.WithSyncDuration(time.Minute))
	mustRun(t, e, 0, "link", "create")
	mustRun(t, e, 0, "sync", "start", "link-1", "identity")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "sync", "wait", "link-1", "identity", "--poll-interval", "50ms")
	cmd.Env = e.list()
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(stderr)
	first, err := br.ReadString('\n')
	if err != nil || !strings.Contains(first, "link-1/identity: CHANGE_DETECTION") {
		t.Fatalf("first progress line %q, %v", first, err)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(br)
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted {
		t.Fatalf("exit: %v, want %d; stderr %q", err, exitInterrupted, rest)
	}
	if !strings.Contains(string(rest), "resume with: hvcctl sync wait link-1 identity") {
		t.Errorf("stderr: %q", rest)
	}
	// The sync goes on on the server.
	r := mustRun(t, e, 0, "sync", "get", "link-1", "identity", "-o", "json")
	if !strings.Contains(r.stdout, `"stage": "CHANGE_`) {
		t.Errorf("sync no longer running: %s", r.stdout)
	}
	_ = sim
}

func TestSimCommand(t *testing.T) {
	t.Parallel()
	e, stop := simProcess(t)
	want := []string{"HVC_URL", "HVC_USERNAME", "HVC_PASSWORD", "HVC_READONLY_USERNAME", "HVC_READONLY_PASSWORD",
		"HVC_TLS_KNOWN_HOSTS", "HVC_PSC_HOSTNAME", "HVC_PSC_DOMAIN", "HVC_PSC_USERNAME", "HVC_PSC_PASSWORD", "HVC_PSC_THUMBPRINT"}
	for _, k := range want {
		if e[k] == "" {
			t.Errorf("sim did not export %s", k)
		}
	}
	// After the exports, every command works without a flag.
	mustRun(t, e, 0, "link", "create")
	r := mustRun(t, e, 0, "sync", "start", "link-1", "identity", "--wait", "--poll-interval", "20ms")
	if !strings.Contains(r.stdout, "SUCCEEDED") {
		t.Errorf("sync: %q", r.stdout)
	}
	mustRun(t, e, 0, "link", "rm", "link-1", "--yes")
	stop()
	if _, err := os.Stat(e["HVC_TLS_KNOWN_HOSTS"]); !os.IsNotExist(err) {
		t.Errorf("sim left its known-hosts file behind: %v", err)
	}
}

// TestNoSecretInAnyOutput runs the commands that handle secrets with
// --debug and scans every byte they write for the passwords and session
// ids used, and the session files after each command for the passwords.
func TestNoSecretInAnyOutput(t *testing.T) {
	t.Parallel()
	// 8.0U1: links get and delete with credentials exist; a sync start with
	// credentials still sends them (and gets 404).
	sim, e := startSim(t, simulator.WithVersion("8.0U1"))
	e = e.with("HVC_DEBUG", "1")
	var all bytes.Buffer
	var ids []string
	run := func(e env, want int, args ...string) {
		r := mustRun(t, e, want, args...)
		all.WriteString(r.stdout)
		all.WriteString(r.stderr)
		for _, f := range cacheFiles(t, e) {
			b, _ := os.ReadFile(f)
			var c struct {
				SessionID string `json:"session_id"`
			}
			if json.Unmarshal(b, &c) == nil && c.SessionID != "" && !slices.Contains(ids, c.SessionID) {
				ids = append(ids, c.SessionID)
			}
			for _, s := range []string{simulator.DefaultAdminPassword, pscPassword, "Wrong-Secret!1"} {
				if bytes.Contains(b, []byte(s)) {
					t.Errorf("%s contains the secret %q", f, s)
				}
			}
		}
	}
	run(e, 0, "session", "login")
	run(e, 0, "link", "create", "--admin-group", "Ops@foreign.local")
	run(e, exitAlreadyExists, "link", "create")
	run(e, 0, "link", "ls", "-o", "json")
	run(e, 0, "link", "get", "link-1", "-o", "json")
	run(e, exitUnavailable, "sync", "start", "link-1", "identity", "--wait", "--psc-user", "administrator@foreign.local", "--poll-interval", "20ms")
	run(e.with("HVC_PASSWORD", "Wrong-Secret!1"), exitAuth, "link", "ls")
	run(e.with("HVC_PASSWORD", "Wrong-Secret!1"), exitAuth, "link", "ls", "-o", "json")
	sim.ExpireSessions()
	run(e, 0, "admin", "ls") // renews the session
	run(e, 0, "session", "show")
	run(e, 0, "link", "rm", "link-1", "--yes", "--psc-user", "administrator@foreign.local")
	run(e, 0, "link", "ls", "--persist-session=false")
	run(e, 0, "session", "logout")
	if len(ids) < 2 {
		t.Fatalf("saw %d session ids, want the first and the renewed one", len(ids))
	}
	if !strings.Contains(all.String(), "hvc: http exchange") {
		t.Fatal("--debug wrote no request log")
	}
	secrets := append([]string{simulator.DefaultAdminPassword, pscPassword, "Wrong-Secret!1", "Basic "}, ids...)
	for _, s := range secrets {
		if bytes.Contains(all.Bytes(), []byte(s)) {
			t.Errorf("output contains the secret %q", s)
		}
	}
}

func TestCompletionOfLinksAndProviders(t *testing.T) {
	t.Parallel()
	_, e := startSim(t)
	mustRun(t, e, 0, "link", "create")
	r := mustRun(t, e, 0, "__complete", "sync", "get", "")
	if !strings.Contains(r.stdout, "link-1\tforeign.local") {
		t.Errorf("links: %q", r.stdout)
	}
	r = mustRun(t, e, 0, "__complete", "sync", "get", "link-1", "")
	if !strings.Contains(r.stdout, "identity\nauthorization\n") {
		t.Errorf("providers: %q", r.stdout)
	}
	// Without credentials completion offers nothing and does not block.
	r = mustRun(t, e.with("HVC_PASSWORD", "", "HVCCTL_HOME", t.TempDir()), 0, "__complete", "link", "get", "")
	if strings.Contains(r.stdout, "link-1") {
		t.Errorf("completion without credentials: %q", r.stdout)
	}
}

func TestTrustSources(t *testing.T) {
	t.Parallel()
	sim, e := startSim(t)
	noKH := e.with("HVC_TLS_KNOWN_HOSTS", filepath.Join(t.TempDir(), "none"), "HVC_PERSIST_SESSION", "false")
	// A CA file that holds the simulator's certificate.
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pemCert(sim.Certificate().Raw), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, noKH.with("HVC_TLS_CA_CERTS", ca), 0, "link", "ls")
	// A pinned thumbprint, right and wrong.
	mustRun(t, noKH.with("HVC_THUMBPRINT", sim.Thumbprint()), 0, "link", "ls")
	wrong := strings.Repeat("AB:", 31) + "AB"
	r := mustRun(t, noKH, exitTLS, "link", "ls", "--thumbprint", wrong)
	if !strings.Contains(r.stderr, "has thumbprint "+sim.Thumbprint()+", not the expected "+wrong) {
		t.Errorf("stderr: %q", r.stderr)
	}
	// The printed trust command works as printed, then plain commands do.
	r = mustRun(t, noKH, exitTLS, "link", "ls")
	_, cmdline, ok := strings.Cut(r.stderr, "trust it with: hvcctl ")
	if !ok {
		t.Fatalf("no trust command in %q", r.stderr)
	}
	cmdline, _, _ = strings.Cut(cmdline, "\n")
	mustRun(t, noKH, 0, strings.Fields(cmdline)...)
	mustRun(t, noKH, 0, "link", "ls")
	// A CA file next to a known-hosts entry or a pin: the pin decides, and
	// the CA file is not passed along (the SDK refuses both at once).
	mustRun(t, noKH.with("HVC_TLS_CA_CERTS", ca), 0, "link", "ls")
	mustRun(t, noKH.with("HVC_TLS_CA_CERTS", ca, "HVC_THUMBPRINT", sim.Thumbprint()), 0, "link", "ls")
	// --insecure and a pin exclude each other.
	mustRun(t, noKH, exitUsage, "link", "ls", "-k", "--thumbprint", wrong)
	// The null device as the known-hosts file pins nothing: the certificate
	// is not trusted (exit 60), and cert --add adds nothing to it.
	null := noKH.with("HVC_TLS_KNOWN_HOSTS", os.DevNull)
	if r := mustRun(t, null, exitTLS, "link", "ls"); !strings.Contains(r.stderr, "trust it with: hvcctl cert") {
		t.Errorf("%s: stderr %q", os.DevNull, r.stderr)
	}
	if r := mustRun(t, null, exitUsage, "cert", "--add"); !strings.Contains(r.stderr, "nothing was added: refusing the known-hosts file "+os.DevNull+": it is the null device") {
		t.Errorf("cert --add to %s: stderr %q", os.DevNull, r.stderr)
	}
}

func TestLinkCreateWithPSCCertificateFile(t *testing.T) {
	t.Parallel()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "psc2.example"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(der)
	tp := strings.ToUpper(hex.EncodeToString(sum[:]))
	certFile := filepath.Join(t.TempDir(), "psc.pem")
	if err := os.WriteFile(certFile, pemCert(der), 0o600); err != nil {
		t.Fatal(err)
	}
	// vSphere 9.0 takes the certificate as ssl_certificate.
	_, e := startSim(t, simulator.WithVersion("9.0"), simulator.WithForeignPSCCertificate("psc2.example", string(pemCert(der))))
	e = e.with("HVC_PSC_THUMBPRINT", "")
	mustRun(t, e, 0, "link", "create", "--psc-host", "psc2.example", "--psc-certificate", certFile)
	// The default PSC presents another certificate: refused, exit 60.
	r := mustRun(t, e, exitTLS, "link", "create", "--psc-domain", "other.local", "--psc-certificate", certFile)
	if !strings.Contains(r.stderr, "not the expected "+thumbprintOf(der)) {
		t.Errorf("stderr: %q", r.stderr)
	}
	// 8.0 predates ssl_certificate: the error says which thumbprint to pass.
	_, e80 := startSim(t, simulator.WithForeignPSC("psc2.example", tp))
	r = mustRun(t, e80.with("HVC_PSC_THUMBPRINT", ""), exitError, "link", "create", "--psc-host", "psc2.example", "--psc-certificate", certFile)
	if !strings.Contains(r.stderr, "pass --psc-thumbprint "+thumbprintOf(der)) {
		t.Errorf("stderr: %q", r.stderr)
	}
	mustRun(t, e80, 0, "link", "create", "--psc-host", "psc2.example", "--psc-thumbprint", thumbprintOf(der))
}

func TestFailedSyncExitsOneWithState(t *testing.T) {
	t.Parallel()
	_, e := startSim(t, simulator.WithFailingProvider("authorization"))
	mustRun(t, e, 0, "link", "create")
	r := mustRun(t, e, exitError, "sync", "start", "link-1", "identity", "authorization", "--wait", "--poll-interval", "10ms", "-o", "json")
	var out []providerOut
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || len(out) != 2 {
		t.Fatalf("stdout %q: %v", r.stdout, err)
	}
	if out[0].Status != "SUCCEEDED" || out[1].Status != "FAILED" || out[1].CurrentSessionInfo == nil || out[1].CurrentSessionInfo.Exception == nil {
		t.Errorf("final states: %+v", out)
	}
	if !strings.Contains(r.stderr, `"exit_code": 1`) || !strings.Contains(r.stderr, "authorization") {
		t.Errorf("stderr: %q", r.stderr)
	}
	// The progress lines end each sync the same way, failed or not.
	for _, want := range []string{"link-1/identity: sync ended: SUCCEEDED\n", "link-1/authorization: sync ended: FAILED\n"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr has no line ending in %q: %q", want, r.stderr)
		}
	}
}

func TestForcedFlavorOnOldVCenter(t *testing.T) {
	t.Parallel()
	_, e := startSim(t, simulator.WithVersion("7.0"))
	r := mustRun(t, e, exitUsage, "link", "ls", "--flavor", "api")
	if !strings.Contains(r.stderr, "use --flavor auto or --flavor rest") {
		t.Errorf("stderr: %q", r.stderr)
	}
	mustRun(t, e, 0, "link", "ls")
	mustRun(t, e.with("HVC_FLAVOR", "rest"), 0, "admin", "ls")
}

// TestGroupWithoutKnownSubcommandIsUsageError: a group command with an
// unknown or no subcommand is a usage error (exit 2), as an unknown
// top-level command is, and names the subcommands.
func TestGroupWithoutKnownSubcommandIsUsageError(t *testing.T) {
	t.Parallel()
	e := env{"HOME": t.TempDir(), "HVCCTL_HOME": t.TempDir()}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"bogus"}, `unknown command "bogus"`},
		{[]string{"link", "bogus"}, `unknown command "bogus" for "hvcctl link"`},
		{[]string{"sync", "frob"}, `unknown command "frob" for "hvcctl sync"`},
		{[]string{"admin", "frob", "-o", "json"}, `unknown command \"frob\" for \"hvcctl admin\"`},
		{[]string{"completion", "tcsh"}, `unknown command "tcsh" for "hvcctl completion"`},
		{[]string{"admin"}, `missing subcommand of "hvcctl admin"`},
		{[]string{"link"}, "create, get, ls, rm"},
		{[]string{"session"}, "login, logout, show"},
		{[]string{"completion"}, `missing subcommand of "hvcctl completion"`},
	}
	for _, c := range cases {
		r := hvcctl(t, e, "", c.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, c.want) {
			t.Errorf("hvcctl %s: exit %d (want %d), stderr %q, want it to contain %q", strings.Join(c.args, " "), r.code, exitUsage, r.stderr, c.want)
		}
	}
	// Help is still help.
	mustRun(t, e, 0, "link", "--help")
	mustRun(t, e, 0, "completion", "bash")
}

// TestMissingOrMalformedSettingsAreUsageErrors: a missing user name is a
// missing setting like a missing URL (exit 2), and a malformed thumbprint is
// rejected before any connection, naming the flag or variable it came from.
func TestMissingOrMalformedSettingsAreUsageErrors(t *testing.T) {
	t.Parallel()
	sim, e := startSim(t)
	short := "00:11:22"
	cases := []struct {
		name string
		env  env
		args []string
		want string
	}{
		{"no URL", e.with("HVC_URL", ""), []string{"link", "ls"}, "no vCenter URL"},
		{"no user", e.with("HVC_USERNAME", ""), []string{"link", "ls"}, "no user name"},
		{"--psc-thumbprint", e, []string{"link", "create", "--psc-thumbprint", "00:11"}, "--psc-thumbprint \"00:11\": "},
		{"HVC_PSC_THUMBPRINT", e.with("HVC_PSC_THUMBPRINT", "xyz"), []string{"link", "create"}, "HVC_PSC_THUMBPRINT=\"xyz\": "},
		{"--thumbprint", e, []string{"link", "ls", "--thumbprint", short}, "--thumbprint \"00:11:22\": "},
		{"HVC_THUMBPRINT", e.with("HVC_THUMBPRINT", short), []string{"admin", "ls"}, "HVC_THUMBPRINT=\"00:11:22\": "},
		{"cert --add", e, []string{"cert", "--add", "--thumbprint", short}, "--thumbprint \"00:11:22\": "},
	}
	for _, c := range cases {
		logins := sim.LoginCount()
		r := hvcctl(t, c.env, "", c.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%s: exit %d (want %d), stderr %q, want it to contain %q", c.name, r.code, exitUsage, r.stderr, c.want)
		}
		if strings.Contains(r.stderr, "ssl_thumbprint") || sim.LoginCount() != logins {
			t.Errorf("%s: not rejected locally: logins %d -> %d, stderr %q", c.name, logins, sim.LoginCount(), r.stderr)
		}
	}
}

// TestUntrustedCertificateJSONData: every untrusted-certificate error (the
// vCenter's or the foreign PSC's, unknown or not the expected one) carries
// the same -o json data: host (host:port), thumbprint (what the server
// presented) and, when one was expected, expected_thumbprint.
func TestUntrustedCertificateJSONData(t *testing.T) {
	t.Parallel()
	sim, e := startSim(t)
	emptyKH := filepath.Join(t.TempDir(), "empty_known_hosts")
	if err := os.WriteFile(emptyKH, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	vc := strings.TrimPrefix(sim.URL(), "https://")
	other := strings.Repeat("AB:", 31) + "AB"
	psc := simulator.DefaultForeignPSC + ":443"
	cases := []struct {
		name     string
		env      env
		args     []string
		host, tp string
		expected string
	}{
		{"vCenter unknown", e.with("HVC_TLS_KNOWN_HOSTS", emptyKH), []string{"link", "ls"}, vc, sim.Thumbprint(), ""},
		{"vCenter mismatch", e, []string{"link", "ls", "--thumbprint", other}, vc, sim.Thumbprint(), other},
		{"cert --add mismatch", e.with("HVC_TLS_KNOWN_HOSTS", emptyKH), []string{"cert", "--add", "--thumbprint", other}, vc, sim.Thumbprint(), other},
		{"PSC unknown", e.with("HVC_PSC_THUMBPRINT", ""), []string{"link", "create"}, psc, simulator.DefaultForeignThumbprint, ""},
		{"PSC mismatch", e.with("HVC_PSC_THUMBPRINT", other), []string{"link", "create"}, psc, simulator.DefaultForeignThumbprint, other},
	}
	for _, c := range cases {
		r := mustRun(t, c.env, exitTLS, append(c.args, "-o", "json")...)
		var got struct {
			Error struct {
				Data map[string]string `json:"data"`
			} `json:"error"`
		}
		if err := json.Unmarshal([]byte(r.stderr), &got); err != nil {
			t.Fatalf("%s: %v: %q", c.name, err, r.stderr)
		}
		want := map[string]string{"host": c.host, "thumbprint": c.tp}
		if c.expected != "" {
			want["expected_thumbprint"] = c.expected
		}
		if !maps.Equal(got.Error.Data, want) {
			t.Errorf("%s: data %v, want %v", c.name, got.Error.Data, want)
		}
	}
}

// TestThumbprintMismatchHintNamesItsSource: a mismatch against a pinned
// --thumbprint or HVC_THUMBPRINT says so and does not talk about a
// known-hosts line that does not exist; a known-hosts mismatch does.
func TestThumbprintMismatchHintNamesItsSource(t *testing.T) {
	t.Parallel()
	sim, e := startSim(t)
	host := strings.TrimPrefix(sim.URL(), "https://")
	other := strings.Repeat("AB:", 31) + "AB"
	staleKH := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(staleKH, []byte(host+" "+other+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		env       env
		args      []string
		want, not []string
	}{
		{"--thumbprint", e, []string{"link", "ls", "--thumbprint", other},
			[]string{"(from --thumbprint)", "pass --thumbprint " + sim.Thumbprint()}, []string{"update the line", "known_hosts"}},
		{"HVC_THUMBPRINT", e.with("HVC_THUMBPRINT", other), []string{"link", "ls"},
			[]string{"(from HVC_THUMBPRINT)", "set HVC_THUMBPRINT=" + sim.Thumbprint()}, []string{"update the line", "known_hosts"}},
		{"known hosts", e.with("HVC_TLS_KNOWN_HOSTS", staleKH), []string{"link", "ls"},
			[]string{"(from " + staleKH + ")", "update the line for " + host + " with: hvcctl cert " + host + " --add --thumbprint " + sim.Thumbprint()}, nil},
	}
	for _, c := range cases {
		r := mustRun(t, c.env, exitTLS, c.args...)
		for _, w := range c.want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%s: stderr %q lacks %q", c.name, r.stderr, w)
			}
		}
		for _, n := range c.not {
			if strings.Contains(r.stderr, n) {
				t.Errorf("%s: stderr %q has %q", c.name, r.stderr, n)
			}
		}
	}
}

// TestOutputTimesHaveOneFormat: every time in JSON output is RFC 3339 in
// UTC with exactly three fractional digits, whatever its source (the
// server's sync times, the local session cache, a certificate).
func TestOutputTimesHaveOneFormat(t *testing.T) {
	t.Parallel()
	_, e := startSim(t)
	mustRun(t, e, 0, "link", "create")
	mustRun(t, e, 0, "sync", "start", "link-1", "identity", "--wait", "--poll-interval", "10ms")
	mustRun(t, e, 0, "session", "login")
	timeKeys := map[string]bool{"created": true, "last_sync_time": true, "start_time": true, "completion_time": true, "not_before": true, "not_after": true}
	format := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
	seen := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && timeKeys[k] {
					seen[k] = true
					if !format.MatchString(s) {
						t.Errorf("%s = %q, want RFC 3339 UTC with milliseconds", k, s)
					}
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	for _, args := range [][]string{{"sync", "get", "link-1", "identity"}, {"session", "show"}, {"cert"}} {
		r := mustRun(t, e, 0, append(args, "-o", "json")...)
		var v any
		if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
			t.Fatalf("%v: %q", err, r.stdout)
		}
		walk(v)
	}
	if len(seen) != len(timeKeys) {
		t.Errorf("saw only the time keys %v", seen)
	}
}

// simProcess starts "hvcctl sim args..." and returns the variables it
// printed (decoding a JSON object when args ask for -o json) and a stop
// function that interrupts it and checks that it exits cleanly.
func simProcess(t *testing.T, args ...string) (env, func()) {
	t.Helper()
	if bin == "" {
		t.Skip(buildErr)
	}
	home := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	cmd := exec.CommandContext(ctx, bin, append([]string{"sim", "--sync-duration", "0"}, args...)...)
	cmd.Env = env{"HOME": home, "HVCCTL_HOME": filepath.Join(home, ".hvcctl")}.list()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stop := func() {
		defer cancel()
		if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Wait(); err != nil {
			t.Errorf("sim after SIGINT: %v; stderr %q", err, stderr.String())
		}
	}
	e := env{"HOME": home, "HVCCTL_HOME": filepath.Join(home, ".hvcctl")}
	if slices.Contains(args, "json") {
		var m map[string]string
		if err := json.NewDecoder(stdout).Decode(&m); err != nil {
			stop()
			t.Fatalf("sim -o json: %v; stderr %q", err, stderr.String())
		}
		maps.Copy(e, m)
		return e, stop
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "=")
		if !ok {
			stop()
			t.Fatalf("not an export line: %q", sc.Text())
		}
		e[k] = strings.Trim(v, "'")
		if k == "HVC_PSC_THUMBPRINT" { // the last line
			break
		}
	}
	return e, stop
}

// TestSimOutputReadOnlyUserAndFailingProviders: sim -o json prints the
// same variables as one JSON object, the read-only user's credentials are
// exported too (and draw no unknown-variable warning), and
// --failing-provider is repeatable, as hvcsim's is.
func TestSimOutputReadOnlyUserAndFailingProviders(t *testing.T) {
	t.Parallel()
	e, stop := simProcess(t, "-o", "json", "--failing-provider", "identity", "--failing-provider", "authorization")
	defer stop()
	for _, k := range []string{"HVC_URL", "HVC_USERNAME", "HVC_PASSWORD", "HVC_TLS_KNOWN_HOSTS", "HVC_PSC_HOSTNAME", "HVC_PSC_THUMBPRINT"} {
		if e[k] == "" {
			t.Errorf("sim -o json has no %s: %v", k, e)
		}
	}
	if e["HVC_READONLY_USERNAME"] != simulator.DefaultReadOnlyUser || e["HVC_READONLY_PASSWORD"] != simulator.DefaultReadOnlyPassword {
		t.Errorf("read-only user not exported: %q %q", e["HVC_READONLY_USERNAME"], e["HVC_READONLY_PASSWORD"])
	}
	r := mustRun(t, e, 0, "link", "create")
	if strings.Contains(r.stderr, "unknown environment variable") {
		t.Errorf("sim's own variables draw a warning: %q", r.stderr)
	}
	ro := e.with("HVC_USERNAME", e["HVC_READONLY_USERNAME"], "HVC_PASSWORD", e["HVC_READONLY_PASSWORD"])
	mustRun(t, ro, 0, "admin", "ls", "--persist-session=false")
	mustRun(t, ro, exitAuth, "admin", "add", "X@vsphere.local", "--persist-session=false")
	r = mustRun(t, e, exitError, "sync", "start", "link-1", "identity", "authorization", "--wait", "--poll-interval", "10ms")
	if n := strings.Count(r.stderr, "sync ended: FAILED"); n != 2 {
		t.Errorf("want both providers to fail, got %d: %q", n, r.stderr)
	}
}
