// Package hvc is a Go client for vCenter's hvc REST API: hybrid links between
// a local vCenter and a foreign PSC or vCenter, and the sync providers that
// replicate between them.
//
// A Client is safe for concurrent use. It logs in lazily, re-logs in exactly
// once when its session expires, speaks both the /api flavor (vCenter 7.0U2+)
// and the legacy /rest flavor, and turns every error reply into a typed error
// keyed by the body's error_type:
//
//	c, err := hvc.New("https://vcenter.example", hvc.WithCredentials(user, pass))
//	id, err := c.Links.Create(ctx, spec)
//	var exists *hvc.AlreadyExistsError
//	if errors.As(err, &exists) { ... }
//
// The simulator package is a fake vCenter for tests.
package hvc

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"

	"golang.org/x/sync/singleflight"

	"github.com/hvcsdk/hvc/internal/transport"
)

// Client talks to one vCenter. Create it with New; it is safe for concurrent
// use by any number of goroutines.
type Client struct {
	endpoint string
	cfg      config
	tr       *transport.Transport
	log      *slog.Logger

	sessionID atomic.Pointer[string]
	flavor    atomic.Int32 // resolved Flavor; FlavorAuto until known
	logins    singleflight.Group
	wait      waitFunc   // retry backoff wait; nil means sleepCtx (tests replace it)
	pollClock *pollClock // sync Wait's clock; nil means the real one (tests replace it)

	// Links manages hybrid links.
	Links *LinksService
	// Sync resets a link's sync state.
	Sync *SyncService
	// SyncProviders lists, inspects and starts a link's sync providers.
	SyncProviders *SyncProvidersService
	// Administrators manages the groups with hvc administrator rights.
	Administrators *AdministratorsService
}

// service is shared by every service field of a Client.
type service struct{ client *Client }

// New returns a Client for the vCenter at endpoint ("https://host[:port]";
// an http:// URL is allowed for tests and proxies). It sends nothing: the
// first call logs in when WithCredentials was given.
func New(endpoint string, opts ...Option) (*Client, error) {
	base, err := parseEndpoint(endpoint)
	if err != nil {
		return nil, err
	}
	cfg := defaultConfig()
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("hvc: nil Option")
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.insecure && cfg.pin != nil {
		return nil, errors.New("hvc: WithInsecureSkipVerify and WithThumbprint exclude each other")
	}
	if cfg.rootCAs != nil && (cfg.pin != nil || cfg.insecure) {
		return nil, errors.New("hvc: " + cfg.tlsOptionNames() + " exclude each other: the pool would be ignored")
	}
	c := &Client{endpoint: base, cfg: cfg, log: cfg.logger}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.tr, err = transport.New(transport.Config{
		Endpoint: base, HTTPClient: cfg.httpClient,
		TLS:     transport.TLS{RootCAs: cfg.rootCAs, Pin: cfg.pin, Insecure: cfg.insecure},
		Timeout: cfg.timeout, MaxBody: cfg.maxBody, UserAgent: cfg.userAgent,
		User: cfg.user, Password: cfg.password, Logger: cfg.logger,
	})
	if err != nil {
		return nil, err
	}
	if cfg.sessionID != "" {
		id := cfg.sessionID
		c.sessionID.Store(&id)
	}
	c.settle(cfg.flavor) // FlavorAuto leaves it to the first login or probe
	if cfg.insecure {
		c.log.Warn("hvc: TLS certificate verification is disabled (WithInsecureSkipVerify); prefer WithThumbprint", "endpoint", base)
	}
	if strings.HasPrefix(base, "http://") && (cfg.hasCredentials() || cfg.sessionID != "") {
		c.log.Warn("hvc: credentials and session ids go over plain http:// unencrypted; use https://", "endpoint", base)
	}
	s := &service{client: c}
	c.Links = (*LinksService)(s)
	c.Sync = (*SyncService)(s)
	c.SyncProviders = (*SyncProvidersService)(s)
	c.Administrators = (*AdministratorsService)(s)
	return c, nil
}

func parseEndpoint(endpoint string) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		// A *url.Error quotes the whole endpoint, credentials included:
		// keep only the reason.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return "", errors.New("hvc: invalid endpoint: " + err.Error())
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return "", errors.New("hvc: endpoint must be an https:// (or http://) URL, got scheme " + quoteShort(u.Scheme))
	case u.Host == "" || u.Hostname() == "":
		return "", errors.New("hvc: endpoint has no host")
	case u.User != nil:
		return "", errors.New("hvc: endpoint must not carry credentials; use WithCredentials")
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "":
		return "", errors.New("hvc: endpoint must be scheme://host[:port] without path, query or fragment")
	}
	return u.Scheme + "://" + u.Host, nil
}

// SessionID returns the current session id, or "" before the first login.
// Treat it as a secret.
func (c *Client) SessionID() string {
	if c == nil {
		return ""
	}
	if p := c.sessionID.Load(); p != nil {
		return *p
	}
	return ""
}

// Flavor returns the flavor in use: FlavorAuto until an automatic
// detection has run, then FlavorAPI or FlavorREST.
func (c *Client) Flavor() Flavor {
	if c == nil {
		return FlavorAuto
	}
	return Flavor(c.flavor.Load())
}

// String describes the client without secrets.
func (c *Client) String() string {
	return "hvc.Client{endpoint: " + c.endpoint + ", flavor: " + c.Flavor().String() + ", user: " + c.cfg.user + "}"
}

// GoString describes the client for %#v without secrets.
func (c *Client) GoString() string { return c.String() }

// LogValue makes slog record the client without secrets.
func (c *Client) LogValue() slog.Value {
	return slog.GroupValue(slog.String("endpoint", c.endpoint), slog.String("flavor", c.Flavor().String()), slog.String("user", c.cfg.user))
}

// CloseIdleConnections closes the client's idle keep-alive connections. The
// client stays usable; call it when done with a client to release sockets
// promptly.
func (c *Client) CloseIdleConnections() {
	if c == nil || c.tr == nil {
		return
	}
	c.tr.CloseIdleConnections()
}

// Close ends the client's session on the server (as Logout does) and closes
// its idle connections, for an embedding process that is stopping: a
// vCenter keeps an abandoned session alive until it times out, and counts
// it against its session limit meanwhile. ctx bounds the logout request.
//
// Close is idempotent and safe to call concurrently with itself: one
// logout is sent however many goroutines call it, and a client that never
// logged in (or whose session the server already dropped) closes without
// error. Close does not disable the client; a later call logs in again
// when the client holds credentials, so stop using it first. The
// connections are closed even when the logout fails.
func (c *Client) Close(ctx context.Context) error {
	if err := c.checkCall(ctx, sessionOrigin(opLogout, http.MethodDelete, c.Flavor())); err != nil {
		return err
	}
	defer c.CloseIdleConnections()
	return c.Logout(ctx)
}
