package simulator

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"maps"
	"net/http"
	"time"
)

// session is a logged-in user.
type session struct {
	user         string
	readOnly     bool
	created      time.Time
	lastAccessed time.Time
}

// sessionCookie is the cookie vCenter sets on login unless the client asks
// for header authentication; it is accepted in place of the header.
const (
	sessionHeader = "vmware-api-session-id"
	headerAuthn   = "vmware-use-header-authn"
)

func newToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// login checks Basic credentials and opens a session. It counts every
// attempt, successful or not.
func (s *Server) login(r *http.Request) (string, *stdError) {
	name, password, ok := r.BasicAuth()
	return s.loginUser(name, password, ok)
}

// loginUser is login with the credentials at hand (ok false: none sent).
func (s *Server) loginUser(name, password string, ok bool) (string, *stdError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logins++
	u, known := s.cfg.users[name]
	if !ok || !known || subtle.ConstantTimeCompare([]byte(u.password), []byte(password)) != 1 {
		return "", errUnauthenticated()
	}
	tok := newToken()
	now := s.now()
	s.maybeSweep(now)
	s.sessions[tok] = &session{user: name, readOnly: u.readOnly, created: now, lastAccessed: now}
	return tok, nil
}

// expired reports whether sess has been idle longer than the idle timeout
// at now.
func (s *Server) expired(sess *session, now time.Time) bool {
	return now.Sub(sess.lastAccessed) > s.cfg.idle
}

// maybeSweep sweeps the sessions when a quarter of the idle timeout has
// passed since the last sweep, so that an expired session is freed at most
// 1.25 idle timeouts after its last use while logins and calls keep
// coming, at a cost of one pass over the sessions per quarter timeout.
// The caller holds s.mu.
func (s *Server) maybeSweep(now time.Time) {
	if now.Sub(s.swept) >= s.cfg.idle/4 {
		s.sweepSessions(now)
	}
}

// sweepSessions forgets every expired session. A Go map keeps its buckets
// after deletes, so when most sessions went the live ones move to a new
// map and the old one is freed. The caller holds s.mu.
func (s *Server) sweepSessions(now time.Time) {
	s.swept = now
	before := len(s.sessions)
	maps.DeleteFunc(s.sessions, func(_ string, sess *session) bool { return s.expired(sess, now) })
	if n := len(s.sessions); before >= 64 && n < before/2 {
		// Not maps.Clone: it keeps the old capacity.
		live := make(map[string]*session, n)
		maps.Copy(live, s.sessions)
		s.sessions = live
	}
}

// authenticate returns the live session a request carries, touching it, or
// UNAUTHENTICATED. It also applies ExpireSessionsAfter. The session cookie
// is looked at before the header, as vCenter's vAPI REST handler does: a
// request that carries the cookie is judged by the cookie alone.
func (s *Server) authenticate(r *http.Request) (string, session, *stdError) {
	var tok string
	if c, err := r.Cookie(sessionHeader); err == nil && c.Value != "" {
		tok = c.Value
	} else {
		tok = r.Header.Get(sessionHeader)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.maybeSweep(now)
	sess, ok := s.sessions[tok]
	if ok && s.expired(sess, now) {
		delete(s.sessions, tok)
		ok = false
	}
	if ok && s.expireAfter >= 0 {
		if s.expireAfter == 0 {
			s.sessions = map[string]*session{} // clear would keep the buckets
			ok = false
		}
		s.expireAfter--
	}
	if !ok {
		return "", session{}, errUnauthenticated()
	}
	sess.lastAccessed = now
	return tok, *sess, nil
}

func (s *Server) logout(tok string) {
	s.mu.Lock()
	delete(s.sessions, tok)
	s.mu.Unlock()
}

// ExpireSessions ends every session, as a vCenter restart does: the next
// request with any old session id gets 401 UNAUTHENTICATED.
func (s *Server) ExpireSessions() {
	s.mu.Lock()
	s.sessions = map[string]*session{} // clear would keep the buckets
	s.mu.Unlock()
}

// ExpireSessionsAfter lets n more authenticated requests through, then ends
// every session once (the request after the n-th gets 401). A negative n
// cancels a pending expiry.
func (s *Server) ExpireSessionsAfter(n int) {
	s.mu.Lock()
	if n < 0 {
		n = -1
	}
	s.expireAfter = n
	s.mu.Unlock()
}

// LoginCount is the number of login attempts (both flavors, successful or
// not) the server has seen.
func (s *Server) LoginCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logins
}

// SessionCount is the number of live sessions: expired ones are swept
// first and not counted.
func (s *Server) SessionCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.liveSessions()
}

// liveSessions sweeps the expired sessions and counts the rest. The caller
// holds s.mu.
func (s *Server) liveSessions() int {
	s.sweepSessions(s.now())
	return len(s.sessions)
}

// sessionHandler answers the session operations of flavor f: login (POST),
// logout (DELETE) and info (GET /api/session, or POST
// /rest/com/vmware/cis/session?~action=get).
func (s *Server) sessionHandler(f flavor) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.handleSession(w, r, f) })
}

func (s *Server) handleSession(w http.ResponseWriter, r *http.Request, f flavor) {
	action := r.URL.Query().Get("~action")
	switch {
	case r.Method == http.MethodPost && action == "":
		tok, e := s.login(r)
		if e != nil {
			writeError(w, f, e)
			return
		}
		if r.Header.Get(headerAuthn) == "" {
			http.SetCookie(w, &http.Cookie{Name: sessionHeader, Value: tok, Path: "/" + f.String(), HttpOnly: true, Secure: !s.cfg.plain})
		}
		writeResult(w, f, true, tok)
	case r.Method == http.MethodDelete && action == "":
		tok, _, e := s.authenticate(r)
		if e != nil {
			writeError(w, f, e)
			return
		}
		s.logout(tok)
		writeResult(w, f, false, nil)
	case (f == flavorAPI && r.Method == http.MethodGet && action == "") ||
		(f == flavorREST && r.Method == http.MethodPost && action == "get"):
		_, sess, e := s.authenticate(r)
		if e != nil {
			writeError(w, f, e)
			return
		}
		writeResult(w, f, false, map[string]string{
			"user":               sess.user,
			"created_time":       formatTime(sess.created),
			"last_accessed_time": formatTime(sess.lastAccessed),
		})
	default:
		s.notFound(w, r)
	}
}

// formatTime writes a time as vCenter does: UTC with milliseconds.
func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
