package hvc

import (
	"crypto/tls"
	"errors"
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
	return "hvc: server certificate thumbprint " + e.Actual + " does not match the pinned " + e.Expected
}

// newHTTPClient builds the *http.Client the client sends through: a copy of
// the user's (or a fresh one) without a cookie jar, refusing redirects so a
// session header can never follow one to another host, with TLS configured.
func newHTTPClient(cfg *config) (*http.Client, error) {
	hc := &http.Client{}
	if cfg.httpClient != nil {
		*hc = *cfg.httpClient
	}
	hc.Jar = nil
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	if cfg.httpClient != nil && !cfg.tlsOptionsSet() && hc.Transport != nil {
		return hc, nil
	}
	var tr *http.Transport
	switch t := hc.Transport.(type) {
	case nil:
		tr = defaultTransport()
	case *http.Transport:
		tr = t.Clone()
	default:
		return nil, errors.New("hvc: TLS options need the HTTP client's Transport to be an *http.Transport")
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if tr.TLSClientConfig != nil {
		tc = tr.TLSClientConfig.Clone()
	}
	if cfg.rootCAs != nil {
		tc.RootCAs = cfg.rootCAs
		// The pool is a promise to verify: a caller's InsecureSkipVerify
		// must not silently cancel it (WithInsecureSkipVerify and
		// WithThumbprint below still decide when given).
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
	return hc, nil
}

func defaultTransport() *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
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
