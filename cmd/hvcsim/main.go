// Command hvcsim serves the hvc simulator as a process, for test suites that
// are not written in Go:
//
//	hvcsim -addr 127.0.0.1:0 > sim.env &   # once it says "serving" on stderr:
//	. ./sim.env                            # then hvcctl, make demo, your suite
//
// It behaves as one vSphere release (-vcenter-version, default 8.0: the
// newest with sync providers), prints how to reach it as shell export
// lines (or, with -json, one JSON object) so that a script never scrapes
// prose, then serves until interrupted (SIGINT or SIGTERM), or until the
// process that started it is gone (-exit-with-stdin, -parent-pid), and
// shuts down cleanly. The exported HVC_* variables are the ones hvcctl and the
// quickstart read, HVC_TLS_KNOWN_HOSTS naming a known-hosts file that
// trusts the server's certificate (removed when hvcsim stops). Under /hvcsim/ it serves a JSON control surface (faults, session
// expiry, the request log, reset, the certificate); see docs/simulator.md.
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/hvcsdk/hvc/internal/simfacts"
	"github.com/hvcsdk/hvc/simulator"
)

func main() {
	limitMemory = true
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
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

// limitMemory is set by main: the hvcsim command sets Go's soft memory
// limit (simfacts.LimitMemory) to the request log's bound plus
// simfacts.MemoryAllowance, unless GOMEMLIMIT says otherwise. Tests that
// call run in-process leave it unset, as the limit is the whole process's.
var limitMemory bool

// parentPollInterval is how often -parent-pid checks that the process is
// still there.
const parentPollInterval = time.Second

// Reasons to stop serving besides ctx ending.
var (
	errStdinClosed = errors.New("standard input closed (-exit-with-stdin)")
	errParentGone  = errors.New("the -parent-pid process is gone")
)

// run parses args, starts the simulator, reports how to reach it on out and
// serves until ctx ends, or (with -exit-with-stdin) in reaches its end, or
// (with -parent-pid) that process is gone.
func run(ctx context.Context, args []string, in io.Reader, out, errOut io.Writer) error {
	fs := flag.NewFlagSet("hvcsim", flag.ContinueOnError)
	fs.SetOutput(errOut)
	addr := fs.String("addr", simfacts.DefaultAddr, "listen address (port 0 picks a free port); a non-loopback address needs -allow-remote")
	allowRemote := fs.Bool("allow-remote", false, "allow a non-loopback -addr: anyone on the network can then log in with the printed credentials")
	controlToken := fs.String("control-token", os.Getenv("HVCSIM_CONTROL_TOKEN"), "bearer token the /hvcsim/ control surface requires (default $HVCSIM_CONTROL_TOKEN, else random per start)")
	showVersion := fs.Bool("version", false, "print hvcsim's version and exit")
	version := fs.String("vcenter-version", simulator.DefaultVersion, `vSphere release to behave as: 6.7, 7.0, 7.0U1…7.0U3, 8.0, 8.0U1…8.0U3, 9.0, 9.1 (no hvc operations: reported removed)`)
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
	var pscCreds pairFlag
	fs.Var(&pscCreds, "foreign-psc-credentials", `a foreign PSC's administrator as "host=name:password" (repeatable; default `+simulator.DefaultForeignUser+":"+simulator.DefaultForeignPassword+")")
	var providers, failing listFlag
	fs.Var(&providers, "providers", "sync providers of every new link, comma-separated (default "+strings.Join(simulator.DefaultProviders, ",")+")")
	fs.Var(&failing, "failing-provider", "make syncs of these provider ids fail (repeatable, comma-separated)")
	syncDur := fs.Duration("sync-duration", simfacts.DefaultSyncDuration, "how long a started sync runs (0: completes at once, as the package default)")
	step := fs.Bool("step-per-poll", false, "advance a running sync one stage per read instead of by time")
	idle := fs.Duration("idle-timeout", 30*time.Minute, "expire a session unused for this long")
	maxConns := fs.Int("max-connections", simfacts.DefaultMaxConnections, simfacts.MaxConnectionsUsage)
	logBytes := fs.Int64("request-log-bytes", simfacts.DefaultRequestLogBytes, simfacts.RequestLogBytesUsage)
	certFile := fs.String("cert", "", "PEM certificate file to serve (with -key) instead of a new one per start")
	keyFile := fs.String("key", "", "PEM private key file for -cert")
	certOut := fs.String("cert-out", "", "write the server's certificate (PEM) to this file, for curl --cacert")
	asJSON := fs.Bool("json", false, "print how to reach the server as one JSON object instead of shell export lines")
	verbose := fs.Bool("v", false, "log every request to stderr")
	exitWithStdin := fs.Bool("exit-with-stdin", false, "stop when standard input reaches end of file, e.g. when the test runner holding its other end dies")
	parentPID := fs.Int("parent-pid", 0, "stop when the process with this id is gone, checked every "+parentPollInterval.String()+" (0: do not watch)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if *showVersion {
		_, err := fmt.Fprintln(out, versionString())
		return err
	}
	if !loopbackAddr(*addr) {
		if !*allowRemote {
			return fmt.Errorf("-addr %s is not a loopback address: anyone on the network could log in with the printed credentials; give -allow-remote to serve it anyway", *addr)
		}
		fmt.Fprintf(errOut, "hvcsim: WARNING: listening on %s (-allow-remote): anyone on the network can log in with the printed credentials and drive the control surface with the printed token\n", *addr)
	}
	if *parentPID < 0 {
		return fmt.Errorf("-parent-pid %d is not a process id", *parentPID)
	}
	if *parentPID > 0 && !alive(*parentPID) {
		return fmt.Errorf("-parent-pid %d: no such process", *parentPID)
	}
	if *exitWithStdin && in == nil {
		return errors.New("-exit-with-stdin: no standard input")
	}
	if (*certFile == "") != (*keyFile == "") {
		return errors.New("-cert and -key go together")
	}
	if limitMemory {
		simfacts.LimitMemory(*logBytes, os.Getenv("GOMEMLIMIT"))
	}
	opts := []simulator.Option{
		simulator.WithAddr(*addr), simulator.WithVersion(*version), simulator.WithSyncDuration(*syncDur),
		simulator.WithAdmin(admin.name, admin.password), simulator.WithReadOnlyUser(readOnly.name, readOnly.password),
		simulator.WithIdleTimeout(*idle), simulator.WithControl(),
	}
	opts = append(opts, simfacts.BoundOptions(*maxConns, *logBytes)...)
	if *controlToken != "" {
		opts = append(opts, simulator.WithControlToken(*controlToken))
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
	creds := map[string]userFlag{}
	for _, p := range pscCreds {
		var u userFlag
		if err := u.Set(p[1]); err != nil {
			return fmt.Errorf("-foreign-psc-credentials %s: %w", p[0], err)
		}
		opts = append(opts, simulator.WithForeignPSCCredentials(p[0], u.name, u.password))
		creds[strings.ToLower(p[0])] = u
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
	dir, err := os.MkdirTemp("", "hvcsim-")
	if err != nil {
		_ = sim.Close()
		return err
	}
	defer os.RemoveAll(dir)
	r, err := describe(sim, admin, readOnly, pscs, pscCerts, creds, *certOut, *certFile)
	if err == nil {
		err = r.WriteKnownHosts(dir)
	}
	if err == nil {
		err = report(out, r, *asJSON)
	}
	if err != nil {
		_ = sim.Close()
		return err
	}
	fmt.Fprintln(errOut, "hvcsim: serving; press Ctrl-C to stop")

	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	if *exitWithStdin {
		// The reader stays blocked if hvcsim stops for another reason;
		// the process is about to exit then.
		go func() {
			_, _ = io.Copy(io.Discard, in)
			stop(errStdinClosed)
		}()
	}
	if *parentPID > 0 {
		go watchParent(ctx, *parentPID, stop)
	}
	<-ctx.Done()
	if cause := context.Cause(ctx); errors.Is(cause, errStdinClosed) || errors.Is(cause, errParentGone) {
		fmt.Fprintf(errOut, "hvcsim: %v; stopping\n", cause)
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = sim.Shutdown(shutdownCtx)
	fmt.Fprintln(errOut, "hvcsim: stopped")
	return err
}

// watchParent cancels with errParentGone once process pid is gone,
// checking every parentPollInterval until ctx ends.
func watchParent(ctx context.Context, pid int, cancel context.CancelCauseFunc) {
	t := time.NewTicker(parentPollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if !alive(pid) {
				cancel(errParentGone)
				return
			}
		}
	}
}

// describe gathers what to print, writing the certificate to certOut first.
func describe(sim *simulator.Server, admin, readOnly userFlag, pscs, pscCerts pairFlag, creds map[string]userFlag, certOut, certIn string) (simfacts.Facts, error) {
	r := simfacts.FromServer(sim)
	r.Username, r.Password = admin.name, admin.password
	r.ReadOnlyUsername, r.ReadOnlyPassword = readOnly.name, readOnly.password
	r.CertFile = certIn
	psc := func(host, tp string) simfacts.ForeignPSC {
		f := simfacts.ForeignPSC{Hostname: host, Username: simulator.DefaultForeignUser, Password: simulator.DefaultForeignPassword, Thumbprint: tp}
		if u, ok := creds[strings.ToLower(host)]; ok {
			f.Username, f.Password = u.name, u.password
		}
		return f
	}
	r.ForeignPSCs = []simfacts.ForeignPSC{psc(simulator.DefaultForeignPSC, simulator.DefaultForeignThumbprint)}
	for _, p := range pscs {
		r.ForeignPSCs = append(r.ForeignPSCs, psc(p[0], p[1]))
	}
	for _, p := range pscCerts {
		r.ForeignPSCs = append(r.ForeignPSCs, psc(p[0], sim.ForeignThumbprint(p[0])))
	}
	sort.SliceStable(r.ForeignPSCs[1:], func(i, j int) bool { return r.ForeignPSCs[1+i].Hostname < r.ForeignPSCs[1+j].Hostname })
	if certOut != "" {
		if r.CertPEM == "" {
			return r, errors.New("-cert-out: the server serves plain HTTP")
		}
		if err := writeNoFollow(certOut, []byte(r.CertPEM)); err != nil {
			return r, fmt.Errorf("-cert-out: %w", err)
		}
		r.CertFile = certOut
	}
	return r, nil
}

// report prints r as one JSON line or as a comment and shell export lines.
func report(out io.Writer, r simfacts.Facts, asJSON bool) error {
	if asJSON {
		b, err := r.JSON()
		if err != nil {
			return err
		}
		_, err = out.Write(b)
		return err
	}
	head := fmt.Sprintf("# hvcsim: vSphere %s simulator at %s (flavors: %s)\n", r.Version, r.URL, strings.Join(r.Flavors, ", "))
	_, err := io.WriteString(out, head+simfacts.ExportLines(r.Exports()))
	return err
}

// writeNoFollow writes b to file without following a link planted there:
// it creates a new temporary file beside it exclusively (O_EXCL never opens
// an existing file or link) and renames it over file, which replaces a link
// rather than writing through it. The certificate is public, so 0644.
func writeNoFollow(file string, b []byte) error {
	dir, base := filepath.Split(file)
	if dir == "" {
		dir = "."
	}
	var (
		f   *os.File
		tmp string
		err error
	)
	for i := 0; i < 100; i++ {
		tmp = filepath.Join(dir, fmt.Sprintf(".%s.%d.%d.tmp", base, os.Getpid(), i))
		f, err = os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644) //nolint:gosec // a certificate is public: curl and other users must read it
		if !errors.Is(err, os.ErrExist) {
			break
		}
	}
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, file)
	}
	if err != nil {
		_ = os.Remove(tmp)
	}
	return err
}

// loopbackAddr reports whether a listen address is on loopback only.
func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// versionString is what -version prints: the module version Go stamped
// into the binary and Go's.
func versionString() string {
	v := "(devel)"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		v = bi.Main.Version
	}
	return fmt.Sprintf("hvcsim %s (%s)", v, runtime.Version())
}
