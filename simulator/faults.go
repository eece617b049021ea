package simulator

import (
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/hvcsdk/hvc/internal/ops"
	"github.com/hvcsdk/hvc/internal/stderr"
)

// Fault is a misbehaviour injected into matching requests, checked before
// the request is handled (before authentication and routing).
//
// A request matches when Method is empty or equal, Action is empty or equal
// to the request's ?action= (or, for the legacy session, ~action=) value,
// and Path is empty or matches the request's escaped path. Path takes any
// of these forms:
//
//   - the flavor-less template of an operation, "/hvc/links/{link}" (a
//     {placeholder} matches one path segment): both flavors;
//   - the same with the flavor prefix, "/api/hvc/links/{link}" or
//     "/rest/hvc/links/{link}", as shown in RecordedRequest.Path and in error
//     messages: that flavor only;
//   - path.Match globs in either form, "/hvc/links/*/sync/providers/*";
//   - the session paths "/session" (/api) and "/com/vmware/cis/session"
//     (/rest), with or without their prefix.
//
// Segments are matched in their escaped form. AddFault refuses a Path,
// Method and Action that no route of the server can match. Operation
// names an operation of the table instead of Method, Path and Action. A
// vAPI JSON-RPC call is matched as the /api request its operation stands
// for.
//
// The fault first waits Latency (or until the client goes away) and adds
// Header to the response. Then Respond, when set, answers the request
// itself; else Drop closes the connection without an answer; Body answers
// those bytes with Status (default 500) and ContentType (default
// application/json); ErrorType answers that standard error in the request's
// flavor, with Status or the error's usual status; Status alone answers an
// empty body; with only Latency or Header set, the request is handled
// normally. DropAfterApply handles the request normally and then closes
// the connection without its reply (AddFault refuses it together with
// Respond, Drop, Body, ErrorType or Status, which answer instead of
// handling). Times limits how many requests the fault applies to (0 means
// every one).
type Fault struct {
	// Operation names one operation of the hvc operations table, by the
	// SDK's name ("Links.Create") or its vAPI id
	// ("com.vmware.vcenter.hvc.links.create"): the fault then matches that
	// operation's method, path template and ?action= (none for an
	// operation without one), over /api, /rest and JSON-RPC alike. Method,
	// Path and Action must be empty with it.
	Operation   string
	Method      string
	Path        string
	Action      string
	Status      int
	ErrorType   string
	Body        []byte
	ContentType string
	// Header is added to the response, e.g. Retry-After with a 503.
	Header  http.Header
	Latency time.Duration
	Drop    bool
	// CustomErrorType lets ErrorType be a name that is not one of the 25
	// standard error types (it is then answered with status 500 unless
	// Status is set). Without it AddFault refuses such a name, so that a
	// typo such as "BUSY" or "resource_busy" cannot make a failure test
	// pass while testing nothing.
	CustomErrorType bool
	// DropAfterApply: the operation is handled normally — state changes —
	// and then the connection is closed without a reply, as when a reply
	// is lost on the way back. It works for REST and JSON-RPC calls; the
	// request is recorded with status 0. It is what a client's "outcome
	// unknown" handling (hvc.ErrOutcomeUnknown) must be tested against.
	DropAfterApply bool
	// Respond, when set, answers the request instead of the fields above
	// (after Latency and Header): an escape hatch for anything else.
	Respond func(w http.ResponseWriter, r *http.Request)
	Times   int
}

type faultEntry struct {
	Fault
	// flavor restricts the fault to "api" or "rest"; "" is both.
	flavor string
	// glob is the flavor-less path.Match pattern, {placeholders} as "*".
	glob string
	used int
	// id names the fault on the control surface.
	id int
	// method and action are what the fault matches: Method and Action, or
	// those of the Operation; noAction (an Operation without ?action=)
	// matches only a request without one.
	method, action string
	noAction       bool
}

// faultOperation resolves Fault.Operation: an SDK name or a vAPI id.
func faultOperation(name string) (*ops.Op, error) {
	if op := ops.ByName(name); op != nil {
		return op, nil
	}
	if op := ops.ByVAPIID(name); op != nil {
		return op, nil
	}
	names := make([]string, 0, len(ops.All))
	for _, op := range ops.All {
		names = append(names, op.Name)
	}
	return nil, &fieldError{format: "%s %q is not an operation of the table (one of %s, or its vAPI id such as com.vmware.vcenter.hvc.links.create)",
		args: []any{field("Operation"), name, strings.Join(names, ", ")}}
}

// AddFault injects f and returns a function that removes it. Faults are
// tried in the order they were added; the first that matches and has uses
// left applies. It returns an error, and injects nothing, when the Path is
// malformed or when no route of the server (in the flavors it serves, with
// that Method and Action) has a shape that Path can match: such a fault
// would never fire, and a failure test relying on it would pass while
// testing nothing. For the same reason it refuses an ErrorType that is not
// a standard error type unless CustomErrorType is set, and DropAfterApply
// together with a field that answers the request. The control surface
// lists the fault (GET /hvcsim/faults) under an id of its own.
func (s *Server) AddFault(f Fault) (remove func(), err error) {
	id, err := s.addFault(f)
	if err != nil {
		return nil, err
	}
	return func() { s.removeFault(id) }, nil
}

// addFault is AddFault returning the fault's id.
func (s *Server) addFault(f Fault) (int, error) {
	e := &faultEntry{Fault: f, method: f.Method, action: f.Action}
	if f.Operation != "" {
		if f.Method != "" || f.Path != "" || f.Action != "" {
			return 0, &fieldError{format: "%s names the method, path and action; leave %s empty",
				args: []any{field("Operation"), allOf("Method", "Path", "Action")}}
		}
		op, err := faultOperation(f.Operation)
		if err != nil {
			return 0, err
		}
		if !op.In(s.cfg.release) {
			return 0, &fieldError{format: "this vSphere %s server does not serve %s (%s), so the fault would never fire",
				args: []any{s.cfg.release, op.Name, op.Versions()}}
		}
		e.method, e.action, e.noAction = op.Method, op.Action, op.Action == ""
		_, e.glob = splitFaultPath(op.Template)
	}
	if f.DropAfterApply && (f.Respond != nil || f.Drop || f.Body != nil || f.ErrorType != "" || f.Status != 0) {
		return 0, &fieldError{format: "%s handles the request, so it cannot be combined with %s, which answer it instead",
			args: []any{field("DropAfterApply"), anyOf("Respond", "Drop", "Body", "ErrorType", "Status")}}
	}
	if f.ErrorType != "" && !f.CustomErrorType {
		if _, ok := stderr.Status(f.ErrorType); !ok {
			return 0, &fieldError{format: "%s %q is not a standard error type (one of %s); %s to answer it anyway",
				args: []any{field("ErrorType"), f.ErrorType, strings.Join(stdErrorNames(), ", "), setField("CustomErrorType")}}
		}
	}
	if f.Path != "" {
		e.flavor, e.glob = splitFaultPath(f.Path)
		if _, err := path.Match(e.glob, "/"); err != nil {
			return 0, &fieldError{format: "bad %s pattern %q", args: []any{field("Path"), f.Path}, err: err}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.canMatch(e) {
		if strings.Contains(f.Path, "?action=") {
			return 0, &fieldError{format: "%s %q holds a query; put the action in %s", args: []any{field("Path"), f.Path, fieldRef("Action")}}
		}
		return 0, &fieldError{format: "no route of this vSphere %s server matches %s %q %s %q %s %q, so the fault would never fire",
			args: []any{s.cfg.release, field("Method"), f.Method, field("Path"), f.Path, field("Action"), f.Action}}
	}
	s.faultSeq++
	e.id = s.faultSeq
	s.faults = append(s.faults, e)
	return e.id, nil
}

// removeFault removes the fault with that id, reporting whether there
// was one.
func (s *Server) removeFault(id int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, x := range s.faults {
		if x.id == id {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
			return true
		}
	}
	return false
}

// stdErrorNames lists the standard error types, in documentation order.
func stdErrorNames() []string {
	names := make([]string, len(stderr.All))
	for i, t := range stderr.All {
		names[i] = t.Name
	}
	return names
}

// splitFaultPath separates a fault path's flavor prefix from its
// flavor-less glob, turning {placeholders} into "*".
func splitFaultPath(p string) (flavor, glob string) {
	switch {
	case hasPrefixDir(p, "/api"):
		flavor, p = "api", p[len("/api"):]
	case hasPrefixDir(p, "/rest"):
		flavor, p = "rest", p[len("/rest"):]
	}
	segs := strings.Split(p, "/")
	for i, seg := range segs {
		if len(seg) > 2 && strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			segs[i] = "*"
		}
	}
	return flavor, strings.Join(segs, "/")
}

// canMatch reports whether some route could match the fault. The caller
// holds s.mu.
func (s *Server) canMatch(e *faultEntry) bool {
	for _, rt := range s.routes {
		method, fl, tmpl, ok := rt.describe()
		if !ok {
			continue
		}
		if e.flavor != "" && e.flavor != fl {
			continue
		}
		if e.method != "" && method != "" && !strings.EqualFold(e.method, method) &&
			!(strings.EqualFold(e.method, http.MethodHead) && method == http.MethodGet) {
			continue
		}
		if e.action != "" && rt.actions != nil && !slices.Contains(rt.actions, e.action) {
			continue
		}
		if e.glob == "" || shapeMatches(e.glob, tmpl) {
			return true
		}
	}
	return false
}

// describe returns a route's method ("" for any), flavor ("" for a route
// outside both prefixes) and flavor-less template; ok is false for the
// catch-all.
func (rt route) describe() (method, fl, tmpl string, ok bool) {
	if !rt.user {
		return strings.Fields(rt.pattern)[0], rt.flavor.String(), rt.template, true
	}
	p := strings.TrimSpace(rt.pattern)
	if i := strings.IndexAny(p, " \t"); i >= 0 {
		method, p = strings.ToUpper(p[:i]), strings.TrimSpace(p[i+1:])
	}
	if i := strings.IndexByte(p, '/'); i > 0 {
		p = p[i:] // drop a host
	}
	switch {
	case hasPrefixDir(p, "/api"):
		fl, p = "api", p[len("/api"):]
	case hasPrefixDir(p, "/rest"):
		fl, p = "rest", p[len("/rest"):]
	}
	return method, fl, p, true
}

// shapeMatches reports whether some escaped path matching route template
// tmpl (ServeMux wildcards allowed) can match the fault's glob.
func shapeMatches(glob, tmpl string) bool {
	gs, ts := strings.Split(glob, "/"), strings.Split(tmpl, "/")
	for i, t := range ts {
		if strings.HasSuffix(t, "...}") || (t == "" && i == len(ts)-1 && i > 0) {
			return len(gs) >= i // a tail wildcard or a subtree pattern matches any rest
		}
		if i >= len(gs) {
			return false
		}
		g := gs[i]
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
			if g == "" {
				return false
			}
			continue
		}
		if ok, _ := path.Match(g, t); !ok {
			return false
		}
	}
	return len(gs) == len(ts)
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	s.faults = nil
	s.mu.Unlock()
}

// fault returns the fault that applies to a request in flavor flv ("api",
// "rest", or "" outside both prefixes) whose escaped path without the
// flavor prefix is rel, using it up once.
func (s *Server) fault(r *http.Request, flv, rel string) *Fault {
	q := r.URL.Query()
	action, tilde := q.Get("action"), q.Get("~action")
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.faults {
		if e.method != "" && !strings.EqualFold(e.method, r.Method) {
			continue
		}
		if e.flavor != "" && e.flavor != flv {
			continue
		}
		if e.glob != "" {
			if ok, _ := path.Match(e.glob, rel); !ok {
				continue
			}
		}
		if e.action != "" && e.action != action && e.action != tilde {
			continue
		}
		if e.noAction && (action != "" || tilde != "") {
			continue
		}
		if e.Times > 0 && e.used >= e.Times {
			continue
		}
		e.used++
		f := e.Fault
		return &f
	}
	return nil
}

// applyFault carries out f; it reports whether the request was answered.
func applyFault(w http.ResponseWriter, r *http.Request, fl flavor, f *Fault) bool {
	if f.Latency > 0 {
		t := time.NewTimer(f.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			// The client went away: answer nothing. Returning without a
			// write would make net/http send an empty 200, which a client
			// whose own cancellation races it may take for a success.
			drop(w)
			return true
		}
	}
	for k, vs := range f.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	switch {
	case f.Respond != nil:
		f.Respond(w, r)
		return true
	case f.Drop:
		drop(w)
		return true
	case f.Body != nil:
		ct := f.ContentType
		if ct == "" {
			ct = "application/json"
		}
		status := f.Status
		if status == 0 {
			status = http.StatusInternalServerError
		}
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(status)
		_, _ = w.Write(f.Body)
		return true
	case f.ErrorType != "":
		writeError(w, fl, faultError(f))
		return true
	case f.Status != 0:
		w.WriteHeader(f.Status)
		return true
	case f.DropAfterApply:
		if sw, ok := w.(*statusWriter); ok {
			sw.dropAfterApply = true
		}
	}
	return false
}

// faultError is the standard error an ErrorType fault answers with.
func faultError(f *Fault) *stdError {
	e := newError(f.ErrorType, "com.vmware.hvc.simulator.fault", "Injected fault: "+f.ErrorType+".")
	if f.Status != 0 {
		e.status = f.Status
	}
	return e
}

// drop closes the request's connection without an answer: after the
// request is recorded when w is serve's statusWriter, at once otherwise.
func drop(w http.ResponseWriter) {
	if sw, ok := w.(*statusWriter); ok {
		if conn, _, err := sw.Hijack(); err == nil {
			sw.dropped = conn // serve closes it after recording
			return
		}
	}
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler) // closes the connection without an answer
}
