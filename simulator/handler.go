package simulator

import (
	"bufio"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"
)

// Handler returns the server's HTTP handler, for mounting in a server of
// your own (Start uses it too).
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serve) }

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
	// dropped is the hijacked connection of a Drop fault, closed only once
	// the request is recorded, so that a client that sees the connection
	// fail also finds the request in Requests.
	dropped net.Conn
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController and Hijack reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack hands the connection over, for dropped-connection faults.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// serve records the request, applies faults, recovers from panics and
// dispatches by flavor.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	start := s.now()
	escaped := r.URL.EscapedPath()
	fl, rel, known := s.split(escaped)
	sw := &statusWriter{ResponseWriter: w}
	defer func() {
		rec := recover()
		if rec == http.ErrAbortHandler {
			sw.status = 0
		} else if rec != nil {
			s.cfg.logger.Error("simulator: handler panic", "method", r.Method, "path", escaped, "panic", rec)
			if sw.status == 0 {
				writeError(sw, fl, newError("INTERNAL_SERVER_ERROR", "com.vmware.hvc.simulator.panic", "Internal server error."))
			}
		}
		flv := ""
		if known {
			flv = fl.String()
		}
		s.record(RecordedRequest{Method: r.Method, Path: escaped, RawQuery: r.URL.RawQuery, Flavor: flv, Status: sw.status, Time: start})
		if sw.dropped != nil {
			_ = sw.dropped.Close()
		}
		s.cfg.logger.LogAttrs(r.Context(), slog.LevelDebug, "simulator request",
			slog.String("method", r.Method), slog.String("path", escaped), slog.String("query", r.URL.RawQuery),
			slog.Int("status", sw.status), slog.Duration("duration", time.Since(start)))
		if rec == http.ErrAbortHandler {
			panic(rec)
		}
	}()
	flv, frel := "", escaped
	if known {
		flv, frel = fl.String(), rel
	}
	if f := s.fault(r, flv, frel); f != nil {
		if applyFault(sw, r, fl, f) {
			return
		}
	}
	if r.Body != nil {
		r.Body = http.MaxBytesReader(sw, r.Body, s.cfg.maxBody)
	}
	if !cleanEscaped(escaped) {
		s.notFound(sw, r)
		return
	}
	s.mu.Lock()
	mux := s.mux
	s.mu.Unlock()
	mux.ServeHTTP(sw, r)
}

// split separates the flavor prefix from a path. known is false for a path
// under neither prefix or under a prefix the server does not serve.
func (s *Server) split(p string) (fl flavor, rel string, known bool) {
	switch {
	case hasPrefixDir(p, "/api"):
		return flavorAPI, p[len("/api"):], s.cfg.api
	case hasPrefixDir(p, "/rest"):
		return flavorREST, p[len("/rest"):], s.cfg.rest
	}
	return flavorAPI, p, false
}

func hasPrefixDir(p, prefix string) bool {
	return strings.HasPrefix(p, prefix) && (len(p) == len(prefix) || p[len(prefix)] == '/')
}
