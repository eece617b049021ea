package hvc

import (
	"strconv"
	"strings"

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
	for _, g := range s.AdminGroups {
		if strings.TrimSpace(g) == "" {
			return bad("admin_groups", "must not contain an empty group name")
		}
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
