package hvc

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
