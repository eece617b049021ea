package simulator

import "time"

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

// maxRecorded bounds the request log; the oldest entries are dropped.
const maxRecorded = 100_000

func (s *Server) record(r RecordedRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.requests) >= maxRecorded {
		s.requests = append(s.requests[:0], s.requests[len(s.requests)/2:]...)
	}
	s.requests = append(s.requests, r)
}

// Requests returns a copy of the request log, oldest first.
func (s *Server) Requests() []RecordedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]RecordedRequest(nil), s.requests...)
}

// ResetRequests empties the request log.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	s.requests = nil
	s.mu.Unlock()
}
