package simulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// faultListJSON is a fault as GET /hvcsim/faults lists it: the fields
// POST /hvcsim/faults takes, its id, how often it applied and how many
// uses it has left (null: no limit). Respond is true for a fault added in
// Go with a Respond function, which has no JSON form.
type faultListJSON struct {
	ID int `json:"id"`
	faultJSON
	Respond  bool `json:"respond"`
	Used     int  `json:"used"`
	UsesLeft *int `json:"uses_left"`
}

// faultsJSON lists the faults in the order they are tried.
func (s *Server) faultsJSON() []faultListJSON {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]faultListJSON, 0, len(s.faults))
	for _, e := range s.faults {
		f := e.Fault
		fj := faultJSON{Operation: f.Operation, Method: f.Method, Path: f.Path, Action: f.Action, Status: f.Status, ErrorType: f.ErrorType,
			ContentType: f.ContentType, Drop: f.Drop, DropAfterApply: f.DropAfterApply, CustomErrorType: f.CustomErrorType, Times: f.Times}
		if f.Body != nil {
			b := string(f.Body)
			fj.Body = &b
		}
		if len(f.Header) > 0 {
			fj.Header = make(map[string]string, len(f.Header))
			for k, vs := range f.Header {
				fj.Header[k] = strings.Join(vs, ", ")
			}
		}
		if f.Latency > 0 {
			fj.Latency = f.Latency.String()
		}
		l := faultListJSON{ID: e.id, faultJSON: fj, Respond: f.Respond != nil, Used: e.used}
		if f.Times > 0 {
			left := max(f.Times-e.used, 0)
			l.UsesLeft = &left
		}
		out = append(out, l)
	}
	return out
}

// stateJSON is what GET /hvcsim/state answers: the state the Go accessors
// Links, SessionCount, LoginCount, OpenConnections and MaxOpenConnections
// report. The control request's own connection is among the open ones.
func (s *Server) stateJSON() map[string]any {
	links := s.Links()
	if links == nil {
		links = []string{}
	}
	return map[string]any{
		"links":                links,
		"live_sessions":        s.SessionCount(),
		"logins":               s.LoginCount(),
		"open_connections":     s.OpenConnections(),
		"max_open_connections": s.MaxOpenConnections(),
	}
}

// seedLink serves POST /hvcsim/links: the body is an /api links create
// spec, checked and applied exactly as POST /api/hvc/links would (the
// foreign PSC must be known, its certificate trusted and its credentials
// right). It answers 201 {"link": id}, or the status the create would have
// answered with {"error", "error_type"}.
func (s *Server) seedLink(w http.ResponseWriter, r *http.Request) {
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, s.cfg.maxBody)
	}
	rec := newRPCRecorder()
	s.createLink(rec, r, flavorAPI, session{})
	if rec.status == http.StatusCreated {
		var id string
		if err := json.Unmarshal(rec.body.Bytes(), &id); err == nil {
			writeJSON(w, http.StatusCreated, map[string]string{"link": id})
			return
		}
	}
	var e struct {
		ErrorType string `json:"error_type"`
		Messages  []struct {
			DefaultMessage string `json:"default_message"`
		} `json:"messages"`
	}
	_ = json.Unmarshal(rec.body.Bytes(), &e)
	msg := "link create: " + e.ErrorType
	if len(e.Messages) > 0 {
		msg += ": " + e.Messages[0].DefaultMessage
	}
	status := rec.status
	if status < 400 {
		status = http.StatusInternalServerError
	}
	writeJSON(w, status, map[string]string{"error": msg, "error_type": e.ErrorType})
}

// configJSON is the run-time configuration GET and PUT /hvcsim/config
// answer with.
type configJSON struct {
	SyncDuration     string   `json:"sync_duration"`
	FailingProviders []string `json:"failing_providers"`
}

func (s *Server) configJSON() configJSON {
	return configJSON{SyncDuration: s.SyncDuration().String(), FailingProviders: s.FailingProviders()}
}

// putConfig serves PUT /hvcsim/config: {"sync_duration": "5s",
// "failing_providers": ["identity"]}, each member optional (absent or
// null: unchanged). Nothing changes unless every member is valid.
func (s *Server) putConfig(w http.ResponseWriter, r *http.Request) {
	var body struct {
		SyncDuration     *string  `json:"sync_duration"`
		FailingProviders []string `json:"failing_providers"`
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		controlError(w, http.StatusBadRequest, "config: "+jsonDecodeError(err))
		return
	}
	d := s.SyncDuration()
	if body.SyncDuration != nil {
		var err error
		if d, err = time.ParseDuration(*body.SyncDuration); err != nil || d < 0 {
			controlError(w, http.StatusBadRequest, fmt.Sprintf("config: sync_duration %q is not a duration of 0 or more such as \"5s\"", *body.SyncDuration))
			return
		}
	}
	if body.FailingProviders != nil {
		if err := checkProviderIDs(body.FailingProviders); err != nil {
			controlError(w, http.StatusBadRequest, "config: failing_providers: "+err.Error())
			return
		}
		_ = s.SetFailingProviders(body.FailingProviders...) // checked above
	}
	_ = s.SetSyncDuration(d) // checked above
	writeJSON(w, http.StatusOK, s.configJSON())
}

// SetSyncDuration changes at run time how long a sync takes, as
// WithSyncDuration does at start. A running sync's progress is measured
// against the new duration from its start. It returns an error for a
// negative d.
func (s *Server) SetSyncDuration(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("simulator: SetSyncDuration: %v is negative", d)
	}
	s.mu.Lock()
	s.cfg.syncDuration = d
	s.mu.Unlock()
	return nil
}

// SyncDuration is how long a sync takes (WithSyncDuration,
// SetSyncDuration).
func (s *Server) SyncDuration() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg.syncDuration
}

// SetFailingProviders replaces at run time the providers whose syncs fail
// (WithFailingProvider at start); syncs started afterwards follow it, and
// no ids means none fails. It returns an error, changing nothing, for an
// empty id.
func (s *Server) SetFailingProviders(providerIDs ...string) error {
	if err := checkProviderIDs(providerIDs); err != nil {
		return fmt.Errorf("simulator: SetFailingProviders: %w", err)
	}
	failing := make(map[string]bool, len(providerIDs))
	for _, id := range providerIDs {
		failing[id] = true
	}
	s.mu.Lock()
	s.cfg.failing = failing
	s.mu.Unlock()
	return nil
}

// FailingProviders lists the providers whose syncs fail, sorted.
func (s *Server) FailingProviders() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.cfg.failing))
	for id := range s.cfg.failing {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

func checkProviderIDs(ids []string) error {
	for _, id := range ids {
		if id == "" {
			return errors.New("empty provider id")
		}
	}
	return nil
}
