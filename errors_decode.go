package hvc

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/hvcsdk/hvc/internal/redact"
	"github.com/hvcsdk/hvc/internal/wire"
)

// idNonStdError is the message id of an error whose body was not a std
// error (a proxy's page, an empty body, foreign JSON).
const idNonStdError = "hvc.client.non_std_error"

// snippetLimit bounds how much of a non-std error body is quoted in an error.
const snippetLimit = 256

// statusTypes maps an HTTP status to an error type, used only when the body
// does not name one (a proxy's HTML page, an empty body, foreign JSON).
var statusTypes = map[int]ErrorType{
	http.StatusUnauthorized:       ErrorTypeUnauthenticated,
	http.StatusForbidden:          ErrorTypeUnauthorized,
	http.StatusNotFound:           ErrorTypeNotFound,
	http.StatusServiceUnavailable: ErrorTypeServiceUnavailable,
}

// newStdError builds the *StdError of a non-2xx response, complete. The
// error type comes from the body whenever the body names one, never from
// the status. Known secret values are scrubbed from anything quoted from
// the body.
func newStdError(o origin, status int, body []byte, hint string, noCredentials bool, secrets []string) *StdError {
	e := &StdError{StatusCode: status, Op: o.op, Method: o.method, Path: o.path, Hint: hint, noCredentials: noCredentials}
	if env, ok := wire.DecodeError(body); ok {
		e.ErrorType = ErrorType(redact.Strings(env.Type, secrets...))
		e.Data = scrubData(env.Data, secrets)
		if env.Messages != nil {
			e.Messages = decodeMessages(env.Messages)
		}
		if e.Messages == nil && env.Messages != nil {
			e.Messages = []LocalizableMessage{{ID: "hvc.client.unparsable_messages",
				DefaultMessage: "unparsable messages: " + scrubbedSnippet(env.Messages, secrets)}}
		}
		if e.ErrorType == "" {
			e.ErrorType = statusTypes[status]
		}
	} else {
		e.ErrorType = statusTypes[status]
		msg := http.StatusText(status)
		if s := scrubbedSnippet(body, secrets); s != "" {
			msg += " (not a std error; body: " + s + ")"
		}
		e.Messages = []LocalizableMessage{{ID: idNonStdError, DefaultMessage: msg}}
	}
	scrubMessages(e.Messages, secrets)
	return e
}

// decodeMessages reads a message stack in one pass, keeping the first
// MaxMessages messages and, when there were more, a last message saying how
// many were dropped. It returns nil when raw is not an array of messages.
func decodeMessages(raw json.RawMessage) []LocalizableMessage {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil
	}
	out := []LocalizableMessage{}
	dropped := 0
	var skip json.RawMessage
	for dec.More() {
		if len(out) == MaxMessages {
			if dec.Decode(&skip) != nil {
				return nil
			}
			dropped++
			continue
		}
		v, err := readTree(dec, 1)
		if err != nil {
			return nil
		}
		var m LocalizableMessage
		if m.fromTree(v) != nil {
			return nil
		}
		out = append(out, m)
	}
	if _, err := dec.Token(); err != nil {
		return nil
	}
	if dropped > 0 {
		out = append(out, LocalizableMessage{ID: messagesTruncatedID,
			DefaultMessage: strconv.Itoa(dropped) + " more messages dropped (the client keeps " + strconv.Itoa(MaxMessages) + ")"})
	}
	return out
}

// wrapTyped returns e in the named type of its ErrorType, or e itself for an
// empty or unknown type.
func wrapTyped(e *StdError) error {
	if f, ok := typed[e.ErrorType]; ok {
		return f(e)
	}
	return e
}

// How secrets are masked in errors: every text a user can reach (messages,
// args, params and their names, nested message ids, formats, data, body
// snippets, decode causes) goes through internal/redact, which masks a
// secret's value wherever it stands as a token (a secret of
// redact.LooseLen runes or more: wherever it occurs) and never touches
// other text, JSON member names that merely contain it, or JSON structure.

// scrubMessages removes secrets from every text of a message stack: texts,
// args and params (names, strings, formats, nested messages) at any depth.
func scrubMessages(ms []LocalizableMessage, secrets []string) {
	for i := range ms {
		scrubMessage(&ms[i], secrets)
	}
}

// scrubMessage removes secrets from one message in place; nil is a no-op.
func scrubMessage(m *LocalizableMessage, secrets []string) {
	if m == nil {
		return
	}
	m.ID = redact.Strings(m.ID, secrets...) // Error() quotes it when there is no text
	m.DefaultMessage = redact.Strings(m.DefaultMessage, secrets...)
	m.Localized = redact.Strings(m.Localized, secrets...)
	for j := range m.Args {
		m.Args[j] = redact.Strings(m.Args[j], secrets...)
	}
	m.Params = scrubParams(m.Params, secrets, 0)
}

// scrubParams returns ps with secrets removed from param names, strings,
// formats and nested messages. Decoding bounds the nesting (MaxParamDepth);
// the depth guard only keeps a hand-built cycle from looping.
func scrubParams(ps map[string]LocalizationParam, secrets []string, depth int) map[string]LocalizationParam {
	if len(ps) == 0 || depth > MaxParamDepth+1 {
		return ps
	}
	out := make(map[string]LocalizationParam, len(ps))
	for k, p := range ps {
		if p.S != nil {
			s := redact.Strings(*p.S, secrets...)
			p.S = &s
		}
		p.Format = redact.Strings(p.Format, secrets...)
		if p.L != nil {
			l := NestedLocalizableMessage{ID: redact.Strings(p.L.ID, secrets...), Params: scrubParams(p.L.Params, secrets, depth+1)}
			p.L = &l
		}
		name := redact.Strings(k, secrets...)
		for n := 2; ; n++ {
			if _, taken := out[name]; !taken {
				break
			}
			name = redact.Strings(k, secrets...) + "#" + strconv.Itoa(n)
		}
		out[name] = p
	}
	return out
}

// scrubData removes secrets from an error's raw data, e.g. a server
// echoing the spec it rejected, keeping its JSON shape and member names.
func scrubData(data json.RawMessage, secrets []string) json.RawMessage {
	if len(data) == 0 {
		return data
	}
	return json.RawMessage(redact.JSONValues(data, secrets...))
}

// scrubError returns err, or when its text shows a secret, an error with
// the masked text in its place (e.g. a time parser quoting the value it
// could not parse).
func scrubError(err error, secrets []string) error {
	if err == nil {
		return nil
	}
	if s := redact.Strings(err.Error(), secrets...); s != err.Error() {
		return errors.New(s)
	}
	return err
}
