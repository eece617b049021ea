// Package wire holds every difference between the two vCenter REST flavors
// in one place: the path prefix, how a request body is wrapped, how a result
// is unwrapped, and how an error envelope is read. Service methods describe an
// operation once, flavor-free, and this package turns it into bytes.
//
// The /api flavor (vSphere 7.0U2+) sends a body parameter unwrapped and returns
// raw results. The legacy /rest flavor wraps the body parameter by name
// ({"spec":{...}}), wraps every non-void result in {"value":...} and uses a
// {"type":...,"value":{...}} error envelope.
package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
)

// Flavor is one of vCenter's two REST dialects, or Auto before the client
// knows which a server speaks. It is the one flavor type of the module:
// package hvc exports it as hvc.Flavor, and the simulator uses it too.
type Flavor int

// The flavors. The zero value is Auto.
const (
	// Auto is not a dialect: the client has not settled on one yet. It is
	// spoken as API where one must be chosen.
	Auto Flavor = iota
	// API is the /api flavor (vSphere 7.0U2+).
	API
	// REST is the legacy /rest flavor.
	REST
)

// String returns "auto", "api" or "rest".
func (f Flavor) String() string {
	switch f {
	case Auto:
		return "auto"
	case API:
		return "api"
	case REST:
		return "rest"
	default:
		return "Flavor(" + strconv.Itoa(int(f)) + ")"
	}
}

// Prefix returns the URL path prefix of the flavor: "/api" or "/rest".
func (f Flavor) Prefix() string {
	if f == REST {
		return "/rest"
	}
	return "/api"
}

// SessionPath returns the flavor-less path of the session resource:
// "/session" (/api) or "/com/vmware/cis/session" (/rest).
func (f Flavor) SessionPath() string {
	if f == REST {
		return "/com/vmware/cis/session"
	}
	return "/session"
}

// EncodeBody marshals a request body. When wrapAs is set the operation
// designates v as its body parameter: /api sends v itself, /rest sends
// {wrapAs: v}. When wrapAs is empty, v is already the parameter object that
// both flavors send as is (e.g. {"credentials":{...}}). A nil v means no body.
func EncodeBody(f Flavor, wrapAs string, v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	if f == REST && wrapAs != "" {
		return json.Marshal(map[string]any{wrapAs: v})
	}
	return json.Marshal(v)
}

// ErrNoValue reports a legacy success body without the "value" member.
var ErrNoValue = errors.New(`response has no "value" member`)

// DecodeResult unmarshals a success body into out. For the legacy flavor the
// result is taken from the {"value": ...} envelope, which must be present.
func DecodeResult(f Flavor, body []byte, out any) error {
	if f != REST {
		return json.Unmarshal(body, out)
	}
	var env struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return err
	}
	if len(env.Value) == 0 {
		return ErrNoValue
	}
	return json.Unmarshal(env.Value, out)
}

// LegacyErrorPrefix starts the "type" member of a legacy error envelope.
const LegacyErrorPrefix = "com.vmware.vapi.std.errors."

// Error is a std error envelope read from either flavor.
type Error struct {
	// Type is the UPPER_SNAKE error type; empty when the body did not name one.
	Type string
	// Messages is the raw "messages" array; nil when absent.
	Messages json.RawMessage
	// Data is the raw "data" member; nil when absent or null.
	Data json.RawMessage
}

type apiEnvelope struct {
	ErrorType string          `json:"error_type"`
	Messages  json.RawMessage `json:"messages"`
	Data      json.RawMessage `json:"data"`
	Type      string          `json:"type"`
	Value     json.RawMessage `json:"value"`
}

// DecodeError reads a std error envelope of either flavor from body. It reports
// false when body is not a std error (HTML, empty, other JSON). The envelope is
// recognised from the body alone, so a server that answers /api requests with
// the legacy envelope (or the reverse) is still understood.
func DecodeError(body []byte) (Error, bool) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return Error{}, false
	}
	var env apiEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		return Error{}, false
	}
	if strings.HasPrefix(env.Type, LegacyErrorPrefix) {
		out := Error{Type: snakeToUpper(strings.TrimPrefix(env.Type, LegacyErrorPrefix))}
		var inner apiEnvelope
		if v := bytes.TrimSpace(env.Value); len(v) > 0 && v[0] == '{' && json.Unmarshal(v, &inner) == nil {
			if inner.ErrorType != "" {
				out.Type = inner.ErrorType
			}
			out.Messages = nonNull(inner.Messages)
			out.Data = nonNull(inner.Data)
		}
		return out, true
	}
	if env.ErrorType == "" && !isArray(env.Messages) {
		return Error{}, false
	}
	return Error{Type: env.ErrorType, Messages: nonNull(env.Messages), Data: nonNull(env.Data)}, true
}

func isArray(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] == '['
}

func nonNull(raw json.RawMessage) json.RawMessage {
	if t := bytes.TrimSpace(raw); len(t) == 0 || string(t) == "null" {
		return nil
	}
	return raw
}

// snakeToUpper turns "unverified_peer" into "UNVERIFIED_PEER".
func snakeToUpper(s string) string { return strings.ToUpper(s) }
