package hvc

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
)

// LocalizableMessage is one message of a std error's message stack
// (com.vmware.vapi.std.localizable_message).
type LocalizableMessage struct {
	// ID identifies the message in the server's catalog.
	ID string `json:"id"`
	// DefaultMessage is the English text with its arguments substituted.
	DefaultMessage string `json:"default_message"`
	// Args are the positional arguments.
	Args []string `json:"args"`
	// Params are the named arguments (vSphere 7.0+). They are decoded from
	// the /api object form and from the legacy [{"key":…,"value":…}] list.
	Params map[string]LocalizationParam `json:"params,omitempty"`
	// Localized is the message in the requested language, when the server
	// localized it.
	Localized string `json:"localized,omitempty"`
}

// Text returns the message's human text: DefaultMessage, else Localized,
// else ID. It is the server's text as sent: control characters are kept
// (Error() replaces them; see StdError).
func (m LocalizableMessage) Text() string {
	switch {
	case m.DefaultMessage != "":
		return m.DefaultMessage
	case m.Localized != "":
		return m.Localized
	default:
		return m.ID
	}
}

// Bounds of a decoded message stack. A hostile server can nest messages
// thousands of levels deep or send thousands of messages; the client keeps
// what a real server sends and marks what it dropped, so the cost of
// decoding stays a small multiple of the body's size.
const (
	// MaxParamDepth is how many nested messages (LocalizationParam.L) deep
	// params are kept. A nested message below that depth is replaced by
	// one with ID "hvc.client.nesting_truncated" and no params.
	MaxParamDepth = 32
	// MaxMessages is how many messages of an error's message stack are
	// kept. When there are more, a last message with ID
	// "hvc.client.messages_truncated" says how many were dropped.
	MaxMessages = 64
)

// IDs of the messages the client puts in place of what it dropped.
const (
	nestingTruncatedID  = "hvc.client.nesting_truncated"
	messagesTruncatedID = "hvc.client.messages_truncated"
)

// UnmarshalJSON decodes a message, accepting params as an object or as a
// legacy key/value list. Malformed params are dropped rather than failing the
// whole message, so the server's text is never lost to one odd field. The
// input is parsed once; params nest at most MaxParamDepth levels.
func (m *LocalizableMessage) UnmarshalJSON(data []byte) error {
	v, err := parseTree(data)
	if err != nil {
		return err
	}
	return m.fromTree(v)
}

// treeDepthLimit bounds how deep parseTree builds containers: deep enough
// for MaxParamDepth nested messages in the legacy list form (four JSON
// levels each) plus the message around them. Deeper values are skipped by
// the tokenizer without being built and read as truncated.
const treeDepthLimit = 4*(MaxParamDepth+1) + 4

// truncated stands for a JSON container nested deeper than treeDepthLimit.
type truncated struct{}

// parseTree parses one JSON value into maps, slices, strings, json.Number,
// bools and nils, in a single pass; containers deeper than treeDepthLimit
// become truncated{} without being built.
func parseTree(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := readTree(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("invalid JSON: data after the value")
	}
	return v, nil
}

// readTree reads the decoder's next value, at depth containers deep. A
// container at treeDepthLimit is skipped whole by the decoder's scanner
// (one linear pass, no values built) and read as truncated{}.
func readTree(dec *json.Decoder, depth int) (any, error) {
	if depth >= treeDepthLimit {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		if raw = bytes.TrimSpace(raw); len(raw) > 0 && (raw[0] == '{' || raw[0] == '[') {
			return truncated{}, nil
		}
		return parseTree(raw)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return tok, nil
	}
	if delim == '[' {
		list := []any{}
		for dec.More() {
			v, err := readTree(dec, depth+1)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		_, err = dec.Token()
		return list, err
	}
	obj := map[string]any{}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, err
		}
		v, err := readTree(dec, depth+1)
		if err != nil {
			return nil, err
		}
		obj[k.(string)] = v
	}
	_, err = dec.Token()
	return obj, err
}

// fromTree fills m from a parsed message object; null leaves m as it is,
// as encoding/json does.
func (m *LocalizableMessage) fromTree(v any) error {
	if v == nil {
		return nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return errors.New("message is not a JSON object")
	}
	var out LocalizableMessage
	for k, val := range obj {
		var err error
		switch strings.ToLower(k) {
		case "id":
			err = treeString(val, &out.ID)
		case "default_message":
			err = treeString(val, &out.DefaultMessage)
		case "localized":
			err = treeString(val, &out.Localized)
		case "args":
			err = treeStrings(val, &out.Args)
		case "params":
			out.Params = paramsFromTree(val, 0)
		}
		if err != nil {
			return errors.New("message member " + strconv.Quote(k) + ": " + err.Error())
		}
	}
	*m = out
	return nil
}

// treeString stores a parsed JSON string in dst; null leaves dst as it is.
func treeString(v any, dst *string) error {
	switch t := v.(type) {
	case nil:
		return nil
	case string:
		*dst = t
		return nil
	}
	return errors.New("not a string")
}

// treeStrings stores a parsed JSON array of strings in dst.
func treeStrings(v any, dst *[]string) error {
	if v == nil {
		*dst = nil
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		return errors.New("not an array")
	}
	out := make([]string, len(list))
	for i, e := range list {
		if err := treeString(e, &out[i]); err != nil {
			return err
		}
	}
	*dst = out
	return nil
}

// treeInt stores a parsed JSON integer in *dst.
func treeInt(v any, dst **int64) error {
	if v == nil {
		return nil
	}
	n, ok := v.(json.Number)
	if !ok {
		return errors.New("not a number")
	}
	i, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil {
		return errors.New("not an integer")
	}
	*dst = &i
	return nil
}

// paramsFromTree reads a parsed vAPI map<string,LocalizationParam> in
// either encoding: an object, or a non-empty list of {"key":…,"value":…}.
// Malformed params yield nil. depth is the nesting level of the message
// that holds them (0 for a top-level message).
func paramsFromTree(v any, depth int) map[string]LocalizationParam {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]LocalizationParam, len(t))
		for k, pv := range t {
			p, err := paramFromTree(pv, depth)
			if err != nil {
				return nil
			}
			m[k] = p
		}
		return m
	case []any:
		if len(t) == 0 {
			return nil
		}
		m := make(map[string]LocalizationParam, len(t))
		for _, e := range t {
			var key string
			var p LocalizationParam
			if e != nil {
				kv, ok := e.(map[string]any)
				if !ok {
					return nil
				}
				for k, val := range kv {
					var err error
					switch strings.ToLower(k) {
					case "key":
						err = treeString(val, &key)
					case "value":
						p, err = paramFromTree(val, depth)
					}
					if err != nil {
						return nil
					}
				}
			}
			m[key] = p
		}
		return m
	}
	return nil
}

// paramFromTree reads one parsed LocalizationParam held by a message at
// depth; a nested message deeper than MaxParamDepth is replaced by a
// truncation marker.
func paramFromTree(v any, depth int) (LocalizationParam, error) {
	var p LocalizationParam
	if v == nil {
		return p, nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return p, errors.New("param is not a JSON object")
	}
	for k, val := range obj {
		var err error
		switch strings.ToLower(k) {
		case "s":
			if val != nil {
				var s string
				err = treeString(val, &s)
				p.S = &s
			}
		case "dt":
			var s string
			if err = treeString(val, &s); err == nil && val != nil {
				var t time.Time
				if t, err = ParseTime(s); err == nil && !t.IsZero() {
					p.DT = &t
				}
			}
		case "i":
			err = treeInt(val, &p.I)
		case "precision":
			err = treeInt(val, &p.Precision)
		case "d":
			if val != nil {
				n, isNum := val.(json.Number)
				if !isNum {
					err = errors.New("not a number")
					break
				}
				var f float64
				if f, err = strconv.ParseFloat(string(n), 64); err == nil {
					p.D = &f
				}
			}
		case "format":
			err = treeString(val, &p.Format)
		case "l":
			if val == nil {
				break
			}
			if _, cut := val.(truncated); cut || depth >= MaxParamDepth {
				p.L = &NestedLocalizableMessage{ID: nestingTruncatedID}
				break
			}
			var n NestedLocalizableMessage
			err = n.fromTree(val, depth+1)
			p.L = &n
		}
		if err != nil {
			return LocalizationParam{}, err
		}
	}
	return p, nil
}

// LocalizationParam is one named message argument
// (com.vmware.vapi.std.localization_param). At most one value field is set.
type LocalizationParam struct {
	S *string `json:"s,omitempty"`
	// DT is a date-time argument.
	DT *time.Time `json:"dt,omitempty"`
	I  *int64     `json:"i,omitempty"`
	D  *float64   `json:"d,omitempty"`
	// L is a nested message argument.
	L *NestedLocalizableMessage `json:"l,omitempty"`
	// Format is the date-time format, e.g. "SHORT_DATE_TIME".
	Format string `json:"format,omitempty"`
	// Precision is the number of fraction digits for D.
	Precision *int64 `json:"precision,omitempty"`
}

// UnmarshalJSON decodes a parameter, reading dt with the tolerant vCenter
// time parser. The input is parsed once; nested messages are kept down to
// MaxParamDepth levels.
func (p *LocalizationParam) UnmarshalJSON(data []byte) error {
	v, err := parseTree(data)
	if err != nil {
		return err
	}
	if v == nil {
		return nil
	}
	out, err := paramFromTree(v, 0)
	if err != nil {
		return err
	}
	*p = out
	return nil
}

// NestedLocalizableMessage is a message used as a parameter of another.
type NestedLocalizableMessage struct {
	ID     string                       `json:"id"`
	Params map[string]LocalizationParam `json:"params,omitempty"`
}

// UnmarshalJSON accepts params in either encoding. The input is parsed
// once; nested messages are kept down to MaxParamDepth levels.
func (n *NestedLocalizableMessage) UnmarshalJSON(data []byte) error {
	v, err := parseTree(data)
	if err != nil {
		return err
	}
	return n.fromTree(v, 1)
}

// fromTree fills n, a nested message at depth, from a parsed object.
func (n *NestedLocalizableMessage) fromTree(v any, depth int) error {
	if v == nil {
		return nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return errors.New("nested message is not a JSON object")
	}
	var out NestedLocalizableMessage
	for k, val := range obj {
		switch strings.ToLower(k) {
		case "id":
			if err := treeString(val, &out.ID); err != nil {
				return errors.New("nested message member " + strconv.Quote(k) + ": " + err.Error())
			}
		case "params":
			out.Params = paramsFromTree(val, depth)
		}
	}
	*n = out
	return nil
}
