package simulator

import (
	"bufio"
	"io"
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
	// dropAfterApply, set by a DropAfterApply fault, discards what the
	// handler writes; serve then drops the connection.
	dropAfterApply bool
	// rpc, set by the JSON-RPC endpoint, replaces the flavor, operation and
	// body the request log shows (the body with its secrets masked).
	rpc *rpcRecord
}

func (w *statusWriter) WriteHeader(code int) {
	if w.dropAfterApply {
		return
	}
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.dropAfterApply {
		return len(b), nil
	}
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// dropIfApplied closes the connection without the reply the handler
// wrote, for a DropAfterApply fault.
func (w *statusWriter) dropIfApplied() {
	if w.dropAfterApply && w.dropped == nil {
		w.status = 0
		drop(w)
	}
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
	start, wall := s.now(), time.Now()
	escaped := r.URL.EscapedPath()
	if s.cfg.control && hasPrefixDir(escaped, strings.TrimSuffix(ControlPrefix, "/")) {
		s.control(w, r)
		return
	}
	fl, rel, known := s.split(escaped)
	sw := &statusWriter{ResponseWriter: w}
	var body *bodyCapture
	if r.Body != nil && r.Body != http.NoBody {
		body = &bodyCapture{rc: r.Body}
		r.Body = body
	}
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
		var recorded []byte
		if body != nil {
			if sw.dropped == nil && rec == nil {
				body.drain()
			}
			recorded = body.buf
		}
		rr := RecordedRequest{Method: r.Method, Path: escaped, RawQuery: r.URL.RawQuery, Flavor: flv, Status: sw.status, Time: start, Body: recorded}
		if sw.rpc != nil {
			rr.Flavor, rr.Operation, rr.Body = FlavorJSONRPC, sw.rpc.operation, sw.rpc.body
		}
		s.record(rr)
		if sw.dropped != nil {
			_ = sw.dropped.Close()
		}
		attrs := []slog.Attr{slog.String("method", r.Method), slog.String("path", escaped), slog.String("query", r.URL.RawQuery)}
		if rr.Operation != "" {
			attrs = append(attrs, slog.String("flavor", rr.Flavor), slog.String("operation", rr.Operation))
		}
		attrs = append(attrs, slog.Int("status", sw.status), slog.Duration("duration", time.Since(wall)))
		s.cfg.logger.LogAttrs(r.Context(), slog.LevelDebug, "simulator request", attrs...)
		if rec == http.ErrAbortHandler {
			panic(rec)
		}
	}()
	flv, frel := "", escaped
	if known {
		flv, frel = fl.String(), rel
	}
	// A JSON-RPC call meets its faults once it names its operation.
	rpc := isJSONRPC(r, escaped)
	if !rpc {
		if f := s.fault(r, flv, frel); f != nil && applyFault(sw, r, fl, f) {
			return
		}
	}
	if r.Body != nil {
		r.Body = http.MaxBytesReader(sw, r.Body, s.cfg.maxBody)
	}
	defer sw.dropIfApplied()
	if rpc {
		s.serveJSONRPC(sw, r)
		return
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

// bodyCapture keeps the first maxRecordedBody bytes of a request body as
// they are read, for the request log.
type bodyCapture struct {
	rc  io.ReadCloser
	buf []byte
}

func (b *bodyCapture) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if room := maxRecordedBody - len(b.buf); room > 0 && n > 0 {
		b.buf = append(b.buf, p[:min(n, room)]...)
	}
	return n, err
}

func (b *bodyCapture) Close() error { return b.rc.Close() }

// drain reads what the handler left unread, up to the recording bound.
func (b *bodyCapture) drain() {
	_, _ = io.Copy(io.Discard, io.LimitReader(b, int64(maxRecordedBody-len(b.buf))))
}
