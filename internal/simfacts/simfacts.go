// Package simfacts is the one description of what cmd/hvcsim and
// "hvcctl sim" print about a running simulator: the facts, their JSON
// member names and export variables, and the defaults both commands share.
// docs/simulator.md lists the same facts in its "Facts" table; a test
// checks that the two agree.
package simfacts

import (
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/hvcsdk/hvc/simulator"
)

// Defaults both commands use for the flags of the same names.
const (
	// DefaultAddr is -addr: loopback, a free port, so that a second
	// instance starts too.
	DefaultAddr = "127.0.0.1:0"
	// DefaultSyncDuration is -sync-duration: a sync completes the moment it
	// starts, as the simulator package's default.
	DefaultSyncDuration time.Duration = 0
	// DefaultMaxConnections is -max-connections: the simulator package's
	// default.
	DefaultMaxConnections = simulator.DefaultMaxConnections
	// DefaultRequestLogBytes is -request-log-bytes: the simulator
	// package's default bound of the request log.
	DefaultRequestLogBytes int64 = simulator.DefaultRequestLogBytes
)

// Usage texts of the flags both commands take, so that their help says the
// same.
var (
	// MaxConnectionsUsage is -max-connections'.
	MaxConnectionsUsage = "client connections open at once; more wait to be accepted"
	// RequestLogBytesUsage is -request-log-bytes'.
	RequestLogBytesUsage = fmt.Sprintf("bound of the request log in bytes (oldest records dropped first); the process's soft memory limit is this plus %d MiB unless GOMEMLIMIT is set", MemoryAllowance>>20)
)

// BoundOptions are the simulator options of -max-connections and
// -request-log-bytes; simulator.New refuses a value that is not positive.
func BoundOptions(maxConns int, logBytes int64) []simulator.Option {
	return []simulator.Option{simulator.WithMaxConnections(maxConns),
		simulator.WithRequestLogLimit(simulator.DefaultRequestLogEntries, logBytes)}
}

// MemoryAllowance is what the commands' soft memory limit allows above the
// request log's byte bound: the runtime, the connections in flight (TLS
// and net/http buffers, up to -max-connections of them), the sessions and
// links of a test suite, and the garbage of a flood between collections.
const MemoryAllowance = 32 << 20

// MemoryLimit is the soft memory limit for a request log bound of
// logBytes: logBytes plus MemoryAllowance, at most math.MaxInt64.
func MemoryLimit(logBytes int64) int64 {
	if logBytes > math.MaxInt64-MemoryAllowance {
		return math.MaxInt64
	}
	return logBytes + MemoryAllowance
}

// LimitMemory sets Go's soft memory limit (debug.SetMemoryLimit) to
// MemoryLimit(logBytes), unless gomemlimit (the GOMEMLIMIT variable's
// value) is set, which wins, or logBytes is not positive (simulator.New
// refuses it). Without it the garbage collector lets the heap reach twice
// what is live, the log included: a flood that fills the log would take the
// process to twice its bound. It returns the limit it set, 0 when none.
// The limit is the whole process's: only a command's main path calls it,
// never a test that runs a command in-process.
func LimitMemory(logBytes int64, gomemlimit string) int64 {
	if gomemlimit != "" || logBytes <= 0 {
		return 0
	}
	limit := MemoryLimit(logBytes)
	debug.SetMemoryLimit(limit)
	return limit
}

// Facts is how to reach a running simulator. The JSON member names are
// the -json contract of both commands.
type Facts struct {
	URL              string       `json:"url"`
	Version          string       `json:"version"`
	Flavors          []string     `json:"flavors"`
	Username         string       `json:"username"`
	Password         string       `json:"password"`
	ReadOnlyUsername string       `json:"readonly_username"`
	ReadOnlyPassword string       `json:"readonly_password"`
	Thumbprint       string       `json:"thumbprint,omitempty"`
	CertPEM          string       `json:"cert_pem,omitempty"`
	TLSKnownHosts    string       `json:"tls_known_hosts,omitempty"`
	CertFile         string       `json:"cert_file,omitempty"`
	PSCDomain        string       `json:"psc_domain"`
	ForeignPSCs      []ForeignPSC `json:"foreign_pscs"`
	Providers        []string     `json:"providers"`
	ControlURL       string       `json:"control_url"`
	ControlToken     string       `json:"control_token"`
}

// ForeignPSC is a foreign PSC a link can be created to; the first of
// Facts.ForeignPSCs is the simulator's default one.
type ForeignPSC struct {
	Hostname   string `json:"hostname"`
	Username   string `json:"username"`
	Password   string `json:"password"`
	Thumbprint string `json:"thumbprint"`
}

// Var is one fact: its JSON member (a path such as
// "foreign_pscs[0].hostname" for a member of the first foreign PSC), and
// the export variable that carries it ("" when only JSON has it).
type Var struct {
	JSON string
	Env  string
	get  func(Facts) string
}

func firstPSC(f Facts) ForeignPSC {
	if len(f.ForeignPSCs) == 0 {
		return ForeignPSC{}
	}
	return f.ForeignPSCs[0]
}

// Vars lists every fact in JSON order. Export variables named HVC_* are
// the ones hvcctl and the quickstart read; HVCSIM_* are the simulator's
// own, which hvcctl does not warn about.
var Vars = []Var{
	{"url", "HVC_URL", func(f Facts) string { return f.URL }},
	{"version", "HVCSIM_VERSION", func(f Facts) string { return f.Version }},
	{"flavors", "", nil},
	{"username", "HVC_USERNAME", func(f Facts) string { return f.Username }},
	{"password", "HVC_PASSWORD", func(f Facts) string { return f.Password }},
	{"readonly_username", "HVCSIM_READONLY_USERNAME", func(f Facts) string { return f.ReadOnlyUsername }},
	{"readonly_password", "HVCSIM_READONLY_PASSWORD", func(f Facts) string { return f.ReadOnlyPassword }},
	{"thumbprint", "HVCSIM_THUMBPRINT", func(f Facts) string { return f.Thumbprint }},
	{"cert_pem", "", nil},
	{"tls_known_hosts", "HVC_TLS_KNOWN_HOSTS", func(f Facts) string { return f.TLSKnownHosts }},
	{"cert_file", "HVCSIM_CERT_FILE", func(f Facts) string { return f.CertFile }},
	{"psc_domain", "HVC_PSC_DOMAIN", func(f Facts) string { return f.PSCDomain }},
	{"foreign_pscs", "", nil},
	{"foreign_pscs[0].hostname", "HVC_PSC_HOSTNAME", func(f Facts) string { return firstPSC(f).Hostname }},
	{"foreign_pscs[0].username", "HVC_PSC_USERNAME", func(f Facts) string { return firstPSC(f).Username }},
	{"foreign_pscs[0].password", "HVC_PSC_PASSWORD", func(f Facts) string { return firstPSC(f).Password }},
	{"foreign_pscs[0].thumbprint", "HVC_PSC_THUMBPRINT", func(f Facts) string { return firstPSC(f).Thumbprint }},
	{"providers", "", nil},
	{"control_url", "HVCSIM_CONTROL_URL", func(f Facts) string { return f.ControlURL }},
	{"control_token", "HVCSIM_CONTROL_TOKEN", func(f Facts) string { return f.ControlToken }},
}

// FromServer returns the facts of a started server that has the package's
// default users and foreign PSC; a caller that configured others sets
// them. TLSKnownHosts and CertFile are left for WriteKnownHosts and the
// caller.
func FromServer(sim *simulator.Server) Facts {
	f := Facts{
		URL: sim.URL(), Version: sim.Version(),
		Username: simulator.DefaultAdminUser, Password: simulator.DefaultAdminPassword,
		ReadOnlyUsername: simulator.DefaultReadOnlyUser, ReadOnlyPassword: simulator.DefaultReadOnlyPassword,
		Thumbprint: sim.Thumbprint(), PSCDomain: simulator.DefaultForeignDomain,
		ForeignPSCs: []ForeignPSC{{Hostname: simulator.DefaultForeignPSC, Username: simulator.DefaultForeignUser,
			Password: simulator.DefaultForeignPassword, Thumbprint: simulator.DefaultForeignThumbprint}},
		Providers: sim.Providers(),
	}
	for _, fl := range []string{"api", "rest"} {
		if sim.ServesFlavor(fl) {
			f.Flavors = append(f.Flavors, fl)
		}
	}
	if leaf := sim.Certificate(); leaf != nil {
		f.CertPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw}))
	}
	if tok := sim.ControlToken(); tok != "" {
		f.ControlURL, f.ControlToken = f.URL+simulator.ControlPrefix, tok
	}
	return f
}

// WriteKnownHosts writes, when the server serves TLS, a known-hosts file in
// dir holding its "host:port thumbprint" line (the format hvcctl and govc
// read), and sets TLSKnownHosts to it.
func (f *Facts) WriteKnownHosts(dir string) error {
	if f.Thumbprint == "" {
		return nil
	}
	u, err := url.Parse(f.URL)
	if err != nil {
		return fmt.Errorf("known hosts: %w", err)
	}
	file := filepath.Join(dir, "known_hosts")
	if err := os.WriteFile(file, []byte(u.Host+" "+f.Thumbprint+"\n"), 0o600); err != nil {
		return fmt.Errorf("known hosts: %w", err)
	}
	f.TLSKnownHosts = file
	return nil
}

// Exports returns the export variables with a value as name/value pairs:
// the HVC_* ones first, then the HVCSIM_* ones, each in Vars order.
func (f Facts) Exports() [][2]string {
	var hvc, own [][2]string
	for _, v := range Vars {
		if v.Env == "" {
			continue
		}
		val := v.get(f)
		if val == "" {
			continue
		}
		if strings.HasPrefix(v.Env, "HVCSIM_") {
			own = append(own, [2]string{v.Env, val})
		} else {
			hvc = append(hvc, [2]string{v.Env, val})
		}
	}
	return append(hvc, own...)
}

// ExportLines formats variables as POSIX shell "export NAME='value'"
// lines.
func ExportLines(vars [][2]string) string {
	var b strings.Builder
	for _, v := range vars {
		fmt.Fprintf(&b, "export %s=%s\n", v[0], ShellQuote(v[1]))
	}
	return b.String()
}

// JSON is the facts as one JSON line, the -json output.
func (f Facts) JSON() ([]byte, error) {
	b, err := json.Marshal(f) //nolint:gosec // printing the simulator's own test credentials is the point of -json
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// ShellQuote quotes s for a POSIX shell.
func ShellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
