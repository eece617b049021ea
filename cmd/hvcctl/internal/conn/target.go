package conn

import (
	"errors"
	"fmt"
	"net"
	"net/url"
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
func ParseTarget(raw string) (Target, error) {
	var t Target
	s := strings.TrimSpace(raw)
	if s == "" {
		return t, errors.New("empty URL")
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // do not quote the URL: it may hold a password
		}
		return t, fmt.Errorf("invalid URL: %w", err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return t, fmt.Errorf("invalid URL: scheme %q, want https", u.Scheme)
	}
	if u.Hostname() == "" {
		return t, errors.New("invalid URL: no host")
	}
	switch strings.TrimSuffix(u.Path, "/") {
	case "", "/sdk", "/api", "/rest":
	default:
		return t, fmt.Errorf("invalid URL: unexpected path %q (use https://host[:port])", u.Path)
	}
	if u.User != nil {
		t.User = u.User.Username()
		t.URLPassword, _ = u.User.Password()
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"https": "443", "http": "80"}[u.Scheme]
	}
	t.HostPort = net.JoinHostPort(strings.ToLower(u.Hostname()), port)
	t.Endpoint = u.Scheme + "://" + u.Host
	return t, nil
}
