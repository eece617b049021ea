package provider

import (
	"bufio"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/hvcsdk/hvc"
)

// maxSecretFile and maxTrustFile bound what the provider reads from the
// files the environment names: other users may be able to write them.
const (
	maxSecretFile = 4096
	maxTrustFile  = 1 << 20
)

// defaultAPITimeout is api_timeout's default: no cap per request (the
// SDK's WithTimeout(0)), so the operation's context — hvc_link's timeouts,
// defaultOpTimeout elsewhere — alone decides how long a call may take.
const defaultAPITimeout = 0

// rawConfig is the provider block as strings and flags; a nil field is an
// argument the configuration does not set.
type rawConfig struct {
	URL, Username, Password  *string
	Thumbprint, CAFile       *string
	Insecure                 *bool
	Flavor, APITimeout       *string
	PSCUsername, PSCPassword *string
}

// settings are the resolved connection settings of one provider instance.
type settings struct {
	endpoint   string // scheme://host[:port]
	hostport   string // host:port, default port filled in
	username   string
	password   string
	trust      []hvc.Option
	trustDesc  string
	flavor     hvc.Flavor
	apiTimeout time.Duration
	pscUser    string
	pscPass    string
}

// lookupFunc reads one environment variable (os.LookupEnv in the provider,
// a map in tests).
type lookupFunc func(string) (string, bool)

// env returns the first of names that is set and non-empty, and its name.
func env(look lookupFunc, names ...string) (value, name string, ok bool) {
	for _, n := range names {
		if v, set := look(n); set && v != "" {
			return v, n, true
		}
	}
	return "", "", false
}

// pick returns the attribute when set, else the first variable of names.
func pick(attr *string, look lookupFunc, names ...string) string {
	if attr != nil && *attr != "" {
		return *attr
	}
	v, _, _ := env(look, names...)
	return v
}

// resolve applies the precedence documented in the provider's schema: an
// argument beats its HVC_* variable, which beats the GOVC_* variable of the
// same suffix. It reads the password and trust files the variables name,
// boundedly; errors name the argument or variable, never a secret.
func resolve(rc rawConfig, look lookupFunc) (settings, error) {
	var s settings
	rawURL := pick(rc.URL, look, "HVC_URL", "GOVC_URL")
	if rawURL == "" {
		return s, errors.New("no vCenter URL: set url in the provider block or HVC_URL (or GOVC_URL)")
	}
	fromAttr := rc.URL != nil && *rc.URL != ""
	t, err := parseURL(rawURL)
	if err != nil {
		return s, err
	}
	if t.pass != "" && fromAttr {
		return s, errors.New("url must not carry a password (it would be stored in the configuration); use password or HVC_PASSWORD")
	}
	s.endpoint, s.hostport = t.endpoint, t.hostport

	s.username = pick(rc.Username, look, "HVC_USERNAME", "GOVC_USERNAME")
	if s.username == "" {
		s.username = t.user
	}
	if s.username == "" {
		return s, errors.New("no user name: set username in the provider block or HVC_USERNAME (or GOVC_USERNAME)")
	}
	s.password, err = secret(rc.Password, look, "password", "HVC_PASSWORD", "HVC_PASSWORD_FILE", "GOVC_PASSWORD")
	if err != nil {
		return s, err
	}
	if s.password == "" {
		s.password = t.pass
	}
	if s.password == "" {
		return s, errors.New("no password: set password in the provider block, HVC_PASSWORD or HVC_PASSWORD_FILE")
	}

	if s.trust, s.trustDesc, err = trust(rc, look, s.hostport); err != nil {
		return s, err
	}
	if s.flavor, err = parseFlavor(pick(rc.Flavor, look, "HVC_FLAVOR")); err != nil {
		return s, err
	}
	s.apiTimeout = defaultAPITimeout
	if v := pick(rc.APITimeout, look, "HVC_API_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return s, fmt.Errorf("api_timeout %q: want a duration such as 90s or 10m (0 for no cap per request)", v)
		}
		s.apiTimeout = d
	}
	s.pscUser = pick(rc.PSCUsername, look, "HVC_PSC_USERNAME")
	s.pscPass, err = secret(rc.PSCPassword, look, "psc_password", "HVC_PSC_PASSWORD", "HVC_PSC_PASSWORD_FILE", "")
	return s, err
}

// secret resolves a password: the attribute, else the file variable or the
// plain variable (both set is an error, as in hvcctl), else the govc one.
func secret(attr *string, look lookupFunc, argName, plain, file, govc string) (string, error) {
	if attr != nil && *attr != "" {
		return *attr, nil
	}
	pv, _, hasPlain := env(look, plain)
	fv, _, hasFile := env(look, file)
	switch {
	case hasPlain && hasFile:
		return "", fmt.Errorf("both %s and %s are set; unset one (or set %s in the provider block)", plain, file, argName)
	case hasFile:
		return readSecretFile(file, fv)
	case hasPlain:
		return pv, nil
	}
	if govc != "" {
		v, _, _ := env(look, govc)
		return v, nil
	}
	return "", nil
}

// readSecretFile reads a password file: its content without the trailing
// newline, at most 4 KiB. The path is named in errors, the content never.
func readSecretFile(varName, path string) (string, error) {
	f, err := os.Open(path) //nolint:gosec // G304: the operator names the password file
	if err != nil {
		return "", fmt.Errorf("%s: %w", varName, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return "", fmt.Errorf("%s: reading %s: %w", varName, path, err)
	}
	if len(b) > maxSecretFile {
		return "", fmt.Errorf("%s: %s is larger than 4 KiB", varName, path)
	}
	s := strings.TrimRight(string(b), "\r\n")
	if s == "" {
		return "", fmt.Errorf("%s: %s is empty", varName, path)
	}
	return s, nil
}

// trust decides how the vCenter certificate is verified. When the provider
// block sets thumbprint, ca_file or insecure (the schema allows one), that
// decides. Otherwise, as in hvcctl: HVC_INSECURE, HVC_THUMBPRINT (the two
// exclude each other), the known-hosts entry for the host
// (HVC_TLS_KNOWN_HOSTS, default $HVCCTL_HOME/known_hosts), HVC_TLS_CA_CERTS,
// and last the system roots.
func trust(rc rawConfig, look lookupFunc, hostport string) ([]hvc.Option, string, error) {
	switch {
	case rc.Insecure != nil && *rc.Insecure:
		return []hvc.Option{hvc.WithInsecureSkipVerify()}, "insecure", nil
	case rc.Thumbprint != nil && *rc.Thumbprint != "":
		return []hvc.Option{hvc.WithThumbprint(*rc.Thumbprint)}, "thumbprint", checkOption("thumbprint", hvc.WithThumbprint(*rc.Thumbprint))
	case rc.CAFile != nil && *rc.CAFile != "":
		return caOption("ca_file", *rc.CAFile)
	}
	insecure := false
	if v, name, ok := env(look, "HVC_INSECURE", "GOVC_INSECURE"); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, "", fmt.Errorf("%s=%q: want true or false", name, v)
		}
		insecure = b
	}
	tp, tpName, hasTP := env(look, "HVC_THUMBPRINT")
	switch {
	case insecure && hasTP:
		return nil, "", errors.New("HVC_INSECURE and HVC_THUMBPRINT exclude each other; unset one")
	case insecure:
		return []hvc.Option{hvc.WithInsecureSkipVerify()}, "insecure (HVC_INSECURE)", nil
	case hasTP:
		return []hvc.Option{hvc.WithThumbprint(tp)}, tpName, checkOption(tpName, hvc.WithThumbprint(tp))
	}
	if file := knownHostsFile(look); file != "" {
		if tp, ok, err := lookupKnownHost(file, hostport); err != nil {
			return nil, "", err
		} else if ok {
			return []hvc.Option{hvc.WithThumbprint(tp)}, "known hosts " + file, checkOption("the entry for "+hostport+" in "+file, hvc.WithThumbprint(tp))
		}
	}
	if v, name, ok := env(look, "HVC_TLS_CA_CERTS", "GOVC_TLS_CA_CERTS"); ok {
		return caOption(name, v)
	}
	return nil, "system roots", nil
}

// checkOption validates a trust option by building a throw-away client.
func checkOption(source string, o hvc.Option) error {
	if _, err := hvc.New("https://127.0.0.1", o); err != nil {
		return fmt.Errorf("%s: %w", source, err)
	}
	return nil
}

// caOption reads a PEM CA file into a pool.
func caOption(source, path string) ([]hvc.Option, string, error) {
	pem, err := readBounded(path, maxTrustFile)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", source, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, "", fmt.Errorf("%s: no PEM certificate in %s", source, path)
	}
	return []hvc.Option{hvc.WithRootCAs(pool)}, source + " " + path, nil
}

// readBounded reads at most limit bytes of a file, failing on more.
func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path) //nolint:gosec // G304: the operator names the file
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, limit)
	}
	return b, nil
}

// knownHostsFile is HVC_TLS_KNOWN_HOSTS (or GOVC_TLS_KNOWN_HOSTS), else
// hvcctl's default $HVCCTL_HOME/known_hosts (~/.hvcctl/known_hosts).
func knownHostsFile(look lookupFunc) string {
	if v, _, ok := env(look, "HVC_TLS_KNOWN_HOSTS", "GOVC_TLS_KNOWN_HOSTS"); ok {
		return v
	}
	if home, _, ok := env(look, "HVCCTL_HOME"); ok {
		return filepath.Join(home, "known_hosts")
	}
	if h, err := os.UserHomeDir(); err == nil && h != "" {
		return filepath.Join(h, ".hvcctl", "known_hosts")
	}
	return ""
}

// lookupKnownHost returns the thumbprint a known-hosts file ("host[:port]
// thumbprint" lines, hvcctl's and govc's format) records for hostport; the
// last matching line wins. A missing file is no entry.
func lookupKnownHost(file, hostport string) (string, bool, error) {
	b, err := readBounded(file, maxTrustFile)
	if errors.Is(err, os.ErrNotExist) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("known hosts: %w", err)
	}
	keys := []string{strings.ToLower(hostport)}
	if host, port, err := net.SplitHostPort(hostport); err == nil && port == "443" {
		keys = append(keys, strings.ToLower(host))
	}
	var tp string
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		for _, k := range keys {
			if strings.EqualFold(fields[0], k) {
				tp = fields[1]
			}
		}
	}
	return tp, tp != "", nil
}

// target is a parsed vCenter URL.
type target struct {
	endpoint, hostport, user, pass string
}

// parseURL accepts govc's URL forms, as hvcctl does: host, host:port,
// user:pass@host, https://host[:port][/sdk]. Errors never quote the URL: it
// may hold a password.
func parseURL(raw string) (target, error) {
	var t target
	s := strings.TrimSpace(raw)
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		// Neither the URL nor the parser's message (which quotes the bad
		// part) is repeated: the URL may carry a password.
		return t, errors.New("invalid vCenter URL: it does not parse as host, host:port or https://host[:port] (not shown: it may hold a password)")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return t, fmt.Errorf("invalid vCenter URL: scheme %q, want https", u.Scheme)
	}
	if u.Hostname() == "" {
		return t, errors.New("invalid vCenter URL: no host")
	}
	switch strings.TrimSuffix(u.Path, "/") {
	case "", "/sdk", "/api", "/rest":
	default:
		return t, fmt.Errorf("invalid vCenter URL: unexpected path %q (use https://host[:port])", u.Path)
	}
	if u.User != nil {
		t.user = u.User.Username()
		t.pass, _ = u.User.Password()
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"https": "443", "http": "80"}[u.Scheme]
	}
	t.hostport = net.JoinHostPort(strings.ToLower(u.Hostname()), port)
	t.endpoint = u.Scheme + "://" + u.Host
	return t, nil
}

// parseFlavor reads auto, api or rest.
func parseFlavor(s string) (hvc.Flavor, error) {
	switch strings.ToLower(s) {
	case "", "auto":
		return hvc.FlavorAuto, nil
	case "api":
		return hvc.FlavorAPI, nil
	case "rest":
		return hvc.FlavorREST, nil
	}
	return hvc.FlavorAuto, fmt.Errorf("flavor %q: must be auto, api or rest", s)
}
