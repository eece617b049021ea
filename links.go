package hvc

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/hvcsdk/hvc/internal/ops"
	"github.com/hvcsdk/hvc/internal/redact"
	"github.com/hvcsdk/hvc/internal/thumbprint"
)

// LinksService manages hybrid links (com.vmware.vcenter.hvc.links).
type LinksService service

// Create creates a hybrid link to a foreign PSC and returns the new link's id.
//
// HTTP: POST /api/hvc/links (201, JSON string) or legacy POST /rest/hvc/links
// with {"spec":…} (200, {"value":…}). Declared errors: *AlreadyExistsError,
// *InvalidArgumentError, *UnsupportedError, *UnauthorizedError,
// *UnverifiedPeerError (no or wrong SSLThumbprint; see CreateTrusting),
// *GenericError. The spec is validated locally first: a missing required
// field, a bad port or thumbprint fails with ErrInvalidArgument and nothing
// is sent.
func (s *LinksService) Create(ctx context.Context, spec LinkCreateSpec) (string, error) {
	if err := spec.validate(); err != nil {
		return "", err
	}
	var id string
	err := s.c().do(ctx, &call{op: ops.LinksCreate, body: spec,
		out: &id, secrets: []string{spec.Password}, check: func() error {
			if id == "" {
				return errors.New("empty link id")
			}
			return nil
		}})
	return id, err
}

// CreateTrusting creates a link with trust on first use. It calls Create;
// when the server answers UNVERIFIED_PEER it hands the certificate the
// foreign PSC presented to trust and, only if trust returns true, creates
// again pinned to that certificate: by the certificate itself
// (SSLCertificate) when the server reported it (vSphere 9.0+), else by its
// thumbprint. A reported certificate whose digest is not the reported
// thumbprint is an error, before trust is asked. When trust returns false
// the *UnverifiedPeerError is returned; when it returns an error, that
// error, wrapped with the operation and the thumbprint it was asked about.
//
// Accepting blindly defeats the purpose: trust must compare the thumbprint
// with a value obtained out of band (from the PSC's administrator or its
// console), never just return true.
func (s *LinksService) CreateTrusting(ctx context.Context, spec LinkCreateSpec, trust func(CertificateInfo) (bool, error)) (string, error) {
	if trust == nil {
		return "", refused(ops.LinksCreate, "trust", "must not be nil")
	}
	id, err := s.Create(ctx, spec)
	var peer *UnverifiedPeerError
	if !errors.As(err, &peer) {
		return id, err
	}
	info, ierr := peer.CertificateInfo()
	if ierr == nil && info.SSLCertificate != "" {
		ierr = certificateMatches(info)
	}
	if ierr != nil {
		return "", errors.Join(err, ierr)
	}
	ok, terr := trust(info)
	if terr != nil {
		return "", fmt.Errorf("hvc: Links.CreateTrusting: trust callback for the certificate with thumbprint %s: %w", info.SSLThumbprint, terr)
	}
	if !ok {
		return "", err
	}
	if info.SSLCertificate != "" {
		// vSphere 9.0+: pin the certificate itself; the thumbprint is
		// deprecated and would only restate it.
		spec.SSLCertificate, spec.SSLThumbprint = info.SSLCertificate, ""
	} else {
		spec.SSLThumbprint = info.SSLThumbprint
	}
	return s.Create(ctx, spec)
}

// List returns every link.
//
// HTTP: GET /api/hvc/links or legacy GET /rest/hvc/links (200). Declared
// errors: *GenericError.
func (s *LinksService) List(ctx context.Context) ([]LinkSummary, error) {
	var out []LinkSummary
	err := s.c().do(ctx, &call{op: ops.LinksList, out: &out})
	return out, err
}

// Get returns a link's connection health (vSphere 8.0U1+).
//
// HTTP: GET /api/hvc/links/{link} or legacy GET /rest/hvc/links/{link} (200).
// Declared errors: *NotFoundError, *UnauthorizedError, *ResourceBusyError,
// *GenericError.
func (s *LinksService) Get(ctx context.Context, linkID string) (LinkInfo, error) {
	var out LinkInfo
	err := s.c().do(ctx, &call{op: ops.LinksGet, params: []string{linkID}, out: &out})
	return out, err
}

// Delete deletes a link. Under WithRetry, when an earlier attempt may have
// been applied (sent without a reply, or answered 5xx) and a retry gets 404
// NOT_FOUND, Delete reports success: the link is gone.
//
// HTTP: DELETE /api/hvc/links/{link} (204) or legacy DELETE
// /rest/hvc/links/{link} (200). Declared errors: *NotFoundError,
// *UnauthorizedError, *GenericError.
func (s *LinksService) Delete(ctx context.Context, linkID string) error {
	return s.c().do(ctx, &call{op: ops.LinksDelete, params: []string{linkID}})
}

// DeleteWithCredentials deletes a link, authenticating to the foreign side
// with creds so it is cleaned up too (vSphere 8.0U1+).
//
// HTTP: POST /api/hvc/links/{link}?action=delete (204) or legacy POST
// /rest/hvc/links/{link}?action=delete (200), body {"credentials":{…}}.
// Declared errors: *NotFoundError, *UnauthorizedError, *GenericError.
func (s *LinksService) DeleteWithCredentials(ctx context.Context, linkID string, creds Credentials) error {
	if err := creds.validate(ops.LinksDeleteWithCredentials, "credentials"); err != nil {
		return err
	}
	return s.c().do(ctx, &call{op: ops.LinksDeleteWithCredentials, params: []string{linkID},
		body: credentialsBody{&creds}, secrets: []string{creds.Password}})
}

// credentialsBody is the {"credentials":{…}} parameter object.
type credentialsBody struct {
	Credentials *Credentials `json:"credentials,omitempty"`
}

// LinkCreateSpec describes a new hybrid link (com.vmware.vcenter.hvc.links.create_spec).
// Its Password never appears in %v, %+v, %#v or slog output.
type LinkCreateSpec struct {
	// PSCHostname is the foreign PSC's host name. Required.
	PSCHostname string `json:"psc_hostname"`
	// Port is the foreign PSC's HTTPS port as a decimal string; "" means 443.
	Port string `json:"port,omitempty"`
	// DomainName is the foreign SSO domain. Required; it becomes the link's
	// display name.
	DomainName string `json:"domain_name"`
	// Username is an administrator of the foreign PSC. Required.
	Username string `json:"username"`
	// Password is Username's password. Required.
	Password string `json:"password"`
	// SSLThumbprint is the expected thumbprint of the PSC's certificate. When
	// empty the server answers UNVERIFIED_PEER with the presented thumbprint;
	// see LinksService.CreateTrusting.
	SSLThumbprint string `json:"ssl_thumbprint,omitempty"`
	// SSLCertificate is the expected certificate of the PSC, one PEM
	// CERTIFICATE block (vSphere 9.0+, which deprecates SSLThumbprint).
	// Older servers refuse the field (*UnexpectedInputError); leave it empty
	// for them. CreateTrusting fills it when the server reports the
	// certificate.
	SSLCertificate string `json:"ssl_certificate,omitempty"`
	// AdminGroups are groups given administrator access; nil sets none.
	AdminGroups []string `json:"admin_groups,omitempty"`
}

type plainCreateSpec LinkCreateSpec

func (s LinkCreateSpec) masked() plainCreateSpec {
	p := plainCreateSpec(s)
	if p.Password != "" {
		p.Password = redact.Mask
	}
	return p
}

// String formats the spec with its password redacted.
func (s LinkCreateSpec) String() string { return fmt.Sprintf("%+v", s.masked()) }

// GoString formats the spec for %#v with its password redacted.
func (s LinkCreateSpec) GoString() string {
	return "hvc.LinkCreateSpec" + fmt.Sprintf("%#v", s.masked())[len("hvc.plainCreateSpec"):]
}

// LogValue makes slog record the spec with its password redacted.
func (s LinkCreateSpec) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("psc_hostname", s.PSCHostname),
		slog.String("port", s.Port),
		slog.String("domain_name", s.DomainName),
		slog.String("username", s.Username),
		slog.String("password", redact.Mask),
		slog.String("ssl_thumbprint", s.SSLThumbprint),
		slog.Bool("ssl_certificate", s.SSLCertificate != ""),
		slog.Any("admin_groups", s.AdminGroups),
	)
}

// LinkSummary is one entry of LinksService.List (links.summary).
type LinkSummary struct {
	// Link is the link's identifier.
	Link string `json:"link"`
	// DisplayName is the foreign domain name given at creation.
	DisplayName string `json:"display_name"`
}

// HealthStatus is a link's connection health. Values a newer server adds
// decode as is.
type HealthStatus string

// Connection health values of LinkInfo.
const (
	HealthStatusHealthy   HealthStatus = "HEALTHY"
	HealthStatusUnhealthy HealthStatus = "UNHEALTHY"
)

// LinkInfo is the state of one link (links.info, vSphere 8.0U1+).
type LinkInfo struct {
	// ConnectionHealthStatus is "" when the server does not report it.
	ConnectionHealthStatus HealthStatus `json:"connection_health_status,omitempty"`
	// HealthStatusMessage explains an UNHEALTHY status; nil otherwise.
	HealthStatusMessage *LocalizableMessage `json:"health_status_message,omitempty"`
}

// validate checks a create spec before anything is sent.
func (s LinkCreateSpec) validate() error {
	bad := func(field, problem string) error {
		return refused(ops.LinksCreate, "spec."+field, problem)
	}
	for _, f := range []struct{ name, v string }{
		{"psc_hostname", s.PSCHostname}, {"domain_name", s.DomainName},
		{"username", s.Username}, {"password", s.Password},
	} {
		if strings.TrimSpace(f.v) == "" {
			return bad(f.name, "is required")
		}
	}
	if s.Port != "" && !canonicalPort(s.Port) {
		return bad("port", "must be a number from 1 to 65535 in plain decimal, got "+quoteShort(s.Port))
	}
	if s.SSLThumbprint != "" {
		if _, err := thumbprint.Parse(s.SSLThumbprint); err != nil {
			return bad("ssl_thumbprint", "is not a thumbprint: "+err.Error())
		}
	}
	if s.SSLCertificate != "" {
		if err := checkCertificatePEM(s.SSLCertificate); err != nil {
			return bad("ssl_certificate", err.Error())
		}
	}
	for _, g := range s.AdminGroups {
		if strings.TrimSpace(g) == "" {
			return bad("admin_groups", "must not contain an empty group name")
		}
	}
	return nil
}

// checkCertificatePEM requires exactly one PEM CERTIFICATE block holding a
// certificate x509 can parse.
func checkCertificatePEM(s string) error {
	block, rest := pem.Decode([]byte(s))
	switch {
	case block == nil:
		return errors.New("is not PEM")
	case block.Type != "CERTIFICATE":
		return errors.New("is a PEM " + quoteShort(block.Type) + " block, not a CERTIFICATE")
	case len(bytes.TrimSpace(rest)) != 0:
		return errors.New("must hold exactly one PEM block")
	}
	if _, err := x509.ParseCertificate(block.Bytes); err != nil {
		return errors.New("is not a valid certificate")
	}
	return nil
}

// canonicalPort reports whether p is a port number 1–65535 written as
// plain decimal digits without sign, leading zeros or spaces, the only
// form sent as typed.
func canonicalPort(p string) bool {
	if p == "" || len(p) > 5 || p[0] == '0' {
		return false
	}
	for _, c := range []byte(p) {
		if c < '0' || c > '9' {
			return false
		}
	}
	n, err := strconv.Atoi(p)
	return err == nil && n <= 65535
}

// CertificateInfo describes the foreign PSC's certificate as reported in an
// UNVERIFIED_PEER error (com.vmware.vcenter.hvc.links.certificate_info).
type CertificateInfo struct {
	// SSLThumbprint is the SHA-256 thumbprint of the PSC's certificate.
	SSLThumbprint string `json:"ssl_thumbprint"`
	// SSLCertificate is the PEM leaf certificate (vSphere 9.0+), or "".
	SSLCertificate string `json:"ssl_certificate,omitempty"`
}

// CertificateInfo decodes the certificate the foreign PSC presented from the
// error's data. It accepts the documented plain object and, defensively, the
// same object nested one level under a type discriminator.
func (e *UnverifiedPeerError) CertificateInfo() (CertificateInfo, error) {
	var info CertificateInfo
	data := bytes.TrimSpace(e.Data)
	if len(data) == 0 {
		return info, errors.New("hvc: UNVERIFIED_PEER error carries no certificate data")
	}
	if err := json.Unmarshal(data, &info); err == nil && info.SSLThumbprint != "" {
		return info, nil
	}
	var nested map[string]json.RawMessage
	if json.Unmarshal(data, &nested) == nil && len(nested) == 1 {
		for _, v := range nested {
			if json.Unmarshal(v, &info) == nil && info.SSLThumbprint != "" {
				return info, nil
			}
		}
	}
	return CertificateInfo{}, errors.New("hvc: UNVERIFIED_PEER data has no ssl_thumbprint")
}

// SameThumbprint reports whether two certificate thumbprints name the same
// digest, ignoring case and colons ("AA:BB:…" equals "aabb…"). Use it in a
// CreateTrusting callback to compare the presented thumbprint with the one
// you know. Unparsable input is never the same.
func SameThumbprint(a, b string) bool { return thumbprint.Equal(a, b) }

// Thumbprint returns the SHA-256 thumbprint of a DER-encoded certificate
// (an *x509.Certificate's Raw, a PEM block's Bytes) as vSphere prints it
// and WithThumbprint and LinkCreateSpec.SSLThumbprint take it:
// colon-separated upper-case hex, "AB:CD:…".
func Thumbprint(der []byte) string { return thumbprint.SHA256(der) }

// certificateMatches checks that a reported PEM certificate is one valid
// certificate whose SHA-256 digest is the reported thumbprint, so that
// pinning the certificate pins what trust approved.
func certificateMatches(info CertificateInfo) error {
	if err := checkCertificatePEM(info.SSLCertificate); err != nil {
		return errors.New("hvc: UNVERIFIED_PEER ssl_certificate " + err.Error())
	}
	block, _ := pem.Decode([]byte(info.SSLCertificate))
	if !thumbprint.Equal(thumbprint.SHA256(block.Bytes), info.SSLThumbprint) {
		return errors.New("hvc: UNVERIFIED_PEER ssl_certificate does not match ssl_thumbprint")
	}
	return nil
}
