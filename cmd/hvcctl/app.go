package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hvcsdk/hvc"
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
	readPassword   func() ([]byte, error)

	stdinReader *bufio.Reader
	g           globalFlags
	root        *cobra.Command
	log         *slog.Logger
	warned      map[string]bool
	conn        *connection // set by connect, closed by finish
	noPrompt    bool        // shell completion must never block on a prompt
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

// knownEnv lists every HVC_* variable hvcctl reads; any other HVC_* variable
// draws a warning (a misspelled one must not be silently ignored).
var knownEnv = []string{
	"HVC_URL", "HVC_USERNAME", "HVC_PASSWORD", "HVC_PASSWORD_FILE", "HVC_THUMBPRINT",
	"HVC_INSECURE", "HVC_TLS_CA_CERTS", "HVC_TLS_KNOWN_HOSTS", "HVC_FLAVOR",
	"HVC_PERSIST_SESSION", "HVC_DEBUG",
	"HVC_PSC_HOSTNAME", "HVC_PSC_DOMAIN", "HVC_PSC_USERNAME", "HVC_PSC_PORT",
	"HVC_PSC_THUMBPRINT", "HVC_PSC_PASSWORD", "HVC_PSC_PASSWORD_FILE",
}

// env returns the value of an HVC_* variable, falling back to the GOVC_*
// variable of the same suffix when the HVC_* one is unset or empty.
func (a *app) env(name string) (string, bool) {
	if v, ok := a.lookupEnv(name); ok && v != "" {
		return v, true
	}
	if rest, ok := strings.CutPrefix(name, "HVC_"); ok {
		if v, ok := a.lookupEnv("GOVC_" + rest); ok && v != "" {
			return v, true
		}
	}
	return "", false
}

// envSource names the variable env(name) took its value from.
func (a *app) envSource(name string) string {
	if v, ok := a.lookupEnv(name); ok && v != "" {
		return name
	}
	return "GOVC_" + strings.TrimPrefix(name, "HVC_")
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

// simEnv lists the HVC_* variables "hvcctl sim" prints that no command
// reads; they draw no warning either.
var simEnv = []string{"HVC_READONLY_USERNAME", "HVC_READONLY_PASSWORD"}

// warnUnknownEnv warns about HVC_* variables hvcctl does not know, naming
// the closest known one.
func (a *app) warnUnknownEnv() {
	known := map[string]bool{}
	for _, k := range append(slices.Clone(knownEnv), simEnv...) {
		known[k] = true
	}
	var unknown []string
	for _, kv := range a.environ {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "HVC_") && !known[name] {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	for _, name := range unknown {
		hint := ""
		if s := closest(name, knownEnv); s != "" {
			hint = " (did you mean " + s + "?)"
		}
		a.warnf("unknown environment variable %s is ignored%s", name, hint)
	}
}

// closest returns the candidate s is a likely misspelling of: the only one
// s is a prefix of or that is a prefix of s (HVC_USER, HVC_URLS), else the
// nearest one at edit distance 2 or less. Anything further gets no guess: a
// wrong suggestion misleads more than none.
func closest(s string, candidates []string) string {
	var prefixed []string
	for _, c := range candidates {
		if strings.HasPrefix(c, s) || strings.HasPrefix(s, c) {
			prefixed = append(prefixed, c)
		}
	}
	if len(prefixed) == 1 {
		return prefixed[0]
	}
	best, bestD := "", 3
	for _, c := range candidates {
		if d := editDistance(s, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// run executes the command line and returns the process exit code.
func (a *app) run(ctx context.Context, args []string) int {
	a.stdinReader = bufio.NewReader(a.stdin)
	a.ctx = ctx
	a.root = a.newRoot()
	a.root.InitDefaultCompletionCmd(args...)
	requireSubcommand(a.root)
	a.root.SetArgs(args)
	a.root.SetIn(a.stdin)
	a.root.SetOut(a.stdout)
	a.root.SetErr(a.stderr)

	err := a.root.ExecuteContext(ctx)
	if err != nil {
		err = a.decorate(err)
	}
	if ferr := a.finish(ctx); err == nil && ferr != nil {
		err = ferr
	}
	if err == nil {
		return exitOK
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
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
available on this vCenter version, 60 certificate not trusted, 124 timeout,
130 interrupted.`,
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

	root.AddCommand(a.linkCmd(), a.syncCmd(), a.adminCmd(), a.sessionCmd(), a.certCmd(), a.simCmd(), a.versionCmd())
	return root
}

// requireSubcommand makes every group command below root (link, sync,
// admin, session, completion) fail with a usage error when it is run with
// an unknown subcommand or none, as cobra does for an unknown top-level
// command; cobra would print the group's help and exit 0.
func requireSubcommand(root *cobra.Command) {
	for _, c := range root.Commands() {
		if !c.HasSubCommands() || c.Runnable() {
			continue
		}
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(cmd *cobra.Command, argv []string) error {
			var names []string
			for _, sub := range cmd.Commands() {
				if sub.IsAvailableCommand() {
					names = append(names, sub.Name())
				}
			}
			sort.Strings(names)
			see := fmt.Sprintf("see %q", cmd.CommandPath()+" --help")
			if len(argv) == 0 {
				return usageErr(fmt.Errorf("missing subcommand of %q: one of %s; %s", cmd.CommandPath(), strings.Join(names, ", "), see))
			}
			return usageErr(fmt.Errorf("unknown command %q for %q: want one of %s; %s", argv[0], cmd.CommandPath(), strings.Join(names, ", "), see))
		}
	}
}

// resolveGlobals applies the environment to flags the command line did not
// set, validates them and sets up logging.
func (a *app) resolveGlobals(cmd *cobra.Command) error {
	if !a.noPrompt {
		a.warnUnknownEnv()
	}
	fs := cmd.Flags()
	strs := []struct {
		flag, env string
		p         *string
	}{
		{"url", "HVC_URL", &a.g.url},
		{"username", "HVC_USERNAME", &a.g.username},
		{"password-file", "HVC_PASSWORD_FILE", &a.g.passwordFile},
		{"thumbprint", "HVC_THUMBPRINT", &a.g.thumbprint},
		{"tls-ca-certs", "HVC_TLS_CA_CERTS", &a.g.caCerts},
		{"tls-known-hosts", "HVC_TLS_KNOWN_HOSTS", &a.g.knownHosts},
		{"flavor", "HVC_FLAVOR", &a.g.flavor},
	}
	for _, s := range strs {
		if changed(fs, s.flag) {
			continue
		}
		if v, ok := a.env(s.env); ok {
			*s.p = v
		}
	}
	bools := []struct {
		flag, env string
		p         *bool
	}{
		{"insecure", "HVC_INSECURE", &a.g.insecure},
		{"persist-session", "HVC_PERSIST_SESSION", &a.g.persistSession},
		{"debug", "HVC_DEBUG", &a.g.debug},
	}
	for _, b := range bools {
		if changed(fs, b.flag) {
			continue
		}
		if v, ok := a.env(b.env); ok {
			x, err := strconv.ParseBool(v)
			if err != nil {
				return usageErr(fmt.Errorf("%s=%q is not a boolean (use 1, true, 0 or false)", a.envSource(b.env), v))
			}
			*b.p = x
		}
	}
	switch a.g.output {
	case "table", "json", "yaml":
	default:
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

func parseFlavor(s string) (hvc.Flavor, error) {
	switch strings.ToLower(s) {
	case "", "auto":
		return hvc.FlavorAuto, nil
	case "api":
		return hvc.FlavorAPI, nil
	case "rest":
		return hvc.FlavorREST, nil
	}
	return hvc.FlavorAuto, fmt.Errorf("flavor %q: must be auto, api or rest", s)
}

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
// cached session, cobra's own usage errors as exit 2.
func (a *app) decorate(err error) error {
	var ce *cliError
	if errors.As(err, &ce) && ce.code >= 0 {
		return err
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "unknown command") || strings.HasPrefix(msg, "unknown flag") ||
		strings.HasPrefix(msg, "invalid argument") || strings.HasPrefix(msg, "required flag") {
		return usageErr(err)
	}
	if exitCode(err) == exitTLS && !errors.Is(err, hvc.ErrUnverifiedPeer) {
		t := target{}
		if a.conn != nil {
			t = a.conn.t
		} else if tt, terr := a.target(false); terr == nil {
			t = tt
		}
		if t.hostport != "" {
			return a.explainTLS(err, t)
		}
	}
	var std *hvc.StdError
	if errors.As(err, &std) && std.StatusCode == 404 && (std.Op == "Session.Create" || std.Op == "Session.Delete") && strings.EqualFold(a.g.flavor, "api") {
		return &cliError{code: exitUsage, err: err,
			hints: []string{"this vCenter has no /api flavor (it predates vSphere 7.0U2): use --flavor auto or --flavor rest (HVC_FLAVOR)"}}
	}
	if c := a.conn; c != nil && c.noCreds && errors.Is(err, hvc.ErrUnauthenticated) {
		if c.cache != nil {
			c.cache.remove(c.t)
		}
		c.entry = nil
		return authErr(fmt.Errorf("the cached session of %s at %s has expired: %w", c.t.user, c.t.hostport, err),
			"log in again with \"hvcctl session login\", or set HVC_PASSWORD or HVC_PASSWORD_FILE")
	}
	return err
}
