package main

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"github.com/hvcsdk/hvc"

	"github.com/hvcsdk/hvc/cmd/hvcctl/internal/conn"
)

// explainTLS turns a vCenter certificate failure into an exit-60 error that
// shows the thumbprint and the exact command to trust it.
func (a *app) explainTLS(err error, t conn.Target) error {
	var mismatch *hvc.CertificateMismatchError
	if errors.As(err, &mismatch) {
		// The expected thumbprint came from the pin when there is one
		// (it beats the known-hosts file), else from the known-hosts line.
		src := a.g.knownHosts
		fix := "and then update the line for " + t.HostPort + " with: " + a.trustCommand(t, mismatch.Actual)
		switch {
		case a.g.thumbprint != "" && changed(a.root.PersistentFlags(), "thumbprint"):
			src = "--thumbprint"
			fix = "and then pass --thumbprint " + mismatch.Actual + " instead"
		case a.g.thumbprint != "":
			src = a.envSource("HVC_THUMBPRINT")
			fix = "and then set " + src + "=" + mismatch.Actual + " instead"
		}
		return &cliError{code: exitTLS,
			err: fmt.Errorf("the certificate of %s has thumbprint %s, not the expected %s (from %s)", t.HostPort, mismatch.Actual, mismatch.Expected, src),
			hints: []string{"this may be an attack; if the vCenter certificate was replaced, check the new thumbprint with its administrator",
				fix},
			data: map[string]string{"host": t.HostPort, "thumbprint": mismatch.Actual, "expected_thumbprint": mismatch.Expected}}
	}
	cert, ok := conn.UntrustedCert(err)
	if !ok {
		return err
	}
	tp := conn.Thumbprint(cert.Raw)
	reason := "certificate signed by an unknown authority"
	var hostErr x509.HostnameError
	if errors.As(err, &hostErr) {
		reason = "certificate is not valid for " + hostErr.Host
	}
	return &cliError{code: exitTLS,
		err: fmt.Errorf("the certificate of %s is not trusted (%s); its SHA-256 thumbprint is %s", t.HostPort, reason, tp),
		hints: []string{"check the thumbprint with the vCenter administrator, then trust it with: " + a.trustCommand(t, tp),
			"(or pin it for one command with --thumbprint, or pass --tls-ca-certs FILE)"},
		data: map[string]string{"host": t.HostPort, "thumbprint": tp}}
}

// trustCommand is the command that records tp for t in the known-hosts file
// in use.
func (a *app) trustCommand(t conn.Target, tp string) string {
	cmd := "hvcctl cert " + t.HostPort + " --add --thumbprint " + tp
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
