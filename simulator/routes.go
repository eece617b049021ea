package simulator

import (
	"net/http"
	"net/url"
	"strings"
)

// operation is one hvc operation matched from a request.
type operation struct {
	mutating bool
	run      func(w http.ResponseWriter, r *http.Request, f flavor, sess session)
}

// route dispatches a request whose flavor prefix has been removed: session
// endpoints first, then the hvc operations, each authenticated and, when it
// changes state, authorized.
func (s *Server) route(w http.ResponseWriter, r *http.Request, f flavor, rel string) {
	if (f == flavorAPI && rel == "/session") || (f == flavorREST && rel == "/com/vmware/cis/session") {
		s.handleSession(w, r, f)
		return
	}
	op, e := s.match(r, rel)
	if e != nil {
		writeError(w, f, e)
		return
	}
	_, sess, e := s.authenticate(r)
	if e != nil {
		writeError(w, f, e)
		return
	}
	if op.mutating && sess.readOnly {
		writeError(w, f, errUnauthorized())
		return
	}
	op.run(w, r, f, sess)
}

// segments splits an escaped path into unescaped segments; ok is false when
// a segment is empty or badly escaped.
func segments(rel string) ([]string, bool) {
	parts := strings.Split(strings.TrimPrefix(rel, "/"), "/")
	for i, p := range parts {
		u, err := url.PathUnescape(p)
		if err != nil || u == "" {
			return nil, false
		}
		parts[i] = u
	}
	return parts, true
}

// match finds the operation for a method, path and ?action=.
func (s *Server) match(r *http.Request, rel string) (operation, *stdError) {
	seg, ok := segments(rel)
	notFound := errOperationNotFound(r.Method, r.URL.Path)
	if !ok || len(seg) < 2 || seg[0] != "hvc" {
		return operation{}, notFound
	}
	q := r.URL.Query()
	action := q.Get("action")
	key := r.Method + " " + action
	ro := func(fn func(http.ResponseWriter, *http.Request, flavor, session)) operation {
		return operation{run: fn}
	}
	rw := func(fn func(http.ResponseWriter, *http.Request, flavor, session)) operation {
		return operation{mutating: true, run: fn}
	}
	var op operation
	switch {
	case len(seg) == 2 && seg[1] == "links":
		switch key {
		case "GET ":
			op = ro(s.listLinks)
		case "POST ":
			op = rw(s.createLink)
		}
	case len(seg) == 3 && seg[1] == "links":
		id := seg[2]
		switch key {
		case "GET ":
			op = ro(func(w http.ResponseWriter, r *http.Request, f flavor, _ session) { s.getLink(w, f, id) })
		case "DELETE ":
			op = rw(func(w http.ResponseWriter, r *http.Request, f flavor, _ session) { s.deleteLink(w, r, f, id, false) })
		case "POST delete":
			op = rw(func(w http.ResponseWriter, r *http.Request, f flavor, _ session) { s.deleteLink(w, r, f, id, true) })
		}
	case len(seg) == 4 && seg[1] == "links" && seg[3] == "sync":
		id := seg[2]
		if key == "POST reset" {
			op = rw(func(w http.ResponseWriter, r *http.Request, f flavor, _ session) { s.resetSync(w, f, id) })
		}
	case len(seg) == 5 && seg[1] == "links" && seg[3] == "sync" && seg[4] == "providers":
		id := seg[2]
		if key == "GET " {
			op = ro(func(w http.ResponseWriter, r *http.Request, f flavor, _ session) { s.listProviders(w, f, id) })
		}
	case len(seg) == 6 && seg[1] == "links" && seg[3] == "sync" && seg[4] == "providers":
		id, p := seg[2], seg[5]
		switch key {
		case "GET ":
			op = ro(func(w http.ResponseWriter, r *http.Request, f flavor, _ session) { s.getProvider(w, f, id, p) })
		case "POST start":
			op = rw(func(w http.ResponseWriter, r *http.Request, f flavor, _ session) { s.startSync(w, r, f, id, p) })
		}
	case len(seg) == 3 && seg[1] == "management" && seg[2] == "administrators":
		switch key {
		case "GET ":
			op = ro(s.getAdmins)
		case "PUT ":
			op = rw(s.setAdmins)
		case "POST add", "POST remove":
			op = rw(func(w http.ResponseWriter, r *http.Request, f flavor, _ session) {
				s.changeAdmin(w, r, f, action == "add")
			})
		}
	}
	if op.run == nil {
		return operation{}, notFound
	}
	return op, nil
}
