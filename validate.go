package hvc

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hvcsdk/hvc/internal/ops"
	"github.com/hvcsdk/hvc/internal/thumbprint"
)

// validate checks a create spec before anything is sent.
func (s LinkCreateSpec) validate() error {
	bad := func(field, problem string) error {
		return invalidArgument(ops.LinksCreate.Method, ops.LinksCreate.Template, "spec."+field, problem)
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

// validate checks credentials before anything is sent.
func (c Credentials) validate(op *ops.Op, field string) error {
	if strings.TrimSpace(c.UserName) == "" {
		return invalidArgument(op.Method, templatePath(op), field+".user_name", "is required")
	}
	if c.Password == "" {
		return invalidArgument(op.Method, templatePath(op), field+".password", "is required")
	}
	return nil
}

// quoteShort quotes user input for an error message, cut to 40 bytes on a
// rune boundary.
func quoteShort(s string) string {
	if len(s) > 40 {
		i := 40
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s = s[:i] + "…"
	}
	return strconv.Quote(s)
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
