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
	if s.Port != "" {
		if n, err := strconv.Atoi(s.Port); err != nil || n < 1 || n > 65535 {
			return bad("port", "must be a number from 1 to 65535, got "+quoteShort(s.Port))
		}
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
