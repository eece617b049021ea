package main

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hvcsdk/hvc/simulator"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// bin is the hvcctl binary the tests run; "" when it could not be built
// (no go toolchain), in which case the end-to-end tests skip.
var (
	bin      string
	buildErr string
	// binVersion is the module version Go stamped into bin.
	binVersion string
)

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "hvcctl-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if gobin, err := exec.LookPath("go"); err == nil {
		out := filepath.Join(dir, "hvcctl")
		cmd := exec.Command(gobin, "build", "-o", out, ".")
		if b, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building hvcctl: %v\n%s", err, b)
			os.RemoveAll(dir)
			os.Exit(1)
		}
		bin = out
		// Go stamps the module's VCS pseudo-version into a binary built
		// from a checkout (unless -buildvcs=false), "(devel)" otherwise;
		// hvcctl version must report exactly what was stamped.
		bi, err := buildinfo.ReadFile(out)
		if err != nil {
			fmt.Fprintf(os.Stderr, "reading hvcctl's build info: %v\n", err)
			os.RemoveAll(dir)
			os.Exit(1)
		}
		binVersion = bi.Main.Version
	} else {
		buildErr = "go toolchain not found: " + err.Error()
	}
	code := m.Run()
	os.RemoveAll(dir)
	// Every byte any test's hvcctl run wrote: no password may appear.
	for _, secret := range []string{simulator.DefaultAdminPassword, simulator.DefaultReadOnlyPassword, pscPassword,
		"not-the-password", "wrong-password", "Wrong-Secret!1"} {
		if bytes.Contains(transcript.Bytes(), []byte(secret)) {
			fmt.Fprintf(os.Stderr, "FAIL: some hvcctl output contains the password %q\n", secret)
			code = 1
		}
	}
	// An empty transcript means the scan above checked nothing; a -run
	// that selects only unit tests legitimately runs no binary.
	if code == 0 && bin != "" && transcript.Len() == 0 && flag.Lookup("test.run").Value.String() == "" {
		fmt.Fprintln(os.Stderr, "FAIL: the transcript of hvcctl output is empty")
		code = 1
	}
	os.Exit(code)
}

// result is one run of the binary.
type result struct {
	stdout, stderr string
	code           int
}

// env is a test's environment for the binary: nothing from the test
// process leaks in except PATH.
type env map[string]string

func (e env) with(kv ...string) env {
	out := env{}
	for k, v := range e {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(out, kv[i])
		} else {
			out[kv[i]] = kv[i+1]
		}
	}
	return out
}

func (e env) list() []string {
	l := []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range e {
		l = append(l, k+"="+v)
	}
	sort.Strings(l)
	return l
}

// transcript collects every byte the binary wrote in this test process, for
// the secrets scan.
var transcript struct {
	sync.Mutex
	bytes.Buffer
}

// hvcctl runs the binary with env, stdin and args and waits for it.
func hvcctl(t *testing.T, e env, stdin string, args ...string) result {
	t.Helper()
	return runHvcctl(t, e, stdin, nil, args...)
}

// runHvcctl runs the binary as hvcctl does; during, when set, is called
// with the process once it has started (to signal it, say).
func runHvcctl(t *testing.T, e env, stdin string, during func(*os.Process), args ...string) result {
	t.Helper()
	if bin == "" {
		t.Skip(buildErr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = e.list()
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Start()
	if err == nil {
		if during != nil {
			during(cmd.Process)
		}
		err = cmd.Wait()
	}
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running hvcctl %s: %v", strings.Join(args, " "), err)
	}
	transcript.Lock()
	transcript.Write(out.Bytes())
	transcript.Write(errb.Bytes())
	transcript.Unlock()
	return result{stdout: out.String(), stderr: errb.String(), code: code}
}

// mustRun runs the binary and fails the test unless it exits with want.
func mustRun(t *testing.T, e env, want int, args ...string) result {
	t.Helper()
	r := hvcctl(t, e, "", args...)
	if r.code != want {
		t.Fatalf("hvcctl %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, want, r.stdout, r.stderr)
	}
	return r
}

const pscPassword = simulator.DefaultForeignPassword // the simulator checks foreign PSC credentials

// startSim starts a simulator and returns it with an environment that
// reaches it: URL, credentials, a known-hosts file trusting it, the foreign
// PSC, and a private HVCCTL_HOME.
func startSim(t *testing.T, opts ...simulator.Option) (*simulator.Server, env) {
	t.Helper()
	sim := simulator.Run(t, opts...)
	dir := t.TempDir()
	kh := filepath.Join(dir, "known_hosts")
	host := strings.TrimPrefix(sim.URL(), "https://")
	if err := os.WriteFile(kh, []byte(host+" "+sim.Thumbprint()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return sim, env{
		"HOME":                filepath.Join(dir, "home"),
		"HVCCTL_HOME":         filepath.Join(dir, "hvcctl"),
		"HVC_URL":             sim.URL(),
		"HVC_USERNAME":        simulator.DefaultAdminUser,
		"HVC_PASSWORD":        simulator.DefaultAdminPassword,
		"HVC_TLS_KNOWN_HOSTS": kh,
		"HVC_PSC_HOSTNAME":    simulator.DefaultForeignPSC,
		"HVC_PSC_DOMAIN":      "foreign.local",
		"HVC_PSC_USERNAME":    "administrator@foreign.local",
		"HVC_PSC_PASSWORD":    pscPassword,
		"HVC_PSC_THUMBPRINT":  simulator.DefaultForeignThumbprint,
	}
}

var (
	reTime = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`)
	reHash = regexp.MustCompile(`[0-9a-f]{32}\.json`)
	reGo   = regexp.MustCompile(`go1\.\d+(\.\d+)?`)
	reDur  = regexp.MustCompile(`duration=[0-9.]+[µmn]?s`)
)

// normalize replaces the volatile parts of output: the simulator's URL and
// thumbprint, temporary paths, times, cache file names, the Go version.
func normalize(s string, sim *simulator.Server, e env) string {
	host := strings.TrimPrefix(sim.URL(), "https://")
	s = strings.ReplaceAll(s, host, "127.0.0.1:PORT")
	s = strings.ReplaceAll(s, sim.Thumbprint(), "SIM:THUMBPRINT")
	if h := e["HVCCTL_HOME"]; h != "" {
		s = strings.ReplaceAll(s, h, "$HVCCTL_HOME")
	}
	if k := e["HVC_TLS_KNOWN_HOSTS"]; k != "" {
		s = strings.ReplaceAll(s, k, "$KNOWN_HOSTS")
	}
	s = reTime.ReplaceAllString(s, "TIME")
	s = reHash.ReplaceAllString(s, "HASH.json")
	s = reGo.ReplaceAllString(s, "GOVERSION")
	if binVersion != "" {
		s = strings.ReplaceAll(s, "hvcctl "+binVersion+" (", "hvcctl VERSION (")
		s = strings.ReplaceAll(s, `"version": "`+binVersion+`"`, `"version": "VERSION"`)
		s = strings.ReplaceAll(s, "version: "+binVersion+"\n", "version: VERSION\n")
	}
	s = reDur.ReplaceAllString(s, "duration=D")
	return s
}

// golden compares got with testdata/golden/name.golden (or rewrites it with
// -update).
func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", "golden", name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(got), 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from %s:\n--- got ---\n%s\n--- want ---\n%s", name, p, got, want)
	}
}
