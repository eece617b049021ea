package simulator

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/hvcsdk/hvc/internal/thumbprint"
)

// createSpec is links.CreateSpec as it arrives on the wire.
type createSpec struct {
	PSCHostname    *string  `json:"psc_hostname"`
	Port           *string  `json:"port"`
	DomainName     *string  `json:"domain_name"`
	Username       *string  `json:"username"`
	Password       *string  `json:"password"`
	SSLThumbprint  *string  `json:"ssl_thumbprint"`
	SSLCertificate *string  `json:"ssl_certificate"`
	AdminGroups    []string `json:"admin_groups"`
}

// createSpecName is the vAPI name of links.CreateSpec.
const createSpecName = "com.vmware.vcenter.hvc.links.create_spec"

// createSpecFields are the fields of links.CreateSpec in a release.
func (c *config) createSpecFields() []string {
	f := []string{"psc_hostname", "port", "domain_name", "username", "password", "ssl_thumbprint", "admin_groups"}
	if c.sslCertificate() {
		f = append(f, "ssl_certificate")
	}
	return f
}

// createLink handles links create: /api sends the CreateSpec itself, /rest
// sends {"spec": CreateSpec}. Fields the release does not define
// (ssl_certificate before 9.0) are UNEXPECTED_INPUT.
func (s *Server) createLink(w http.ResponseWriter, r *http.Request, f flavor, _ session) {
	var spec createSpec
	var e *stdError
	if f == flavorREST {
		var env struct {
			Spec json.RawMessage `json:"spec"`
		}
		if _, e = decodeInput(r, &env, operationInput, "spec"); e == nil {
			if len(env.Spec) == 0 || string(env.Spec) == "null" {
				e = errInvalidArgument("spec", "required field is missing")
			} else if e = checkFields(env.Spec, createSpecName, s.cfg.createSpecFields()...); e == nil {
				if err := json.Unmarshal(env.Spec, &spec); err != nil {
					e = errInvalidRequest("The request body is not valid JSON for this operation: " + jsonDecodeError(err))
				}
			}
		}
	} else {
		_, e = decodeInput(r, &spec, createSpecName, s.cfg.createSpecFields()...)
	}
	if e == nil {
		e = validateSpec(&spec)
	}
	if e != nil {
		writeError(w, f, e)
		return
	}
	id, e := s.addLink(&spec)
	if e != nil {
		writeError(w, f, e)
		return
	}
	writeResult(w, f, true, id)
}

func validateSpec(spec *createSpec) *stdError {
	for _, req := range []struct {
		name string
		v    *string
	}{{"psc_hostname", spec.PSCHostname}, {"domain_name", spec.DomainName}, {"username", spec.Username}, {"password", spec.Password}} {
		if req.v == nil || strings.TrimSpace(*req.v) == "" {
			return errInvalidArgument("spec."+req.name, "required field is missing")
		}
	}
	for _, c := range []struct {
		name string
		v    string
		max  int
	}{{"psc_hostname", *spec.PSCHostname, maxHostname}, {"username", *spec.Username, maxPrincipal}} {
		if e := checkText("spec."+c.name, c.v, c.max); e != nil {
			return e
		}
	}
	if e := checkDomain("spec.domain_name", *spec.DomainName); e != nil {
		return e
	}
	for _, g := range spec.AdminGroups {
		if e := checkText("spec.admin_groups", g, maxPrincipal); e != nil {
			return e
		}
	}
	if spec.Port != nil {
		if n, err := strconv.Atoi(*spec.Port); err != nil || n < 1 || n > 65535 {
			return errInvalidArgument("spec.port", "must be a port number between 1 and 65535")
		}
	}
	if spec.SSLThumbprint != nil && normThumbprint(*spec.SSLThumbprint) == "" {
		return errInvalidArgument("spec.ssl_thumbprint", "must be a hex certificate thumbprint")
	}
	if spec.SSLCertificate != nil {
		if _, err := parseCertificatePEM(*spec.SSLCertificate); err != nil {
			return errInvalidArgument("spec.ssl_certificate", "must be a PEM certificate")
		}
	}
	return nil
}

// trusted reports whether a spec names the certificate psc presents: by
// ssl_certificate when set (9.0+), else by ssl_thumbprint.
func trusted(spec *createSpec, psc foreignPSC) bool {
	if spec.SSLCertificate != nil {
		der, err := parseCertificatePEM(*spec.SSLCertificate)
		return err == nil && normThumbprint(thumbprint.SHA256(der)) == normThumbprint(psc.thumbprint)
	}
	return spec.SSLThumbprint != nil && normThumbprint(*spec.SSLThumbprint) == normThumbprint(psc.thumbprint)
}

// login checks credentials for the PSC named host as vCenter's log-in to
// it does. A failure is ERROR 500: of the errors links create and delete
// with credentials declare, UNAUTHENTICATED is not one (vCenter keeps it for
// its own session) and INVALID_ARGUMENT is not declared for delete with
// credentials, so the generic ERROR is what both can answer. The message
// names the PSC and the user, never the password.
func (p foreignPSC) login(host, user, password string) *stdError {
	if strings.EqualFold(user, p.user) && password == p.password {
		return nil
	}
	return newError("ERROR", "com.vmware.vcenter.hvc.links.credentials.invalid",
		"Could not log in to the PSC "+host+" as "+user+": the user name or password is incorrect.", host, user).
		withParam("psc_hostname", host).withParam("user_name", user)
}

// addLink checks the foreign PSC's certificate, credentials and the domain,
// then records the link with fresh providers.
func (s *Server) addLink(spec *createSpec) (string, *stdError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	host := strings.ToLower(*spec.PSCHostname)
	psc, known := s.cfg.foreign[host]
	if !known {
		return "", newError("ERROR", "com.vmware.vcenter.hvc.links.connect.failed",
			"Could not connect to the PSC "+*spec.PSCHostname+".", *spec.PSCHostname).withParam("psc_hostname", *spec.PSCHostname)
	}
	if !trusted(spec, psc) {
		e := newError("UNVERIFIED_PEER", "com.vmware.vcenter.hvc.links.certificate.unverified",
			"The certificate of "+*spec.PSCHostname+" could not be verified.", *spec.PSCHostname)
		data := map[string]string{"ssl_thumbprint": psc.thumbprint}
		if s.cfg.sslCertificate() && psc.certPEM != "" {
			data["ssl_certificate"] = psc.certPEM
		}
		e.data = data
		return "", e
	}
	if e := psc.login(*spec.PSCHostname, *spec.Username, *spec.Password); e != nil {
		return "", e
	}
	if l, ok := s.links[s.byDomain[foldKey(*spec.DomainName)]]; ok {
		return "", newError("ALREADY_EXISTS", "com.vmware.vcenter.hvc.links.already_exists",
			"A link to domain "+l.domain+" already exists.", l.domain).withParam("domain_name", l.domain)
	}
	s.nextLink++
	l := &link{id: "link-" + strconv.Itoa(s.nextLink), domain: *spec.DomainName, psc: *spec.PSCHostname,
		adminGroups: spec.AdminGroups, healthy: true, providers: map[string]*provider{}}
	for _, p := range s.cfg.providers {
		l.providers[p] = &provider{id: p, status: "NO_SYNC_FOUND"}
		l.order = append(l.order, p)
	}
	s.putLink(l, s.nextLink)
	return l.id, nil
}

// putLink records l, created seq-th, in the links and their indexes. The
// caller holds s.mu.
func (s *Server) putLink(l *link, seq int) {
	s.links[l.id] = l
	s.linkSeq[l.id] = seq
	s.byDomain[foldKey(l.domain)] = l.id
}

// dropLink forgets the link id and its index entries. The caller holds
// s.mu.
func (s *Server) dropLink(id string) {
	if l, ok := s.links[id]; ok {
		delete(s.byDomain, foldKey(l.domain))
	}
	delete(s.links, id)
	delete(s.linkSeq, id)
}

// foldKey maps s to a key equal for exactly the strings strings.EqualFold
// equates: each rune becomes the smallest of its simple case folding orbit
// (so "K", "k" and the Kelvin sign share a key, as do "s" and "ſ").
func foldKey(s string) string {
	return strings.Map(func(r rune) rune {
		low := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			low = min(low, f)
		}
		return low
	}, s)
}

func (s *Server) listLinks(w http.ResponseWriter, _ *http.Request, f flavor, _ session) {
	s.mu.Lock()
	out := make([]map[string]string, 0, len(s.links))
	for _, l := range s.sortedLinks() {
		out = append(out, map[string]string{"link": l.id, "display_name": l.domain})
	}
	s.mu.Unlock()
	writeResult(w, f, false, out)
}

func (s *Server) getLink(w http.ResponseWriter, f flavor, id string) {
	s.mu.Lock()
	l, ok := s.links[id]
	var info map[string]any
	if ok {
		info = map[string]any{"connection_health_status": "HEALTHY"}
		if !l.healthy {
			info["connection_health_status"] = "UNHEALTHY"
			info["health_status_message"] = messageJSON(f, message{id: "com.vmware.vcenter.hvc.links.unhealthy", text: l.healthMsg})
		}
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, f, errNotFound("link", id))
		return
	}
	writeResult(w, f, false, info)
}

// deleteLink handles delete and, withCreds, delete_with_credentials, whose
// body is {"credentials": Credentials}.
func (s *Server) deleteLink(w http.ResponseWriter, r *http.Request, f flavor, id string, withCreds bool) {
	var creds credentials
	if withCreds {
		var body struct {
			Credentials json.RawMessage `json:"credentials"`
		}
		_, e := decodeInput(r, &body, operationInput, "credentials")
		if e == nil {
			creds, e = decodeCredentials(body.Credentials, "credentials", linksCredentialsName)
		}
		if e != nil {
			writeError(w, f, e)
			return
		}
	}
	s.mu.Lock()
	l, ok := s.links[id]
	var e *stdError
	switch {
	case !ok:
		e = errNotFound("link", id)
	case withCreds:
		e = s.cfg.foreign[strings.ToLower(l.psc)].login(l.psc, *creds.UserName, *creds.Password)
	}
	if e == nil {
		s.dropLink(id)
	}
	s.mu.Unlock()
	if e != nil {
		writeError(w, f, e)
		return
	}
	writeResult(w, f, false, nil)
}

// SetLinkHealth sets what links get reports for a link: HEALTHY, or
// UNHEALTHY with message. It reports false for an unknown link.
func (s *Server) SetLinkHealth(linkID string, healthy bool, message string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.links[linkID]
	if ok {
		l.healthy, l.healthMsg = healthy, message
	}
	return ok
}

// Links returns the ids of the links that exist, in creation order.
func (s *Server) Links() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for _, l := range s.sortedLinks() {
		ids = append(ids, l.id)
	}
	return ids
}

// sortedStrings returns the keys of a set, sorted.
func sortedStrings(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
