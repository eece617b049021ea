package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
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
	exitTLS           = 60
	exitTimeout       = 124
	exitInterrupted   = 130
)

// errorTypeUnavailable is the -o json error_type of an operation this
// vCenter release does not have (exit 7), which is not a missing object.
const errorTypeUnavailable = "OPERATION_UNAVAILABLE"

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

// exitCode maps an error to hvcctl's documented exit codes.
func exitCode(err error) int {
	var ce *cliError
	for e := err; errors.As(e, &ce); e = ce.err {
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
// or a JSON object with -o json) and returns its exit code.
func (a *app) reportError(err error) int {
	code := exitCode(err)
	body := describe(err)
	body.ExitCode = code
	if isUnavailable(err) {
		body.ServerErrorType, body.ErrorType = body.ErrorType, errorTypeUnavailable
	}
	if a.g.output == "json" {
		b, _ := json.MarshalIndent(jsonError{body}, "", "  ")
		fmt.Fprintln(a.stderr, string(b))
		return code
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
	var ce *cliError
	for e := err; errors.As(e, &ce); e = ce.err {
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
	b.Message = clean(strings.ReplaceAll(err.Error(), "\n", "; "))
	return b
}

// clean makes server text safe for one terminal line.
func clean(s string) string { return safetext.Line(s, 2048) }
