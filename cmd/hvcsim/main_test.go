package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/hvcsdk/hvc"
	"github.com/hvcsdk/hvc/internal/simfacts"
	"github.com/hvcsdk/hvc/simulator"
)

func TestMain(m *testing.M) {
	switch os.Getenv(childEnv) {
	case "hvcsim":
		main() // this test binary re-run as the hvcsim command
		os.Exit(0)
	case "sleep":
		time.Sleep(time.Minute) // a parent for -parent-pid to watch
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

// startRun runs the command in the background and returns the lines it
// printed on stdout before serving, a stop function and the command's
// result.
func startRun(t *testing.T, args ...string) ([]string, func() error) {
	t.Helper()
	return startRunLog(t, io.Discard, args...)
}

// startRunLog is startRun copying what the command prints on stderr
// after it starts serving to sink; once stop has returned, sink holds
// all of it.
func startRunLog(t *testing.T, sink io.Writer, args ...string) ([]string, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	er, ew := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, args, nil, pw, ew)
		_ = pw.Close()
		_ = ew.Close()
		done <- err
	}()
	lines := make(chan []string, 1)
	go func() {
		var got []string
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			got = append(got, sc.Text())
		}
		lines <- got
	}()
	// stderr says when serving starts (or why it could not).
	sc := bufio.NewScanner(er)
	serving := false
	for sc.Scan() {
		if strings.Contains(sc.Text(), "serving") {
			serving = true
			break
		}
	}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		if serving {
			_, _ = io.Copy(sink, er)
		}
		_, _ = io.Copy(io.Discard, er)
	}()
	stop := func() error {
		cancel()
		select {
		case err := <-done:
			<-copied // stderr is closed once run has returned
			return err
		case <-time.After(10 * time.Second):
			return errors.New("hvcsim did not stop")
		}
	}
	if !serving {
		t.Fatalf("hvcsim did not start: %v", stop())
	}
	_ = pw.Close() // everything before "serving" is printed; end the reader
	return <-lines, stop
}

// exports parses "export K='v'" lines.
func exports(t *testing.T, lines []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, l := range lines {
		if strings.HasPrefix(l, "#") {
			continue
		}
		kv, ok := strings.CutPrefix(l, "export ")
		require.True(t, ok, "not an export line: %q", l)
		k, v, ok := strings.Cut(kv, "=")
		require.True(t, ok)
		require.True(t, strings.HasPrefix(v, "'") && strings.HasSuffix(v, "'"), "unquoted: %q", l)
		out[k] = strings.ReplaceAll(v[1:len(v)-1], `'\''`, "'")
	}
	return out
}

// ctlGet GETs a control URL with the control token.
func ctlGet(hc *http.Client, url, token string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return hc.Do(req)
}

// TestRunControlToken: hvcsim prints a random control token per start (in
// the export lines and -json), takes one from -control-token or
// $HVCSIM_CONTROL_TOKEN, and the control surface refuses a request without
// it with 401.
func TestRunControlToken(t *testing.T) {
	lines, stop := startRun(t)
	env := exports(t, lines)
	tok := env["HVCSIM_CONTROL_TOKEN"]
	assert.Len(t, tok, 48)
	hc := pinned(t, env["HVCSIM_THUMBPRINT"])
	resp, err := hc.Get(env["HVCSIM_CONTROL_URL"])
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "%s", body)
	assert.NotContains(t, string(body), simulator.DefaultAdminPassword)
	resp, err = ctlGet(hc, env["HVCSIM_CONTROL_URL"], tok)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	require.NoError(t, stop())

	lines, stop = startRun(t, "-json", "-control-token", "flag-token-0123456789")
	var r simfacts.Facts
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &r))
	assert.Equal(t, "flag-token-0123456789", r.ControlToken)
	require.NoError(t, stop())

	t.Setenv("HVCSIM_CONTROL_TOKEN", "env-token-0123456789")
	lines, stop = startRun(t, "-json")
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &r))
	assert.Equal(t, "env-token-0123456789", r.ControlToken)
	require.NoError(t, stop())
}

// TestRunRefusesRemote: a non-loopback -addr (or :PORT, every interface)
// is refused without -allow-remote; with it hvcsim serves and warns.
func TestRunRefusesRemote(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{":0", "0.0.0.0:0", "[::]:0"} {
		err := run(context.Background(), []string{"-addr", addr}, nil, io.Discard, io.Discard)
		require.Error(t, err, addr)
		assert.Contains(t, err.Error(), "-allow-remote", addr)
	}
	var stderr strings.Builder
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // serve, report and stop at once
	require.NoError(t, run(ctx, []string{"-addr", "0.0.0.0:0", "-allow-remote", "-json"}, nil, io.Discard, &stderr))
	assert.Contains(t, stderr.String(), "anyone on the network can log in")
	lines, stop := startRun(t, "-addr", "localhost:0")
	assert.NotEmpty(t, lines)
	require.NoError(t, stop())
}

// TestRunVersion: -version prints hvcsim's version and exits.
func TestRunVersion(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	require.NoError(t, run(context.Background(), []string{"-version"}, nil, &out, io.Discard))
	assert.True(t, strings.HasPrefix(out.String(), "hvcsim "), "%q", out.String())
}

// TestRunCertOutNoFollow: -cert-out replaces a symlink planted at its path
// instead of writing through it to the link's target.
func TestRunCertOutNoFollow(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	require.NoError(t, os.WriteFile(victim, []byte("precious\n"), 0o600))
	out := filepath.Join(dir, "hvcsim.pem")
	require.NoError(t, os.Symlink(victim, out))
	lines, stop := startRun(t, "-json", "-cert-out", out)
	require.NoError(t, stop())
	require.Len(t, lines, 1)
	got, err := os.ReadFile(victim)
	require.NoError(t, err)
	assert.Equal(t, "precious\n", string(got), "the link's target is untouched")
	fi, err := os.Lstat(out)
	require.NoError(t, err)
	assert.True(t, fi.Mode().IsRegular(), "the link was replaced by a file")
	pemBytes, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Contains(t, string(pemBytes), "BEGIN CERTIFICATE")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 2, "no temporary file left behind")
}

// pinned is an HTTP client that trusts a server only by its thumbprint, as
// a non-Go suite would.
func pinned(t *testing.T, tp string) *http.Client {
	want := strings.ToLower(strings.ReplaceAll(tp, ":", ""))
	tr := &http.Transport{TLSClientConfig: &tls.Config{
		InsecureSkipVerify: true, //nolint:gosec // verified by thumbprint below
		VerifyConnection: func(cs tls.ConnectionState) error {
			sum := sha256.Sum256(cs.PeerCertificates[0].Raw)
			if hex.EncodeToString(sum[:]) != want {
				return errors.New("thumbprint mismatch")
			}
			return nil
		},
	}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

func TestRunServesAndStops(t *testing.T) {
	t.Parallel()
	lines, stop := startRun(t, "-addr", "127.0.0.1:0")
	env := exports(t, lines)
	url := env["HVC_URL"]
	require.True(t, strings.HasPrefix(url, "https://127.0.0.1:"), "url %q", url)
	assert.Equal(t, simulator.DefaultVersion, env["HVCSIM_VERSION"])
	assert.Equal(t, simulator.DefaultAdminPassword, env["HVC_PASSWORD"])
	assert.Equal(t, simulator.DefaultForeignThumbprint, env["HVC_PSC_THUMBPRINT"])
	assert.Equal(t, url+"/hvcsim/", env["HVCSIM_CONTROL_URL"])

	hc := pinned(t, env["HVCSIM_THUMBPRINT"])
	req, err := http.NewRequest(http.MethodPost, url+"/api/session", nil)
	require.NoError(t, err)
	req.SetBasicAuth(env["HVC_USERNAME"], env["HVC_PASSWORD"])
	resp, err := hc.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusCreated, resp.StatusCode)

	require.NoError(t, stop())
}

// TestRunJSONVersionAndControl: -json reports what -cert-out wrote and the
// chosen release; the control surface answers; the sync default is 0.
func TestRunJSONVersionAndControl(t *testing.T) {
	t.Parallel()
	certOut := filepath.Join(t.TempDir(), "hvcsim.pem")
	lines, stop := startRun(t, "-addr", "127.0.0.1:0", "-json", "-cert-out", certOut, "-vcenter-version", "9.0",
		"-admin", "root@corp.local:p:w'd", "-providers", "a,b", "-failing-provider", "b")
	require.Len(t, lines, 1)
	var r simfacts.Facts
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &r))
	assert.Equal(t, "9.0", r.Version)
	assert.Equal(t, []string{"api", "rest"}, r.Flavors)
	assert.Equal(t, "root@corp.local", r.Username)
	assert.Equal(t, "p:w'd", r.Password)
	assert.Equal(t, []string{"a", "b"}, r.Providers)
	assert.Equal(t, certOut, r.CertFile)

	pemBytes, err := os.ReadFile(certOut)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(pemBytes))
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	resp, err := ctlGet(hc, r.ControlURL, r.ControlToken)
	require.NoError(t, err)
	var facts struct {
		Version    string   `json:"version"`
		Operations []string `json:"operations"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&facts))
	_ = resp.Body.Close()
	assert.Equal(t, "9.0", facts.Version)
	assert.Contains(t, facts.Operations, "Links.Get")
	assert.NotContains(t, facts.Operations, "SyncProviders.Start")
	resp, err = ctlGet(hc, r.ControlURL+"certificate", r.ControlToken)
	require.NoError(t, err)
	got, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	assert.Equal(t, string(pemBytes), string(got))
	tr.CloseIdleConnections()
	require.NoError(t, stop())
}

// TestRunStableCertificate: -cert and -key serve the given certificate, so
// its thumbprint is the same on every start.
func TestRunStableCertificate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	der := writeKeyPair(t, certFile, keyFile)
	sum := sha256.Sum256(der)
	for range 2 {
		lines, stop := startRun(t, "-addr", "127.0.0.1:0", "-cert", certFile, "-key", keyFile)
		env := exports(t, lines)
		assert.Equal(t, hex.EncodeToString(sum[:]), strings.ToLower(strings.ReplaceAll(env["HVCSIM_THUMBPRINT"], ":", "")))
		assert.Equal(t, certFile, env["HVCSIM_CERT_FILE"])
		require.NoError(t, stop())
	}
}

// writeKeyPair writes a self-signed loopback certificate and its key.
func writeKeyPair(t *testing.T, certFile, keyFile string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "hvcsim test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	kb, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600))
	return der
}

func TestRunRejectsBadFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--nope"},
		{"--rest-only", "--api-only", "--addr", "127.0.0.1:0"},
		{"--sync-duration", "-1s", "--addr", "127.0.0.1:0"},
		{"extra"},
		{"--addr", "256.0.0.1:99999"},
		{"-vcenter-version", "8.5", "--addr", "127.0.0.1:0"},
		{"-vcenter-version", "7.0U1", "-api-only", "--addr", "127.0.0.1:0"},
		{"-cert", "x.pem", "--addr", "127.0.0.1:0"},
		{"-cert", "/nonexistent/c.pem", "-key", "/nonexistent/k.pem", "--addr", "127.0.0.1:0"},
		{"-admin", "nopassword", "--addr", "127.0.0.1:0"},
		{"-foreign-psc", "psc.example", "--addr", "127.0.0.1:0"},
		{"-foreign-psc", "psc.example=nothex", "--addr", "127.0.0.1:0"},
		{"-plain-http", "-cert-out", "x.pem", "--addr", "127.0.0.1:0"},
		{"-parent-pid", "-3", "--addr", "127.0.0.1:0"},
		{"-exit-with-stdin", "--addr", "127.0.0.1:0"}, // no stdin given
		{"-max-connections", "0", "--addr", "127.0.0.1:0"},
		{"-request-log-bytes", "-1", "--addr", "127.0.0.1:0"},
	} {
		err := run(context.Background(), args, nil, io.Discard, io.Discard)
		assert.Error(t, err, "%q", args)
	}
}

// readNames returns the HVC_* names quoted in a source file, optionally only
// within the text after the first occurrence of from up to the next "}".
func readNames(t *testing.T, file, from string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	src := string(b)
	if from != "" {
		i := strings.Index(src, from)
		require.GreaterOrEqual(t, i, 0, "%s has no %q", file, from)
		src = src[i:]
		src = src[:strings.Index(src, "}")]
	}
	names := map[string]bool{}
	for _, m := range regexp.MustCompile(`"(HVC_[A-Z_]+)"`).FindAllStringSubmatch(src, -1) {
		names[m[1]] = true
	}
	require.NotEmpty(t, names, file)
	return names
}

// TestRunExportsWhatClientsRead: every HVC_* variable hvcsim exports is one
// that both the quickstart and hvcctl read (anything else is HVCSIM_*, which
// hvcctl does not warn about), the set `hvcctl sim` prints is all there,
// the lines work under eval in a POSIX shell, and what they say is enough
// to log in (trusting the certificate by the known-hosts file) and create a
// link to the foreign PSC.
func TestRunExportsWhatClientsRead(t *testing.T) {
	t.Parallel()
	quickstart := readNames(t, filepath.Join("..", "..", "examples", "quickstart", "main.go"), "")
	hvcctl := readNames(t, filepath.Join("..", "hvcctl", "env.go"), "var knownEnv")
	lines, stop := startRun(t, "-addr", "127.0.0.1:0")
	defer func() { require.NoError(t, stop()) }()
	env := exports(t, lines)
	for name := range env {
		if strings.HasPrefix(name, "HVCSIM_") {
			continue
		}
		require.True(t, strings.HasPrefix(name, "HVC_"), "%s is neither HVC_* nor HVCSIM_*", name)
		assert.True(t, quickstart[name], "the quickstart does not read %s", name)
		assert.True(t, hvcctl[name], "hvcctl does not know %s", name)
	}
	for _, name := range []string{"HVC_URL", "HVC_USERNAME", "HVC_PASSWORD", "HVC_TLS_KNOWN_HOSTS",
		"HVC_PSC_HOSTNAME", "HVC_PSC_DOMAIN", "HVC_PSC_USERNAME", "HVC_PSC_PASSWORD", "HVC_PSC_THUMBPRINT"} {
		assert.NotEmpty(t, env[name], "%s is not exported", name)
	}

	if sh, err := exec.LookPath("sh"); err == nil {
		script := strings.Join(lines, "\n") + "\nenv\n"
		out, err := exec.Command(sh, "-c", script).Output()
		require.NoError(t, err)
		got := map[string]string{}
		for _, l := range strings.Split(string(out), "\n") {
			if k, v, ok := strings.Cut(l, "="); ok {
				got[k] = v
			}
		}
		for k, v := range env {
			assert.Equal(t, v, got[k], "%s after eval", k)
		}
	}

	host := strings.TrimPrefix(env["HVC_URL"], "https://")
	kh, err := os.ReadFile(env["HVC_TLS_KNOWN_HOSTS"])
	require.NoError(t, err)
	assert.Equal(t, host+" "+env["HVCSIM_THUMBPRINT"]+"\n", string(kh), "known_hosts is one govc-style line")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := hvc.New(env["HVC_URL"], hvc.WithCredentials(env["HVC_USERNAME"], env["HVC_PASSWORD"]),
		hvc.WithThumbprint(strings.Fields(string(kh))[1]))
	require.NoError(t, err)
	defer func() { _ = c.Logout(context.Background()) }()
	_, err = c.Links.Create(ctx, hvc.LinkCreateSpec{PSCHostname: env["HVC_PSC_HOSTNAME"], DomainName: env["HVC_PSC_DOMAIN"],
		Username: env["HVC_PSC_USERNAME"], Password: env["HVC_PSC_PASSWORD"], SSLThumbprint: env["HVC_PSC_THUMBPRINT"]})
	require.NoError(t, err)
}

// TestRunForeignPSCCredentials: -foreign-psc-credentials sets a foreign
// PSC's credentials; hvcsim exports them, the simulator accepts them and
// refuses the defaults.
func TestRunForeignPSCCredentials(t *testing.T) {
	t.Parallel()
	lines, stop := startRun(t, "-addr", "127.0.0.1:0", "-foreign-psc-credentials", simulator.DefaultForeignPSC+"=root@corp.local:s3cr:t")
	defer func() { require.NoError(t, stop()) }()
	env := exports(t, lines)
	assert.Equal(t, "root@corp.local", env["HVC_PSC_USERNAME"])
	assert.Equal(t, "s3cr:t", env["HVC_PSC_PASSWORD"])

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := hvc.New(env["HVC_URL"], hvc.WithCredentials(env["HVC_USERNAME"], env["HVC_PASSWORD"]), hvc.WithThumbprint(env["HVCSIM_THUMBPRINT"]))
	require.NoError(t, err)
	defer func() { _ = c.Logout(context.Background()) }()
	spec := hvc.LinkCreateSpec{PSCHostname: env["HVC_PSC_HOSTNAME"], DomainName: env["HVC_PSC_DOMAIN"],
		Username: simulator.DefaultForeignUser, Password: simulator.DefaultForeignPassword, SSLThumbprint: env["HVC_PSC_THUMBPRINT"]}
	_, err = c.Links.Create(ctx, spec)
	require.ErrorContains(t, err, "user name or password is incorrect")
	spec.Username, spec.Password = env["HVC_PSC_USERNAME"], env["HVC_PSC_PASSWORD"]
	_, err = c.Links.Create(ctx, spec)
	require.NoError(t, err)

	for _, bad := range []string{"psc.unknown.example=u:p", "nouser", simulator.DefaultForeignPSC + "=u"} {
		assert.Error(t, run(context.Background(), []string{"-addr", "127.0.0.1:0", "-foreign-psc-credentials", bad}, nil, io.Discard, io.Discard), bad)
	}
}

// docKeys returns the JSON member names docs/simulator.md's Facts table
// documents for hvcsim -json (top level, and those of a foreign_pscs
// entry) and those it lists for the facts of GET /hvcsim/.
func docKeys(t *testing.T) (top, psc, facts []string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "simulator.md"))
	require.NoError(t, err)
	_, sec, _ := strings.Cut(string(b), "\n### Facts\n")
	sec, _, _ = strings.Cut(sec, "\n#")
	member := regexp.MustCompile("^\\| `([a-z_]+)(\\[0\\]\\.([a-z_]+))?` \\|")
	for _, line := range strings.Split(sec, "\n") {
		if m := member.FindStringSubmatch(line); m != nil && m[3] != "" {
			psc = append(psc, m[3]) // foreign_pscs[0].member
		} else if m != nil {
			top = append(top, m[1])
		}
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "| `GET /hvcsim/` |") {
			_, row, _ := strings.Cut(line, "facts:")
			row = regexp.MustCompile(`\([^)]*\)`).ReplaceAllString(row, "") // members of members
			for _, m := range regexp.MustCompile("`(\\w+)`").FindAllStringSubmatch(row, -1) {
				facts = append(facts, m[1])
			}
		}
	}
	require.NotEmpty(t, top, "docs/simulator.md has no Facts table")
	require.NotEmpty(t, psc, "docs/simulator.md documents no foreign_pscs entry")
	require.NotEmpty(t, facts, "docs/simulator.md documents no GET /hvcsim/ facts")
	return top, psc, facts
}

// keys returns the member names of a JSON object.
func keys(t *testing.T, b []byte) []string {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &m))
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestRunJSONMatchesDocs: the -json line has exactly the members
// docs/simulator.md lists (cert_file only with -cert-out), a foreign PSC
// entry likewise, and GET /hvcsim/ answers the documented facts, the
// control URL under the same name as in -json.
func TestRunJSONMatchesDocs(t *testing.T) {
	t.Parallel()
	top, psc, facts := docKeys(t)
	without := slices.DeleteFunc(slices.Clone(top), func(k string) bool { return k == "cert_file" })
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"with -cert-out", []string{"-cert-out", filepath.Join(t.TempDir(), "c.pem")}, top},
		{"without", nil, without},
	} {
		lines, stop := startRun(t, append([]string{"-addr", "127.0.0.1:0", "-json"}, tc.args...)...)
		require.Len(t, lines, 1)
		assert.ElementsMatch(t, tc.want, keys(t, []byte(lines[0])), tc.name)
		var r struct {
			ForeignPSCs  []json.RawMessage `json:"foreign_pscs"`
			ControlURL   string            `json:"control_url"`
			ControlToken string            `json:"control_token"`
			Thumbprint   string            `json:"thumbprint"`
		}
		require.NoError(t, json.Unmarshal([]byte(lines[0]), &r))
		require.NotEmpty(t, r.ForeignPSCs)
		assert.ElementsMatch(t, psc, keys(t, r.ForeignPSCs[0]), tc.name+": foreign_pscs entry")

		resp, err := ctlGet(pinned(t, r.Thumbprint), r.ControlURL, r.ControlToken)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		require.NoError(t, err)
		assert.ElementsMatch(t, facts, keys(t, body), tc.name+": GET /hvcsim/")
		assert.Contains(t, facts, "control_url", "GET /hvcsim/ names the control URL as -json does")
		require.NoError(t, stop())
	}
}

// TestRunDefaultAddrTwice: two hvcsim started with the default -addr both
// serve, each on its own loopback port (the old default, a fixed port,
// made the second fail).
func TestRunDefaultAddrTwice(t *testing.T) {
	t.Parallel()
	a, stopA := startRun(t)
	b, stopB := startRun(t)
	urlA, urlB := exports(t, a)["HVC_URL"], exports(t, b)["HVC_URL"]
	assert.True(t, strings.HasPrefix(urlA, "https://127.0.0.1:"), urlA)
	assert.True(t, strings.HasPrefix(urlB, "https://127.0.0.1:"), urlB)
	assert.NotEqual(t, urlA, urlB)
	require.NoError(t, stopA())
	require.NoError(t, stopB())
}
