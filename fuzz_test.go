package hvc

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/hvcsdk/hvc/internal/redact"
	"github.com/hvcsdk/hvc/internal/transport"
	"github.com/hvcsdk/hvc/internal/wire"
)

// fuzzSecret is the password the error fuzzer hands newStdError as a known
// secret. It is alphanumeric, so no JSON spelling of it differs from the
// plain one. "@@" in a fuzzed body stands for it.
const fuzzSecret = "s3cr3tPa55"

// errorBodySeeds are error bodies of both envelopes and of what else
// answers a failed request in practice, with "@@" where a server might echo
// the password.
var errorBodySeeds = []struct {
	status int
	body   string
}{
	{404, `{"error_type":"NOT_FOUND","messages":[{"id":"com.vmware.vcenter.hvc.links.not_found","default_message":"Link 7c3a not found.","args":["7c3a"]}]}`},
	{404, `{"type":"com.vmware.vapi.std.errors.not_found","value":{"error_type":"NOT_FOUND","messages":[{"id":"com.vmware.vcenter.hvc.links.not_found","default_message":"Link 7c3a not found.","args":["7c3a"]}]}}`},
	{400, `{"type":"com.vmware.vapi.std.errors.unverified_peer","value":{"messages":[{"id":"x","default_message":"Untrusted peer.","args":[]}],"data":{"ssl_thumbprint":"7D:E3:B1:90:8D:A5:4C:34:0F:5E:6A:B4:0D:3C:22:1C:C6:5B:9A:E2:13:51:EF:39:F2:8B:5E:08:4C:21:A7:D0"}}}`},
	{400, `{"error_type":"UNVERIFIED_PEER","messages":[],"data":{"cert":{"ssl_thumbprint":"AA:BB","ssl_certificate":"-----BEGIN CERTIFICATE-----"}}}`},
	{400, `{"error_type":"INVALID_ARGUMENT","messages":[{"id":"x","default_message":"Bad password @@ for user","args":["@@"],"params":{"p":{"s":"@@"},"n":{"l":{"id":"y","params":[{"key":"q","value":{"s":"@@"}}]}}},"localized":"@@"}],"data":{"spec":{"password":"@@"}}}`},
	{400, `{"error_type":"INVALID_ARGUMENT","messages":[{"id":"x","default_message":"at","args":[],"params":[{"key":"when","value":{"dt":"2024-02-29T12:00:00.123+05:30","format":"SHORT_DATE_TIME"}},{"key":"n","value":{"i":42}},{"key":"f","value":{"d":2.5,"precision":1}}]}]}`},
	{500, `{"error_type":"ERROR","messages":"not a list"}`},
	{500, `{"error_type":"ERROR","messages":[{"id":"x","default_message":"line1\nline2\u001b[31m\u0085","args":[]}]}`},
	{503, `{"messages":[{"id":"x","default_message":"","args":[]}],"data":null}`},
	{401, `{"type":"com.vmware.vapi.std.errors.unauthenticated","value":{"messages":[],"challenge":"Basic realm=\"vCenter\""}}`},
	{502, `<html><head><title>502 Bad Gateway</title></head><body>nginx @@</body></html>`},
	{404, ``},
	{500, `{"error_type":"NOT_FOUND","messages":[{"id":"x","default_mess`},
	{500, strings.Repeat(`{"messages":[`, 100) + strings.Repeat(`]}`, 100)},
	{400, "{\"error_type\":\"INVALID_ARGUMENT\",\"messages\":[{\"id\":\"x\",\"default_message\":\"caf\xe9 \xff\xfe\",\"args\":[]}]}"},
	{418, "\xff\xfe\x00<\x00h\x00t\x00m\x00l\x00>"},
	{0, `{"error_type":"CUSTOM_TYPE"}`},
	{-1, `{"proxy_echo":"@@"}`},
}

// FuzzErrorBody proves, for any status and error body on both flavors, that
// newStdError returns a non-nil error that unwraps to a *StdError naming the
// operation and status, of the named type its ErrorType calls for; that the
// type comes from the body whenever the body names one; that Error() is
// valid UTF-8 without control characters, starts with the operation, and
// quotes each message within the documented bound; and that the known
// secret never reaches Error().
func FuzzErrorBody(f *testing.F) {
	for _, s := range errorBodySeeds {
		f.Add(s.status, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		body = bytes.ReplaceAll(body, []byte("@@"), []byte(fuzzSecret))
		for _, path := range []string{"/api/hvc/links", "/rest/hvc/links"} {
			c := &Client{cfg: config{user: "u", password: fuzzSecret}} // it can log in again: no hint
			err := c.rejected(origin{op: "Links.Create", method: http.MethodPost, path: path},
				transport.Reply{Status: status, Body: body}, nil)
			if err == nil {
				t.Fatal("nil error")
			}
			var std *StdError
			if !errors.As(err, &std) {
				t.Fatalf("%T does not unwrap to *StdError", err)
			}
			if std.Method != http.MethodPost || std.Path != path || std.StatusCode != status {
				t.Fatalf("operation %s %s %d, want POST %s %d", std.Method, std.Path, std.StatusCode, path, status)
			}
			_, plain := err.(*StdError) //nolint:errorlint // the concrete type is what is checked
			if _, known := typed[std.ErrorType]; known == plain {
				t.Fatalf("type %q returned as %T", std.ErrorType, err)
			}
			if env, ok := wire.DecodeError(body); ok && env.Type != "" && string(std.ErrorType) != strings.ReplaceAll(env.Type, fuzzSecret, redact.Mask) {
				t.Fatalf("body names %q, error has %q", env.Type, std.ErrorType)
			} else if !ok {
				if std.ErrorType != statusTypes[status] || len(std.Messages) != 1 || std.Messages[0].ID != "hvc.client.non_std_error" {
					t.Fatalf("non-std body gave %q %+v", std.ErrorType, std.Messages)
				}
				if lim := len(http.StatusText(status)) + len(" (not a std error; body: )") + 3*snippetLimit + len("…"); len(std.Messages[0].DefaultMessage) > lim {
					t.Fatalf("non-std message of %d bytes, bound %d", len(std.Messages[0].DefaultMessage), lim)
				}
			}

			msg := err.Error()
			head := "hvc: POST " + path + ": "
			if !strings.HasPrefix(msg, head) {
				t.Fatalf("Error() = %q, want prefix %q", msg, head)
			}
			if !utf8.ValidString(msg) {
				t.Fatalf("Error() = %q: invalid UTF-8", msg)
			}
			if i := strings.IndexFunc(msg, unicode.IsControl); i >= 0 {
				t.Fatalf("Error() = %q: control character at %d", msg, i)
			}
			// Each message is cut at maxMessageInError bytes of text, a
			// rune of up to 4 bytes may straddle the cut, an invalid byte
			// becomes a 3-byte U+FFFD, and "…" marks the cut.
			perMessage := len("; ") + 3*maxMessageInError + utf8.UTFMax + len("…")
			bound := len(head) + len(strconv.Itoa(status)) + 1 + max(len(std.ErrorType)+len("…"), len("error")) + len(std.Messages)*perMessage
			if len(msg) > bound {
				t.Fatalf("Error() of %d bytes, bound %d", len(msg), bound)
			}
			if strings.Contains(msg, fuzzSecret) {
				t.Fatalf("Error() = %q: leaks the secret", msg)
			}
			if m := std.Message(); strings.Contains(m, fuzzSecret) {
				t.Fatalf("Message() = %q: leaks the secret", m)
			}
			var peer *UnverifiedPeerError
			if errors.As(err, &peer) {
				if info, err := peer.CertificateInfo(); err == nil && info.SSLThumbprint == "" {
					t.Fatalf("CertificateInfo() = %+v without error or thumbprint", info)
				}
			}
		}
	})
}

// decoderSeeds are success bodies of every result the services decode, in
// both flavors, plus broken ones.
var decoderSeeds = []string{
	`"7c3a1c2e-2c5a-4b0c-9e4e-1f0c9d5a7b31"`,
	`{"value":"vmware-api-session-id-0123456789abcdef"}`,
	`[{"link":"l1","display_name":"Cloud SDDC"},{"link":"l2","display_name":""}]`,
	`{"value":[{"link":"l1","display_name":"Cloud SDDC"}]}`,
	`{"connection_health_status":"UNHEALTHY","health_status_message":{"id":"x","default_message":"PSC unreachable","args":[],"params":{"host":{"s":"psc"}}}}`,
	`{"value":{"connection_health_status":"HEALTHY"}}`,
	`[{"provider":"p1"}]`,
	`{"value":[{"provider":"p1"}]}`,
	`{"last_sync_time":"2024-02-29T12:00:00Z","status":"FAILED","polling_interval_in_seconds":600,"current_session_info":{"stage":"CHANGE_DETECTION","completed_work":3,"total_work":10,"start_time":"2024-02-29 12:00:01.5","completion_time":null,"exception":{"id":"x","default_message":"boom","args":[]}},"status_message":{"id":"y","default_message":"failed","args":[],"params":[{"key":"k","value":{"i":1}}]}}`,
	`{"value":{"last_sync_time":"2024-02-29T12:00:00.123456789+0100","status":"NO_SYNC_FOUND","polling_interval_in_seconds":-1}}`,
	`{"last_sync_time":"yesterday","status":7}`,
	`["administrator@vsphere.local","admins@vsphere.local"]`,
	`{"value":["administrator@vsphere.local"]}`,
	`{"value":null}`,
	`{"not_value":1}`,
	`null`,
	``,
	`<html>502</html>`,
	`{"value":"unterminated`,
	"[\"caf\xe9\"]",
	strings.Repeat(`[`, 500) + strings.Repeat(`]`, 500),
}

// FuzzDecoders proves that every result type the services decode (link and
// session ids, link and provider lists and infos, administrator groups)
// decodes any body of either flavor without panicking, that a result the
// /api flavor accepts decodes identically from its legacy {"value": …}
// wrapping, and that what decodes marshals again.
func FuzzDecoders(f *testing.F) {
	for _, s := range decoderSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		outs := []func() any{
			func() any { return new(string) },
			func() any { return new([]LinkSummary) },
			func() any { return new(LinkInfo) },
			func() any { return new([]ProviderSummary) },
			func() any { return new(ProviderInfo) },
			func() any { return new(SyncSessionInfo) },
			func() any { return new([]string) },
		}
		wrapped := append(append([]byte(`{"value":`), body...), '}')
		for _, out := range outs {
			_ = wire.DecodeResult(wire.REST, body, out())
			api := out()
			if wire.DecodeResult(wire.API, body, api) != nil {
				continue
			}
			legacy := out()
			if err := wire.DecodeResult(wire.REST, wrapped, legacy); err != nil || !reflect.DeepEqual(api, legacy) {
				t.Fatalf("%T: /api body decodes to %+v, its legacy wrapping to %+v (%v)", api, api, legacy, err)
			}
			if _, err := json.Marshal(api); err != nil && !strings.Contains(err.Error(), "Time.MarshalJSON") {
				t.Fatalf("%T %+v does not marshal: %v", api, api, err)
			}
		}
	})
}

// messageSeeds are LocalizableMessage and date-time encodings: params as an
// /api object and as a legacy key/value list, nested messages, odd values.
var messageSeeds = []string{
	`{"id":"com.vmware.vcenter.hvc.links.not_found","default_message":"Link 7c3a not found.","args":["7c3a"]}`,
	`{"id":"x","default_message":"m","args":[],"params":{"host":{"s":"psc.example"},"n":{"i":-9223372036854775808},"f":{"d":1.5e308,"precision":2},"when":{"dt":"2024-02-29T12:00:00Z","format":"LONG_DATE"}},"localized":"m"}`,
	`{"id":"x","default_message":"m","args":[],"params":[{"key":"host","value":{"s":"psc"}},{"key":"host","value":{"i":1}},{"key":"when","value":{"dt":"2024-02-29 12:00:00"}}]}`,
	`{"id":"x","default_message":"m","args":[],"params":{"cause":{"l":{"id":"y","params":[{"key":"z","value":{"l":{"id":"w","params":{"v":{"s":"deep"}}}}}]}}}}`,
	`{"id":"x","default_message":"m","args":[],"params":"not a map"}`,
	`{"id":"x","default_message":"m","args":[],"params":[]}`,
	`{"id":"x","default_message":"m","args":[],"params":{"bad":{"dt":"yesterday"}}}`,
	`{"id":"x","default_message":"m","args":[],"params":{"far":{"dt":"2024-02-29T12:00:00+24:00"}}}`,
	`{"id":7}`,
	`"2024-02-29T12:00:00.123456789Z"`,
	`"2024-02-29T12:00:00-0800"`,
	`"2024-02-29T12:00:00"`,
	`null`,
	`"not a time"`,
	`{"id":"x","default_message":"m","args":[],"params":` + strings.Repeat(`{"k":{"l":{"id":"n","params":`, 60) + `null` + strings.Repeat(`}}}`, 60) + `}`,
	"{\"id\":\"\xff\",\"default_message\":\"\xc3\",\"args\":[\"\xed\xa0\x80\"]}",
}

// FuzzLocalizableMessage proves that LocalizableMessage, its nested form
// and Time decode any input without panicking; that a decoded message
// marshals (a date-time param with a zone offset Go cannot marshal aside)
// and decodes again to the same texts and parameter names; and that a
// decoded Time marshals and decodes again to the same instant.
func FuzzLocalizableMessage(f *testing.F) {
	for _, s := range messageSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var n NestedLocalizableMessage
		_ = json.Unmarshal(data, &n)
		var p LocalizationParam
		_ = json.Unmarshal(data, &p)

		var m LocalizableMessage
		if json.Unmarshal(data, &m) == nil {
			out, err := json.Marshal(m)
			if err != nil {
				if !strings.Contains(err.Error(), "Time.MarshalJSON") {
					t.Fatalf("%+v does not marshal: %v", m, err)
				}
			} else {
				var back LocalizableMessage
				if err := json.Unmarshal(out, &back); err != nil {
					t.Fatalf("re-decoding %s: %v", out, err)
				}
				if back.ID != m.ID || back.DefaultMessage != m.DefaultMessage || back.Localized != m.Localized ||
					!reflect.DeepEqual(back.Args, m.Args) || !sameKeys(back.Params, m.Params) {
					t.Fatalf("round trip changed %+v into %+v", m, back)
				}
			}
		}

		var tm Time
		if json.Unmarshal(data, &tm) == nil && !tm.IsZero() {
			out, err := json.Marshal(tm)
			if err != nil {
				if !strings.Contains(err.Error(), "Time.MarshalJSON") {
					t.Fatalf("%v does not marshal: %v", tm.Time, err)
				}
				return
			}
			var back Time
			if err := json.Unmarshal(out, &back); err != nil || !back.Equal(tm.Time) {
				t.Fatalf("time %v marshals to %s, which decodes to %v (%v)", tm.Time, out, back.Time, err)
			}
		}
	})
}

// sameKeys reports whether two param maps have the same names.
func sameKeys(a, b map[string]LocalizationParam) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			return false
		}
	}
	return true
}
