package hvc

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"encoding/pem"
	"errors"

	"github.com/hvcsdk/hvc/internal/thumbprint"
)

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

// certificateMatches checks that a reported PEM certificate is one valid
// certificate whose SHA-256 digest is the reported thumbprint, so that
// pinning the certificate pins what trust approved.
func certificateMatches(info CertificateInfo) error {
	if err := checkCertificatePEM(info.SSLCertificate); err != nil {
		return errors.New("hvc: UNVERIFIED_PEER ssl_certificate " + err.Error())
	}
	block, _ := pem.Decode([]byte(info.SSLCertificate))
	sum := sha256.Sum256(block.Bytes)
	if !thumbprint.Equal(thumbprint.Format(sum[:]), info.SSLThumbprint) {
		return errors.New("hvc: UNVERIFIED_PEER ssl_certificate does not match ssl_thumbprint")
	}
	return nil
}
