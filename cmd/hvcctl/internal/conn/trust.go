package conn

import (
	"bufio"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Thumbprint is the SHA-256 thumbprint of a DER certificate in vSphere's
// colon-separated upper-case form.
func Thumbprint(der []byte) string {
	sum := sha256.Sum256(der)
	var b strings.Builder
	for i, c := range sum {
		if i > 0 {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%02X", c)
	}
	return b.String()
}

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

// LookupKnownHost returns the thumbprint the known-hosts file records for
// hostport (the last matching line wins, as in govc).
func LookupKnownHost(file, hostport string) (string, bool) {
	if file == "" {
		return "", false
	}
	f, err := os.Open(file) //nolint:gosec // G304: the operator names the known-hosts file
	if err != nil {
		return "", false
	}
	defer f.Close()
	keys := knownHostKeys(hostport)
	var tp string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		for _, k := range keys {
			if strings.EqualFold(fields[0], k) {
				tp = fields[1]
			}
		}
	}
	return tp, tp != ""
}

// AddKnownHost records hostport's thumbprint, replacing earlier lines for
// the same host, atomically.
func AddKnownHost(file, hostport, tp string) error {
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return err
	}
	var kept []string
	if b, err := os.ReadFile(file); err == nil { //nolint:gosec // G304: the operator names the known-hosts file
		keys := knownHostKeys(hostport)
	lines:
		for _, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
			fields := strings.Fields(line)
			if len(fields) >= 1 {
				for _, k := range keys {
					if strings.EqualFold(fields[0], k) {
						continue lines
					}
				}
			}
			if line != "" {
				kept = append(kept, line)
			}
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	kept = append(kept, hostport+" "+tp)
	return writeFileAtomic(file, []byte(strings.Join(kept, "\n")+"\n"), 0o600)
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
