package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/hvcsdk/hvc"
	"github.com/spf13/cobra"
)

// target is the vCenter a command talks to.
type target struct {
	endpoint string // scheme://host[:port], as hvc.New wants it
	hostport string // host:port, with the default port filled in
	user     string
	urlPass  string // password from a govc-style URL (environment only)
}

// cacheKey names the target for the session cache.
func (t target) cacheKey() string { return t.endpoint + "|" + strings.ToLower(t.hostport) }

// parseTarget accepts govc's URL forms: host, host:port, user:pass@host,
// https://host/sdk. The scheme defaults to https; the path must be empty,
// "/" or "/sdk".
func parseTarget(raw string) (target, error) {
	var t target
	s := strings.TrimSpace(raw)
	if s == "" {
		return t, errors.New("empty URL")
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // do not quote the URL: it may hold a password
		}
		return t, fmt.Errorf("invalid URL: %w", err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return t, fmt.Errorf("invalid URL: scheme %q, want https", u.Scheme)
	}
	if u.Hostname() == "" {
		return t, errors.New("invalid URL: no host")
	}
	switch strings.TrimSuffix(u.Path, "/") {
	case "", "/sdk", "/api", "/rest":
	default:
		return t, fmt.Errorf("invalid URL: unexpected path %q (use https://host[:port])", u.Path)
	}
	if u.User != nil {
		t.user = u.User.Username()
		t.urlPass, _ = u.User.Password()
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"https": "443", "http": "80"}[u.Scheme]
	}
	t.hostport = net.JoinHostPort(strings.ToLower(u.Hostname()), port)
	t.endpoint = u.Scheme + "://" + u.Host
	return t, nil
}

// target resolves the vCenter URL and user name from flags and environment.
func (a *app) target(needUser bool) (target, error) {
	if a.g.url == "" {
		return target{}, usageErr(errors.New("no vCenter URL: set HVC_URL (or GOVC_URL) or pass --url"))
	}
	t, err := parseTarget(a.g.url)
	if err != nil {
		return t, usageErr(err)
	}
	if t.urlPass != "" && changed(a.root.PersistentFlags(), "url") {
		return t, usageErr(errors.New("--url must not carry a password (it would show in ps and shell history); use HVC_PASSWORD, HVC_PASSWORD_FILE, --password-stdin or the prompt"))
	}
	if a.g.username != "" {
		t.user = a.g.username
	}
	if needUser && t.user == "" {
		return t, usageErr(errors.New("no user name: set HVC_USERNAME (or GOVC_USERNAME) or pass --username"))
	}
	return t, nil
}

// password returns the vCenter password from --password-stdin,
// --password-file/HVC_PASSWORD_FILE, HVC_PASSWORD or the URL, in that order;
// ok is false when none is set. It never prompts.
func (a *app) password(t target) (pw string, ok bool, err error) {
	_, hasEnvPW := a.env("HVC_PASSWORD")
	fileFromFlag := changed(a.root.PersistentFlags(), "password-file")
	switch {
	case a.g.passwordStdin:
		pw, err = a.readStdinSecret("--password-stdin")
		return pw, err == nil, err
	case a.g.passwordFile != "" && hasEnvPW && !fileFromFlag:
		return "", false, usageErr(fmt.Errorf("both %s and %s are set; unset one", a.envSource("HVC_PASSWORD"), a.envSource("HVC_PASSWORD_FILE")))
	case a.g.passwordFile != "":
		pw, err = readSecretFile(a.g.passwordFile)
		return pw, err == nil, err
	case hasEnvPW:
		pw, _ = a.env("HVC_PASSWORD")
		return pw, true, nil
	case t.urlPass != "":
		return t.urlPass, true, nil
	}
	return "", false, nil
}

// readStdinSecret reads one line from stdin.
func (a *app) readStdinSecret(flag string) (string, error) {
	line, err := a.stdinReader.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", usageErr(fmt.Errorf("%s: no password on stdin", flag))
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", usageErr(fmt.Errorf("%s: empty password on stdin", flag))
	}
	return line, nil
}

// readSecretFile reads a password file: its content without the trailing
// newline. The path is named in errors, the content never.
func readSecretFile(path string) (string, error) {
	f, err := os.Open(path) //nolint:gosec // G304: the operator names the password file
	if err != nil {
		return "", usageErr(fmt.Errorf("password file: %w", err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 4097))
	if err != nil {
		return "", usageErr(fmt.Errorf("password file %s: %w", path, err))
	}
	if len(b) > 4096 {
		return "", usageErr(fmt.Errorf("password file %s is larger than 4 KiB", path))
	}
	s := strings.TrimRight(string(b), "\r\n")
	if s == "" {
		return "", usageErr(fmt.Errorf("password file %s is empty", path))
	}
	return s, nil
}

// promptSecret asks for a secret on the terminal without echo.
func (a *app) promptSecret(prompt string) (string, error) {
	fmt.Fprint(a.stderr, prompt)
	b, err := interruptible(a.ctx, a.readPassword)
	fmt.Fprintln(a.stderr)
	if err != nil {
		return "", fmt.Errorf("reading the password: %w", err)
	}
	if len(b) == 0 {
		return "", authErr(errors.New("empty password"))
	}
	return string(b), nil
}

// readAnswer reads one line the operator types; Ctrl-C ends the wait.
func (a *app) readAnswer() (string, error) {
	b, err := interruptible(a.ctx, func() ([]byte, error) {
		s, err := a.stdinReader.ReadString('\n')
		if err != nil && s == "" {
			return nil, err
		}
		return []byte(s), nil
	})
	return string(b), err
}

// interruptible runs a blocking terminal read and returns early, with the
// context's error, when ctx ends (Ctrl-C is caught, so the read alone would
// keep waiting for Enter). The read is left behind; the process exits.
func interruptible(ctx context.Context, read func() ([]byte, error)) ([]byte, error) {
	type res struct {
		b   []byte
		err error
	}
	ch := make(chan res, 1)
	go func() {
		b, err := read()
		ch <- res{b, err}
	}()
	select {
	case r := <-ch:
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return r.b, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// canPrompt reports whether hvcctl may ask the operator something: stdin
// and stderr are terminals.
func (a *app) canPrompt() bool { return a.stdinTTY && a.stderrTTY && !a.noPrompt }

// confirm asks a y/N question on the terminal, or requires --yes when there
// is none.
func (a *app) confirm(yes bool, question, what string) error {
	if yes {
		return nil
	}
	if !a.canPrompt() {
		return usageErr(fmt.Errorf("refusing to %s without confirmation: no terminal to ask on; pass --yes", what))
	}
	fmt.Fprint(a.stderr, question+" [y/N] ")
	line, err := a.readAnswer()
	if err != nil {
		return err
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return nil
	}
	return &cliError{code: exitNotConfirmed, err: errors.New("not confirmed; nothing was changed")}
}

// connection is the client of one invocation and what finish needs to
// persist or end its session.
type connection struct {
	client   *hvc.Client
	t        target
	cache    *sessionCache // nil without a usable cache
	entry    *cacheEntry   // the cached session used, if any
	password string        // set when the client holds credentials
	persist  bool
	noCreds  bool // the client runs on a cached session alone
}

// clientOptions are the options every client of this invocation shares:
// trust, flavor, logging.
func (a *app) clientOptions(t target) ([]hvc.Option, error) {
	opts := []hvc.Option{hvc.WithUserAgent("hvcctl/" + version() + " " + hvc.DefaultUserAgent)}
	if a.g.debug {
		opts = append(opts, hvc.WithLogger(a.log))
	}
	f, err := parseFlavor(a.g.flavor)
	if err != nil {
		return nil, usageErr(err)
	}
	if f != hvc.FlavorAuto {
		opts = append(opts, hvc.WithFlavor(f))
	}
	trust, err := a.trustOptions(t)
	if err != nil {
		return nil, err
	}
	return append(opts, trust...), nil
}

// trustOptions decides how the vCenter certificate is verified: --insecure,
// a pinned --thumbprint, the known-hosts entry for the host, a CA file, or
// the system roots.
func (a *app) trustOptions(t target) ([]hvc.Option, error) {
	if a.g.insecure && a.g.thumbprint != "" {
		return nil, usageErr(errors.New("--insecure and --thumbprint (HVC_THUMBPRINT) exclude each other"))
	}
	// One source decides, in this order; a CA file is used only when no
	// pin applies (the SDK refuses a pool next to a pin or --insecure).
	switch {
	case a.g.insecure:
		a.warnf("certificate verification of %s is disabled (--insecure); prefer --thumbprint or %s", t.hostport, a.g.knownHosts)
		return []hvc.Option{hvc.WithInsecureSkipVerify()}, nil
	case a.g.thumbprint != "":
		a.debugf("trusting %s by the pinned thumbprint %s", t.hostport, a.g.thumbprint)
		return []hvc.Option{hvc.WithThumbprint(a.g.thumbprint)}, wrapUsage(hvcOptionCheck(hvc.WithThumbprint(a.g.thumbprint)))
	}
	if tp, ok := lookupKnownHost(a.g.knownHosts, t.hostport); ok {
		if err := hvcOptionCheck(hvc.WithThumbprint(tp)); err != nil {
			return nil, usageErr(fmt.Errorf("%s: entry for %s: %w", a.g.knownHosts, t.hostport, err))
		}
		a.debugf("trusting %s by its entry %s in %s", t.hostport, tp, a.g.knownHosts)
		return []hvc.Option{hvc.WithThumbprint(tp)}, nil
	}
	if a.g.caCerts == "" {
		a.debugf("verifying %s against the system roots (no entry in %s)", t.hostport, a.g.knownHosts)
		return nil, nil
	}
	pem, err := os.ReadFile(a.g.caCerts)
	if err != nil {
		return nil, usageErr(fmt.Errorf("--tls-ca-certs: %w", err))
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, usageErr(fmt.Errorf("--tls-ca-certs: no PEM certificate in %s", a.g.caCerts))
	}
	a.debugf("verifying %s against the CA certificates in %s", t.hostport, a.g.caCerts)
	return []hvc.Option{hvc.WithRootCAs(pool)}, nil
}

// hvcOptionCheck validates an option by building a throw-away client.
func hvcOptionCheck(o hvc.Option) error {
	_, err := hvc.New("https://127.0.0.1", o)
	return err
}

func wrapUsage(err error) error {
	if err == nil {
		return nil
	}
	return usageErr(err)
}

// connect builds the client for a command: the cached session when it may
// be used, credentials otherwise (see sessionCache for the rules).
func (a *app) connect(ctx context.Context) (*hvc.Client, error) {
	t, err := a.target(true)
	if err != nil {
		return nil, err
	}
	opts, err := a.clientOptions(t)
	if err != nil {
		return nil, err
	}
	pw, havePW, err := a.password(t)
	if err != nil {
		return nil, err
	}
	c := &connection{t: t, persist: a.g.persistSession}
	if c.persist {
		c.cache = a.openCache()
	}
	if c.cache != nil {
		c.entry = c.cache.load(t, a)
	}
	if f, _ := parseFlavor(a.g.flavor); havePW && c.entry != nil && f != hvc.FlavorAuto && c.entry.Flavor != f.String() {
		// A session settled on another flavor than the forced one: log in
		// anew, as without the cache (a 7.0U1 /rest session would turn
		// "no /api here" into "operation unavailable").
		a.debugf("the cached session of %s speaks %s, not the forced flavor %s; logging in", t.user, c.entry.Flavor, f)
		c.entry = nil
	}
	switch {
	case havePW && c.entry != nil && c.entry.verify(pw):
		a.debugf("using the cached session of %s at %s", t.user, t.endpoint)
		opts = append(opts, hvc.WithSessionID(c.entry.SessionID), hvc.WithCredentials(t.user, pw))
		opts = append(opts, flavorFromCache(c.entry, a)...)
	case havePW:
		if c.entry != nil {
			a.debugf("the cached session of %s was made with another password; logging in", t.user)
			c.entry = nil
		}
		opts = append(opts, hvc.WithCredentials(t.user, pw))
	case c.entry != nil:
		a.debugf("using the cached session of %s at %s (no password given)", t.user, t.endpoint)
		opts = append(opts, hvc.WithSessionID(c.entry.SessionID))
		opts = append(opts, flavorFromCache(c.entry, a)...)
		c.noCreds = true
	case a.canPrompt():
		pw, err = a.promptSecret(fmt.Sprintf("Password for %s at %s: ", t.user, t.hostport))
		if err != nil {
			return nil, err
		}
		havePW = true
		opts = append(opts, hvc.WithCredentials(t.user, pw))
	default:
		return nil, authErr(fmt.Errorf("no password for %s: no cached session and no terminal to prompt on", t.user),
			"set HVC_PASSWORD or HVC_PASSWORD_FILE, pass --password-stdin, or run \"hvcctl session login\" on a terminal")
	}
	if havePW {
		c.password = pw
	}
	client, err := hvc.New(t.endpoint, opts...)
	if err != nil {
		return nil, usageErr(err)
	}
	c.client = client
	a.conn = c
	return client, nil
}

// flavorFromCache reuses the flavor a cached session settled, unless the
// operator chose one.
func flavorFromCache(e *cacheEntry, a *app) []hvc.Option {
	if a.g.flavor != "" && a.g.flavor != "auto" {
		return nil
	}
	if f, err := parseFlavor(e.Flavor); err == nil && f != hvc.FlavorAuto {
		return []hvc.Option{hvc.WithFlavor(f)}
	}
	return nil
}

// finish persists or ends the invocation's session. It runs after every
// command, also after a failure or an interrupt.
func (a *app) finish(ctx context.Context) error {
	c := a.conn
	if c == nil {
		return nil
	}
	a.conn = nil
	defer c.client.CloseIdleConnections()
	if !c.persist {
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := c.client.Logout(lctx); err != nil {
			a.warnf("logout: %v", err)
		}
		return nil
	}
	if c.cache == nil {
		return nil
	}
	id := c.client.SessionID()
	switch {
	case id == "" && c.entry != nil:
		c.cache.remove(c.t)
	case id == "", c.entry != nil && id == c.entry.SessionID:
		return nil
	case c.password == "":
		return nil
	default:
		c.cache.store(c.t, id, c.client.Flavor(), c.password, c.entry, a)
	}
	return nil
}

func (a *app) debugf(format string, args ...any) {
	if a.g.debug {
		a.log.Debug("hvcctl: " + fmt.Sprintf(format, args...))
	}
}

// withClient runs fn with a client connected under the command's context
// (bounded by --timeout), the shape of every command that calls vCenter.
func (a *app) withClient(cmd *cobra.Command, fn func(ctx context.Context, c *hvc.Client) error) error {
	ctx, cancel := a.cmdContext(cmd)
	defer cancel()
	c, err := a.connect(ctx)
	if err != nil {
		return err
	}
	return fn(ctx, c)
}
