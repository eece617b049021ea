package hvc

import (
	"bytes"
	"encoding/json"
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

// text returns the best human text of the message.
func (m LocalizableMessage) text() string {
	switch {
	case m.DefaultMessage != "":
		return m.DefaultMessage
	case m.Localized != "":
		return m.Localized
	default:
		return m.ID
	}
}

// UnmarshalJSON decodes a message, accepting params as an object or as a
// legacy key/value list. Malformed params are dropped rather than failing the
// whole message, so the server's text is never lost to one odd field.
func (m *LocalizableMessage) UnmarshalJSON(data []byte) error {
	type plain LocalizableMessage
	var raw struct {
		plain
		Params json.RawMessage `json:"params"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	*m = LocalizableMessage(raw.plain)
	m.Params = decodeParams(raw.Params)
	return nil
}

// decodeParams reads a vAPI map<string,LocalizationParam> in either encoding.
func decodeParams(raw json.RawMessage) map[string]LocalizationParam {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil
	}
	switch raw[0] {
	case '{':
		var m map[string]LocalizationParam
		if json.Unmarshal(raw, &m) == nil {
			return m
		}
	case '[':
		var list []struct {
			Key   string            `json:"key"`
			Value LocalizationParam `json:"value"`
		}
		if json.Unmarshal(raw, &list) == nil && len(list) > 0 {
			m := make(map[string]LocalizationParam, len(list))
			for _, kv := range list {
				m[kv.Key] = kv.Value
			}
			return m
		}
	}
	return nil
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
// time parser.
func (p *LocalizationParam) UnmarshalJSON(data []byte) error {
	type plain LocalizationParam
	var raw struct {
		plain
		DT *Time `json:"dt"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	*p = LocalizationParam(raw.plain)
	p.DT = raw.DT.ptr()
	return nil
}

// NestedLocalizableMessage is a message used as a parameter of another.
type NestedLocalizableMessage struct {
	ID     string                       `json:"id"`
	Params map[string]LocalizationParam `json:"params,omitempty"`
}

// UnmarshalJSON accepts params in either encoding.
func (n *NestedLocalizableMessage) UnmarshalJSON(data []byte) error {
	var raw struct {
		ID     string          `json:"id"`
		Params json.RawMessage `json:"params"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	n.ID, n.Params = raw.ID, decodeParams(raw.Params)
	return nil
}
