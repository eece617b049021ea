package simulator

import (
	"fmt"
	"net/http"
	"path"
	"strings"

	"github.com/hvcsdk/hvc/internal/ops"
)

// opFunc runs one hvc operation for an authenticated session.
type opFunc func(w http.ResponseWriter, r *http.Request, f flavor, sess session)

// impls returns the simulator's implementation of each operation of the
// ops table, keyed by the table's entries. Path parameters are read by the
// names the table's templates give them ({link}, {provider}).
func (s *Server) impls() map[*ops.Op]opFunc {
	link := func(r *http.Request) string { return r.PathValue("link") }
	m := map[*ops.Op]opFunc{
		ops.LinksCreate: s.createLink,
		ops.LinksList:   s.listLinks,
		ops.LinksGet:    func(w http.ResponseWriter, r *http.Request, f flavor, _ session) { s.getLink(w, f, link(r)) },
		ops.LinksDelete: func(w http.ResponseWriter, r *http.Request, f flavor, _ session) {
			s.deleteLink(w, r, f, link(r), false)
		},
		ops.LinksDeleteWithCredentials: func(w http.ResponseWriter, r *http.Request, f flavor, _ session) {
			s.deleteLink(w, r, f, link(r), true)
		},
		ops.SyncReset: func(w http.ResponseWriter, r *http.Request, f flavor, _ session) { s.resetSync(w, r, f, link(r)) },
		ops.SyncProvidersList: func(w http.ResponseWriter, r *http.Request, f flavor, _ session) {
			s.listProviders(w, f, link(r))
		},
		ops.SyncProvidersGet: func(w http.ResponseWriter, r *http.Request, f flavor, _ session) {
			s.getProvider(w, f, link(r), r.PathValue("provider"))
		},
		ops.SyncProvidersStart: func(w http.ResponseWriter, r *http.Request, f flavor, _ session) {
			s.startSync(w, r, f, link(r), r.PathValue("provider"))
		},
		ops.AdministratorsGet: s.getAdmins,
		ops.AdministratorsSet: s.setAdmins,
		ops.AdministratorsAdd: func(w http.ResponseWriter, r *http.Request, f flavor, _ session) {
			s.changeAdmin(w, r, f, true)
		},
		ops.AdministratorsRemove: func(w http.ResponseWriter, r *http.Request, f flavor, _ session) {
			s.changeAdmin(w, r, f, false)
		},
	}
	// Ids in the path are checked before the operation runs, for REST and
	// JSON-RPC alike (both call these functions).
	for op, fn := range m {
		names := op.Params()
		m[op] = func(w http.ResponseWriter, r *http.Request, f flavor, sess session) {
			for _, n := range names {
				if e := checkID(n, r.PathValue(n)); e != nil {
					writeError(w, f, e)
					return
				}
			}
			fn(w, r, f, sess)
		}
	}
	return m
}

// route is one entry of the routing table: a ServeMux pattern and what
// answers it.
type route struct {
	// pattern is a Go 1.22 ServeMux pattern, "METHOD /prefix/path".
	pattern string
	handler http.Handler
	// flavor and template describe a built-in route: the flavor and the
	// flavor-less template ("/hvc/links/{link}", "/session"). A route added
	// with Handle has template "".
	flavor   flavor
	template string
	// actions are the ?action= values the route answers ("" for none);
	// nil for a route added with Handle, which answers any.
	actions []string
	user    bool
}

// Session paths without their flavor prefix.
const (
	apiSessionPath  = "/session"
	restSessionPath = "/com/vmware/cis/session"
)

// builtinRoutes returns the routing table of the server's release: for each
// flavor it serves, the session operations and every operation of the ops
// table the release has, grouped by method and template (operations that
// differ only by ?action= share a route and are told apart by it).
func (s *Server) builtinRoutes() []route {
	impls := s.impls()
	var out []route
	for _, f := range []flavor{flavorAPI, flavorREST} {
		if (f == flavorAPI && !s.cfg.api) || (f == flavorREST && !s.cfg.rest) {
			continue
		}
		prefix := "/" + f.String()
		if f == flavorAPI {
			for _, m := range []string{http.MethodPost, http.MethodGet, http.MethodDelete} {
				out = append(out, route{pattern: m + " " + prefix + apiSessionPath, flavor: f, template: apiSessionPath,
					actions: []string{""}, handler: s.sessionHandler(f)})
			}
		} else {
			out = append(out,
				route{pattern: http.MethodPost + " " + prefix + restSessionPath, flavor: f, template: restSessionPath,
					actions: []string{"", "get"}, handler: s.sessionHandler(f)},
				route{pattern: http.MethodDelete + " " + prefix + restSessionPath, flavor: f, template: restSessionPath,
					actions: []string{""}, handler: s.sessionHandler(f)})
		}
		index := map[string]int{}
		groups := map[string][]*ops.Op{}
		for _, op := range ops.All {
			if !op.In(s.cfg.release) {
				continue
			}
			key := op.Method + " " + op.Template
			if _, ok := index[key]; !ok {
				index[key] = len(index)
			}
			groups[key] = append(groups[key], op)
		}
		keys := make([]string, len(index))
		for k, i := range index {
			keys[i] = k
		}
		for _, key := range keys {
			g := groups[key]
			rt := route{pattern: g[0].Method + " " + prefix + g[0].Template, flavor: f, template: g[0].Template,
				handler: s.opHandler(f, g, impls)}
			for _, op := range g {
				rt.actions = append(rt.actions, op.Action)
			}
			out = append(out, rt)
		}
	}
	return out
}

// opHandler answers the operations of one route: it picks the operation by
// ?action=, authenticates, refuses a read-only user a change, and runs it.
func (s *Server) opHandler(f flavor, group []*ops.Op, impls map[*ops.Op]opFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		action := r.URL.Query().Get("action")
		var op *ops.Op
		for _, o := range group {
			if o.Action == action {
				op = o
			}
		}
		if op == nil {
			s.notFound(w, r)
			return
		}
		_, sess, e := s.authenticate(r)
		if e != nil {
			writeError(w, f, e)
			return
		}
		if e := authorize(op, sess); e != nil {
			writeError(w, f, e)
			return
		}
		impls[op](w, r, f, sess)
	})
}

// authorize refuses a read-only user an operation that changes state.
func authorize(op *ops.Op, sess session) *stdError {
	if op.Method != http.MethodGet && sess.readOnly {
		return errUnauthorized()
	}
	return nil
}

// notFound answers a request no operation matches as a real server does:
// the legacy REST layer's operationsForUrlNotFound under /rest, the
// httpNotFound reply anywhere else.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	p := r.URL.EscapedPath()
	if hasPrefixDir(p, "/rest") && s.cfg.rest {
		writeError(w, flavorREST, errRouteNotFound(flavorREST, p[len("/rest"):]))
		return
	}
	writeError(w, flavorAPI, errRouteNotFound(flavorAPI, p))
}

// buildMux turns routes into a ServeMux with a catch-all that answers
// notFound. A pattern that conflicts with another is an error.
func (s *Server) buildMux(routes []route) (mux *http.ServeMux, err error) {
	mux = http.NewServeMux()
	defer func() {
		if p := recover(); p != nil {
			mux, err = nil, fmt.Errorf("%v", p)
		}
	}()
	mux.Handle("/", http.HandlerFunc(s.notFound))
	for _, rt := range routes {
		mux.Handle(rt.pattern, rt.handler)
	}
	return mux, nil
}

// shape is a pattern with its wildcard names removed, so that patterns that
// match the same requests compare equal.
func shape(pattern string) string {
	method, p := "", strings.TrimSpace(pattern)
	if i := strings.IndexAny(p, " \t"); i >= 0 {
		method, p = strings.ToUpper(p[:i]), strings.TrimSpace(p[i+1:])
	}
	segs := strings.Split(p, "/")
	for i, seg := range segs {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			if strings.HasSuffix(seg, "...}") {
				segs[i] = "{...}"
			} else if seg != "{$}" {
				segs[i] = "{}"
			}
		}
	}
	return method + " " + strings.Join(segs, "/")
}

// Handle adds a route to the server, or replaces the built-in route with
// the same method and path (wildcard names aside), without forking the
// simulator. pattern is a Go 1.22 ServeMux pattern with the flavor prefix,
// e.g. "GET /api/hvc/links/{link}" or "POST /api/hvc/links/{link}/sync"; a
// replaced built-in route is replaced for every ?action= it served. The
// handler sees the request after faults and request recording, unauthenticated:
// it answers as it likes. A malformed pattern, or one that conflicts with
// another route, is an error.
func (s *Server) Handle(pattern string, h http.Handler) error {
	if h == nil {
		return fmt.Errorf("simulator: Handle %q: nil handler", pattern)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	next := make([]route, 0, len(s.routes)+1)
	key := shape(pattern)
	for _, rt := range s.routes {
		if shape(rt.pattern) != key {
			next = append(next, rt)
		}
	}
	next = append(next, route{pattern: pattern, handler: h, user: true})
	mux, err := s.buildMux(next)
	if err != nil {
		return fmt.Errorf("simulator: Handle: %w", err)
	}
	s.routes, s.mux = next, mux
	return nil
}

// cleanEscaped reports whether an escaped path is in canonical form: no
// empty, "." or ".." segment, no trailing slash (except "/"). ServeMux would
// redirect such a path; vCenter has no operation for it.
func cleanEscaped(p string) bool {
	if p == "/" {
		return true
	}
	return strings.HasPrefix(p, "/") && path.Clean(p) == p
}
