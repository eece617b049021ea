//go:generate go run ./internal/cmd/generrors

package hvc

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/hvcsdk/hvc/internal/safetext"
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
	// call is "Client.Do". SyncProvidersService.Wait and StartAndWait name
	// themselves ("SyncProviders.Wait", "SyncProviders.StartAndWait") in
	// their own refusals and in the end of Wait's context between polls;
	// the requests they send name their own operations.
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
		writeServerText(&b, m.Text())
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
func writeServerText(b *strings.Builder, s string) { safetext.Write(b, s, maxMessageInError) }

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
	return e.Messages[0].Text()
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
// cancellation, or a WithSessionSource function that failed (its error is
// the cause). errors.Is(err, context.DeadlineExceeded) and
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
	// removedAfter and removedIn are set when releases after the last one
	// with the operation are reported to lack it (the whole hvc API): "9.0"
	// and "9.1".
	removedAfter, removedIn string
}

// Error returns e.g. "hvc: GET /hvc/links/l-1/sync/providers: sync providers
// exist in vSphere 6.7–8.0; this server does not serve them (404 NOT_FOUND:
// Not found.)". For an operation that lasts until vSphere 9.0 it adds that
// the operation is reported removed after 9.0 (the whole hvc API, in 9.1),
// which is why a 9.1 server does not serve it.
func (e *OperationUnavailableError) Error() string {
	var b strings.Builder
	b.WriteString("hvc: ")
	if e.Cause != nil {
		b.WriteString(e.Cause.Method + " " + e.Cause.Path + ": ")
	}
	plural := strings.HasSuffix(e.what, " exist in")
	b.WriteString(e.what + " " + e.Versions)
	if e.removedAfter != "" {
		if plural {
			b.WriteString(" and are")
		} else {
			b.WriteString(" and is")
		}
		b.WriteString(" reported removed after " + e.removedAfter + " (the whole hvc API, from vSphere " + e.removedIn + ")")
	}
	b.WriteString("; this server does not serve ")
	if plural {
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

// CertificateMismatchError reports a server certificate whose thumbprint is
// not the one pinned with WithThumbprint. It is returned inside a
// *TransportError; use errors.As to read it.
type CertificateMismatchError struct {
	// Expected is the pinned thumbprint, Actual the presented certificate's
	// (same hash), both colon-separated upper-case hex.
	Expected, Actual string
}

// Error shows the expected and the presented thumbprints.
func (e *CertificateMismatchError) Error() string {
	return "server certificate thumbprint " + e.Actual + " does not match the pinned " + e.Expected
}

// CertificateError reports a server certificate that failed verification
// against the system roots or the WithRootCAs pool (unknown authority, wrong
// host name, expired). Nothing was sent. It is returned inside a
// *TransportError; use errors.As to read it. Err keeps the cause (an x509
// error) for errors.As.
type CertificateError struct {
	// Thumbprint is the SHA-256 thumbprint of the certificate the server
	// presented, colon-separated upper-case hex, or "" when it presented
	// none.
	Thumbprint string
	// Err is the verification failure: a *tls.CertificateVerificationError
	// wrapping the x509 error.
	Err error
}

// Error names the failure, the presented thumbprint and the options that
// make the client trust the server.
func (e *CertificateError) Error() string {
	s := "server certificate not trusted: " + e.Err.Error()
	if e.Thumbprint != "" {
		s += "; it presented SHA-256 thumbprint " + e.Thumbprint +
			": if that is your server's certificate (check it out of band), pass WithThumbprint(\"" + e.Thumbprint +
			"\"), or WithRootCAs with the CA that issued it"
	}
	return s
}

// Unwrap returns the verification failure.
func (e *CertificateError) Unwrap() error { return e.Err }

// SyncFailedError reports a sync session that ended in stage FAILED (or a
// provider whose status is FAILED once no session is outstanding). Message
// is the server's exception (or status message).
type SyncFailedError struct {
	LinkID, ProviderID string
	Message            *LocalizableMessage
	// Info is the provider state that showed the failure.
	Info ProviderInfo
}

// Error names the link and provider and quotes the server's message.
func (e *SyncFailedError) Error() string {
	var b strings.Builder
	b.WriteString("hvc: sync of provider " + e.ProviderID + " on link " + e.LinkID + " failed")
	if e.Message != nil {
		b.WriteString(": ")
		writeServerText(&b, e.Message.Text())
	}
	return b.String()
}

// ErrNotInitialized is returned by the calls of a Client that was not
// created with New (a zero Client{}) and of a service value not taken from
// one (new(hvc.LinksService)).
var ErrNotInitialized = errors.New("hvc: client not created with hvc.New")

// ErrNoCredentials is returned by Login on a client created without
// WithCredentials or WithSessionSource, and matched (errors.Is) by the *UnauthenticatedError of
// a call on such a client, which cannot log in again.
var ErrNoCredentials = errors.New("hvc: no credentials: create the client WithCredentials or WithSessionSource to log in")
