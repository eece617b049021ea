package simulator

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/hvcsdk/hvc/internal/ops"
	"github.com/hvcsdk/hvc/internal/thumbprint"
)

// Default users and the default foreign PSC the simulator knows.
const (
	DefaultAdminUser        = "administrator@vsphere.local"
	DefaultAdminPassword    = "Admin!23"
	DefaultReadOnlyUser     = "readonly@vsphere.local"
	DefaultReadOnlyPassword = "ReadOnly!23"

	// DefaultForeignPSC is the host name of the foreign PSC a link can be
	// created to out of the box.
	DefaultForeignPSC = "psc.foreign.example"
	// DefaultForeignDomain is the SSO domain scripts are told to link
	// DefaultForeignPSC under (hvcsim's HVC_PSC_DOMAIN). The simulator does
	// not check it: the domain name only names the link.
	DefaultForeignDomain = "foreign.local"
	// DefaultForeignUser and DefaultForeignPassword are the administrator
	// credentials of every foreign PSC unless WithForeignPSCCredentials says
	// otherwise: links create and delete with credentials must send them.
	DefaultForeignUser     = "administrator@foreign.local"
	DefaultForeignPassword = "Foreign!23"
	// DefaultForeignThumbprint is the SHA-256 thumbprint of
	// DefaultForeignCertificate, the certificate DefaultForeignPSC presents:
	// a create must send it as ssl_thumbprint (or, from 9.0, send the
	// certificate as ssl_certificate).
	DefaultForeignThumbprint = "D7:F1:49:2D:75:68:F5:D2:30:31:2D:76:54:B2:57:86:3E:14:EE:B4:C4:6E:C5:10:3C:51:50:84:5D:FD:55:81"

	// DefaultForeignCertificate is the PEM certificate DefaultForeignPSC
	// presents, reported as ssl_certificate in UNVERIFIED_PEER data by 9.0
	// profiles. Only the certificate exists; no private key was kept.
	DefaultForeignCertificate = `-----BEGIN CERTIFICATE-----
MIIBzjCCAXOgAwIBAgIEATTW5TAKBggqhkjOPQQDAjBCMSIwIAYDVQQKExlodmMg
c2ltdWxhdG9yIGZvcmVpZ24gUFNDMRwwGgYDVQQDExNwc2MuZm9yZWlnbi5leGFt
cGxlMCAXDTI0MDEwMTAwMDAwMFoYDzIxMjQwMTAxMDAwMDAwWjBCMSIwIAYDVQQK
ExlodmMgc2ltdWxhdG9yIGZvcmVpZ24gUFNDMRwwGgYDVQQDExNwc2MuZm9yZWln
bi5leGFtcGxlMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE4mqinA2Vf3OFdQll
M3iwgqhGhj3p4EnIMWJBBpSEcQulIAZhxDwC0X+KQdXmgHab4Q/np72fsOxX589V
yklkLqNVMFMwDgYDVR0PAQH/BAQDAgeAMBMGA1UdJQQMMAoGCCsGAQUFBwMBMAwG
A1UdEwEB/wQCMAAwHgYDVR0RBBcwFYITcHNjLmZvcmVpZ24uZXhhbXBsZTAKBggq
hkjOPQQDAgNJADBGAiEAxIAvnWb4BqiuBw5+Efu/NO/FLu2QWDk5/A3bhUWReWIC
IQClmNhjOy9FYwQ/lh/8FQGiJnPwFWqaYigmdfVI2JQ6FA==
-----END CERTIFICATE-----
`
)

// DefaultProviders are the sync providers every new link has unless
// WithProviders says otherwise.
var DefaultProviders = []string{"identity", "authorization"}

// Option configures a Server. Options validate their arguments: New returns
// the first error.
type Option func(*config) error

type config struct {
	addr         string
	plain        bool
	api, rest    bool
	users        map[string]user
	release      ops.Release
	idle         time.Duration
	foreign      map[string]foreignPSC // by lower-case host name
	providers    []string
	syncDuration time.Duration
	stepPerPoll  bool
	failing      map[string]bool
	logger       *slog.Logger
	maxBody      int64
	control      bool
	controlToken string
	timeouts     HTTPTimeouts
	cert         *tls.Certificate
	clock        func() time.Time
	logEntries   int
	logBytes     int64
	maxConns     int
}

// foreignPSC is a PSC links can be created to: the thumbprint of the
// certificate it presents, as given, the certificate in PEM when known, and
// its administrator's credentials.
type foreignPSC struct {
	thumbprint     string
	certPEM        string
	user, password string
}

// newForeignPSC is a PSC with the default credentials.
func newForeignPSC(thumbprint, certPEM string) foreignPSC {
	return foreignPSC{thumbprint: thumbprint, certPEM: certPEM, user: DefaultForeignUser, password: DefaultForeignPassword}
}

type user struct {
	password string
	readOnly bool
}

func defaultConfig() config {
	return config{
		addr: "127.0.0.1:0",
		api:  true, rest: true,
		users: map[string]user{
			DefaultAdminUser:    {password: DefaultAdminPassword},
			DefaultReadOnlyUser: {password: DefaultReadOnlyPassword, readOnly: true},
		},
		release:    ops.R80,
		idle:       30 * time.Minute,
		foreign:    map[string]foreignPSC{DefaultForeignPSC: newForeignPSC(DefaultForeignThumbprint, DefaultForeignCertificate)},
		providers:  DefaultProviders,
		failing:    map[string]bool{},
		logger:     slog.New(slog.DiscardHandler),
		maxBody:    1 << 20,
		timeouts:   DefaultHTTPTimeouts,
		clock:      time.Now,
		logEntries: DefaultRequestLogEntries,
		logBytes:   DefaultRequestLogBytes,
		maxConns:   DefaultMaxConnections,
	}
}

// WithAddr sets the listen address (default "127.0.0.1:0", a free port).
func WithAddr(addr string) Option {
	return func(c *config) error {
		if addr == "" {
			return errors.New("simulator: WithAddr: empty address")
		}
		c.addr = addr
		return nil
	}
}

// WithPlainHTTP serves plain HTTP instead of TLS.
func WithPlainHTTP() Option {
	return func(c *config) error { c.plain = true; return nil }
}

// WithRESTOnly serves only the legacy /rest flavor: every /api path,
// /api/session included, answers 404. Releases before 7.0U2 (WithVersion)
// behave so without it.
func WithRESTOnly() Option {
	return func(c *config) error {
		if !c.rest {
			return errors.New("simulator: WithRESTOnly and WithAPIOnly exclude each other")
		}
		c.api = false
		return nil
	}
}

// WithAPIOnly behaves like a vCenter that has dropped the legacy flavor:
// every /rest path answers 404.
func WithAPIOnly() Option {
	return func(c *config) error {
		if !c.api {
			return errors.New("simulator: WithRESTOnly and WithAPIOnly exclude each other")
		}
		c.rest = false
		return nil
	}
}

// WithAdmin sets the administrator's user name and password, replacing
// DefaultAdminUser.
func WithAdmin(name, password string) Option {
	return func(c *config) error {
		delete(c.users, DefaultAdminUser)
		return addUser(c, name, password, false)
	}
}

// WithReadOnlyUser sets the read-only user's name and password, replacing
// DefaultReadOnlyUser. The read-only user gets 403 UNAUTHORIZED on every
// call that changes state.
func WithReadOnlyUser(name, password string) Option {
	return func(c *config) error {
		delete(c.users, DefaultReadOnlyUser)
		return addUser(c, name, password, true)
	}
}

// WithUser adds a user; readOnly users may only read.
func WithUser(name, password string, readOnly bool) Option {
	return func(c *config) error { return addUser(c, name, password, readOnly) }
}

func addUser(c *config, name, password string, readOnly bool) error {
	if name == "" || password == "" {
		return errors.New("simulator: a user needs a name and a password")
	}
	if strings.ContainsRune(name, ':') {
		return fmt.Errorf("simulator: user name %q contains ':', which Basic auth cannot carry", name)
	}
	c.users[name] = user{password: password, readOnly: readOnly}
	return nil
}

// WithIdleTimeout expires a session that has not been used for longer than
// d of the server's time (default 30 minutes, as vCenter; see WithClock and
// Advance).
func WithIdleTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("simulator: WithIdleTimeout: %v is not positive", d)
		}
		c.idle = d
		return nil
	}
}

// WithForeignPSC adds a foreign PSC that links can be created to, and the
// thumbprint of the certificate it presents (reported as given in
// UNVERIFIED_PEER errors; compared case- and colon-insensitively).
func WithForeignPSC(hostname, thumbprint string) Option {
	return func(c *config) error {
		if hostname == "" {
			return errors.New("simulator: WithForeignPSC: empty host name")
		}
		if normThumbprint(thumbprint) == "" {
			return fmt.Errorf("simulator: WithForeignPSC: %q is not a hex thumbprint", thumbprint)
		}
		c.foreign[strings.ToLower(hostname)] = newForeignPSC(thumbprint, "")
		return nil
	}
}

// WithForeignPSCCertificate adds a foreign PSC that presents the PEM
// certificate certPEM: its thumbprint is the certificate's SHA-256 digest,
// and 9.0 profiles also report the certificate as ssl_certificate.
func WithForeignPSCCertificate(hostname, certPEM string) Option {
	return func(c *config) error {
		if hostname == "" {
			return errors.New("simulator: WithForeignPSCCertificate: empty host name")
		}
		der, err := parseCertificatePEM(certPEM)
		if err != nil {
			return fmt.Errorf("simulator: WithForeignPSCCertificate: %w", err)
		}
		c.foreign[strings.ToLower(hostname)] = newForeignPSC(thumbprint.SHA256(der), certPEM)
		return nil
	}
}

// WithForeignPSCCredentials sets the administrator credentials of a foreign
// PSC added before it (DefaultForeignPSC, or by WithForeignPSC or
// WithForeignPSCCertificate), replacing DefaultForeignUser and
// DefaultForeignPassword. Links create and delete with credentials must
// send them; others fail with ERROR 500 as on vCenter. The user name is
// compared without regard to case, the password exactly.
func WithForeignPSCCredentials(hostname, username, password string) Option {
	return func(c *config) error {
		psc, ok := c.foreign[strings.ToLower(hostname)]
		if !ok {
			return fmt.Errorf("simulator: WithForeignPSCCredentials: no foreign PSC %q (add it first with WithForeignPSC)", hostname)
		}
		if username == "" || password == "" {
			return errors.New("simulator: WithForeignPSCCredentials: a user name and a password are needed")
		}
		psc.user, psc.password = username, password
		c.foreign[strings.ToLower(hostname)] = psc
		return nil
	}
}

// WithProviders sets the sync providers of every new link (default
// DefaultProviders).
func WithProviders(ids ...string) Option {
	return func(c *config) error {
		seen := map[string]bool{}
		for _, id := range ids {
			if id == "" || seen[id] {
				return fmt.Errorf("simulator: WithProviders: empty or repeated provider %q", id)
			}
			seen[id] = true
		}
		c.providers = append([]string(nil), ids...)
		return nil
	}
}

// WithSyncDuration makes a started sync take d of the server's time (wall
// time unless WithClock; Advance moves it), moving through
// CHANGE_DETECTION, CHANGE_ENUMERATION and CHANGE_APPLICATION to COMPLETED
// with growing completed work. The default, 0, completes a sync the moment
// it starts.
func WithSyncDuration(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("simulator: WithSyncDuration: %v is negative", d)
		}
		c.syncDuration = d
		return nil
	}
}

// WithSyncStepPerPoll makes sync progress deterministic: each read of a
// provider with a running sync advances it one stage, so the first read
// after a start shows CHANGE_DETECTION and the fourth COMPLETED. It
// overrides WithSyncDuration.
func WithSyncStepPerPoll() Option {
	return func(c *config) error { c.stepPerPoll = true; return nil }
}

// WithFailingProvider makes every sync of the provider fail during
// CHANGE_APPLICATION: the session's stage becomes FAILED with an exception,
// and the provider's status FAILED with a status message.
func WithFailingProvider(providerID string) Option {
	return func(c *config) error {
		if providerID == "" {
			return errors.New("simulator: WithFailingProvider: empty provider id")
		}
		c.failing[providerID] = true
		return nil
	}
}

// WithCertificate makes the server present cert instead of a certificate
// generated at start-up, so that clients can trust one certificate across
// runs (cmd/hvcsim -cert and -key). cert must hold a certificate chain and
// its private key, as tls.LoadX509KeyPair returns.
func WithCertificate(cert tls.Certificate) Option {
	return func(c *config) error {
		if len(cert.Certificate) == 0 || cert.PrivateKey == nil {
			return errors.New("simulator: WithCertificate: no certificate or no private key")
		}
		if cert.Leaf == nil {
			leaf, err := x509.ParseCertificate(cert.Certificate[0])
			if err != nil {
				return fmt.Errorf("simulator: WithCertificate: %w", err)
			}
			cert.Leaf = leaf
		}
		c.cert = &cert
		return nil
	}
}

// WithLogger logs each request (method, path, status, duration) at debug
// level. Credentials and session ids are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("simulator: WithLogger: nil logger")
		}
		c.logger = l
		return nil
	}
}

// WithMaxRequestBytes bounds request bodies (default 1 MiB); a larger body
// gets 400 INVALID_REQUEST.
func WithMaxRequestBytes(n int64) Option {
	return func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("simulator: WithMaxRequestBytes: %d is not positive", n)
		}
		c.maxBody = n
		return nil
	}
}

// HTTPTimeouts bound how long a connection may hold the server's resources
// (the fields of http.Server of the same names).
type HTTPTimeouts struct {
	ReadHeader     time.Duration // to read a request's headers
	Read           time.Duration // to read a whole request, body included
	Idle           time.Duration // a keep-alive connection may wait for its next request
	MaxHeaderBytes int           // request line and headers
}

// DefaultHTTPTimeouts: 10 s for headers and 60 s for a whole request (a
// 1 MiB body needs only a slow link for that), 2 min idle (enough for a
// client's keep-alive pool, yet a thousand idle connections are reaped in
// minutes, not never), 64 KiB of headers (vCenter's clients send well
// under 8 KiB).
var DefaultHTTPTimeouts = HTTPTimeouts{ReadHeader: 10 * time.Second, Read: 60 * time.Second, Idle: 2 * time.Minute, MaxHeaderBytes: 64 << 10}

// WithHTTPTimeouts sets the server's connection timeouts and header size;
// a zero field keeps its DefaultHTTPTimeouts value.
func WithHTTPTimeouts(t HTTPTimeouts) Option {
	return func(c *config) error {
		if t.ReadHeader < 0 || t.Read < 0 || t.Idle < 0 || t.MaxHeaderBytes < 0 {
			return errors.New("simulator: HTTP timeouts and header size must not be negative")
		}
		d := DefaultHTTPTimeouts
		if t.ReadHeader == 0 {
			t.ReadHeader = d.ReadHeader
		}
		if t.Read == 0 {
			t.Read = d.Read
		}
		if t.Idle == 0 {
			t.Idle = d.Idle
		}
		if t.MaxHeaderBytes == 0 {
			t.MaxHeaderBytes = d.MaxHeaderBytes
		}
		c.timeouts = t
		return nil
	}
}

// DefaultMaxConnections is how many client connections the server keeps
// open at once unless WithMaxConnections says otherwise: half the usual
// soft limit of 1,024 file descriptors, so that a flood of connections
// cannot starve the process of descriptors for its own files, and far more
// than a test suite's clients hold (Go's transport keeps two idle
// connections per host).
const DefaultMaxConnections = 512

// WithMaxConnections caps the client connections open at once (default
// DefaultMaxConnections). At the cap the server accepts no more: a new
// connection waits in the operating system's accept queue until an open
// one closes (an idle one within the idle timeout of WithHTTPTimeouts).
func WithMaxConnections(n int) Option {
	return func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("simulator: WithMaxConnections: %d is not positive", n)
		}
		c.maxConns = n
		return nil
	}
}
