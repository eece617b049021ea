package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// errorSeeds are error bodies of both envelopes and of what else answers a
// failed request in practice.
var errorSeeds = []string{
	`{"error_type":"NOT_FOUND","messages":[{"id":"com.vmware.vcenter.hvc.links.not_found","default_message":"Link 7c3a not found.","args":["7c3a"]}]}`,
	`{"type":"com.vmware.vapi.std.errors.not_found","value":{"error_type":"NOT_FOUND","messages":[{"id":"x","default_message":"Link not found.","args":[]}]}}`,
	`{"type":"com.vmware.vapi.std.errors.unverified_peer","value":{"messages":[],"data":{"ssl_thumbprint":"AA:BB"}}}`,
	`{"type":"com.vmware.vapi.std.errors.","value":null}`,
	`{"type":"com.vmware.vapi.std.errors.error","value":"not an object"}`,
	`{"messages":[{"id":"x","default_message":"no type","args":[]}],"data":null}`,
	`{"error_type":"","messages":null}`,
	`{"error_type":7}`,
	`{"error":"Not Found","path":"/api/hvc/links"}`,
	`<html><body><h1>502 Bad Gateway</h1></body></html>`,
	``,
	`   `,
	`{"error_type":"NOT_FOUND","messages":[{"id":"x","default_mess`,
	`[{"error_type":"NOT_FOUND"}]`,
	`null`,
	"{\"error_type\":\"NOT_\xff\xfeFOUND\",\"messages\":[]}",
	strings.Repeat(`{"value":`, 200) + strings.Repeat(`}`, 200),
}

// FuzzDecodeError proves that DecodeError never panics, recognises only a
// JSON object, and returns messages and data that are present, non-null
// JSON; and that an /api envelope wrapped in the legacy envelope of its own
// type decodes to the same error.
func FuzzDecodeError(f *testing.F) {
	for _, s := range errorSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		e, ok := DecodeError(body)
		if !ok {
			if !reflect.DeepEqual(e, Error{}) {
				t.Fatalf("not a std error, yet returned %+v", e)
			}
			return
		}
		trimmed := bytes.TrimSpace(body)
		if len(trimmed) == 0 || trimmed[0] != '{' || !json.Valid(trimmed) {
			t.Fatalf("recognised a body that is not a JSON object: %q", body)
		}
		for name, raw := range map[string]json.RawMessage{"messages": e.Messages, "data": e.Data} {
			if raw == nil {
				continue
			}
			if !json.Valid(raw) || string(bytes.TrimSpace(raw)) == "null" || len(bytes.TrimSpace(raw)) == 0 {
				t.Fatalf("%s = %q, want absent or non-null JSON", name, raw)
			}
		}
		var probe struct {
			Type any `json:"type"`
		}
		_ = json.Unmarshal(trimmed, &probe)
		if typ, _ := probe.Type.(string); strings.HasPrefix(typ, LegacyErrorPrefix) || e.Type == "" {
			return
		}
		// An /api envelope naming its type: the legacy wrapping of it must
		// read the same.
		typ, _ := json.Marshal(LegacyErrorPrefix + strings.ToLower(e.Type))
		legacy := []byte(`{"type":` + string(typ) + `,"value":` + string(trimmed) + `}`)
		l, ok := DecodeError(legacy)
		if !ok || l.Type != e.Type || !bytes.Equal(l.Messages, e.Messages) || !bytes.Equal(l.Data, e.Data) {
			t.Fatalf("legacy wrapping decodes to %+v (ok %v), /api form to %+v", l, ok, e)
		}
	})
}

// resultSeeds are success bodies of every result shape the services read.
var resultSeeds = []string{
	`"7c3a1c2e-2c5a-4b0c-9e4e-1f0c9d5a7b31"`,
	`{"value":"7c3a1c2e-2c5a-4b0c-9e4e-1f0c9d5a7b31"}`,
	`[{"link":"l1","display_name":"Cloud SDDC"}]`,
	`{"value":[{"link":"l1","display_name":"Cloud SDDC"}]}`,
	`{"value":null}`,
	`{"value":}`,
	`{"not_value":1}`,
	`{}`,
	`[]`,
	`null`,
	``,
	`<html>502</html>`,
	"{\"value\":\"\xff\"}",
}

// FuzzDecodeResult proves that DecodeResult never panics, that a legacy
// body must be an object with a "value" member, and that every /api result
// decodes identically from its legacy {"value": …} wrapping (as built by
// EncodeBody).
func FuzzDecodeResult(f *testing.F) {
	for _, s := range resultSeeds {
		f.Add(true, []byte(s))
		f.Add(false, []byte(s))
	}
	f.Fuzz(func(t *testing.T, legacy bool, body []byte) {
		fl := API
		if legacy {
			fl = REST
		}
		var v any
		err := DecodeResult(fl, body, &v)
		var s string
		_ = DecodeResult(fl, body, &s)
		var list []string
		_ = DecodeResult(fl, body, &list)
		if legacy {
			if err == nil {
				var env map[string]json.RawMessage
				if json.Unmarshal(body, &env) != nil {
					t.Fatalf("legacy body %q accepted without being an object", body)
				}
				if _, has := env["value"]; !has && !hasFold(env, "value") {
					t.Fatalf("legacy body %q accepted without a value member", body)
				}
			}
			if errors.Is(err, ErrNoValue) && json.Unmarshal(body, new(struct{})) != nil {
				t.Fatalf("ErrNoValue for a body that is not an object: %q", body)
			}
			return
		}
		if err != nil {
			return
		}
		wrapped, err := EncodeBody(REST, "value", json.RawMessage(bytes.TrimSpace(body)))
		if err != nil {
			t.Fatalf("EncodeBody of a decodable result: %v", err)
		}
		var w any
		if err := DecodeResult(REST, wrapped, &w); err != nil || !reflect.DeepEqual(w, v) {
			t.Fatalf("legacy wrapping %q decodes to %#v (%v), /api body to %#v", wrapped, w, err, v)
		}
	})
}

// hasFold reports a member named like name in any case, as encoding/json
// matches struct fields.
func hasFold(m map[string]json.RawMessage, name string) bool {
	for k := range m {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}
