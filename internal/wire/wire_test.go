package wire_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc/internal/stderr"
	"github.com/hvcsdk/hvc/internal/wire"
)

// flavorOf is the flavor a test row's legacy flag names.
func flavorOf(legacy bool) wire.Flavor {
	if legacy {
		return wire.REST
	}
	return wire.API
}

func TestFlavor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		f                     wire.Flavor
		name, prefix, session string
	}{
		// docs/wire.md#sessions: POST /api/session vs the canonical /rest/com/vmware/cis/session.
		{wire.API, "api", "/api", "/session"},
		{wire.REST, "rest", "/rest", "/com/vmware/cis/session"},
		{wire.Auto, "auto", "/api", "/session"}, // Auto is spoken as API
		{wire.Flavor(7), "Flavor(7)", "/api", "/session"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.name, tc.f.String())
			assert.Equal(t, tc.prefix, tc.f.Prefix())
			assert.Equal(t, tc.session, tc.f.SessionPath())
		})
	}
	assert.Equal(t, wire.Auto, wire.Flavor(0), "the zero value is Auto")
}

type createSpec struct {
	PSCHostname string   `json:"psc_hostname"`
	Password    string   `json:"password"`
	Groups      []string `json:"admin_groups,omitempty"`
}

func TestEncodeBody(t *testing.T) {
	t.Parallel()
	spec := createSpec{PSCHostname: "psc.example", Password: "pw"}
	creds := map[string]any{"credentials": map[string]string{"user_name": "u", "password": "p"}}
	tests := []struct {
		name   string
		legacy bool
		wrapAs string
		v      any
		want   string // JSON; "" means no body (nil)
	}{
		// docs/wire.md#request-bodies: /rest wraps by parameter name, /api sends the struct itself.
		{"legacy wraps spec", true, "spec", spec, `{"spec":{"psc_hostname":"psc.example","password":"pw"}}`},
		{"api sends spec bare", false, "spec", spec, `{"psc_hostname":"psc.example","password":"pw"}`},
		{"legacy wraps pointer", true, "spec", &spec, `{"spec":{"psc_hostname":"psc.example","password":"pw"}}`},
		{"legacy wraps scalar", true, "group_name", "g@dom", `{"group_name":"g@dom"}`},
		{"api sends scalar bare", false, "group_name", "g@dom", `"g@dom"`},
		{"legacy wraps list", true, "group_names", []string{"a", "b"}, `{"group_names":["a","b"]}`},
		// wrapAs == "": v is already the parameter object, the same for both flavors.
		{"legacy no wrapAs", true, "", creds, `{"credentials":{"password":"p","user_name":"u"}}`},
		{"api no wrapAs", false, "", creds, `{"credentials":{"password":"p","user_name":"u"}}`},
		{"legacy nil", true, "spec", nil, ""},
		{"api nil", false, "spec", nil, ""},
		{"legacy nil no wrapAs", true, "", nil, ""},
		{"api nil no wrapAs", false, "", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := wire.EncodeBody(flavorOf(tc.legacy), tc.wrapAs, tc.v)
			require.NoError(t, err)
			if tc.want == "" {
				assert.Nil(t, got)
				return
			}
			assert.JSONEq(t, tc.want, string(got))
		})
	}
}

func TestEncodeBodyMarshalError(t *testing.T) {
	t.Parallel()
	for _, legacy := range []bool{false, true} {
		_, err := wire.EncodeBody(flavorOf(legacy), "spec", make(chan int))
		require.Error(t, err, "legacy=%v", legacy)
		var ute *json.UnsupportedTypeError
		assert.ErrorAs(t, err, &ute)
	}
}

type linkSummary struct {
	Link        string `json:"link"`
	DisplayName string `json:"display_name"`
}

func TestDecodeResult(t *testing.T) {
	t.Parallel()
	type target int
	const (
		toString target = iota
		toList
		toStruct
		toStrings
	)
	tests := []struct {
		name    string
		legacy  bool
		body    string
		into    target
		want    any
		wantErr error // a sentinel the error must match
		anyErr  bool  // some other error (malformed JSON, type mismatch)
	}{
		// Legacy: every non-void result is wrapped in {"value": ...} (docs/wire.md#response-bodies-and-status-codes).
		{name: "legacy string", legacy: true, body: `{"value":"domain-c1"}`, into: toString, want: "domain-c1"},
		{name: "legacy list", legacy: true, body: `{"value":[{"link":"l1","display_name":"d1"},{"link":"l2","display_name":"d2"}]}`,
			into: toList, want: []linkSummary{{"l1", "d1"}, {"l2", "d2"}}},
		{name: "legacy empty list", legacy: true, body: `{"value":[]}`, into: toList, want: []linkSummary{}},
		{name: "legacy struct", legacy: true, body: `{"value":{"link":"l1","display_name":"d1"}}`, into: toStruct, want: linkSummary{"l1", "d1"}},
		{name: "legacy string set", legacy: true, body: `{"value":["a@dom","b@dom"]}`, into: toStrings, want: []string{"a@dom", "b@dom"}},
		{name: "legacy whitespace", legacy: true, body: " \n{ \"value\" : \"x\" }\n", into: toString, want: "x"},
		{name: "legacy extra members ignored", legacy: true, body: `{"value":"x","other":1}`, into: toString, want: "x"},
		// {"value":null}: the member is present, so it is not ErrNoValue; null leaves out unchanged.
		{name: "legacy null value string", legacy: true, body: `{"value":null}`, into: toString, want: ""},
		{name: "legacy null value list", legacy: true, body: `{"value":null}`, into: toList, want: []linkSummary(nil)},
		{name: "legacy missing value", legacy: true, body: `{}`, into: toString, wantErr: wire.ErrNoValue},
		{name: "legacy other member only", legacy: true, body: `{"result":"x"}`, into: toString, wantErr: wire.ErrNoValue},
		// A void operation answers with an empty body; callers decode only non-void results,
		// so an empty body where a result is expected is an error.
		{name: "legacy empty body", legacy: true, body: ``, into: toString, anyErr: true},
		{name: "legacy blank body", legacy: true, body: "  \n", into: toString, anyErr: true},
		{name: "legacy bare string", legacy: true, body: `"x"`, into: toString, anyErr: true},
		{name: "legacy bare list", legacy: true, body: `["a"]`, into: toStrings, anyErr: true},
		{name: "legacy malformed", legacy: true, body: `{"value":`, into: toString, anyErr: true},
		{name: "legacy malformed value", legacy: true, body: `{"value":[1,}`, into: toStrings, anyErr: true},
		{name: "legacy html", legacy: true, body: `<html><body>502 Bad Gateway</body></html>`, into: toString, anyErr: true},
		{name: "legacy type mismatch", legacy: true, body: `{"value":{"link":"l1"}}`, into: toString, anyErr: true},
		{name: "legacy trailing garbage", legacy: true, body: `{"value":"x"} junk`, into: toString, anyErr: true},

		// /api: raw results (docs/wire.md#response-bodies-and-status-codes).
		{name: "api string", body: `"domain-c1"`, into: toString, want: "domain-c1"},
		{name: "api list", body: `[{"link":"l1","display_name":"d1"}]`, into: toList, want: []linkSummary{{"l1", "d1"}}},
		{name: "api empty list", body: `[]`, into: toList, want: []linkSummary{}},
		{name: "api struct", body: `{"link":"l1","display_name":"d1"}`, into: toStruct, want: linkSummary{"l1", "d1"}},
		{name: "api string set", body: `["a@dom"]`, into: toStrings, want: []string{"a@dom"}},
		{name: "api null", body: `null`, into: toString, want: ""},
		// /api does not unwrap: a legacy-shaped body is just an object with unknown members.
		{name: "api legacy-shaped struct", body: `{"value":{"link":"l1"}}`, into: toStruct, want: linkSummary{}},
		{name: "api legacy-shaped string", body: `{"value":"x"}`, into: toString, anyErr: true},
		{name: "api empty body", body: ``, into: toString, anyErr: true},
		{name: "api malformed", body: `[{"link":`, into: toList, anyErr: true},
		{name: "api html", body: `<html></html>`, into: toStruct, anyErr: true},
		{name: "api type mismatch", body: `{"link":"l1"}`, into: toString, anyErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var (
				s   string
				l   []linkSummary
				st  linkSummary
				ss  []string
				out any
				got func() any
			)
			switch tc.into {
			case toString:
				out, got = &s, func() any { return s }
			case toList:
				out, got = &l, func() any { return l }
			case toStruct:
				out, got = &st, func() any { return st }
			case toStrings:
				out, got = &ss, func() any { return ss }
			}
			var err error
			require.NotPanics(t, func() { err = wire.DecodeResult(flavorOf(tc.legacy), []byte(tc.body), out) })
			switch {
			case tc.wantErr != nil:
				assert.ErrorIs(t, err, tc.wantErr)
			case tc.anyErr:
				assert.Error(t, err)
				assert.NotErrorIs(t, err, wire.ErrNoValue)
			default:
				require.NoError(t, err)
				assert.Equal(t, tc.want, got())
			}
		})
	}
}

func TestDecodeResultNilBody(t *testing.T) {
	t.Parallel()
	var s string
	assert.Error(t, wire.DecodeResult(wire.REST, nil, &s))
	assert.Error(t, wire.DecodeResult(wire.API, nil, &s))
}

func TestDecodeError(t *testing.T) {
	t.Parallel()
	const msgs = `[{"id":"com.vmware.vapi.std.errors.not_found","default_message":"Link not found.","args":[]}]`
	const data = `{"ssl_thumbprint":"AA:BB"}`
	tests := []struct {
		name     string
		body     string
		wantOK   bool
		wantType string
		wantMsgs string // JSON, "" means nil
		wantData string // JSON, "" means nil
	}{
		// /api envelope (docs/wire.md#error-envelopes).
		{name: "api full", body: `{"error_type":"NOT_FOUND","messages":` + msgs + `}`,
			wantOK: true, wantType: "NOT_FOUND", wantMsgs: msgs},
		{name: "api with data", body: `{"error_type":"UNVERIFIED_PEER","messages":[],"data":` + data + `}`,
			wantOK: true, wantType: "UNVERIFIED_PEER", wantMsgs: `[]`, wantData: data},
		{name: "api null data and messages", body: `{"error_type":"ERROR","messages":null,"data":null}`,
			wantOK: true, wantType: "ERROR"},
		{name: "api error_type only", body: `{"error_type":"UNAUTHENTICATED"}`, wantOK: true, wantType: "UNAUTHENTICATED"},
		{name: "api messages only", body: `{"messages":` + msgs + `}`, wantOK: true, wantMsgs: msgs},
		{name: "api empty messages only", body: `{"messages":[]}`, wantOK: true, wantMsgs: `[]`},
		{name: "api unknown future type", body: `{"error_type":"QUANTUM_DECOHERENCE","messages":[]}`,
			wantOK: true, wantType: "QUANTUM_DECOHERENCE", wantMsgs: `[]`},
		{name: "api surrounding whitespace", body: "\n\t {\"error_type\":\"NOT_FOUND\"} \r\n", wantOK: true, wantType: "NOT_FOUND"},

		// Legacy envelope {"type":"com.vmware.vapi.std.errors.<snake>","value":{...}}.
		{name: "legacy with error_type", body: `{"type":"com.vmware.vapi.std.errors.already_exists","value":{"error_type":"ALREADY_EXISTS","messages":` + msgs + `}}`,
			wantOK: true, wantType: "ALREADY_EXISTS", wantMsgs: msgs},
		// value.error_type may be unset before vSphere API 6.7.2 (docs/wire.md#error-envelopes): the type names it.
		{name: "legacy without error_type", body: `{"type":"com.vmware.vapi.std.errors.already_exists","value":{"messages":` + msgs + `}}`,
			wantOK: true, wantType: "ALREADY_EXISTS", wantMsgs: msgs},
		// Project rule: value.error_type wins over the type.
		{name: "legacy error_type wins over type", body: `{"type":"com.vmware.vapi.std.errors.error","value":{"error_type":"RESOURCE_BUSY","messages":[]}}`,
			wantOK: true, wantType: "RESOURCE_BUSY", wantMsgs: `[]`},
		{name: "legacy empty error_type falls back", body: `{"type":"com.vmware.vapi.std.errors.not_found","value":{"error_type":"","messages":[]}}`,
			wantOK: true, wantType: "NOT_FOUND", wantMsgs: `[]`},
		{name: "legacy null error_type falls back", body: `{"type":"com.vmware.vapi.std.errors.not_found","value":{"error_type":null}}`,
			wantOK: true, wantType: "NOT_FOUND"},
		{name: "legacy with data", body: `{"type":"com.vmware.vapi.std.errors.unverified_peer","value":{"error_type":"UNVERIFIED_PEER","messages":[],"data":` + data + `}}`,
			wantOK: true, wantType: "UNVERIFIED_PEER", wantMsgs: `[]`, wantData: data},
		{name: "legacy null data", body: `{"type":"com.vmware.vapi.std.errors.unauthenticated","value":{"messages":[],"data":null}}`,
			wantOK: true, wantType: "UNAUTHENTICATED", wantMsgs: `[]`},
		{name: "legacy unknown future type", body: `{"type":"com.vmware.vapi.std.errors.quantum_decoherence","value":{"messages":[]}}`,
			wantOK: true, wantType: "QUANTUM_DECOHERENCE", wantMsgs: `[]`},
		{name: "legacy no value", body: `{"type":"com.vmware.vapi.std.errors.not_found"}`, wantOK: true, wantType: "NOT_FOUND"},
		{name: "legacy null value", body: `{"type":"com.vmware.vapi.std.errors.not_found","value":null}`, wantOK: true, wantType: "NOT_FOUND"},
		{name: "legacy string value", body: `{"type":"com.vmware.vapi.std.errors.not_found","value":"oops"}`, wantOK: true, wantType: "NOT_FOUND"},
		{name: "legacy array value", body: `{"type":"com.vmware.vapi.std.errors.not_found","value":[1]}`, wantOK: true, wantType: "NOT_FOUND"},
		// An inner value that does not decode as an envelope is ignored, the type still counts.
		{name: "legacy ill-typed inner", body: `{"type":"com.vmware.vapi.std.errors.not_found","value":{"error_type":7,"messages":[]}}`,
			wantOK: true, wantType: "NOT_FOUND"},

		// Not std errors.
		{name: "empty", body: ``},
		{name: "blank", body: " \n\t"},
		{name: "html", body: `<html><head><title>503 Service Unavailable</title></head></html>`},
		{name: "plain text", body: `Service Unavailable`},
		{name: "json string", body: `"NOT_FOUND"`},
		{name: "json array", body: `[{"error_type":"NOT_FOUND"}]`},
		{name: "json null", body: `null`},
		{name: "json number", body: `404`},
		{name: "empty object", body: `{}`},
		{name: "success result", body: `{"link":"l1","display_name":"d1"}`},
		{name: "legacy success envelope", body: `{"value":"l1"}`},
		{name: "legacy success struct envelope", body: `{"value":{"messages":[]}}`},
		{name: "foreign type", body: `{"type":"com.example.errors.not_found","value":{"error_type":"NOT_FOUND"}}`},
		{name: "type without prefix", body: `{"type":"not_found"}`},
		{name: "messages not array", body: `{"messages":"boom"}`},
		{name: "messages null", body: `{"messages":null}`},
		{name: "error_type wrong type", body: `{"error_type":404}`},
		{name: "truncated", body: `{"error_type":"NOT_FOUND","messages":[`},
		{name: "trailing garbage", body: `{"error_type":"NOT_FOUND"} junk`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var (
				got wire.Error
				ok  bool
			)
			require.NotPanics(t, func() { got, ok = wire.DecodeError([]byte(tc.body)) })
			require.Equal(t, tc.wantOK, ok)
			if !tc.wantOK {
				assert.Equal(t, wire.Error{}, got)
				return
			}
			assert.Equal(t, tc.wantType, got.Type)
			assertRaw(t, "messages", tc.wantMsgs, got.Messages)
			assertRaw(t, "data", tc.wantData, got.Data)
		})
	}
}

func assertRaw(t *testing.T, what, want string, got json.RawMessage) {
	t.Helper()
	if want == "" {
		assert.Nil(t, got, what)
		return
	}
	assert.JSONEq(t, want, string(got), what)
}

func TestDecodeErrorNil(t *testing.T) {
	t.Parallel()
	got, ok := wire.DecodeError(nil)
	assert.False(t, ok)
	assert.Equal(t, wire.Error{}, got)
}

// Every std error type survives the legacy round trip: the snake form in
// "type" comes back as the UPPER form.
func TestDecodeErrorLegacyTypeRoundTrip(t *testing.T) {
	t.Parallel()
	require.Len(t, stderr.All, 25)
	for _, st := range stderr.All {
		typ := st.Name
		t.Run(typ, func(t *testing.T) {
			t.Parallel()
			body := `{"type":"` + wire.LegacyErrorPrefix + strings.ToLower(typ) + `","value":{"messages":[]}}`
			got, ok := wire.DecodeError([]byte(body))
			require.True(t, ok)
			assert.Equal(t, typ, got.Type)
		})
	}
}
