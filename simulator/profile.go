package simulator

import (
	"fmt"
	"strings"

	"github.com/hvcsdk/hvc/internal/ops"
)

// DefaultVersion is the vSphere release a Server behaves as unless
// WithVersion says otherwise: 8.0, the newest release that still has the
// sync and sync-provider operations (they were removed in 8.0U1), so that
// code written against those operations runs against the default server.
// It does not have links get or delete-with-credentials (8.0U1 and later).
const DefaultVersion = "8.0"

// WithVersion makes the server behave as a vCenter of release v: "6.7",
// "7.0", "7.0U1" … "7.0U3", "8.0", "8.0U1" … "8.0U3", "9.0" or "9.1" (the
// "U" may be lower case). 9.1 is reported (not confirmed) to have removed
// the whole hvc API: it serves sessions and no hvc operation. The release
// decides which hvc operations exist (an
// operation the release does not have answers 404 NOT_FOUND exactly as a
// real server answers an unknown URL), whether the /api flavor is served
// (7.0U2 and later; earlier releases answer every /api path 404), and
// whether links.CreateSpec and links.CertificateInfo carry ssl_certificate
// (9.0 and later; earlier releases reject the field as UNEXPECTED_INPUT).
// The default is DefaultVersion. An unknown release is an error.
func WithVersion(v string) Option {
	return func(c *config) error {
		r, err := ops.ParseRelease(v)
		if err != nil {
			return fmt.Errorf("simulator: WithVersion: %w", err)
		}
		c.release = r
		return nil
	}
}

// Versions lists the releases WithVersion accepts, oldest first, spelled
// as VMware does ("6.7", "7.0U1", …), e.g. for a command's completion.
func Versions() []string {
	rs := ops.Releases()
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.String()
	}
	return out
}

// Version is the vSphere release the server behaves as, e.g. "8.0U1".
func (s *Server) Version() string { return s.cfg.release.String() }

// Serves reports whether the server's release has the hvc operation named
// name ("Links.Get", "SyncProviders.Start", …, as listed by the SDK). It
// reports false for a name it does not know.
func (s *Server) Serves(name string) bool {
	op := ops.ByName(name)
	return op != nil && op.In(s.cfg.release)
}

// servesAPI reports whether the release serves the /api flavor.
func (c *config) servesAPI() bool { return c.release >= ops.APISince }

// sslCertificate reports whether the release knows ssl_certificate.
func (c *config) sslCertificate() bool { return c.release >= ops.SSLCertificateSince }

// ServesFlavor reports whether the server serves the flavor named "api" or
// "rest".
func (s *Server) ServesFlavor(name string) bool {
	switch name {
	case "api":
		return s.cfg.api
	case "rest":
		return s.cfg.rest
	}
	return false
}

// ForeignThumbprint is the thumbprint of the certificate the foreign PSC
// host presents, as configured, or "" for a host the server does not know.
func (s *Server) ForeignThumbprint(host string) string {
	return s.cfg.foreign[strings.ToLower(host)].thumbprint
}

// Providers are the sync providers every new link has.
func (s *Server) Providers() []string { return append([]string(nil), s.cfg.providers...) }
