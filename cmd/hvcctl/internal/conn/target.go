package conn

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
)

// Target is the vCenter a command talks to.
type Target struct {
	// Endpoint is scheme://host[:port], as hvc.New wants it.
	Endpoint string
	// HostPort is host:port with the default port filled in and the host
	// in lower case: the key of known-hosts lines.
	HostPort string
	// User is the user name, from the URL or the settings.
	User string
	// URLPassword is the password of a govc-style URL (environment only).
	URLPassword string
}

// CacheKey names the target in the session cache.
func (t Target) CacheKey() string { return t.Endpoint + "|" + strings.ToLower(t.HostPort) }

// ParseTarget accepts govc's URL forms: host, host:port, user:pass@host,
// https://host/sdk. The scheme defaults to https; the path must be empty,
// "/", "/sdk", "/api" or "/rest".
//
// The user information is split off at the last "@" before anything is
// parsed, so a password holding "/", ":" or "@" works and no error ever
// quotes any of it. A "#" or "?" in it is refused (a URL cannot carry
// them unescaped, and they would silently change the host), as is an
// invalid %-escape: such a password belongs in HVC_PASSWORD.
func ParseTarget(raw string) (Target, error) {
	var t Target
	s := strings.TrimSpace(raw)
	if s == "" {
		return t, errors.New("empty URL")
	}
	scheme, rest := "https", s
	if m := schemeRE.FindString(s); m != "" {
		scheme, rest = strings.ToLower(strings.TrimSuffix(m, "://")), s[len(m):]
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		user, pass, hasPass := strings.Cut(rest[:at], ":")
		rest = rest[at+1:]
		if strings.ContainsAny(pass, "#?") {
			return t, errors.New("invalid URL: the password in it holds a '#' or '?', which a URL cannot carry; set it in HVC_PASSWORD (or HVC_PASSWORD_FILE) and leave it out of the URL")
		}
		var err error
		if t.User, err = url.PathUnescape(user); err != nil {
			return t, errors.New("invalid URL: the user name in it has an invalid %-escape")
		}
		if hasPass {
			if t.URLPassword, err = url.PathUnescape(pass); err != nil {
				return t, errors.New("invalid URL: the password in it has an invalid %-escape; set it in HVC_PASSWORD (or HVC_PASSWORD_FILE) and leave it out of the URL")
			}
		}
	}
	if scheme != "https" && scheme != "http" {
		return t, fmt.Errorf("invalid URL: scheme %q, want https", scheme)
	}
	u, err := url.Parse(scheme + "://" + rest)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return t, fmt.Errorf("invalid URL: %w", err)
	}
	if u.Hostname() == "" {
		return t, errors.New("invalid URL: no host")
	}
	switch strings.TrimSuffix(u.Path, "/") {
	case "", "/sdk", "/api", "/rest":
	default:
		return t, fmt.Errorf("invalid URL: unexpected path %q (use https://host[:port])", u.Path)
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"https": "443", "http": "80"}[u.Scheme]
	}
	t.HostPort = net.JoinHostPort(strings.ToLower(u.Hostname()), port)
	t.Endpoint = u.Scheme + "://" + u.Host
	return t, nil
}

// schemeRE matches a URL scheme at the start of a string.
var schemeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)
