package simulator

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hvcsdk/hvc/internal/ops"
	"github.com/hvcsdk/hvc/internal/redact"
)

// ControlPrefix is the path under which WithControl serves the control
// surface. Real vCenter has nothing there.
const ControlPrefix = "/hvcsim/"

// WithControl serves a JSON control surface under ControlPrefix, so that
// test suites in any language can drive the simulator over HTTP (cmd/hvcsim
// turns it on). It needs no session and is neither recorded nor subject to
// faults:
//
//	GET    /hvcsim/                  server facts: version, URL, flavors, operations, users, foreign PSCs, thumbprint, certificate PEM, control URL
//	GET    /hvcsim/certificate       the server's certificate (PEM)
//	GET    /hvcsim/thumbprint        {"thumbprint": "AA:BB:…"}
//	GET    /hvcsim/state             {"links", "live_sessions", "logins", "open_connections", "max_open_connections"}
//	GET    /hvcsim/config            {"sync_duration": "0s", "failing_providers": []}
//	PUT    /hvcsim/config            change either member (SetSyncDuration, SetFailingProviders) → 200 the new config
//	POST   /hvcsim/links             seed a link: an /api links create spec, checked as a real create → 201 {"link": id}
//	POST   /hvcsim/faults            add a fault (JSON, see below) → 201 {"id": n}; 400 if it can never match
//	GET    /hvcsim/faults            list the faults in the order they are tried, with id, used and uses_left
//	DELETE /hvcsim/faults            remove every fault
//	DELETE /hvcsim/faults/{id}       remove one fault (404 when there is none)
//	POST   /hvcsim/sessions/expire   end every session now, or {"after": n} after n more requests
//	GET    /hvcsim/requests          the request log; ?bodies=masked adds bodies with secret members masked, ?bodies=raw as sent; header Hvcsim-Requests-Dropped
//	DELETE /hvcsim/requests          empty the request log
//	POST   /hvcsim/links/{link}/health  {"healthy": false, "message": "…"} sets what links get reports
//	POST   /hvcsim/reset             forget links, sessions, faults, requests and administrator changes
//
// A fault is {"operation", "method", "path", "action", "status", "error_type", "body",
// "content_type", "header": {"Retry-After": "7"}, "latency": "250ms",
// "drop", "drop_after_apply", "custom_error_type", "times"}, with the
// meaning of the Fault fields.
//
// Over HTTP the control surface is locked, so that a web page the developer
// has open cannot drive it (cross-origin POSTs, DNS rebinding):
//
//   - every request must carry "Authorization: Bearer <token>", the token
//     being ControlToken (random per server unless WithControlToken sets
//     it), else 401;
//   - the Host header must name a loopback host (localhost, 127.0.0.1,
//     [::1]) or the literal address the server listens on, else 403;
//   - a request other than GET or HEAD must have Content-Type
//     application/json, else 403.
//
// A refusal is a JSON {"error": "…"} saying what is missing. The Go methods
// (AddFault, Reset, …) need no token.
func WithControl() Option {
	return func(c *config) error { c.control = true; return nil }
}

// WithControlToken sets the bearer token the control surface requires
// (for reproducible CI); without it each server draws a random one. It
// must be at least 16 characters of printable ASCII without spaces.
func WithControlToken(token string) Option {
	return func(c *config) error {
		if len(token) < 16 {
			return errors.New("simulator: control token must be at least 16 characters")
		}
		for _, r := range token {
			if r <= ' ' || r > '~' {
				return errors.New("simulator: control token must be printable ASCII without spaces")
			}
		}
		c.controlToken = token
		return nil
	}
}

// ControlToken is the bearer token the control surface requires over HTTP.
func (s *Server) ControlToken() string { return s.cfg.controlToken }

// newControlToken draws a random control token.
func newControlToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}

// controlAllowed checks a control request's Host, token and content type,
// answering the refusal itself when it returns false.
func (s *Server) controlAllowed(w http.ResponseWriter, r *http.Request) bool {
	if !s.controlHostAllowed(r.Host) {
		controlError(w, http.StatusForbidden, "the Host header must name a loopback host (localhost, 127.0.0.1, [::1]) or the address the server listens on")
		return false
	}
	auth := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(s.cfg.controlToken)) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="hvcsim"`)
		if auth == "" {
			controlError(w, http.StatusUnauthorized, "missing Authorization: Bearer <control token> (hvcsim prints it as control_token)")
		} else {
			controlError(w, http.StatusUnauthorized, "wrong control token in Authorization: Bearer")
		}
		return false
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "application/json" {
			controlError(w, http.StatusForbidden, "a "+r.Method+" to the control surface must have Content-Type: application/json")
			return false
		}
	}
	return true
}

// controlHostAllowed reports whether a Host header names the server as
// only a local client or one that knows its literal address would: a
// DNS-rebinding page names its own domain.
func (s *Server) controlHostAllowed(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	if ip != nil && ip.IsLoopback() {
		return true
	}
	s.mu.Lock()
	ln := s.ln
	s.mu.Unlock()
	if want, _, err := net.SplitHostPort(s.cfg.addr); err == nil && want != "" && strings.EqualFold(want, host) {
		if wip := net.ParseIP(want); wip == nil || !wip.IsUnspecified() {
			return true
		}
	}
	if ln != nil && ip != nil {
		if a, ok := ln.Addr().(*net.TCPAddr); ok {
			// Listening on every interface, any literal address reaches it;
			// a literal address cannot be rebound.
			return a.IP.IsUnspecified() || a.IP.Equal(ip)
		}
	}
	return false
}

// faultJSON is a Fault as the control surface takes it.
type faultJSON struct {
	// Operation is Fault.Operation.
	Operation   string            `json:"operation,omitempty"`
	Method      string            `json:"method"`
	Path        string            `json:"path"`
	Action      string            `json:"action"`
	Status      int               `json:"status"`
	ErrorType   string            `json:"error_type"`
	Body        *string           `json:"body"`
	ContentType string            `json:"content_type"`
	Header      map[string]string `json:"header"`
	Latency     string            `json:"latency"`
	Drop        bool              `json:"drop"`
	// DropAfterApply is Fault.DropAfterApply.
	DropAfterApply bool `json:"drop_after_apply"`
	// CustomErrorType is Fault.CustomErrorType.
	CustomErrorType bool `json:"custom_error_type"`
	Times           int  `json:"times"`
}

func (fj faultJSON) fault() (Fault, error) {
	f := Fault{Operation: fj.Operation, Method: fj.Method, Path: fj.Path, Action: fj.Action, Status: fj.Status, ErrorType: fj.ErrorType,
		ContentType: fj.ContentType, Drop: fj.Drop, DropAfterApply: fj.DropAfterApply,
		CustomErrorType: fj.CustomErrorType, Times: fj.Times}
	if fj.Body != nil {
		f.Body = []byte(*fj.Body)
	}
	if len(fj.Header) > 0 {
		f.Header = http.Header{}
		for k, v := range fj.Header {
			f.Header.Set(k, v)
		}
	}
	if fj.Latency != "" {
		d, err := time.ParseDuration(fj.Latency)
		if err != nil || d < 0 {
			return Fault{}, fmt.Errorf("latency %q is not a duration such as \"250ms\"", fj.Latency)
		}
		f.Latency = d
	}
	if f.Times < 0 || (f.Status != 0 && (f.Status < 100 || f.Status > 999)) {
		return Fault{}, fmt.Errorf("times must not be negative and status must be an HTTP status")
	}
	return f, nil
}

// controlError answers a control request that cannot be carried out.
func controlError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// control serves the control surface.
func (s *Server) control(w http.ResponseWriter, r *http.Request) {
	if !s.controlAllowed(w, r) {
		return
	}
	p := strings.TrimPrefix(r.URL.Path, strings.TrimSuffix(ControlPrefix, "/"))
	if r.Method == http.MethodHead {
		// HEAD is a read like GET (controlAllowed treats it so): answer it
		// as GET; net/http sends the headers and drops the body.
		r = r.Clone(r.Context())
		r.Method = http.MethodGet
	}
	switch {
	case p == "/" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.facts())
	case p == "/certificate" && r.Method == http.MethodGet:
		leaf := s.Certificate()
		if leaf == nil {
			controlError(w, http.StatusNotFound, "the server serves plain HTTP: no certificate")
			return
		}
		w.Header().Set("Content-Type", "application/x-pem-file")
		_ = pem.Encode(w, &pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw})
	case p == "/thumbprint" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]string{"thumbprint": s.Thumbprint()})
	case p == "/faults" && r.Method == http.MethodPost:
		var fj faultJSON
		dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&fj); err != nil {
			controlError(w, http.StatusBadRequest, "fault: "+jsonDecodeError(err))
			return
		}
		f, err := fj.fault()
		if err == nil {
			var id int
			if id, err = s.addFault(f); err == nil {
				writeJSON(w, http.StatusCreated, map[string]int{"id": id})
				return
			}
		}
		controlError(w, http.StatusBadRequest, controlMessage(err))
	case p == "/faults" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.faultsJSON())
	case p == "/faults" && r.Method == http.MethodDelete:
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	case strings.HasPrefix(p, "/faults/") && r.Method == http.MethodDelete:
		id, err := strconv.Atoi(strings.TrimPrefix(p, "/faults/"))
		if err != nil || !s.removeFault(id) {
			controlError(w, http.StatusNotFound, "no fault with id "+strconv.Quote(strings.TrimPrefix(p, "/faults/"))+" (GET /hvcsim/faults lists them)")
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case p == "/sessions/expire" && r.Method == http.MethodPost:
		var body struct {
			After *int `json:"after"`
		}
		if b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16)); len(strings.TrimSpace(string(b))) > 0 {
			if err := json.Unmarshal(b, &body); err != nil {
				controlError(w, http.StatusBadRequest, "expire: "+jsonDecodeError(err))
				return
			}
		}
		if body.After != nil {
			s.ExpireSessionsAfter(*body.After)
		} else {
			s.ExpireSessions()
		}
		w.WriteHeader(http.StatusNoContent)
	case p == "/requests" && r.Method == http.MethodGet:
		mode := r.URL.Query().Get("bodies")
		if mode != "" && mode != "masked" && mode != "raw" {
			controlError(w, http.StatusBadRequest, `bodies must be "masked" or "raw"`)
			return
		}
		s.writeRequests(w, mode)
	case p == "/requests" && r.Method == http.MethodDelete:
		s.ResetRequests()
		w.WriteHeader(http.StatusNoContent)
	case strings.HasPrefix(p, "/links/") && strings.HasSuffix(p, "/health") && r.Method == http.MethodPost:
		id := strings.TrimSuffix(strings.TrimPrefix(p, "/links/"), "/health")
		var body struct {
			Healthy bool   `json:"healthy"`
			Message string `json:"message"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&body); err != nil {
			controlError(w, http.StatusBadRequest, "health: "+jsonDecodeError(err))
			return
		}
		if !s.SetLinkHealth(id, body.Healthy, body.Message) {
			controlError(w, http.StatusNotFound, "no such link")
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case p == "/state" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.stateJSON())
	case p == "/links" && r.Method == http.MethodPost:
		s.seedLink(w, r)
	case p == "/config" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.configJSON())
	case p == "/config" && r.Method == http.MethodPut:
		s.putConfig(w, r)
	case p == "/reset" && r.Method == http.MethodPost:
		s.Reset()
		w.WriteHeader(http.StatusNoContent)
	default:
		controlError(w, http.StatusNotFound, "no control endpoint "+r.Method+" "+r.URL.Path)
	}
}

// facts describes the server for the control surface.
func (s *Server) facts() map[string]any {
	var served []string
	for _, op := range ops.All {
		if op.In(s.cfg.release) {
			served = append(served, op.Name)
		}
	}
	var flavors []string
	if s.cfg.api {
		flavors = append(flavors, "api")
	}
	if s.cfg.rest {
		flavors = append(flavors, "rest")
	}
	type userJSON struct {
		Name     string `json:"name"`
		Password string `json:"password"`
		ReadOnly bool   `json:"read_only"`
	}
	users := []userJSON{}
	for name, u := range s.cfg.users {
		users = append(users, userJSON{name, u.password, u.readOnly})
	}
	sort.Slice(users, func(i, j int) bool { return users[i].Name < users[j].Name })
	type pscJSON struct {
		Hostname   string `json:"hostname"`
		Username   string `json:"username"`
		Password   string `json:"password"`
		Thumbprint string `json:"thumbprint"`
	}
	pscs := []pscJSON{}
	for host, p := range s.cfg.foreign {
		pscs = append(pscs, pscJSON{host, p.user, p.password, p.thumbprint})
	}
	sort.Slice(pscs, func(i, j int) bool { return pscs[i].Hostname < pscs[j].Hostname })
	facts := map[string]any{
		"url": s.URL(), "version": s.Version(), "flavors": flavors, "operations": served,
		"thumbprint": s.Thumbprint(), "users": users, "foreign_pscs": pscs,
		"providers": s.cfg.providers, "control_url": s.URL() + ControlPrefix,
		"request_log": s.RequestLogStats(), "max_connections": s.cfg.maxConns,
	}
	if leaf := s.Certificate(); leaf != nil {
		facts["cert_pem"] = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw}))
	}
	return facts
}

// recordJSON is a RecordedRequest as the control surface shows it.
type recordJSON struct {
	Method   string `json:"method"`
	Path     string `json:"path"`
	RawQuery string `json:"query"`
	Flavor   string `json:"flavor"`
	// Operation is RecordedRequest.Operation (JSON-RPC calls only).
	Operation string    `json:"operation,omitempty"`
	Status    int       `json:"status"`
	Time      time.Time `json:"time"`
	Body      *string   `json:"body,omitempty"`
}

func requestsJSON(rs []RecordedRequest, bodies string) []recordJSON {
	out := make([]recordJSON, 0, len(rs))
	for _, r := range rs {
		rj := recordJSON{Method: r.Method, Path: r.Path, RawQuery: r.RawQuery, Flavor: r.Flavor, Operation: r.Operation, Status: r.Status, Time: r.Time}
		switch {
		case bodies == "raw":
			b := string(r.Body)
			rj.Body = &b
		case bodies == "masked" && len(r.Body) > 0:
			b := string(redact.JSON(r.Body))
			rj.Body = &b
		case bodies == "masked":
			b := ""
			rj.Body = &b
		}
		out = append(out, rj)
	}
	return out
}
