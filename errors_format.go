package hvc

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/hvcsdk/hvc/internal/safetext"
)

// Format implements fmt.Formatter. %v and %s print Error(); %q prints it
// quoted; %+v adds the detail Error() leaves out, one item a line: method,
// path, status, error type, every message with its id, args and params
// (nested messages included) and the data object. Everything printed was
// scrubbed of the call's secrets when the error was built, and server text
// has its control characters escaped. The 25 typed errors embed *StdError
// and print the same.
func (e *StdError) Format(s fmt.State, verb rune) {
	formatError(s, verb, e, e.detail)
}

// detail writes the %+v lines of e.
func (e *StdError) detail(b *strings.Builder) {
	field(b, 1, "operation", e.Op)
	field(b, 1, "method", e.Method)
	field(b, 1, "path", e.Path)
	field(b, 1, "status", strconv.Itoa(e.StatusCode))
	field(b, 1, "error_type", string(e.ErrorType))
	for i, m := range e.Messages {
		writeMessage(b, 1, "message["+strconv.Itoa(i)+"]", &m)
	}
	if len(e.Data) > 0 {
		field(b, 1, "data", string(e.Data))
	}
	if e.Hint != "" {
		field(b, 1, "hint", e.Hint)
	}
}

// Format implements fmt.Formatter: %+v adds the status, the snippet and
// the cause's chain of Go types to Error().
func (e *DecodeError) Format(s fmt.State, verb rune) {
	formatError(s, verb, e, func(b *strings.Builder) {
		field(b, 1, "operation", e.Op)
		field(b, 1, "method", e.Method)
		field(b, 1, "path", e.Path)
		field(b, 1, "status", strconv.Itoa(e.StatusCode))
		if e.Snippet != "" {
			field(b, 1, "body", e.Snippet)
		}
		writeCause(b, e.Err)
	})
}

// Format implements fmt.Formatter: %+v adds whether the outcome is
// unknown and the cause's chain of Go types to Error().
func (e *TransportError) Format(s fmt.State, verb rune) {
	formatError(s, verb, e, func(b *strings.Builder) {
		field(b, 1, "operation", e.Op)
		field(b, 1, "method", e.Method)
		field(b, 1, "path", e.Path)
		field(b, 1, "outcome unknown", strconv.FormatBool(e.OutcomeUnknown))
		writeCause(b, e.Err)
	})
}

// Format implements fmt.Formatter: %+v adds the failing message's id,
// args and params and the provider's state to Error().
func (e *SyncFailedError) Format(s fmt.State, verb rune) {
	formatError(s, verb, e, func(b *strings.Builder) {
		field(b, 1, "link", e.LinkID)
		field(b, 1, "provider", e.ProviderID)
		if e.Message != nil {
			writeMessage(b, 1, "message", e.Message)
		}
		field(b, 1, "status", string(e.Info.Status))
		if si := e.Info.CurrentSessionInfo; si != nil {
			field(b, 1, "stage", string(si.Stage))
			field(b, 1, "work", strconv.FormatInt(si.CompletedWork, 10)+"/"+strconv.FormatInt(si.TotalWork, 10))
			if si.Exception != nil && si.Exception != e.Message {
				writeMessage(b, 1, "exception", si.Exception)
			}
		}
		if e.Info.StatusMessage != nil && e.Info.StatusMessage != e.Message {
			writeMessage(b, 1, "status message", e.Info.StatusMessage)
		}
	})
}

// Format implements fmt.Formatter: %+v adds the two thumbprints on lines
// of their own.
func (e *CertificateMismatchError) Format(s fmt.State, verb rune) {
	formatError(s, verb, e, func(b *strings.Builder) {
		field(b, 1, "expected", e.Expected)
		field(b, 1, "actual", e.Actual)
	})
}

// Format implements fmt.Formatter: %+v adds the presented thumbprint and
// the verification failure's chain of Go types.
func (e *CertificateError) Format(s fmt.State, verb rune) {
	formatError(s, verb, e, func(b *strings.Builder) {
		field(b, 1, "presented thumbprint", e.Thumbprint)
		writeCause(b, e.Err)
	})
}

// formatError prints err for verb: Error() for %v and %s, quoted for %q,
// Error() and then detail's lines for %+v, Go syntax of the struct for
// %#v.
func formatError(s fmt.State, verb rune, err error, detail func(*strings.Builder)) {
	switch {
	case verb == 'v' && s.Flag('+'):
		var b strings.Builder
		b.WriteString(err.Error())
		detail(&b)
		_, _ = io.WriteString(s, b.String())
	case verb == 'v' && s.Flag('#'):
		_, _ = io.WriteString(s, goSyntax(err))
	case verb == 'q':
		_, _ = io.WriteString(s, strconv.Quote(err.Error()))
	default:
		_, _ = io.WriteString(s, err.Error())
	}
}

// goSyntax prints err's struct as %#v would without a Format method.
func goSyntax(err error) string {
	switch e := err.(type) { //nolint:errorlint // err is the receiver itself, never a wrapper: its concrete type picks the layout
	case *StdError:
		type plainStdError StdError
		return strings.Replace(fmt.Sprintf("%#v", (*plainStdError)(e)), "hvc.plainStdError", "hvc.StdError", 1)
	case *DecodeError:
		type plainDecodeError DecodeError
		return strings.Replace(fmt.Sprintf("%#v", (*plainDecodeError)(e)), "hvc.plainDecodeError", "hvc.DecodeError", 1)
	case *TransportError:
		type plainTransportError TransportError
		return strings.Replace(fmt.Sprintf("%#v", (*plainTransportError)(e)), "hvc.plainTransportError", "hvc.TransportError", 1)
	case *CertificateMismatchError:
		type plainCertificateMismatchError CertificateMismatchError
		return strings.Replace(fmt.Sprintf("%#v", (*plainCertificateMismatchError)(e)), "hvc.plainCertificateMismatchError", "hvc.CertificateMismatchError", 1)
	case *CertificateError:
		type plainCertificateError CertificateError
		return strings.Replace(fmt.Sprintf("%#v", (*plainCertificateError)(e)), "hvc.plainCertificateError", "hvc.CertificateError", 1)
	case *SyncFailedError:
		type plainSyncFailedError SyncFailedError
		return strings.Replace(fmt.Sprintf("%#v", (*plainSyncFailedError)(e)), "hvc.plainSyncFailedError", "hvc.SyncFailedError", 1)
	}
	return err.Error()
}

// writeMessage writes one message and its params as indented lines.
func writeMessage(b *strings.Builder, indent int, name string, m *LocalizableMessage) {
	field(b, indent, name+" id", m.ID)
	if m.DefaultMessage != "" {
		field(b, indent+1, "default_message", m.DefaultMessage)
	}
	if m.Localized != "" {
		field(b, indent+1, "localized", m.Localized)
	}
	if len(m.Args) > 0 {
		q := make([]string, len(m.Args))
		for i, a := range m.Args {
			q[i] = strconv.Quote(a)
		}
		line(b, indent+1, "args: ["+strings.Join(q, ", ")+"]")
	}
	writeParams(b, indent+1, m.Params, 0)
}

// writeParams writes params sorted by name, nested messages indented.
func writeParams(b *strings.Builder, indent int, ps map[string]LocalizationParam, depth int) {
	if depth > MaxParamDepth+1 {
		return
	}
	names := make([]string, 0, len(ps))
	for k := range ps {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		p := ps[k]
		var v []string
		if p.S != nil {
			v = append(v, "s="+strconv.Quote(*p.S))
		}
		if p.DT != nil {
			v = append(v, "dt="+p.DT.Format("2006-01-02T15:04:05.999999999Z07:00"))
		}
		if p.I != nil {
			v = append(v, "i="+strconv.FormatInt(*p.I, 10))
		}
		if p.D != nil {
			v = append(v, "d="+strconv.FormatFloat(*p.D, 'g', -1, 64))
		}
		if p.Format != "" {
			v = append(v, "format="+strconv.Quote(p.Format))
		}
		if p.Precision != nil {
			v = append(v, "precision="+strconv.FormatInt(*p.Precision, 10))
		}
		if p.L != nil {
			v = append(v, "l.id="+strconv.Quote(p.L.ID))
		}
		line(b, indent, "param "+strconv.Quote(k)+": "+strings.Join(v, " "))
		if p.L != nil {
			writeParams(b, indent+1, p.L.Params, depth+1)
		}
	}
}

// writeCause writes the cause's text and the Go types along its chain.
func writeCause(b *strings.Builder, err error) {
	if err == nil {
		return
	}
	var types []string
	for e := err; e != nil && len(types) < 16; e = errors.Unwrap(e) {
		types = append(types, fmt.Sprintf("%T", e))
	}
	field(b, 1, "cause", err.Error())
	line(b, 1, "cause types: "+strings.Join(types, " -> "))
}

// field writes "name: value" with value's control characters escaped.
func field(b *strings.Builder, indent int, name, value string) {
	line(b, indent, name+": "+printable(value))
}

func line(b *strings.Builder, indent int, s string) {
	b.WriteByte('\n')
	b.WriteString(strings.Repeat("    ", indent))
	b.WriteString(s)
}

// printable escapes control and line-separator characters so that server
// text cannot forge lines of the %+v output.
func printable(s string) string {
	if strings.IndexFunc(s, safetext.Unsafe) < 0 {
		return s
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}
