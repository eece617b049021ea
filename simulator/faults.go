package simulator

import (
	"fmt"
	"net/http"
	"path"
	"strings"
	"time"
)

// Fault is a misbehaviour injected into matching requests, checked before
// the request is handled. A request matches when Method is empty or equal
// and Path is empty or matches (path.Match) the request path without its
// flavor prefix, e.g. "/hvc/links", "/hvc/links/*", "/session" (the /api
// session) or "/com/vmware/cis/session" (the legacy one). Path segments are
// matched in their escaped form.
//
// The fault first waits Latency (or until the client goes away). Then Drop
// closes the connection without an answer; Body answers those bytes with
// Status (default 500) and ContentType (default application/json); else
// ErrorType answers that standard error in the request's flavor, with
// Status or the error's usual status; else, with only Latency set, the
// request is handled normally. Times limits how many requests the fault
// applies to (0 means every one).
type Fault struct {
	Method      string
	Path        string
	Status      int
	ErrorType   string
	Body        []byte
	ContentType string
	Latency     time.Duration
	Drop        bool
	Times       int
}

type faultEntry struct {
	Fault
	used int
}

// AddFault injects f and returns a function that removes it. Faults are
// tried in the order they were added; the first that matches and has uses
// left applies. A malformed Path pattern is a bug in the test and panics.
func (s *Server) AddFault(f Fault) (remove func()) {
	if f.Path != "" {
		if _, err := path.Match(f.Path, "/"); err != nil {
			panic(fmt.Sprintf("simulator: AddFault: bad Path pattern %q: %v", f.Path, err))
		}
	}
	e := &faultEntry{Fault: f}
	s.mu.Lock()
	s.faults = append(s.faults, e)
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		for i, x := range s.faults {
			if x == e {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
				return
			}
		}
	}
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	s.faults = nil
	s.mu.Unlock()
}

// fault returns the fault that applies to a request, using it up once.
func (s *Server) fault(method, rel string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.faults {
		if e.Method != "" && !strings.EqualFold(e.Method, method) {
			continue
		}
		if e.Path != "" {
			if ok, _ := path.Match(e.Path, rel); !ok {
				continue
			}
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
	switch {
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
		e := newError(f.ErrorType, "com.vmware.hvc.simulator.fault", "Injected fault: "+f.ErrorType+".")
		if f.Status != 0 {
			e.status = f.Status
		}
		writeError(w, fl, e)
		return true
	case f.Status != 0:
		w.WriteHeader(f.Status)
		return true
	}
	return false
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
