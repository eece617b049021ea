package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hvcsdk/hvc"

	"github.com/hvcsdk/hvc/cmd/hvcctl/internal/conn"
)

// app holds one invocation's streams, environment, flags and state. Tests
// build the binary and run it; nothing here is global.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	lookupEnv      func(string) (string, bool)
	environ        []string
	stdinTTY       bool
	stderrTTY      bool
	bars           bool // stderr is a terminal with a known width
	readPassword   func(prompt string) ([]byte, error)
	// limitMemory lets "hvcctl sim" set Go's soft memory limit, which is
	// the whole process's: main sets it, tests running in-process do not.
	limitMemory bool

	stdinReader *bufio.Reader
	g           globalFlags
	root        *cobra.Command
	log         *slog.Logger
	warned      map[string]bool
	conn        *conn.Connector // built by connector, ended by finish
	noPrompt    bool            // shell completion must never block on a prompt
	ctx         context.Context
}

// globalFlags are the persistent flags, resolved against the environment
// after parsing (flags beat HVC_* variables, which beat GOVC_* ones).
type globalFlags struct {
	url            string
	username       string
	passwordFile   string
	passwordStdin  bool
	thumbprint     string
	insecure       bool
	caCerts        string
	knownHosts     string
	flavor         string
	persistSession bool
	debug          bool
	output         string
	timeout        time.Duration
	home           string // $HVCCTL_HOME or ~/.hvcctl; "" when unknown
}

func (a *app) warnf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if a.warned == nil {
		a.warned = map[string]bool{}
	}
	if a.warned[msg] {
		return
	}
	a.warned[msg] = true
	fmt.Fprintln(a.stderr, "hvcctl: warning: "+msg)
}

// run executes the command line and returns the process exit code.
func (a *app) run(ctx context.Context, args []string) int {
	a.stdinReader = bufio.NewReader(a.stdin)
	a.ctx = ctx
	a.root = a.newRoot()
	a.root.InitDefaultCompletionCmd(args...)
	classifyUsage(a.root)
	a.root.SetArgs(args)
	a.root.SetIn(a.stdin)
	a.root.SetOut(a.stdout)
	a.root.SetErr(a.stderr)

	err := a.root.ExecuteContext(ctx)
	if err != nil {
		err = a.decorate(err)
	}
	a.finish(ctx, err)
	if err == nil {
		return exitOK
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) && exitCode(err) != exitOutcomeUnknown {
		err = interruptedError(err)
	}
	return a.reportError(err)
}

func (a *app) newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "hvcctl",
		Short: "Manage vCenter hybrid links, their sync and hvc administrators",
		Long: `hvcctl manages vCenter hybrid linked mode (hvc): links to a foreign PSC,
the sync providers that replicate between them, and the hvc administrators.

Connection settings come from flags, then HVC_* variables, then the govc
GOVC_* variables of the same name, so a govc environment works as is.
Passwords are never flag values: use HVC_PASSWORD, HVC_PASSWORD_FILE,
--password-stdin or the prompt on a terminal.

Output: -o table (default), -o json or -o yaml. JSON and YAML use the API's
snake_case field names and are a stable contract.

Exit codes: 0 ok, 1 other error, 2 usage, 3 authentication or authorization,
4 not found, 5 already exists, 6 busy (a sync is running), 7 operation not
available on this vCenter version, 8 outcome unknown (a change was
interrupted, timed out or lost its reply after it was sent: check before
repeating it), 9 not confirmed (the answer to a y/N question was no), 60
certificate not trusted, 124 timeout, 130 interrupted.`,
		SilenceErrors:     true,
		SilenceUsage:      true,
		Version:           versionString(),
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error { return a.resolveGlobals(cmd) },
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr(err) })

	f := root.PersistentFlags()
	f.StringVar(&a.g.url, "url", "", "vCenter URL: host, host:port or https://host[:port][/sdk] [HVC_URL]")
	f.StringVarP(&a.g.username, "username", "u", "", "vCenter user name [HVC_USERNAME]")
	f.StringVar(&a.g.passwordFile, "password-file", "", "read the vCenter password from this file [HVC_PASSWORD_FILE]")
	f.BoolVar(&a.g.passwordStdin, "password-stdin", false, "read the vCenter password from the first line of stdin")
	f.StringVar(&a.g.thumbprint, "thumbprint", "", "SHA-256 (or SHA-1) thumbprint to pin the vCenter certificate to [HVC_THUMBPRINT]")
	f.BoolVarP(&a.g.insecure, "insecure", "k", false, "skip vCenter certificate verification [HVC_INSECURE]")
	f.StringVar(&a.g.caCerts, "tls-ca-certs", "", "PEM file of CA certificates to verify the vCenter with [HVC_TLS_CA_CERTS]")
	f.StringVar(&a.g.knownHosts, "tls-known-hosts", "", "known-hosts file of \"host[:port] thumbprint\" lines (default $HVCCTL_HOME/known_hosts) [HVC_TLS_KNOWN_HOSTS]")
	f.StringVar(&a.g.flavor, "flavor", "auto", "REST flavor: auto, api (7.0U2+) or rest (legacy) [HVC_FLAVOR]")
	f.BoolVar(&a.g.persistSession, "persist-session", true, "reuse the session between invocations; false logs out at exit [HVC_PERSIST_SESSION]")
	f.BoolVar(&a.g.debug, "debug", false, "write the redacted HTTP request log to stderr [HVC_DEBUG]")
	f.StringVarP(&a.g.output, "output", "o", "table", "output format: table, json or yaml")
	f.DurationVar(&a.g.timeout, "timeout", 0, "give up after this long (e.g. 30s, 10m; 0: no limit); exits 124")
	_ = root.RegisterFlagCompletionFunc("output", completeWords(outputFormats...))
	_ = root.RegisterFlagCompletionFunc("flavor", completeWords(flavors...))

	root.AddCommand(a.linkCmd(), a.syncCmd(), a.adminCmd(), a.sessionCmd(), a.certCmd(), a.simCmd(), a.versionCmd())
	noFileCompletion(root)
	return root
}

// resolveGlobals applies the environment to flags the command line did not
// set, validates them and sets up logging.
func (a *app) resolveGlobals(cmd *cobra.Command) error {
	if !a.noPrompt {
		a.warnUnknownEnv()
	}
	fs := cmd.Flags()
	applyEnv(fs, a.env, []envDefault{
		{"url", "HVC_URL", &a.g.url},
		{"username", "HVC_USERNAME", &a.g.username},
		{"password-file", "HVC_PASSWORD_FILE", &a.g.passwordFile},
		{"thumbprint", "HVC_THUMBPRINT", &a.g.thumbprint},
		{"tls-ca-certs", "HVC_TLS_CA_CERTS", &a.g.caCerts},
		{"tls-known-hosts", "HVC_TLS_KNOWN_HOSTS", &a.g.knownHosts},
		{"flavor", "HVC_FLAVOR", &a.g.flavor},
	})
	for _, b := range []struct {
		flag, env string
		p         *bool
	}{
		{"insecure", "HVC_INSECURE", &a.g.insecure},
		{"persist-session", "HVC_PERSIST_SESSION", &a.g.persistSession},
		{"debug", "HVC_DEBUG", &a.g.debug},
	} {
		var v string
		if applyEnv(fs, a.env, []envDefault{{b.flag, b.env, &v}}); v == "" {
			continue
		}
		x, err := strconv.ParseBool(v)
		if err != nil {
			return usageErr(fmt.Errorf("%s=%q is not a boolean (use 1, true, 0 or false)", a.envSource(b.env), v))
		}
		*b.p = x
	}
	if !slices.Contains(outputFormats, a.g.output) {
		return usageErr(fmt.Errorf("--output %q: must be table, json or yaml", a.g.output))
	}
	if err := checkThumbprint(fs, "thumbprint", a.envSource("HVC_THUMBPRINT"), a.g.thumbprint); err != nil {
		return err
	}
	if _, err := parseFlavor(a.g.flavor); err != nil {
		return usageErr(err)
	}
	if a.g.timeout < 0 {
		return usageErr(errors.New("--timeout must not be negative"))
	}
	if home, ok := a.lookupEnv("HVCCTL_HOME"); ok && home != "" {
		a.g.home = home
	} else if h, err := os.UserHomeDir(); err == nil && h != "" {
		a.g.home = filepath.Join(h, ".hvcctl")
	}
	if a.g.knownHosts == "" && a.g.home != "" {
		a.g.knownHosts = filepath.Join(a.g.home, "known_hosts")
	}
	level := slog.LevelWarn
	if a.g.debug {
		level = slog.LevelDebug
	}
	a.log = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: level}))
	return nil
}

// envDefault is a string flag that defaults from an environment variable.
type envDefault struct {
	flag, env string
	p         *string
}

// applyEnv is the one precedence rule: a flag the command line set wins;
// otherwise a non-empty variable (read with lookup) sets it.
func applyEnv(fs *pflag.FlagSet, lookup func(string) (string, bool), ds []envDefault) {
	for _, d := range ds {
		if changed(fs, d.flag) {
			continue
		}
		if v, ok := lookup(d.env); ok && v != "" {
			*d.p = v
		}
	}
}

// checkThumbprint rejects a malformed thumbprint before anything connects,
// as a usage error naming the flag, or the variable it came from.
func checkThumbprint(fs *pflag.FlagSet, flag, envName, v string) error {
	if v == "" || hvc.SameThumbprint(v, v) {
		return nil
	}
	src := fmt.Sprintf("--%s %q", flag, v)
	if !changed(fs, flag) {
		src = fmt.Sprintf("%s=%q", envName, v)
	}
	return usageErr(fmt.Errorf("%s: not a certificate thumbprint: want the SHA-256 (or SHA-1) digest as 32 (or 20) hex bytes, optionally colon-separated (AA:BB:...)", src))
}

func changed(fs *pflag.FlagSet, name string) bool {
	f := fs.Lookup(name)
	return f != nil && f.Changed
}

func parseFlavor(s string) (hvc.Flavor, error) { return conn.ParseFlavor(s) }

// cmdContext is the command's context bounded by --timeout.
func (a *app) cmdContext(cmd *cobra.Command) (context.Context, context.CancelFunc) {
	ctx := cmd.Context()
	if a.g.timeout > 0 {
		return context.WithTimeout(ctx, a.g.timeout)
	}
	return context.WithCancel(ctx)
}

// args checks the positional arguments, reporting a usage error (exit 2).
func args(min, max int, names string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, a []string) error {
		if len(a) < min || (max >= 0 && len(a) > max) {
			return usageErr(fmt.Errorf("%s: expected %s, got %d argument(s); see %q", strings.TrimPrefix(cmd.CommandPath(), "hvcctl "), names, len(a), cmd.CommandPath()+" --help"))
		}
		return nil
	}
}

// decorate adds what the operator needs to act on an error: the thumbprint
// and trust command for an untrusted certificate, the way out of an expired
// cached session, what to check after a refused password.
func (a *app) decorate(err error) error {
	var ce *cliError
	if errors.As(err, &ce) && ce.code >= 0 {
		return err
	}
	if exitCode(err) == exitTLS && !errors.Is(err, hvc.ErrUnverifiedPeer) {
		t, ok := a.connector().Current()
		if !ok {
			t, _ = a.connector().Target(false)
		}
		if t.HostPort != "" {
			return a.explainTLS(err, t)
		}
	}
	var std *hvc.StdError
	if errors.As(err, &std) && std.StatusCode == 404 && (std.Op == "Session.Create" || std.Op == "Session.Delete") && strings.EqualFold(a.g.flavor, "api") {
		return &cliError{code: exitUsage, err: err,
			hints: []string{"this vCenter has no /api flavor (it predates vSphere 7.0U2): use --flavor auto or --flavor rest (HVC_FLAVOR)"}}
	}
	if errors.As(err, &std) && std.StatusCode == http.StatusUnauthorized && std.Method == http.MethodPost && strings.HasSuffix(std.Path, "/session") {
		return withHints(err, nil, "the vCenter refused the user name or password: check HVC_USERNAME (or --username) and HVC_PASSWORD (or HVC_PASSWORD_FILE, --password-stdin)")
	}
	if a.conn != nil {
		if expired := a.conn.Expired(err); expired != nil {
			return fromConn(expired)
		}
	}
	return err
}
