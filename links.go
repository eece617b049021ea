package hvc

import (
	"context"
	"errors"
	"fmt"

	"github.com/hvcsdk/hvc/internal/ops"
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
		return "", invalidArgument(ops.LinksCreate.Method, ops.LinksCreate.Template, "trust", "must not be nil")
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
