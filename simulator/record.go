package simulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// RecordedRequest is one request the server received.
type RecordedRequest struct {
	Method   string
	Path     string // the escaped path as sent, flavor prefix included
	RawQuery string
	Flavor   string // "api", "rest", "jsonrpc" (vAPI JSON-RPC on POST /api) or "" for a path under neither prefix
	// Operation is, for a JSON-RPC call, "<serviceId>.<operationId>" as
	// sent (empty when the envelope did not name one).
	Operation string
	Status    int // 0 when the connection was dropped
	Time      time.Time
	// Body is the request body as received, up to maxRecordedBody bytes,
	// secrets included: the simulator's own users sent them. A JSON-RPC
	// body is recorded re-encoded with SECRET values and the security
	// context's credentials masked.
	Body []byte
}

// maxRecordedBody bounds the body kept with each recorded request.
const maxRecordedBody = 16 << 10

// Default bounds of the request log (WithRequestLogLimit).
const (
	// DefaultRequestLogEntries is how many requests the log keeps.
	DefaultRequestLogEntries = 100_000
	// DefaultRequestLogBytes is how many bytes the log's records may
	// account for (see RequestLogStats.Bytes): 32 MiB.
	DefaultRequestLogBytes = 32 << 20
)

// recordOverhead is what a record costs besides its strings and body: the
// RecordedRequest in the log's array (136 B on 64-bit), the slack of that
// array's growth, and the allocation headers of its strings and body.
const recordOverhead = 256

// recordSize is what a record counts against the log's byte bound.
func recordSize(r *RecordedRequest) int64 {
	return int64(recordOverhead + len(r.Method) + len(r.Path) + len(r.RawQuery) + len(r.Flavor) + len(r.Operation) + cap(r.Body))
}

// WithRequestLogLimit bounds the request log to entries records and to
// bytes of accounted size (each record counts its strings, its body and
// 256 B of overhead); the oldest records are dropped first and counted in
// RequestLogStats.Dropped. A request too large for the byte bound on its
// own is dropped unrecorded. The defaults are DefaultRequestLogEntries
// and DefaultRequestLogBytes (32 MiB): 100,000 requests without bodies, or
// about 2,000 with the largest recorded body (16 KiB).
func WithRequestLogLimit(entries int, bytes int64) Option {
	return func(c *config) error {
		if entries <= 0 || bytes <= 0 {
			return fmt.Errorf("simulator: WithRequestLogLimit: %d entries, %d bytes: both must be positive", entries, bytes)
		}
		c.logEntries, c.logBytes = entries, bytes
		return nil
	}
}

// RequestLogStats describes the request log.
type RequestLogStats struct {
	Entries int   `json:"entries"` // records held
	Bytes   int64 `json:"bytes"`   // their accounted size
	// Dropped is how many records were dropped, oldest first, to stay
	// within the bounds since the server started or the log was last
	// reset (ResetRequests, Reset).
	Dropped    int   `json:"dropped"`
	MaxEntries int   `json:"max_entries"`
	MaxBytes   int64 `json:"max_bytes"`
}

// RequestLogStats returns the request log's size, bounds and drop count.
func (s *Server) RequestLogStats() RequestLogStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logStats()
}

// logStats is RequestLogStats with s.mu held.
func (s *Server) logStats() RequestLogStats {
	return RequestLogStats{Entries: len(s.requests), Bytes: s.logSize, Dropped: s.logDropped,
		MaxEntries: s.cfg.logEntries, MaxBytes: s.cfg.logBytes}
}

func (s *Server) record(r RecordedRequest) {
	if cap(r.Body) > len(r.Body) {
		r.Body = bytes.Clone(r.Body) // the capture buffer grew by doubling
	}
	size := recordSize(&r)
	s.mu.Lock()
	defer s.mu.Unlock()
	if size > s.cfg.logBytes {
		s.logDropped++
		return
	}
	for len(s.requests) > 0 && (len(s.requests) >= s.cfg.logEntries || s.logSize+size > s.cfg.logBytes) {
		s.logSize -= recordSize(&s.requests[0])
		// Zeroed, so that the array, which outlives the reslice until
		// append moves it, does not keep the body alive.
		s.requests[0] = RecordedRequest{}
		s.requests = s.requests[1:]
		s.logDropped++
	}
	s.requests = append(s.requests, r)
	s.logSize += size
}

// Requests returns a copy of the request log, oldest first.
func (s *Server) Requests() []RecordedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]RecordedRequest(nil), s.requests...)
}

// ResetRequests empties the request log and its drop count.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	s.resetLog()
	s.mu.Unlock()
}

// resetLog is ResetRequests with s.mu held.
func (s *Server) resetLog() {
	s.requests, s.logSize, s.logDropped = nil, 0, 0
}

// droppedHeader carries RequestLogStats.Dropped on GET /hvcsim/requests.
const droppedHeader = "Hvcsim-Requests-Dropped"

// writeRequests answers GET /hvcsim/requests: the log as a JSON array,
// encoded one record at a time, so that the answer is never held whole in
// memory (only the records, which share their bodies with the log).
func (s *Server) writeRequests(w http.ResponseWriter, bodies string) {
	s.mu.Lock()
	rs := append([]RecordedRequest(nil), s.requests...)
	st := s.logStats()
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set(droppedHeader, strconv.Itoa(st.Dropped))
	w.WriteHeader(http.StatusOK)
	if _, err := io.WriteString(w, "["); err != nil {
		return
	}
	enc := json.NewEncoder(w)
	for i := range rs {
		if i > 0 {
			if _, err := io.WriteString(w, ","); err != nil {
				return
			}
		}
		if err := enc.Encode(requestsJSON(rs[i:i+1], bodies)[0]); err != nil {
			return
		}
		rs[i] = RecordedRequest{} // written: let its body go
	}
	_, _ = io.WriteString(w, "]\n")
}
