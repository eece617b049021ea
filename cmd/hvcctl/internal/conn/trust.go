package conn

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/hvcsdk/hvc"
)

// Thumbprint is the SHA-256 thumbprint of a DER certificate in vSphere's
// colon-separated upper-case form (hvc.Thumbprint).
func Thumbprint(der []byte) string { return hvc.Thumbprint(der) }

// knownHostKeys are the known-hosts keys that name hostport: "host:port",
// and plain "host" for port 443.
func knownHostKeys(hostport string) []string {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return []string{strings.ToLower(hostport)}
	}
	keys := []string{strings.ToLower(hostport)}
	if port == "443" {
		keys = append(keys, strings.ToLower(host))
	}
	return keys
}

// FetchCertificate connects to hostport and returns the leaf certificate it
// presents, without verifying it (it is what the operator is asked to check).
func FetchCertificate(ctx context.Context, hostport string) (*x509.Certificate, error) {
	d := &tls.Dialer{
		NetDialer: &net.Dialer{Timeout: 15 * time.Second},
		Config:    &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}, //nolint:gosec // reading the certificate to show it
	}
	host, _, _ := net.SplitHostPort(hostport)
	d.Config.ServerName = host
	c, err := d.DialContext(ctx, "tcp", hostport)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", hostport, err)
	}
	defer c.Close()
	certs := c.(*tls.Conn).ConnectionState().PeerCertificates
	if len(certs) == 0 {
		return nil, fmt.Errorf("%s presented no certificate", hostport)
	}
	return certs[0], nil
}

// UntrustedCert returns the certificate a TLS verification error refers to.
func UntrustedCert(err error) (*x509.Certificate, bool) {
	var verr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &verr) && len(verr.UnverifiedCertificates) > 0:
		return verr.UnverifiedCertificates[0], true
	case errors.As(err, &unknownCA) && unknownCA.Cert != nil:
		return unknownCA.Cert, true
	case errors.As(err, &hostErr) && hostErr.Certificate != nil:
		return hostErr.Certificate, true
	case errors.As(err, &invalid) && invalid.Cert != nil:
		return invalid.Cert, true
	}
	return nil, false
}
