// Command hvcsim serves the hvc simulator as a process, for test suites that
// are not written in Go:
//
//	eval "$(hvcsim -addr 127.0.0.1:0 -cert-out /tmp/hvcsim.pem &)"   # or read -json
//
// It behaves as one vSphere release (-vcenter-version, default 8.0: the
// newest with sync providers), prints how to reach it as shell export
// lines (or, with -json, one JSON object) so that a script never scrapes
// prose, then serves until interrupted (SIGINT or SIGTERM) and shuts down
// cleanly. Under /hvcsim/ it serves a JSON control surface (faults, session
// expiry, the request log, reset, the certificate); see docs/simulator.md.
package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/hvcsdk/hvc/simulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0) // -h printed the usage, as asked
	case err != nil:
		fmt.Fprintln(os.Stderr, "hvcsim:", err)
		os.Exit(2)
	}
}

// listFlag collects a repeatable flag; each use may hold a comma-separated
// list.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// userFlag is "name:password".
type userFlag struct{ name, password string }

func (u *userFlag) String() string { return u.name }

func (u *userFlag) Set(v string) error {
	name, pw, ok := strings.Cut(v, ":")
	if !ok || name == "" || pw == "" {
		return errors.New(`want "name:password"`)
	}
	u.name, u.password = name, pw
	return nil
}

// pairFlag is a repeatable "key=value".
type pairFlag [][2]string

func (p *pairFlag) String() string { return fmt.Sprint(*p) }

func (p *pairFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" || val == "" {
		return errors.New(`want "host=value"`)
	}
	*p = append(*p, [2]string{k, val})
	return nil
}

// reach is what a script needs to use the server, printed at start-up.
type reach struct {
	URL              string    `json:"url"`
	Version          string    `json:"version"`
	Flavors          []string  `json:"flavors"`
	User             string    `json:"user"`
	Password         string    `json:"password"`
	ReadOnlyUser     string    `json:"readonly_user"`
	ReadOnlyPassword string    `json:"readonly_password"`
	Thumbprint       string    `json:"thumbprint,omitempty"`
	CertFile         string    `json:"cert_file,omitempty"`
	ForeignPSCs      []foreign `json:"foreign_pscs"`
	Providers        []string  `json:"providers"`
	ControlURL       string    `json:"control_url"`
}

type foreign struct {
	Host       string `json:"host"`
	Thumbprint string `json:"thumbprint"`
}

// run parses args, starts the simulator, reports how to reach it on out and
// serves until ctx ends.
func run(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := flag.NewFlagSet("hvcsim", flag.ContinueOnError)
	fs.SetOutput(errOut)
	addr := fs.String("addr", "127.0.0.1:8443", "listen address (port 0 picks a free port)")
	version := fs.String("vcenter-version", simulator.DefaultVersion, `vSphere release to behave as: 6.7, 7.0, 7.0U1…7.0U3, 8.0, 8.0U1…8.0U3, 9.0`)
	plain := fs.Bool("plain-http", false, "serve plain HTTP instead of TLS")
	restOnly := fs.Bool("rest-only", false, "serve only the legacy /rest flavor")
	apiOnly := fs.Bool("api-only", false, "serve only the /api flavor")
	admin := userFlag{simulator.DefaultAdminUser, simulator.DefaultAdminPassword}
	fs.Var(&admin, "admin", `administrator as "name:password"`)
	readOnly := userFlag{simulator.DefaultReadOnlyUser, simulator.DefaultReadOnlyPassword}
	fs.Var(&readOnly, "readonly", `read-only user as "name:password"`)
	var pscs, pscCerts pairFlag
	fs.Var(&pscs, "foreign-psc", `another foreign PSC as "host=thumbprint" (repeatable)`)
	fs.Var(&pscCerts, "foreign-psc-cert", `another foreign PSC as "host=certificate.pem" (repeatable)`)
	var providers, failing listFlag
	fs.Var(&providers, "providers", "sync providers of every new link, comma-separated (default "+strings.Join(simulator.DefaultProviders, ",")+")")
	fs.Var(&failing, "failing-provider", "make syncs of these provider ids fail (repeatable, comma-separated)")
	syncDur := fs.Duration("sync-duration", 0, "how long a started sync runs (0: completes at once, as the package default)")
	step := fs.Bool("step-per-poll", false, "advance a running sync one stage per read instead of by time")
	idle := fs.Duration("idle-timeout", 30*time.Minute, "expire a session unused for this long")
	certFile := fs.String("cert", "", "PEM certificate file to serve (with -key) instead of a new one per start")
	keyFile := fs.String("key", "", "PEM private key file for -cert")
	certOut := fs.String("cert-out", "", "write the server's certificate (PEM) to this file, for curl --cacert")
	asJSON := fs.Bool("json", false, "print how to reach the server as one JSON object instead of shell export lines")
	verbose := fs.Bool("v", false, "log every request to stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if (*certFile == "") != (*keyFile == "") {
		return errors.New("-cert and -key go together")
	}
	opts := []simulator.Option{
		simulator.WithAddr(*addr), simulator.WithVersion(*version), simulator.WithSyncDuration(*syncDur),
		simulator.WithAdmin(admin.name, admin.password), simulator.WithReadOnlyUser(readOnly.name, readOnly.password),
		simulator.WithIdleTimeout(*idle), simulator.WithControl(),
	}
	if *plain {
		opts = append(opts, simulator.WithPlainHTTP())
	}
	if *restOnly {
		opts = append(opts, simulator.WithRESTOnly())
	}
	if *apiOnly {
		opts = append(opts, simulator.WithAPIOnly())
	}
	if *step {
		opts = append(opts, simulator.WithSyncStepPerPoll())
	}
	if len(providers) > 0 {
		opts = append(opts, simulator.WithProviders(providers...))
	}
	for _, p := range failing {
		opts = append(opts, simulator.WithFailingProvider(p))
	}
	for _, p := range pscs {
		opts = append(opts, simulator.WithForeignPSC(p[0], p[1]))
	}
	for _, p := range pscCerts {
		b, err := os.ReadFile(p[1])
		if err != nil {
			return err
		}
		opts = append(opts, simulator.WithForeignPSCCertificate(p[0], string(b)))
	}
	if *certFile != "" {
		cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			return fmt.Errorf("-cert/-key: %w", err)
		}
		opts = append(opts, simulator.WithCertificate(cert))
	}
	if *verbose {
		opts = append(opts, simulator.WithLogger(slog.New(slog.NewTextHandler(errOut, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	sim, err := simulator.New(opts...)
	if err != nil {
		return err
	}
	if err := sim.Start(); err != nil {
		return err
	}
	r, err := describe(sim, admin, readOnly, pscs, pscCerts, *certOut, *certFile)
	if err == nil {
		err = report(out, r, *asJSON)
	}
	if err != nil {
		_ = sim.Close()
		return err
	}
	fmt.Fprintln(errOut, "hvcsim: serving; press Ctrl-C to stop")

	<-ctx.Done()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = sim.Shutdown(shutdownCtx)
	fmt.Fprintln(errOut, "hvcsim: stopped")
	return err
}

// describe gathers what to print, writing the certificate to certOut first.
func describe(sim *simulator.Server, admin, readOnly userFlag, pscs, pscCerts pairFlag, certOut, certIn string) (reach, error) {
	r := reach{URL: sim.URL(), Version: sim.Version(), User: admin.name, Password: admin.password,
		ReadOnlyUser: readOnly.name, ReadOnlyPassword: readOnly.password, Thumbprint: sim.Thumbprint(),
		ControlURL: sim.URL() + simulator.ControlPrefix, CertFile: certIn}
	for _, f := range []string{"api", "rest"} {
		if sim.ServesFlavor(f) {
			r.Flavors = append(r.Flavors, f)
		}
	}
	r.ForeignPSCs = []foreign{{simulator.DefaultForeignPSC, simulator.DefaultForeignThumbprint}}
	for _, p := range pscs {
		r.ForeignPSCs = append(r.ForeignPSCs, foreign{p[0], p[1]})
	}
	for _, p := range pscCerts {
		r.ForeignPSCs = append(r.ForeignPSCs, foreign{p[0], sim.ForeignThumbprint(p[0])})
	}
	sort.SliceStable(r.ForeignPSCs[1:], func(i, j int) bool { return r.ForeignPSCs[1+i].Host < r.ForeignPSCs[1+j].Host })
	r.Providers = sim.Providers()
	if certOut != "" {
		leaf := sim.Certificate()
		if leaf == nil {
			return r, errors.New("-cert-out: the server serves plain HTTP")
		}
		if err := os.WriteFile(certOut, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw}), 0o644); err != nil { //nolint:gosec // a certificate is public: curl and other users must read it
			return r, fmt.Errorf("-cert-out: %w", err)
		}
		r.CertFile = certOut
	}
	return r, nil
}

// report prints r as one JSON line or as shell export lines.
func report(out io.Writer, r reach, asJSON bool) error {
	if asJSON {
		b, err := json.Marshal(r) //nolint:gosec // printing the simulator's own test credentials is the point of -json
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "%s\n", b)
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# hvcsim: vSphere %s simulator at %s (flavors: %s)\n", r.Version, r.URL, strings.Join(r.Flavors, ", "))
	vars := [][2]string{
		{"HVC_URL", r.URL}, {"HVC_VERSION", r.Version},
		{"HVC_USER", r.User}, {"HVC_PASSWORD", r.Password},
		{"HVC_READONLY_USER", r.ReadOnlyUser}, {"HVC_READONLY_PASSWORD", r.ReadOnlyPassword},
		{"HVC_THUMBPRINT", r.Thumbprint}, {"HVC_CERT_FILE", r.CertFile},
		{"HVC_FOREIGN_PSC", r.ForeignPSCs[0].Host}, {"HVC_FOREIGN_THUMBPRINT", r.ForeignPSCs[0].Thumbprint},
		{"HVC_CONTROL_URL", r.ControlURL},
	}
	for _, v := range vars {
		if v[1] != "" {
			fmt.Fprintf(&b, "export %s=%s\n", v[0], shellQuote(v[1]))
		}
	}
	_, err := io.WriteString(out, b.String())
	return err
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
