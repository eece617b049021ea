package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/hvcsdk/hvc"
	"github.com/hvcsdk/hvc/internal/safetext"
)

// Exit codes. They are part of hvcctl's documented interface.
const (
	exitOK            = 0
	exitError         = 1
	exitUsage         = 2
	exitAuth          = 3
	exitNotFound      = 4
	exitAlreadyExists = 5
	exitBusy          = 6
	exitUnavailable   = 7
	// exitOutcomeUnknown: a change was interrupted, timed out or lost its
	// reply after its request may have reached the server.
	exitOutcomeUnknown = 8
	// exitNotConfirmed: the operator answered no to a confirmation.
	exitNotConfirmed = 9
	exitTLS          = 60
	exitTimeout      = 124
	exitInterrupted  = 130
)

// errorTypeUnavailable is the -o json error_type of an operation this
// vCenter release does not have (exit 7), which is not a missing object.
const errorTypeUnavailable = "OPERATION_UNAVAILABLE"

// errorTypeOutcomeUnknown is the -o json error_type of a change whose
// outcome is unknown (exit 8).
const errorTypeOutcomeUnknown = "OUTCOME_UNKNOWN"

// cliError is an error hvcctl raises itself, with its exit code and hints
// (extra lines telling the operator what to do).
type cliError struct {
	code  int
	err   error
	hints []string
	// data is added to the JSON form (e.g. a thumbprint).
	data map[string]string
	// msg, when set, replaces err's text in reports.
	msg string
}

func (e *cliError) Error() string {
	if e.msg != "" {
		return e.msg
	}
	return e.err.Error()
}
func (e *cliError) Unwrap() error { return e.err }

func usageErr(err error) error { return &cliError{code: exitUsage, err: err} }

func authErr(err error, hints ...string) error {
	return &cliError{code: exitAuth, err: err, hints: hints}
}

// withHints adds hints to err, keeping its exit code.
func withHints(err error, data map[string]string, hints ...string) error {
	return &cliError{code: -1, err: err, hints: hints, data: data}
}

func interruptedError(err error) error {
	return &cliError{code: exitInterrupted, err: err, msg: "interrupted"}
}

// changeFailed reports the failure of a change (link create or rm, sync
// start, admin add, rm or set): when its own request may have reached the
// server and no reply says what happened (the SDK's ErrOutcomeUnknown for a
// POST; an interrupt or a timeout during a PUT or DELETE, of which the SDK
// cannot say whether it was sent), it is exit 8 with check, the command
// that shows whether the change was applied. An interrupt or timeout
// before the change left (during the login, or before the SDK sent the
// POST) says that it was not sent; any other error, a server's reply
// included, is left as it is.
func changeFailed(err error, check string) error {
	if err == nil {
		return nil
	}
	var te *hvc.TransportError
	if !errors.As(err, &te) {
		return err
	}
	what := te.Method + " " + te.Path
	var oe *opError
	if errors.As(err, &oe) {
		what = oe.op
	}
	stopped := errors.Is(te.Err, context.Canceled) || errors.Is(te.Err, context.DeadlineExceeded)
	notSent := func() error {
		if stopped {
			return withHints(err, nil, what+": not sent; it changed nothing")
		}
		return err
	}
	// The SDK names an hvc operation by its flavor-less path under /hvc/,
	// the login and the flavor probe by the session's.
	switch {
	case !strings.HasPrefix(te.Path, "/hvc/"):
		return notSent() // the login before the change did not finish
	case te.Method == http.MethodGet || te.Method == http.MethodHead:
		return err // a read after the change (the polls of start --wait)
	case te.Method == http.MethodPost && !errors.Is(te, hvc.ErrOutcomeUnknown):
		return notSent() // the SDK knows the POST did not leave
	case te.Method != http.MethodPost && !stopped:
		return err // a PUT or DELETE the SDK retried until it gave up
	}
	var why string
	switch {
	case errors.Is(te.Err, context.Canceled):
		why = "interrupted before the reply came"
	case errors.Is(te.Err, context.DeadlineExceeded):
		why = "timed out before the reply came"
	default:
		why = "the connection failed before the reply came (" + clean(te.Err.Error()) + ")"
	}
	return &cliError{code: exitOutcomeUnknown, err: err,
		msg:   what + ": outcome unknown: the request was sent and " + why + "; it may or may not have been applied",
		hints: []string{"check with: " + check},
		data:  map[string]string{"check": check}}
}

// opError names the operation a command was doing when err happened.
type opError struct {
	op  string
	err error
}

func (e *opError) Error() string {
	// The SDK starts its messages with "hvc: "; after the operation that
	// prefix only repeats where the message comes from.
	return e.op + ": " + strings.TrimPrefix(e.err.Error(), "hvc: ")
}

func (e *opError) Unwrap() error { return e.err }

func op(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return &opError{op: fmt.Sprintf(format, args...), err: err}
}

// isUnavailable reports an operation this vCenter version does not offer
// (the SDK's ErrOperationUnavailable, or a bare OPERATION_NOT_FOUND). It is
// the one place that decides exit code 7.
func isUnavailable(err error) bool {
	return errors.Is(err, hvc.ErrOperationUnavailable) || errors.Is(err, hvc.ErrOperationNotFound)
}

// cliErrors lists the *cliError values in err's tree, outermost first, in
// every branch of an errors.Join (errors.As would stop at the first one):
// a joined error of several providers keeps each one's code and hints.
func cliErrors(err error) []*cliError {
	var out []*cliError
	for err != nil {
		if ce, ok := err.(*cliError); ok { //nolint:errorlint // walking the tree by hand, level by level
			out = append(out, ce)
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				out = append(out, cliErrors(e)...)
			}
			return out
		}
		err = errors.Unwrap(err)
	}
	return out
}

// exitCode maps an error to hvcctl's documented exit codes.
func exitCode(err error) int {
	for _, ce := range cliErrors(err) {
		if ce.code >= 0 {
			return ce.code
		}
	}
	var mismatch *hvc.CertificateMismatchError
	var verr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &mismatch), errors.As(err, &verr), errors.As(err, &unknownCA),
		errors.As(err, &hostErr), errors.As(err, &invalid), errors.Is(err, hvc.ErrUnverifiedPeer):
		return exitTLS
	case errors.Is(err, hvc.ErrUnauthenticated), errors.Is(err, hvc.ErrUnauthorized), errors.Is(err, hvc.ErrNoCredentials):
		return exitAuth
	case isUnavailable(err):
		return exitUnavailable
	case errors.Is(err, hvc.ErrNotFound):
		return exitNotFound
	case errors.Is(err, hvc.ErrAlreadyExists):
		return exitAlreadyExists
	case errors.Is(err, hvc.ErrResourceBusy):
		return exitBusy
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, hvc.ErrTimedOut):
		return exitTimeout
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	}
	return exitError
}

// jsonError is the -o json form of an error, written to stderr. Its field
// names are part of the output contract.
type jsonError struct {
	Error jsonErrorBody `json:"error"`
}

type jsonErrorBody struct {
	Message   string `json:"message"`
	Operation string `json:"operation,omitempty"`
	ExitCode  int    `json:"exit_code"`
	ErrorType string `json:"error_type,omitempty"`
	// ServerErrorType is the server's own error type when error_type is
	// hvcctl's OPERATION_UNAVAILABLE (the server says NOT_FOUND or
	// OPERATION_NOT_FOUND for an operation its release does not have).
	ServerErrorType string            `json:"server_error_type,omitempty"`
	StatusCode      int               `json:"status_code,omitempty"`
	Request         string            `json:"request,omitempty"`
	Messages        []messageOut      `json:"messages,omitempty"`
	Hints           []string          `json:"hints,omitempty"`
	Data            map[string]string `json:"data,omitempty"`
}

// reportError writes err to stderr (one "hvcctl: " line per server message,
// or one object with -o json or -o yaml, the same keys in both) and returns
// its exit code.
func (a *app) reportError(err error) int {
	code := exitCode(err)
	body := describe(err)
	body.ExitCode = code
	switch {
	case code == exitOutcomeUnknown:
		body.ErrorType = errorTypeOutcomeUnknown
	case isUnavailable(err):
		body.ServerErrorType, body.ErrorType = body.ErrorType, errorTypeUnavailable
	}
	switch a.g.output {
	case "json":
		b, _ := json.MarshalIndent(jsonError{body}, "", "  ")
		fmt.Fprintln(a.stderr, string(b))
		return code
	case "yaml":
		if b, err := toYAML(jsonError{body}); err == nil {
			_, _ = a.stderr.Write(b)
			return code
		}
	}
	fmt.Fprintln(a.stderr, "hvcctl: "+body.Message)
	for _, m := range body.Messages {
		fmt.Fprintln(a.stderr, "hvcctl: "+clean(m.DefaultMessage))
	}
	for _, h := range body.Hints {
		fmt.Fprintln(a.stderr, "hvcctl: "+h)
	}
	return code
}

// describe builds the parts of an error report.
func describe(err error) jsonErrorBody {
	var b jsonErrorBody
	var hints []string
	for _, ce := range cliErrors(err) {
		hints = append(hints, ce.hints...)
		for k, v := range ce.data {
			if b.Data == nil {
				b.Data = map[string]string{}
			}
			b.Data[k] = v
		}
	}
	b.Hints = hints
	var oe *opError
	if errors.As(err, &oe) {
		b.Operation = oe.op
	}
	var un *hvc.OperationUnavailableError
	if errors.As(err, &un) {
		// The SDK's text names the releases that have the operation;
		// the server's own reply ("Not found.") would only mislead.
		if un.Cause != nil {
			b.ErrorType, b.StatusCode = string(un.Cause.ErrorType), un.Cause.StatusCode
			b.Request = un.Cause.Method + " " + un.Cause.Path
		}
		msg := strings.TrimPrefix(un.Error(), "hvc: ")
		if b.Operation != "" {
			msg = b.Operation + ": " + msg
		}
		b.Message = clean(msg)
		return b
	}
	var std *hvc.StdError
	if errors.As(err, &std) {
		b.ErrorType = string(std.ErrorType)
		b.StatusCode = std.StatusCode
		if std.Method != "" {
			b.Request = std.Method + " " + std.Path
		}
		for i := range std.Messages {
			b.Messages = append(b.Messages, *message(&std.Messages[i]))
		}
		typ := b.ErrorType
		if typ == "" {
			typ = "error"
		}
		msg := typ
		if std.StatusCode != 0 {
			msg += fmt.Sprintf(" (%s: HTTP %d)", b.Request, std.StatusCode)
		} else if b.Request != "" {
			msg += " (" + b.Request + ", not sent)"
		}
		if b.Operation != "" {
			msg = b.Operation + ": " + msg
		}
		b.Message = clean(msg)
		return b
	}
	// The SDK starts its own messages with "hvc: "; after hvcctl's prefix
	// it would be a second one.
	b.Message = clean(strings.ReplaceAll(strings.TrimPrefix(err.Error(), "hvc: "), "\n", "; "))
	return b
}

// clean makes server text safe for one terminal line.
func clean(s string) string { return safetext.Line(s, 2048) }
