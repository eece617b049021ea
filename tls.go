package hvc

import (
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/hvcsdk/hvc/internal/thumbprint"
)

// Connection pool limits of the client's default transport.
const (
	defaultMaxConnsPerHost     = 64
	defaultMaxIdleConnsPerHost = 64
)

// CertificateMismatchError reports a server certificate whose thumbprint is
// not the one pinned with WithThumbprint. It is returned inside a
// *TransportError; use errors.As to read it.
type CertificateMismatchError struct {
	// Expected is the pinned thumbprint, Actual the presented certificate's
	// (same hash), both colon-separated upper-case hex.
	Expected, Actual string
}

// Error shows the expected and the presented thumbprints.
func (e *CertificateMismatchError) Error() string {
	return "server certificate thumbprint " + e.Actual + " does not match the pinned " + e.Expected
}

// CertificateError reports a server certificate that failed verification
// against the system roots or the WithRootCAs pool (unknown authority, wrong
// host name, expired). Nothing was sent. It is returned inside a
// *TransportError; use errors.As to read it. Err keeps the cause (an x509
// error) for errors.As.
type CertificateError struct {
	// Thumbprint is the SHA-256 thumbprint of the certificate the server
	// presented, colon-separated upper-case hex, or "" when it presented
	// none.
	Thumbprint string
	// Err is the verification failure: a *tls.CertificateVerificationError
	// wrapping the x509 error.
	Err error
}

// Error names the failure, the presented thumbprint and the options that
// make the client trust the server.
func (e *CertificateError) Error() string {
	s := "server certificate not trusted: " + e.Err.Error()
	if e.Thumbprint != "" {
		s += "; it presented SHA-256 thumbprint " + e.Thumbprint +
			": if that is your server's certificate (check it out of band), pass WithThumbprint(\"" + e.Thumbprint +
			"\"), or WithRootCAs with the CA that issued it"
	}
	return s
}

// Unwrap returns the verification failure.
func (e *CertificateError) Unwrap() error { return e.Err }

// certificateError turns a failed certificate verification in err's chain
// into a *CertificateError, or returns nil when there is none. A pin
// mismatch stays a *CertificateMismatchError.
func certificateError(err error) error {
	var ve *tls.CertificateVerificationError
	if !errors.As(err, &ve) {
		return nil
	}
	ce := &CertificateError{Err: ve}
	if len(ve.UnverifiedCertificates) > 0 {
		sum := sha256.Sum256(ve.UnverifiedCertificates[0].Raw)
		ce.Thumbprint = thumbprint.Format(sum[:])
	}
	return ce
}

// newHTTPClient builds the *http.Client the client sends through: a copy of
// the user's (or a fresh one) without a cookie jar, refusing redirects so a
// session header can never follow one to another host, with TLS configured.
// ownTransport reports that the transport is the SDK's own (HTTP/1.1 only).
// A TLS option the transport would not honour is refused, never dropped.
func newHTTPClient(cfg *config) (hc *http.Client, ownTransport bool, err error) {
	hc = &http.Client{}
	if cfg.httpClient != nil {
		*hc = *cfg.httpClient
	}
	hc.Jar = nil
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	if cfg.httpClient != nil && !cfg.tlsOptionsSet() && hc.Transport != nil {
		return hc, false, nil
	}
	var tr *http.Transport
	switch t := hc.Transport.(type) {
	case nil:
		tr, ownTransport = defaultTransport(), true
	case *http.Transport:
		if t.DialTLSContext != nil || t.DialTLS != nil { //nolint:staticcheck // DialTLS is checked because net/http still honours it
			return nil, false, errors.New("hvc: " + cfg.tlsOptionNames() + " cannot be enforced on a WithHTTPClient transport " +
				"that sets DialTLSContext or DialTLS (net/http then ignores TLSClientConfig); verify the certificate in your dialer and drop the option")
		}
		tr = t.Clone()
	default:
		return nil, false, errors.New("hvc: " + cfg.tlsOptionNames() + " need the WithHTTPClient transport to be an *http.Transport " +
			"(or nil), not " + typeName(t) + "; configure TLS on your transport instead")
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if tr.TLSClientConfig != nil {
		tc = tr.TLSClientConfig.Clone()
	}
	if tc.ClientSessionCache == nil {
		// Resumed sessions make new connections cheap for the server.
		tc.ClientSessionCache = tls.NewLRUClientSessionCache(defaultMaxConnsPerHost)
	}
	if cfg.rootCAs != nil {
		tc.RootCAs = cfg.rootCAs
		// The pool is a promise to verify: a caller's InsecureSkipVerify
		// must not silently cancel it.
		tc.InsecureSkipVerify = false
	}
	if cfg.insecure {
		tc.InsecureSkipVerify = true // explicit user opt-in, warned about in New
	}
	if cfg.pin != nil {
		// Chain verification is replaced by the pin: the leaf must match it.
		tc.InsecureSkipVerify = true // VerifyConnection checks the pinned thumbprint
		tc.VerifyConnection = pinVerifier(cfg.pin)
	}
	tr.TLSClientConfig = tc
	hc.Transport = tr
	return hc, ownTransport, nil
}

// typeName names a RoundTripper's type for an error message.
func typeName(rt http.RoundTripper) string { return fmt.Sprintf("%T", rt) }

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
			return &CertificateMismatchError{Expected: thumbprint.Format(pin), Actual: "(no certificate)"}
		}
		got := thumbprint.Of(cs.PeerCertificates[0].Raw, pin)
		if string(got) != string(pin) {
			return &CertificateMismatchError{Expected: thumbprint.Format(pin), Actual: thumbprint.Format(got)}
		}
		return nil
	}
}
