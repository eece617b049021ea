package redact

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// bodySeeds are bodies the client quotes or logs: both error envelopes, a
// login reply, a proxy page, broken and hostile text.
var bodySeeds = []string{
	`{"error_type":"NOT_FOUND","messages":[{"id":"x","default_message":"Link not found.","args":["7c3a"]}]}`,
	`{"type":"com.vmware.vapi.std.errors.invalid_argument","value":{"messages":[],"data":{"spec":{"password":"s3cr3t"}}}}`,
	`{"spec":{"psc_hostname":"psc.example","user_name":"administrator@vsphere.local","password":"s3cr3t","ssl_thumbprint":"AA:BB"}}`,
	`{"value":"vmware-api-session-id-0123456789abcdef"}`,
	`{"params":[{"key":"password","value":{"s":"s3cr3t"}},{"key":"host","value":{"s":"psc"}}]}`,
	`{"Session_Token":{"nested":["a",1,2.5e300,true,null]},"Authorization":"Basic YWRtaW46cHc="}`,
	"<html>\r\n<body>502 Bad Gateway\x1b[31m</body>\n</html>",
	"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xff\xfe latin1 \xe9t\xe9",
	"",
	"   \n\t",
	`{"password":"s3cr3t"`,
	`{"a":1} {"password":"trailing"}`,
	strings.Repeat("[", 300) + strings.Repeat("]", 300),
}

// FuzzSnippet proves that Snippet never panics and returns valid UTF-8 on a
// single line without C0 controls or DEL, made of at most max runes of the
// trimmed body (so at most 3*max bytes, U+FFFD being 3 bytes) plus "…" when
// cut, a negative max counting as 0; and that clean text that fits is
// returned unchanged, and clean text that does not is cut to its longest
// prefix on a rune boundary.
func FuzzSnippet(f *testing.F) {
	for _, s := range bodySeeds {
		for _, max := range []int{0, 1, 7, 256, 4096} {
			f.Add([]byte(s), max)
		}
	}
	f.Add([]byte("abc"), -1)
	f.Fuzz(func(t *testing.T, body []byte, max int) {
		max %= 8192
		out := Snippet(body, max)
		if max < 0 {
			max = 0 // a negative bound means 0
		}
		if !utf8.ValidString(out) {
			t.Fatalf("Snippet(%q, %d) = %q: invalid UTF-8", body, max, out)
		}
		for _, r := range out {
			if r < 0x20 || r == 0x7f {
				t.Fatalf("Snippet(%q, %d) = %q: control %U", body, max, out, r)
			}
		}
		trimmed := bytes.TrimSpace(body)
		cut := len(trimmed) > max
		text := out
		if cut {
			var ok bool
			if text, ok = strings.CutSuffix(out, "…"); !ok {
				t.Fatalf("Snippet(%q, %d) = %q: cut without …", body, max, out)
			}
		}
		if n := utf8.RuneCountInString(text); n > max {
			t.Fatalf("Snippet(%q, %d) = %q: %d runes", body, max, out, n)
		}
		if len(text) > 3*max {
			t.Fatalf("Snippet(%q, %d) = %q: %d bytes", body, max, out, len(text))
		}
		if !utf8.Valid(trimmed) || bytes.ContainsFunc(trimmed, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return
		}
		if !cut && text != string(trimmed) {
			t.Fatalf("Snippet(%q, %d) = %q: clean text that fits was changed", body, max, out)
		}
		if cut && (!strings.HasPrefix(string(trimmed), text) || len(text) > max || len(text) <= max-utf8.UTFMax) {
			t.Fatalf("Snippet(%q, %d) = %q: not the longest rune-aligned prefix", body, max, out)
		}
	})
}

// FuzzJSON proves that JSON never panics, returns a blank body as is, marks
// anything unparsable as such, and otherwise returns valid JSON in which
// every secret member, and every value of a {"key": secret name, "value": …}
// pair, is Mask at any depth; and that redacting its own output changes
// nothing.
func FuzzJSON(f *testing.F) {
	for _, s := range bodySeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		out := JSON(body)
		if len(bytes.TrimSpace(body)) == 0 {
			if !bytes.Equal(out, body) {
				t.Fatalf("JSON(%q) = %q, want the blank body", body, out)
			}
			return
		}
		if string(out) == Mask || bytes.HasPrefix(out, []byte("[unparsable body of ")) {
			return
		}
		var v any
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("JSON(%q) = %q: not JSON: %v", body, out, err)
		}
		if path, ok := leaked(v, "$"); !ok {
			t.Fatalf("JSON(%q) = %q: secret left at %s", body, out, path)
		}
		if again := JSON(out); !bytes.Equal(again, out) {
			t.Fatalf("JSON is not idempotent: %q then %q", out, again)
		}
	})
}

// leaked walks a decoded document and reports the path of a secret value
// that is not Mask.
func leaked(v any, path string) (string, bool) {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			if secretKey(k) && val != Mask {
				return path + "." + k, false
			}
			if p, ok := leaked(val, path+"."+k); !ok {
				return p, false
			}
		}
		if k, ok := t["key"].(string); ok && secretKey(k) {
			if val, has := t["value"]; has && val != Mask {
				return path + "[key=" + k + "].value", false
			}
		}
	case []any:
		for _, val := range t {
			if p, ok := leaked(val, path+"[]"); !ok {
				return p, false
			}
		}
	}
	return "", true
}

// FuzzStrings proves that Strings never panics, leaves text without any
// spelling of the secrets unchanged, removes every spelling (plain and
// JSON-escaped) of each secret from free text, and in particular removes a
// secret from a JSON document that echoes it, however the encoder escaped
// it. Secrets sharing a rune with Mask are skipped for the removal checks,
// since Mask itself may then spell them.
func FuzzStrings(f *testing.F) {
	for _, s := range bodySeeds {
		f.Add(s, "s3cr3t", "")
	}
	f.Add(`{"echo":"p\u003ca\u003e\u0026\"s\\w"}`, `p<a>&"s\w`, "psc")
	f.Add(`{"echo":"p<a>&\"s\\w"}`, `p<a>&"s\w`, "")
	f.Add("line\u2028sep \x01ctl", "line\u2028sep", "\x01ctl")
	f.Add(`{"password":"s3cr3ts3cr3t"}`, "s3cr3t", "s3cr3ts3cr3t")
	f.Fuzz(func(t *testing.T, s, sec1, sec2 string) {
		out := Strings(s, sec1, sec2)
		var all []string
		for _, sec := range []string{sec1, sec2} {
			if sec != "" {
				all = append(all, forms(sec)...)
			}
		}
		found := false
		for _, form := range all {
			found = found || strings.Contains(s, form)
		}
		if !found && out != s {
			t.Fatalf("Strings(%q, %q, %q) = %q: changed text without a secret", s, sec1, sec2, out)
		}
		// Masked alone, no token echo of sec1 (any echo of a long one) is left.
		if sec1 != "" {
			one := Strings(s, sec1)
			loose := utf8.RuneCountInString(sec1) >= LooseLen
			for _, form := range forms(sec1) {
				if strings.ContainsAny(form, Mask) {
					continue
				}
				for from := 0; ; {
					i := strings.Index(one[from:], form)
					if i < 0 {
						break
					}
					i += from
					if loose || bounded(one, i, i+len(form), form) {
						t.Fatalf("Strings(%q, %q) = %q: %q left at %d", s, sec1, one, form, i)
					}
					from = i + 1
				}
			}
		}
		// A JSON document echoing sec1 as a token and as a whole value.
		if sec1 == "" || !utf8.ValidString(sec1) || strings.ContainsAny(sec1, Mask) {
			return
		}
		for _, html := range []bool{true, false} {
			var b bytes.Buffer
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(html)
			if err := enc.Encode(map[string]string{"echo": s + " " + sec1 + " " + s, "whole": sec1}); err != nil {
				t.Fatal(err)
			}
			doc := JSONValues(b.Bytes(), sec1)
			var back map[string]string
			if err := json.Unmarshal(doc, &back); err != nil {
				t.Fatalf("JSONValues(%q) = %q: not JSON: %v", b.String(), doc, err)
			}
			if strings.Contains(back["echo"], " "+sec1+" ") || back["whole"] != Mask {
				t.Fatalf("secret %q survives in %q (html escaping %v)", sec1, doc, html)
			}
		}
	})
}
