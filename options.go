package hvc

import (
	"context"
	"crypto/x509"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/hvcsdk/hvc/internal/thumbprint"
)

// Option configures a Client in New. An invalid option makes New fail; none
// panics and none is silently ignored.
type Option func(*config) error

// Defaults of a new Client.
const (
	// DefaultTimeout bounds each HTTP request unless WithTimeout says otherwise.
	DefaultTimeout = 60 * time.Second
	// DefaultMaxResponseBytes is the largest response body the client reads.
	DefaultMaxResponseBytes = 16 << 20
	// DefaultUserAgent is sent unless WithUserAgent says otherwise.
	DefaultUserAgent = "hvc-go/" + Version
)

// Version is this SDK's version.
const Version = "0.1.0"

type config struct {
	user, password string
	sessionID      string
	sessionSource  func(context.Context) (string, error)
	flavor         Flavor
	httpClient     *http.Client
	rootCAs        *x509.CertPool
	pin            []byte
	pinText        string
	insecure       bool
	timeout        time.Duration
	userAgent      string
	logger         *slog.Logger
	retry          *RetryPolicy
	maxBody        int
}

func defaultConfig() config {
	return config{timeout: DefaultTimeout, userAgent: DefaultUserAgent, maxBody: DefaultMaxResponseBytes}
}

// tlsOptionNames names the TLS options given, for errors.
func (c *config) tlsOptionNames() string {
	var names []string
	if c.rootCAs != nil {
		names = append(names, "WithRootCAs")
	}
	if c.pin != nil {
		names = append(names, "WithThumbprint")
	}
	if c.insecure {
		names = append(names, "WithInsecureSkipVerify")
	}
	return strings.Join(names, " and ")
}

// hasCredentials reports whether the client can obtain a session by
// itself: with WithCredentials or WithSessionSource. Such a client logs in
// lazily and again, once, when its session expires.
func (c *config) hasCredentials() bool { return c.user != "" || c.sessionSource != nil }

// WithCredentials sets the user name and password the client logs in with.
// The client logs in lazily on its first call and again, once, whenever the
// session expires.
func WithCredentials(user, password string) Option {
	return func(c *config) error {
		if user == "" || password == "" {
			return errors.New("hvc: WithCredentials: user and password must not be empty")
		}
		if c.sessionSource != nil {
			return errors.New("hvc: WithCredentials and WithSessionSource exclude each other")
		}
		c.user, c.password = user, password
		return nil
	}
}

// WithSessionID makes the client use an existing session. Without
// WithCredentials, an expired session surfaces as *UnauthenticatedError.
// The id must be 1 to MaxSessionIDLen bytes of printable ASCII without
// spaces.
func WithSessionID(id string) Option {
	return func(c *config) error {
		if err := checkSessionID(id); err != nil {
			return errors.New("hvc: WithSessionID: " + err.Error())
		}
		c.sessionID = id
		return nil
	}
}

// WithSessionSource makes the client obtain its sessions from source
// instead of logging in with a user and password: tooling that already
// authenticates another way (govmomi's rest.Client.LoginByToken with a SAML
// token, a secrets vault, a broker) hands the client a vCenter session id.
//
// The client calls source where it would log in: lazily before its first
// call, from Login, and once more whenever the server answers 401 to the
// current session. However many goroutines need a session at the same
// time, source runs once for all of them, on a context detached from the
// caller that triggered it and bounded by the client's timeout (see
// WithTimeout). An error from source is returned to those callers as the
// Err of a *TransportError naming the login (Op "Session.Create"), which
// errors.Is and errors.As see through; a session id that is not 1 to
// MaxSessionIDLen bytes of printable ASCII without spaces is refused with
// an *InvalidArgumentError. A panic in source is turned into a
// *TransportError. source must be safe to call from any goroutine.
//
// With FlavorAuto the client learns the flavor by probing GET /api/session
// once. WithSessionSource and WithCredentials exclude each other.
func WithSessionSource(source func(ctx context.Context) (sessionID string, err error)) Option {
	return func(c *config) error {
		if source == nil {
			return errors.New("hvc: WithSessionSource: nil source")
		}
		if c.user != "" {
			return errors.New("hvc: WithCredentials and WithSessionSource exclude each other")
		}
		c.sessionSource = source
		return nil
	}
}

// WithFlavor selects the REST flavor; FlavorAuto is the default.
func WithFlavor(f Flavor) Option {
	return func(c *config) error {
		if f < FlavorAuto || f > FlavorREST {
			return errors.New("hvc: WithFlavor: unknown flavor " + f.String())
		}
		c.flavor = f
		return nil
	}
}

// WithHTTPClient makes the client send through hc (e.g. for a proxy). The
// client copies hc and drops its cookie jar; hc itself is not modified.
//
// TLS options (WithRootCAs, WithThumbprint, WithInsecureSkipVerify) need
// hc's Transport to be an *http.Transport (or nil) without DialTLSContext or
// DialTLS, because net/http ignores TLSClientConfig when one is set: New
// refuses any other combination rather than drop the option.
//
// hc's transport may speak HTTP/2 (the SDK's own speaks HTTP/1.1 only); the
// client still sends every request at most once: request bodies cannot be
// rewound by the transport, and a POST without a body goes out with an
// empty body of unknown length (chunked over HTTP/1.1) rather than none,
// since Go's HTTP/2 client resends body-less requests after a stream reset.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("hvc: WithHTTPClient: nil *http.Client")
		}
		c.httpClient = hc
		return nil
	}
}

// WithRootCAs verifies the server's certificate against pool instead of the
// system roots. It excludes WithThumbprint and WithInsecureSkipVerify: New
// refuses the combination rather than let one silently override the other.
func WithRootCAs(pool *x509.CertPool) Option {
	return func(c *config) error {
		if pool == nil {
			return errors.New("hvc: WithRootCAs: nil pool")
		}
		c.rootCAs = pool
		return nil
	}
}

// WithThumbprint pins the server's leaf certificate: a certificate with this
// SHA-256 (or SHA-1) thumbprint is trusted even when self-signed, and any
// other fails the TLS handshake with an error showing expected and actual.
// Colon-separated or plain hex in any case is accepted. The pin replaces
// chain verification, so it excludes WithRootCAs and WithInsecureSkipVerify
// (New refuses both combinations).
func WithThumbprint(tp string) Option {
	return func(c *config) error {
		b, err := thumbprint.Parse(tp)
		if err != nil {
			return errors.New("hvc: WithThumbprint: " + err.Error())
		}
		c.pin, c.pinText = b, thumbprint.Format(b)
		return nil
	}
}

// WithInsecureSkipVerify turns certificate verification off. New logs a
// warning through the WithLogger logger; without one nothing is shown, as
// the client is silent by default. Prefer WithThumbprint.
func WithInsecureSkipVerify() Option {
	return func(c *config) error {
		c.insecure = true
		return nil
	}
}

// WithTimeout bounds each HTTP request (default 60 s). The caller's context
// still bounds the whole call.
//
// WithTimeout(0) puts no cap on a request: the caller's context alone
// decides how long it may take (pass one with a deadline, or a slow server
// can hold a call forever). The login and flavor probe a client runs on
// behalf of all its callers belong to no single caller's context, so they
// stay bounded by DefaultTimeout; each caller still stops waiting for them
// when its own context is done. A negative d is an error.
func WithTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return errors.New("hvc: WithTimeout: timeout must not be negative (0 means no per-request cap)")
		}
		c.timeout = d
		return nil
	}
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *config) error {
		if ua == "" || strings.ContainsAny(ua, "\r\n") {
			return errors.New("hvc: WithUserAgent: user agent must be non-empty and single-line")
		}
		c.userAgent = ua
		return nil
	}
}

// WithLogger sends the client's log records to l. The client is silent by
// default. At debug level it records method, path, status, duration and
// bodies, with passwords and session ids replaced; it never logs headers.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("hvc: WithLogger: nil logger")
		}
		c.logger = l
		return nil
	}
}

// WithMaxResponseBytes sets the largest response body the client reads
// (default 16 MiB); a larger one fails with a *DecodeError.
func WithMaxResponseBytes(n int) Option {
	return func(c *config) error {
		if n <= 0 {
			return errors.New("hvc: WithMaxResponseBytes: limit must be positive")
		}
		c.maxBody = n
		return nil
	}
}

// sharedTimeout bounds the work a client does for all its callers at once
// (the shared login and the flavor probe): the per-request timeout, or
// DefaultTimeout when WithTimeout(0) lifted it, since no caller's context
// owns that work.
func (c *config) sharedTimeout() time.Duration {
	if c.timeout <= 0 {
		return DefaultTimeout
	}
	return c.timeout
}
