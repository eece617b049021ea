package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hvcsdk/hvc"
)

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

// lookupKnownHost returns the thumbprint the known-hosts file records for
// hostport (the last matching line wins, as in govc).
func lookupKnownHost(file, hostport string) (string, bool) {
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

// addKnownHost records hostport's thumbprint, replacing earlier lines for
// the same host, atomically.
func addKnownHost(file, hostport, tp string) error {
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

// fetchCertificate connects to hostport and returns the leaf certificate it
// presents, without verifying it (it is what the operator is asked to check).
func fetchCertificate(ctx context.Context, hostport string) (*x509.Certificate, error) {
	d := &tls.Dialer{
		NetDialer: &net.Dialer{Timeout: 15 * time.Second},
		Config:    &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}, //nolint:gosec // reading the certificate to show it
	}
	host, _, _ := net.SplitHostPort(hostport)
	d.Config.ServerName = host
	conn, err := d.DialContext(ctx, "tcp", hostport)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", hostport, err)
	}
	defer conn.Close()
	certs := conn.(*tls.Conn).ConnectionState().PeerCertificates
	if len(certs) == 0 {
		return nil, fmt.Errorf("%s presented no certificate", hostport)
	}
	return certs[0], nil
}

// untrustedCert returns the certificate a TLS verification error refers to.
func untrustedCert(err error) (*x509.Certificate, bool) {
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

// explainTLS turns a vCenter certificate failure into an exit-60 error that
// shows the thumbprint and the exact command to trust it.
func (a *app) explainTLS(err error, t target) error {
	var mismatch *hvc.CertificateMismatchError
	if errors.As(err, &mismatch) {
		// The expected thumbprint came from the pin when there is one
		// (it beats the known-hosts file), else from the known-hosts line.
		src := a.g.knownHosts
		fix := "and then update the line for " + t.hostport + " with: " + a.trustCommand(t, mismatch.Actual)
		switch {
		case a.g.thumbprint != "" && changed(a.root.PersistentFlags(), "thumbprint"):
			src = "--thumbprint"
			fix = "and then pass --thumbprint " + mismatch.Actual + " instead"
		case a.g.thumbprint != "":
			src = a.envSource("HVC_THUMBPRINT")
			fix = "and then set " + src + "=" + mismatch.Actual + " instead"
		}
		return &cliError{code: exitTLS,
			err: fmt.Errorf("the certificate of %s has thumbprint %s, not the expected %s (from %s)", t.hostport, mismatch.Actual, mismatch.Expected, src),
			hints: []string{"this may be an attack; if the vCenter certificate was replaced, check the new thumbprint with its administrator",
				fix},
			data: map[string]string{"host": t.hostport, "thumbprint": mismatch.Actual, "expected_thumbprint": mismatch.Expected}}
	}
	cert, ok := untrustedCert(err)
	if !ok {
		return err
	}
	tp := hvc.Thumbprint(cert.Raw)
	reason := "certificate signed by an unknown authority"
	var hostErr x509.HostnameError
	if errors.As(err, &hostErr) {
		reason = "certificate is not valid for " + hostErr.Host
	}
	return &cliError{code: exitTLS,
		err: fmt.Errorf("the certificate of %s is not trusted (%s); its SHA-256 thumbprint is %s", t.hostport, reason, tp),
		hints: []string{"check the thumbprint with the vCenter administrator, then trust it with: " + a.trustCommand(t, tp),
			"(or pin it for one command with --thumbprint, or pass --tls-ca-certs FILE)"},
		data: map[string]string{"host": t.hostport, "thumbprint": tp}}
}

// trustCommand is the command that records tp for t in the known-hosts file
// in use.
func (a *app) trustCommand(t target, tp string) string {
	cmd := "hvcctl cert " + t.hostport + " --add --thumbprint " + tp
	if changed(a.root.PersistentFlags(), "tls-known-hosts") {
		cmd += " --tls-known-hosts " + shellQuote(a.g.knownHosts)
	}
	return cmd
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@%+=:,./_-", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
