package transport

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/hvcsdk/hvc/internal/thumbprint"
)

// Connection pool limits of the SDK's own transport.
const (
	defaultMaxConnsPerHost     = 64
	defaultMaxIdleConnsPerHost = 64
)

// TLS is how the server's certificate is verified. At most one of RootCAs,
// Pin and Insecure is set (package hvc refuses combinations).
type TLS struct {
	// RootCAs replaces the system roots.
	RootCAs *x509.CertPool
	// Pin is the leaf certificate's thumbprint (SHA-256 or SHA-1 bytes);
	// it replaces chain verification.
	Pin []byte
	// Insecure turns verification off.
	Insecure bool
}

func (t TLS) set() bool { return t.RootCAs != nil || t.Pin != nil || t.Insecure }

// names names the options set, for errors: "WithRootCAs", ...
func (t TLS) names() string {
	var names []string
	if t.RootCAs != nil {
		names = append(names, "WithRootCAs")
	}
	if t.Pin != nil {
		names = append(names, "WithThumbprint")
	}
	if t.Insecure {
		names = append(names, "WithInsecureSkipVerify")
	}
	return strings.Join(names, " and ")
}

// PinMismatchError reports a server certificate whose thumbprint is not
// the pinned one. Package hvc shows it as a *hvc.CertificateMismatchError.
type PinMismatchError struct {
	// Expected is the pin, Actual the presented certificate's thumbprint
	// (same hash) or "(no certificate)", colon-separated upper-case hex.
	Expected, Actual string
}

func (e *PinMismatchError) Error() string {
	return "server certificate thumbprint " + e.Actual + " does not match the pinned " + e.Expected
}

// CertificateError reports a server certificate that failed verification.
// Package hvc shows it as a *hvc.CertificateError.
type CertificateError struct {
	// Thumbprint is the SHA-256 thumbprint of the presented certificate,
	// or "" when there was none.
	Thumbprint string
	// Err is the *tls.CertificateVerificationError.
	Err error
}

func (e *CertificateError) Error() string { return "server certificate not trusted: " + e.Err.Error() }

// Unwrap returns the verification failure.
func (e *CertificateError) Unwrap() error { return e.Err }

// certificateError turns a failed certificate verification in err's chain
// into a *CertificateError, or returns nil when there is none.
func certificateError(err error) error {
	var ve *tls.CertificateVerificationError
	if !errors.As(err, &ve) {
		return nil
	}
	ce := &CertificateError{Err: ve}
	if len(ve.UnverifiedCertificates) > 0 {
		ce.Thumbprint = thumbprint.SHA256(ve.UnverifiedCertificates[0].Raw)
	}
	return ce
}

// newHTTPClient builds the *http.Client requests go through: a copy of the
// caller's (or a fresh one) without a cookie jar, refusing redirects so a
// session header can never follow one to another host, with TLS
// configured. own reports that the transport is the SDK's own (HTTP/1.1
// only). A TLS option the transport would not honour is refused, never
// dropped.
func newHTTPClient(user *http.Client, opts TLS) (hc *http.Client, own bool, err error) {
	hc = &http.Client{}
	if user != nil {
		*hc = *user
	}
	hc.Jar = nil
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	if user != nil && !opts.set() && hc.Transport != nil {
		return hc, false, nil
	}
	var tr *http.Transport
	switch t := hc.Transport.(type) {
	case nil:
		tr, own = defaultTransport(), true
	case *http.Transport:
		if t.DialTLSContext != nil || t.DialTLS != nil { //nolint:staticcheck // DialTLS is checked because net/http still honours it
			return nil, false, errors.New("hvc: " + opts.names() + " cannot be enforced on a WithHTTPClient transport " +
				"that sets DialTLSContext or DialTLS (net/http then ignores TLSClientConfig); verify the certificate in your dialer and drop the option")
		}
		tr = t.Clone()
	default:
		return nil, false, errors.New("hvc: " + opts.names() + " need the WithHTTPClient transport to be an *http.Transport " +
			"(or nil), not " + fmt.Sprintf("%T", t) + "; configure TLS on your transport instead")
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if tr.TLSClientConfig != nil {
		tc = tr.TLSClientConfig.Clone()
	}
	if tc.ClientSessionCache == nil {
		// Resumed sessions make new connections cheap for the server.
		tc.ClientSessionCache = tls.NewLRUClientSessionCache(defaultMaxConnsPerHost)
	}
	if opts.RootCAs != nil {
		tc.RootCAs = opts.RootCAs
		// The pool is a promise to verify: a caller's InsecureSkipVerify
		// must not silently cancel it.
		tc.InsecureSkipVerify = false
	}
	if opts.Insecure {
		tc.InsecureSkipVerify = true // explicit user opt-in, warned about by package hvc
	}
	if opts.Pin != nil {
		// Chain verification is replaced by the pin: the leaf must match it.
		tc.InsecureSkipVerify = true // VerifyConnection checks the pinned thumbprint
		tc.VerifyConnection = pinVerifier(opts.Pin)
	}
	tr.TLSClientConfig = tc
	hc.Transport = tr
	return hc, own, nil
}

// defaultTransport is the SDK's own transport. It speaks HTTP/1.1 only, as
// govmomi does: vCenter's reverse proxy does not need HTTP/2, and Go's
// HTTP/2 client resends requests behind its caller's back. It keeps as many
// idle connections per host as it may open, so a burst reuses them all.
func defaultTransport() *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     false,
		TLSNextProto:          map[string]func(string, *tls.Conn) http.RoundTripper{},
		MaxIdleConns:          100,
		MaxConnsPerHost:       defaultMaxConnsPerHost,
		MaxIdleConnsPerHost:   defaultMaxIdleConnsPerHost,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

func pinVerifier(pin []byte) func(tls.ConnectionState) error {
	return func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return &PinMismatchError{Expected: thumbprint.Format(pin), Actual: "(no certificate)"}
		}
		got := thumbprint.Of(cs.PeerCertificates[0].Raw, pin)
		if string(got) != string(pin) {
			return &PinMismatchError{Expected: thumbprint.Format(pin), Actual: thumbprint.Format(got)}
		}
		return nil
	}
}
