package hvc

import (
	"strings"

	"github.com/hvcsdk/hvc/internal/ops"
)

// Message ids of a real vCenter's reply to a URL it has no operation for,
// as opposed to an operation that did not find its object.
const (
	// idNoOperationForURL is the legacy /rest reply, "Unable to find
	// operations for URL: …" (seen from vCenter 7.0.3).
	idNoOperationForURL = "com.vmware.vapi.rest.operationsForUrlNotFound"
	// idHTTPNotFound is the /api reply, "Not found.", also what a server
	// without /api answers for every /api path.
	idHTTPNotFound = "com.vmware.vapi.rest.httpNotFound"
)

// OperationUnavailableError reports that the server does not serve an
// operation at all: its release does not have it (sync providers on 8.0U1
// or later, Links.Get before 8.0U1), or it has no hvc API. The server
// answered the operation's URL as an unknown URL: 404 with vCenter's
// route-level NOT_FOUND message, or 404 without a standard error body.
//
// It matches ErrOperationUnavailable and deliberately neither ErrNotFound
// nor *NotFoundError: code that treats a missing link as already deleted
// must not take a server without the operation for success. The server's
// reply stays reachable as Cause and with errors.As(err, &std) for a
// *StdError target.
type OperationUnavailableError struct {
	// Op names the operation, e.g. "SyncProviders.Start".
	Op string
	// Versions names the vSphere releases that serve it, e.g.
	// "vSphere 6.7–8.0" or "vSphere 8.0U1 and later".
	Versions string
	// Cause is the server's reply.
	Cause *StdError

	what string // e.g. "sync providers exist in"
}

// Error returns e.g. "hvc: GET /hvc/links/l-1/sync/providers: sync providers
// exist in vSphere 6.7–8.0; this server does not serve them (404 NOT_FOUND:
// Not found.)".
func (e *OperationUnavailableError) Error() string {
	var b strings.Builder
	b.WriteString("hvc: ")
	if e.Cause != nil {
		b.WriteString(e.Cause.Method + " " + e.Cause.Path + ": ")
	}
	b.WriteString(e.what + " " + e.Versions + "; this server does not serve ")
	if strings.HasSuffix(e.what, " exist in") {
		b.WriteString("them")
	} else {
		b.WriteString("it")
	}
	if e.Cause != nil {
		// The cause's own text, without its "hvc: METHOD path: " head.
		cause := e.Cause.Error()
		head := "hvc: " + e.Cause.Method + " " + e.Cause.Path + ": "
		b.WriteString(" (" + strings.TrimPrefix(cause, head) + ")")
	}
	return b.String()
}

// Is matches ErrOperationUnavailable only.
func (e *OperationUnavailableError) Is(target error) bool { return target == ErrOperationUnavailable }

// As sets a **StdError target to Cause. The error has no Unwrap: unwrapping
// to the NOT_FOUND reply would make errors.Is(err, ErrNotFound) true.
func (e *OperationUnavailableError) As(target any) bool {
	if p, ok := target.(**StdError); ok && e.Cause != nil {
		*p = e.Cause
		return true
	}
	return false
}

// routeNotFound reports a 404 that says the URL has no operation: a
// NOT_FOUND whose message is vCenter's route-level one, or a 404 whose body
// is not a standard error.
func routeNotFound(e *StdError) bool {
	if e.StatusCode != 404 || (e.ErrorType != ErrorTypeNotFound && e.ErrorType != "") {
		return false
	}
	if len(e.Messages) == 0 {
		return false // a std NOT_FOUND that says nothing: an object's
	}
	switch e.Messages[0].ID {
	case idNoOperationForURL, idHTTPNotFound, idNonStdError:
		return true
	}
	return false
}

// opWhat names what is missing: a whole service when every operation of it
// shares op's releases ("sync providers exist in"), else the operation
// ("Links.Get exists in").
func opWhat(op *ops.Op) string {
	service, _, _ := strings.Cut(op.Name, ".")
	n := 0
	for _, o := range ops.All {
		if s, _, _ := strings.Cut(o.Name, "."); s == service {
			if o.Since != op.Since || o.Until != op.Until {
				return op.Name + " exists in"
			}
			n++
		}
	}
	if n < 2 {
		return op.Name + " exists in"
	}
	return serviceNoun(service) + " exist in"
}

// serviceNoun spells a service name in words: "SyncProviders" → "sync
// providers".
func serviceNoun(service string) string {
	var b strings.Builder
	for i, r := range service {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte(' ')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
