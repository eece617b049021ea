package conn

import (
	"bufio"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/hvcsdk/hvc"
)

// Settings are one invocation's connection settings, resolved from flags
// and the environment by the command line.
type Settings struct {
	// URL is the vCenter URL in one of govc's forms (see ParseTarget).
	URL string
	// URLFromFlag reports that URL came from --url, which must not carry
	// a password (it would show in ps and shell history).
	URLFromFlag bool
	// Username overrides the URL's user name.
	Username string
	// Password says where the vCenter password comes from; its URL field
	// is filled from the URL.
	Password PasswordSource
	// Thumbprint pins the vCenter certificate; ThumbprintSource names
	// where it came from for messages.
	Thumbprint string
	// Insecure skips certificate verification.
	Insecure bool
	// CACerts is a PEM file of CA certificates to verify with.
	CACerts string
	// KnownHosts is the known-hosts file of "host[:port] thumbprint" lines.
	KnownHosts string
	// GovcKnownHosts is govc's known-hosts file, read when KnownHosts has
	// no entry for the host ("" for none).
	GovcKnownHosts string
	// Flavor is the REST flavor the operator chose (FlavorAuto: none).
	Flavor hvc.Flavor
	// Persist keeps the session in the cache between invocations; false
	// logs out at Finish.
	Persist bool
	// Home is $HVCCTL_HOME, "" when unknown.
	Home string
	// Options are added to every client (user agent, logger).
	Options []hvc.Option
}

// Connector builds the client of one invocation (Connect, Login), and
// persists or ends its session (Finish). Set its fields before use.
type Connector struct {
	Settings Settings
	// Stdin is where --password-stdin reads.
	Stdin *bufio.Reader
	// Prompt asks for a password on a terminal; nil never prompts.
	Prompt Prompter
	// Warnf reports something the operator should know (stderr).
	Warnf func(format string, args ...any)
	// Debugf logs what --debug shows.
	Debugf func(format string, args ...any)

	cur *session
}

// session is the client of this invocation and what Finish needs to
// persist or end it.
type session struct {
	client   *hvc.Client
	t        Target
	cache    *Cache // nil without a usable cache
	entry    *Entry // the cached session used, if any
	password string // set when the client holds credentials
	noCreds  bool   // the client runs on a cached session alone
}

// Target resolves the vCenter URL and user name; needUser requires a user.
func (c *Connector) Target(needUser bool) (Target, error) {
	s := c.Settings
	if s.URL == "" {
		return Target{}, usage(errors.New("no vCenter URL: set HVC_URL (or GOVC_URL) or pass --url"))
	}
	t, err := ParseTarget(s.URL)
	if err != nil {
		return t, usage(err)
	}
	if t.URLPassword != "" && s.URLFromFlag {
		return t, usage(errors.New("--url must not carry a password (it would show in ps and shell history); use HVC_PASSWORD, HVC_PASSWORD_FILE, --password-stdin or the prompt"))
	}
	if s.Username != "" {
		t.User = s.Username
	}
	if needUser && t.User == "" {
		return t, usage(errors.New("no user name: set HVC_USERNAME (or GOVC_USERNAME) or pass --username"))
	}
	return t, nil
}

// Current returns the target of the client Connect built, if any.
func (c *Connector) Current() (Target, bool) {
	if c.cur == nil {
		return Target{}, false
	}
	return c.cur.t, true
}

// ClientOptions are the options every client of t shares: trust, flavor,
// the settings' options.
func (c *Connector) ClientOptions(t Target) ([]hvc.Option, error) {
	opts := append([]hvc.Option(nil), c.Settings.Options...)
	if c.Settings.Flavor != hvc.FlavorAuto {
		opts = append(opts, hvc.WithFlavor(c.Settings.Flavor))
	}
	if strings.HasPrefix(t.Endpoint, "http://") {
		c.Warnf("%s is plain http://: the password and the session id cross the network unencrypted; use https://", t.Endpoint)
	}
	trust, err := c.trustOptions(t)
	if err != nil {
		return nil, err
	}
	return append(opts, trust...), nil
}

// trustOptions decides how the vCenter certificate is verified: --insecure,
// a pinned --thumbprint, the known-hosts entry for the host, a CA file, or
// the system roots.
func (c *Connector) trustOptions(t Target) ([]hvc.Option, error) {
	s := c.Settings
	if s.Insecure && s.Thumbprint != "" {
		return nil, usage(errors.New("--insecure and --thumbprint (HVC_THUMBPRINT) exclude each other"))
	}
	// One source decides, in this order; a CA file is used only when no
	// pin applies (the SDK refuses a pool next to a pin or --insecure).
	switch {
	case s.Insecure:
		c.Warnf("certificate verification of %s is disabled (--insecure); prefer --thumbprint or %s", t.HostPort, s.KnownHosts)
		return []hvc.Option{hvc.WithInsecureSkipVerify()}, nil
	case s.Thumbprint != "":
		c.Debugf("trusting %s by the pinned thumbprint %s", t.HostPort, s.Thumbprint)
		return []hvc.Option{hvc.WithThumbprint(s.Thumbprint)}, usage(optionCheck(hvc.WithThumbprint(s.Thumbprint)))
	}
	tp, from, err := c.KnownHosts().Lookup(t.HostPort, c.Warnf)
	if err != nil {
		return nil, usage(err)
	}
	if tp != "" {
		if err := optionCheck(hvc.WithThumbprint(tp)); err != nil {
			return nil, usage(fmt.Errorf("%s: entry for %s: %w", from, t.HostPort, err))
		}
		c.Debugf("trusting %s by its entry %s in %s", t.HostPort, tp, from)
		return []hvc.Option{hvc.WithThumbprint(tp)}, nil
	}
	if s.CACerts == "" {
		c.Debugf("verifying %s against the system roots (no entry in %s)", t.HostPort, s.KnownHosts)
		return nil, nil
	}
	pem, err := os.ReadFile(s.CACerts)
	if err != nil {
		return nil, usage(fmt.Errorf("--tls-ca-certs: %w", err))
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, usage(fmt.Errorf("--tls-ca-certs: no PEM certificate in %s", s.CACerts))
	}
	c.Debugf("verifying %s against the CA certificates in %s", t.HostPort, s.CACerts)
	return []hvc.Option{hvc.WithRootCAs(pool)}, nil
}

// KnownHosts are the known-hosts files of the settings.
func (c *Connector) KnownHosts() KnownHosts {
	return KnownHosts{File: c.Settings.KnownHosts, Fallback: c.Settings.GovcKnownHosts}
}

// optionCheck validates an option by building a throw-away client.
func optionCheck(o hvc.Option) error {
	_, err := hvc.New("https://127.0.0.1", o)
	return err
}

// Connect builds the client for a command: the cached session when it may
// be used, credentials otherwise (see Cache for the rules).
func (c *Connector) Connect(ctx context.Context) (*hvc.Client, error) {
	_ = ctx
	t, err := c.Target(true)
	if err != nil {
		return nil, err
	}
	opts, err := c.ClientOptions(t)
	if err != nil {
		return nil, err
	}
	src := c.Settings.Password
	src.URL = t.URLPassword
	pw, havePW, err := src.Lookup(c.Stdin)
	if err != nil {
		return nil, err
	}
	s := &session{t: t}
	if c.Settings.Persist {
		s.cache = OpenCache(c.Settings.Home, c.Warnf)
	}
	if s.cache != nil {
		s.entry = s.cache.Load(t)
	}
	switch {
	case havePW && s.entry != nil && s.entry.verify(pw):
		c.Debugf("using the cached session of %s at %s", t.User, t.Endpoint)
		opts = append(opts, hvc.WithSessionID(s.entry.SessionID), hvc.WithCredentials(t.User, pw))
		opts = append(opts, c.flavorFromCache(s.entry)...)
	case havePW:
		if s.entry != nil {
			c.Debugf("the cached session of %s was made with another password; logging in", t.User)
			s.entry = nil
		}
		opts = append(opts, hvc.WithCredentials(t.User, pw))
	case s.entry != nil:
		c.Debugf("using the cached session of %s at %s (no password given)", t.User, t.Endpoint)
		opts = append(opts, hvc.WithSessionID(s.entry.SessionID))
		opts = append(opts, c.flavorFromCache(s.entry)...)
		s.noCreds = true
	case c.Prompt != nil && c.Prompt.CanPrompt():
		pw, err = c.Prompt.PromptSecret(fmt.Sprintf("Password for %s at %s: ", t.User, t.HostPort))
		if err != nil {
			return nil, err
		}
		havePW = true
		opts = append(opts, hvc.WithCredentials(t.User, pw))
	default:
		return nil, auth(fmt.Errorf("no password for %s: no cached session and no terminal to prompt on", t.User),
			"set HVC_PASSWORD or HVC_PASSWORD_FILE, pass --password-stdin, or run \"hvcctl session login\" on a terminal")
	}
	if havePW {
		s.password = pw
	}
	client, err := hvc.New(t.Endpoint, opts...)
	if err != nil {
		return nil, usage(err)
	}
	s.client = client
	c.cur = s
	return client, nil
}

// LoginError is a failed "session login": the login itself was refused or
// did not complete.
type LoginError struct {
	User string
	Err  error
}

func (e *LoginError) Error() string { return "log in as " + e.User + ": " + e.Err.Error() }

// Unwrap returns the SDK's error.
func (e *LoginError) Unwrap() error { return e.Err }

// Session describes the session "session login" made.
type Session struct {
	Target Target
	Flavor hvc.Flavor
	// CachePath is the session file, "" when the session is not cached.
	CachePath string
	// Created is when the cached session's password was first verified.
	Created time.Time
}

// Login logs in now with the password (never a cached session: the point
// is to check the password) and caches the session.
func (c *Connector) Login(ctx context.Context) (*Session, error) {
	t, err := c.Target(true)
	if err != nil {
		return nil, err
	}
	opts, err := c.ClientOptions(t)
	if err != nil {
		return nil, err
	}
	src := c.Settings.Password
	src.URL = t.URLPassword
	pw, err := src.Get(c.Stdin, c.Prompt, fmt.Sprintf("Password for %s at %s: ", t.User, t.HostPort),
		errors.New("session login needs a password and there is no terminal to prompt on"),
		"set HVC_PASSWORD or HVC_PASSWORD_FILE, or pass --password-stdin")
	if err != nil {
		return nil, err
	}
	client, err := hvc.New(t.Endpoint, append(opts, hvc.WithCredentials(t.User, pw))...)
	if err != nil {
		return nil, usage(err)
	}
	s := &session{client: client, t: t, password: pw}
	c.cur = s
	if err := client.Login(ctx); err != nil {
		return nil, &LoginError{User: t.User, Err: err}
	}
	out := &Session{Target: t, Flavor: client.Flavor()}
	if c.Settings.Persist {
		if s.cache = OpenCache(c.Settings.Home, c.Warnf); s.cache != nil {
			s.cache.Store(t, client.SessionID(), client.Flavor(), pw, s.cache.Load(t))
			s.entry = s.cache.Load(t)
			if s.entry != nil {
				out.CachePath, out.Created = s.cache.Path(t), s.entry.Created
			}
		}
	}
	return out, nil
}

// flavorFromCache reuses the flavor a cached session settled, unless the
// operator chose one.
func (c *Connector) flavorFromCache(e *Entry) []hvc.Option {
	if c.Settings.Flavor != hvc.FlavorAuto {
		return nil
	}
	if f, err := ParseFlavor(e.Flavor); err == nil && f != hvc.FlavorAuto {
		return []hvc.Option{hvc.WithFlavor(f)}
	}
	return nil
}

// Expired returns the error to report when err is the server refusing the
// cached session a client ran on alone; nil otherwise.
func (c *Connector) Expired(err error) error {
	s := c.cur
	if s == nil || !s.noCreds || !errors.Is(err, hvc.ErrUnauthenticated) {
		return nil
	}
	return auth(fmt.Errorf("the cached session of %s at %s has expired: %w", s.t.User, s.t.HostPort, err),
		"log in again with \"hvcctl session login\", or set HVC_PASSWORD or HVC_PASSWORD_FILE")
}

// Finish persists or ends the invocation's session. It runs after every
// command, also after a failure (cmdErr) or an interrupt.
func (c *Connector) Finish(ctx context.Context, cmdErr error) {
	s := c.cur
	if s == nil {
		return
	}
	expired := c.Expired(cmdErr) != nil
	c.cur = nil
	defer s.client.CloseIdleConnections()
	if !c.Settings.Persist {
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := s.client.Logout(lctx); err != nil {
			c.Warnf("logout: %v", err)
		}
		return
	}
	if s.cache == nil {
		return
	}
	id := s.client.SessionID()
	switch {
	case expired && s.entry != nil:
		s.cache.Remove(s.t)
	case id == "" && s.entry != nil:
		s.cache.Remove(s.t)
	case id == "", s.entry != nil && id == s.entry.SessionID:
	case s.password == "":
	default:
		s.cache.Store(s.t, id, s.client.Flavor(), s.password, s.entry)
	}
}

// Cached is the cached session of the target, for "session show" and
// "session logout".
type Cached struct {
	Target Target
	// Path is the session file; Entry is nil when there is no usable one.
	Path  string
	Entry *Entry
	cache *Cache
}

// Cached returns the target's cached session without connecting.
func (c *Connector) Cached() (*Cached, error) {
	t, err := c.Target(true)
	if err != nil {
		return nil, err
	}
	out := &Cached{Target: t}
	if out.cache = OpenCache(c.Settings.Home, c.Warnf); out.cache != nil {
		out.Path = out.cache.Path(t)
		out.Entry = out.cache.Load(t)
	}
	return out, nil
}

// Client returns a client that runs on the cached session alone (it cannot
// log in again); close it with CloseIdleConnections.
func (c *Connector) Client(cs *Cached) (*hvc.Client, error) {
	opts, err := c.ClientOptions(cs.Target)
	if err != nil {
		return nil, err
	}
	opts = append(opts, hvc.WithSessionID(cs.Entry.SessionID))
	opts = append(opts, c.flavorFromCache(cs.Entry)...)
	client, err := hvc.New(cs.Target.Endpoint, opts...)
	if err != nil {
		return nil, usage(err)
	}
	return client, nil
}

// Forget removes the cached session.
func (cs *Cached) Forget() {
	if cs.cache != nil {
		cs.cache.Remove(cs.Target)
	}
}

// ParseFlavor parses auto, api or rest (any case).
func ParseFlavor(s string) (hvc.Flavor, error) {
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
