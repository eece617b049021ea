package conn

import (
	"bufio"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"

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
	// Thumbprint pins the vCenter certificate.
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
	// RuntimeDir is $XDG_RUNTIME_DIR, where the session cache keeps its
	// MAC key when it is private ("" when unset; see Cache).
	RuntimeDir string
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
