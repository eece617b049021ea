package simulator

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
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
	s.sessions[tok] = &session{user: name, readOnly: u.readOnly, created: now, lastAccessed: now}
	return tok, nil
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
	sess, ok := s.sessions[tok]
	if ok && now.Sub(sess.lastAccessed) > s.cfg.idle {
		delete(s.sessions, tok)
		ok = false
	}
	if ok && s.expireAfter >= 0 {
		if s.expireAfter == 0 {
			clear(s.sessions)
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
	clear(s.sessions)
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

// SessionCount is the number of live sessions.
func (s *Server) SessionCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
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
