package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hvcsdk/hvc/internal/simfacts"
	"github.com/hvcsdk/hvc/simulator"
)

// simOutput runs "hvcctl sim args..." until it serves, calls during with
// what it printed on stdout (all of it: the facts come before "serving"),
// stops it with SIGINT and returns that output.
func simOutput(t *testing.T, during func(stdout string), args ...string) string {
	t.Helper()
	return simServe(t, nil, func(stdout, _ string) {
		if during != nil {
			during(stdout)
		}
	}, args...)
}

// simServe is simOutput with extra environment variables, and during also
// given the line on stderr that says it is serving.
func simServe(t *testing.T, extra env, during func(stdout, serving string), args ...string) string {
	t.Helper()
	if bin == "" {
		t.Skip(buildErr)
	}
	home := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"sim"}, args...)...)
	e := env{"HOME": home, "HVCCTL_HOME": filepath.Join(home, ".hvcctl")}
	for k, v := range extra {
		e[k] = v
	}
	cmd.Env = e.list()
	// A file, not a buffer: the command writes it directly, so what it
	// printed before "serving" on stderr is there to read (a buffer fills
	// from a copying goroutine, which may lag).
	outFile, err := os.Create(filepath.Join(home, "stdout"))
	if err != nil {
		t.Fatal(err)
	}
	defer outFile.Close()
	cmd.Stdout = outFile
	stdout := func() string {
		b, err := os.ReadFile(outFile.Name())
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	serving := false
	var line string
	for !serving && sc.Scan() {
		line = sc.Text()
		serving = strings.Contains(line, "serving")
	}
	go func() { _, _ = io.Copy(io.Discard, stderr) }()
	if serving && during != nil {
		during(stdout(), line)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("hvcctl sim after SIGINT: %v", err)
	}
	if !serving {
		t.Fatal("hvcctl sim did not start")
	}
	return stdout()
}

// TestSimFactsAsHvcsim: hvcctl sim prints the facts simfacts describes, as
// hvcsim does: --json one JSON line with exactly its members (cert_file
// only comes with hvcsim's -cert or -cert-out), the export lines its
// variables quoted as hvcsim quotes them plus the two earlier names of the
// read-only user; the defaults are hvcsim's (a loopback free port, syncs
// that complete at once), and the printed control surface answers with
// the printed token.
func TestSimFactsAsHvcsim(t *testing.T) {
	t.Parallel()
	var facts simfacts.Facts
	var config struct {
		SyncDuration string `json:"sync_duration"`
	}
	out := simOutput(t, func(stdout string) {
		if err := json.Unmarshal([]byte(stdout), &facts); err != nil {
			t.Fatalf("--json: %v: %q", err, stdout)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(facts.CertPEM)) {
			t.Fatalf("cert_pem: %q", facts.CertPEM)
		}
		hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
		req, err := http.NewRequest(http.MethodGet, facts.ControlURL+"config", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+facts.ControlToken)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %sconfig: %s", facts.ControlURL, resp.Status)
		}
		if err := json.NewDecoder(resp.Body).Decode(&config); err != nil {
			t.Fatal(err)
		}
	}, "--json")
	if n := strings.Count(out, "\n"); n != 1 {
		t.Errorf("want one JSON line, got %d: %q", n, out)
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &members); err != nil {
		t.Fatal(err)
	}
	var want, got []string
	for _, v := range simfacts.Vars {
		if !strings.Contains(v.JSON, "[") && v.JSON != "cert_file" {
			want = append(want, v.JSON)
		}
	}
	for k := range members {
		got = append(got, k)
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(want, got) {
		t.Errorf("--json members %v, want %v", got, want)
	}
	if !strings.HasPrefix(facts.URL, "https://127.0.0.1:") || facts.Version != simulator.DefaultVersion ||
		facts.ReadOnlyUsername != simulator.DefaultReadOnlyUser {
		t.Errorf("facts: url %q version %q read-only user %q", facts.URL, facts.Version, facts.ReadOnlyUsername)
	}
	if config.SyncDuration != simfacts.DefaultSyncDuration.String() {
		t.Errorf("sync duration %q, want hvcsim's default %v", config.SyncDuration, simfacts.DefaultSyncDuration)
	}

	var names []string
	values := map[string]string{}
	for _, l := range strings.Split(strings.TrimSuffix(simOutput(t, nil), "\n"), "\n") {
		kv, ok := strings.CutPrefix(l, "export ")
		k, v, ok2 := strings.Cut(kv, "=")
		if !ok || !ok2 || !strings.HasPrefix(v, "'") || !strings.HasSuffix(v, "'") {
			t.Fatalf("not an export line quoted as hvcsim quotes: %q", l)
		}
		names = append(names, k)
		values[k] = strings.ReplaceAll(v[1:len(v)-1], `'\''`, "'")
	}
	wantNames := []string{"HVC_URL", "HVC_USERNAME", "HVC_PASSWORD", "HVC_READONLY_USERNAME", "HVC_READONLY_PASSWORD",
		"HVC_TLS_KNOWN_HOSTS", "HVC_PSC_DOMAIN", "HVC_PSC_HOSTNAME", "HVC_PSC_USERNAME", "HVC_PSC_PASSWORD", "HVC_PSC_THUMBPRINT",
		"HVCSIM_VERSION", "HVCSIM_READONLY_USERNAME", "HVCSIM_READONLY_PASSWORD", "HVCSIM_THUMBPRINT",
		"HVCSIM_CONTROL_URL", "HVCSIM_CONTROL_TOKEN"}
	if !slices.Equal(wantNames, names) {
		t.Errorf("exports %v, want %v", names, wantNames)
	}
	for _, v := range simfacts.Vars {
		if _, ok := values[v.Env]; v.Env != "" && v.Env != "HVCSIM_CERT_FILE" && !ok {
			t.Errorf("%s (%s) not exported", v.Env, v.JSON)
		}
	}
	if values["HVC_READONLY_USERNAME"] != simulator.DefaultReadOnlyUser || values["HVCSIM_READONLY_USERNAME"] != simulator.DefaultReadOnlyUser ||
		values["HVC_READONLY_PASSWORD"] != values["HVCSIM_READONLY_PASSWORD"] {
		t.Errorf("read-only user: %q %q", values["HVC_READONLY_USERNAME"], values["HVCSIM_READONLY_USERNAME"])
	}
}

// TestSimJSONWithOutputIsUsageError: --json and -o json or yaml ask for two
// forms at once.
func TestSimJSONWithOutputIsUsageError(t *testing.T) {
	t.Parallel()
	if bin == "" {
		t.Skip(buildErr)
	}
	home := t.TempDir()
	cmd := exec.Command(bin, "sim", "--json", "-o", "yaml")
	cmd.Env = env{"HOME": home, "HVCCTL_HOME": filepath.Join(home, ".hvcctl")}.list()
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitUsage {
		t.Fatalf("exit: %v, want %d: %s", err, exitUsage, out)
	}
	if !strings.Contains(string(out), "--json and -o yaml do not go together") {
		t.Errorf("stderr: %s", out)
	}
}

// TestSimBoundsReachServer: --max-connections and --request-log-bytes reach
// the simulator (its control surface reports them) and, as with hvcsim, set
// Go's soft memory limit to the log's bound plus 32 MiB unless GOMEMLIMIT is
// set (the serving line reports the runtime's limit); a bound that is not positive is a
// usage error, exit 2, as hvcsim refuses it.
func TestSimBoundsReachServer(t *testing.T) {
	t.Parallel()
	if bin == "" {
		t.Skip(buildErr)
	}
	for _, tc := range []struct {
		name       string
		gomemlimit string
		wantLimit  string
	}{
		{"own limit", "", fmt.Sprintf("soft memory limit %d bytes", 1<<20+simfacts.MemoryAllowance)},
		{"GOMEMLIMIT wins", "1GiB", "soft memory limit 1073741824 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var extra env
			if tc.gomemlimit != "" {
				extra = env{"GOMEMLIMIT": tc.gomemlimit}
			}
			simServe(t, extra, func(stdout, serving string) {
				var facts simfacts.Facts
				if err := json.Unmarshal([]byte(stdout), &facts); err != nil {
					t.Fatalf("--json: %v: %q", err, stdout)
				}
				var root struct {
					RequestLog     simulator.RequestLogStats `json:"request_log"`
					MaxConnections int                       `json:"max_connections"`
				}
				controlGet(t, facts, "", &root)
				if root.RequestLog.MaxBytes != 1<<20 || root.MaxConnections != 7 {
					t.Errorf("request_log.max_bytes %d, max_connections %d; want %d, 7", root.RequestLog.MaxBytes, root.MaxConnections, 1<<20)
				}
				if !strings.Contains(serving, tc.wantLimit+")") {
					t.Errorf("serving line %q, want it to say %q", serving, tc.wantLimit)
				}
			}, "--json", "--max-connections", "7", "--request-log-bytes", "1048576")
		})
	}
	for _, args := range [][]string{{"--request-log-bytes", "0"}, {"--request-log-bytes", "-1"}, {"--max-connections", "0"}} {
		home := t.TempDir()
		cmd := exec.Command(bin, append([]string{"sim"}, args...)...)
		cmd.Env = env{"HOME": home, "HVCCTL_HOME": filepath.Join(home, ".hvcctl")}.list()
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitUsage || !strings.Contains(string(out), "positive") {
			t.Errorf("sim %q: exit %v, want %d saying the bound must be positive: %s", args, err, exitUsage, out)
		}
	}
}

// controlGet decodes GET <control_url><p> with the facts' token into v.
func controlGet(t *testing.T, facts simfacts.Facts, p string, v any) {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM([]byte(facts.CertPEM)) {
		t.Fatalf("cert_pem: %q", facts.CertPEM)
	}
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	req, err := http.NewRequest(http.MethodGet, facts.ControlURL+p, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+facts.ControlToken)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s%s: %s", facts.ControlURL, p, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}
