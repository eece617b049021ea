//go:generate go run ./internal/cmd/generrors

package hvc

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode"
)

// ErrorType is the vAPI standard error type named by an error body's
// error_type (or, on the legacy /rest flavor, its type). Servers may add types;
// an unknown one is kept as is on a *StdError. The constants of the 25
// standard types are generated into errors_types.go.
type ErrorType string

// StdError is a vAPI standard error returned by the server (or, for local
// validation failures, built by the client before anything is sent). Every
// typed error of this package unwraps to its *StdError, so
//
//	var std *hvc.StdError
//	if errors.As(err, &std) { ... std.ErrorType, std.Messages ... }
//
// works for all of them.
type StdError struct {
	// ErrorType is taken from the body; empty when neither the body nor the
	// HTTP status identified one.
	ErrorType ErrorType
	// Messages is the server's message stack, top-level cause first.
	Messages []LocalizableMessage
	// Data is the error's optional data structure, as sent.
	Data json.RawMessage
	// StatusCode is the HTTP status; 0 when the request was never sent.
	StatusCode int
	// Op names the operation, e.g. "Links.Create"; the session
	// resource's exchanges are "Session.Create" (login), "Session.Get"
	// (the flavor probe) and "Session.Delete" (logout), and a Client.Do
	// call is "Client.Do".
	Op string
	// Method and Path name the HTTP request, e.g. "POST" "/hvc/links".
	// Path is, in every error of this package, the request path without
	// scheme, host and flavor prefix, with its query:
	// "/hvc/links/l-1?action=delete", "/session" (the /api session
	// resource), "/com/vmware/cis/session" (the /rest one). A call refused
	// before its path could be filled names the template, e.g.
	// "/hvc/links/{link}".
	Method, Path string

	// Hint is the client's advice when the fix is known, e.g. "the server
	// looks older than vSphere 7.0U2: use FlavorAuto or FlavorREST"; empty
	// otherwise. Error() ends with it.
	Hint string

	// noCredentials marks a 401 on a client that cannot log in again; the
	// error then matches ErrNoCredentials too.
	noCredentials bool
}

// Error returns e.g. "hvc: POST /hvc/links: 400 ALREADY_EXISTS: Link already exists".
func (e *StdError) Error() string {
	var b strings.Builder
	b.WriteString("hvc: ")
	if e.Method != "" || e.Path != "" {
		b.WriteString(e.Method)
		b.WriteByte(' ')
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	if e.StatusCode != 0 {
		b.WriteString(strconv.Itoa(e.StatusCode))
		b.WriteByte(' ')
	}
	if e.ErrorType != "" {
		writeServerText(&b, string(e.ErrorType)) // server text too: an unknown type is quoted as sent
	} else {
		b.WriteString("error")
	}
	for i, m := range e.Messages {
		if i == maxMessagesInError {
			b.WriteString("; (+" + strconv.Itoa(len(e.Messages)-i) + " more)")
			break
		}
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		writeServerText(&b, m.text())
	}
	if e.Hint != "" {
		b.WriteString(" (hint: " + e.Hint + ")")
	}
	return b.String()
}

// maxMessageInError bounds each server message quoted by Error(); the full
// text stays in Messages.
const maxMessageInError = 1024

// maxMessagesInError bounds how many messages Error() quotes.
const maxMessagesInError = 8

// writeServerText appends server text (a message or an error type) for
// Error(): control characters (newlines, escape sequences) become spaces so
// a hostile server cannot forge log lines or terminal output, and the text
// is cut at maxMessageInError bytes on a rune boundary.
func writeServerText(b *strings.Builder, s string) {
	for i, r := range s {
		if i >= maxMessageInError {
			b.WriteString("…")
			return
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			r = ' '
		}
		b.WriteRune(r)
	}
}

// Is reports whether target is the sentinel of e's type, so that
// errors.Is(err, hvc.ErrNotFound) works for server and local errors alike.
func (e *StdError) Is(target error) bool {
	if target == ErrNoCredentials {
		return e.noCredentials
	}
	s, ok := target.(*sentinel)
	return ok && s.typ == e.ErrorType
}

// Message returns the server's first message text, or "".
func (e *StdError) Message() string {
	if len(e.Messages) == 0 {
		return ""
	}
	return e.Messages[0].text()
}

// sentinel is the type of the Err* values matched by errors.Is.
type sentinel struct{ typ ErrorType }

func (s *sentinel) Error() string { return "hvc: " + string(s.typ) }

// DecodeError reports a response that could not be understood: a success
// status with a body that is not the documented shape, or a body larger than
// the client accepts. It names the operation and keeps the cause.
type DecodeError struct {
	// Op, Method and Path name the operation and request as StdError's do.
	Op, Method, Path string
	StatusCode       int
	// Snippet is a bounded, printable prefix of the body.
	Snippet string
	Err     error
}

// Error names the operation, status and cause, quoting a bounded snippet
// of the body.
func (e *DecodeError) Error() string {
	s := "hvc: " + e.Method + " " + e.Path + ": " + strconv.Itoa(e.StatusCode) + ": invalid response: " + e.Err.Error()
	if e.Snippet != "" {
		s += ": body " + strconv.Quote(e.Snippet)
	}
	return s
}

// Unwrap returns the cause.
func (e *DecodeError) Unwrap() error { return e.Err }

// ErrOperationUnavailable is matched (errors.Is) by the error of an operation
// that the server does not serve at all, e.g. sync providers on vSphere 8.0U1
// or later, or Links.Get before 8.0U1. It never matches ErrNotFound, so code
// that treats a missing link as already deleted cannot mistake a server
// without the API for success.
var ErrOperationUnavailable = errors.New("hvc: operation unavailable on this server")

// ErrOutcomeUnknown is matched (errors.Is) by a *TransportError of a request
// that is not idempotent and may have reached the server: it may or may not
// have been applied, and it was not retried. Check the state (e.g. List)
// before you repeat it.
var ErrOutcomeUnknown = errors.New("hvc: outcome unknown: the request may have been applied")

// TransportError reports that no complete HTTP response was received:
// connection refused or dropped, TLS failure, timeout or context
// cancellation. errors.Is(err, context.DeadlineExceeded) and
// errors.Is(err, context.Canceled) see through it.
type TransportError struct {
	// Op, Method and Path name the operation and request as StdError's do.
	Op, Method, Path string
	// OutcomeUnknown is true for a request that is not idempotent and may
	// have been received (see ErrOutcomeUnknown).
	OutcomeUnknown bool
	Err            error
}

// Error names the operation and the transport failure.
func (e *TransportError) Error() string {
	s := "hvc: " + e.Method + " " + e.Path + ": "
	if e.OutcomeUnknown {
		s += "outcome unknown (not retried; the server may have applied it): "
	}
	return s + e.Err.Error()
}

// Unwrap returns the cause.
func (e *TransportError) Unwrap() error { return e.Err }

// Is matches ErrOutcomeUnknown when the outcome is unknown.
func (e *TransportError) Is(target error) bool {
	return e.OutcomeUnknown && target == ErrOutcomeUnknown
}
