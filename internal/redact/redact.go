// Package redact removes secrets from what the client logs or reports:
// JSON members that hold passwords or session tokens, and known secret
// values inside free text.
package redact

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Mask replaces a secret wherever one is removed.
const Mask = "[REDACTED]"

// secretKey reports whether a JSON member name holds a secret.
func secretKey(k string) bool {
	k = strings.ToLower(k)
	return strings.Contains(k, "password") || strings.Contains(k, "secret") ||
		strings.Contains(k, "session") || strings.Contains(k, "token") ||
		k == "authorization"
}

// JSON returns body with the value of every secret member replaced by Mask,
// at any depth. A body that is not valid JSON is replaced whole, because it
// cannot be inspected; the result is always safe to log.
func JSON(body []byte) []byte {
	if len(bytes.TrimSpace(body)) == 0 {
		return body
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return []byte("[unparsable body of " + strconv.Itoa(len(body)) + " bytes]")
	}
	out, err := json.Marshal(walk(v))
	if err != nil {
		return []byte(Mask)
	}
	return out
}

func walk(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			if secretKey(k) {
				t[k] = Mask
				continue
			}
			t[k] = walk(val)
		}
		// A {"key":"password","value":"..."} pair of a legacy map.
		if k, ok := t["key"].(string); ok && secretKey(k) {
			if _, has := t["value"]; has {
				t["value"] = Mask
			}
		}
	case []any:
		for i := range t {
			t[i] = walk(t[i])
		}
	}
	return v
}

// Strings replaces every occurrence of each non-empty secret in s with Mask,
// in its plain form and in the forms a JSON encoder gives it (with and
// without HTML escaping), so a secret echoed inside a raw JSON body is found
// too.
//
// Longer spellings are replaced first, so a secret that contains another one
// (passwords "admin" and "admin123") is masked whole, not left as "[REDACTED]123".
func Strings(s string, secrets ...string) string {
	var all []string
	for _, sec := range secrets {
		if sec != "" {
			all = append(all, forms(sec)...)
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return len(all[i]) > len(all[j]) })
	for _, form := range all {
		if strings.Contains(s, form) {
			s = strings.ReplaceAll(s, form, Mask)
		}
	}
	return s
}

// forms returns sec and its distinct JSON-escaped spellings.
func forms(sec string) []string {
	out := []string{sec}
	if !strings.ContainsAny(sec, "\"\\<>&\u2028\u2029") && !hasControl(sec) {
		return out
	}
	for _, html := range []bool{true, false} {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(html)
		if enc.Encode(sec) != nil {
			continue
		}
		f := strings.TrimSuffix(b.String(), "\n")
		f = f[1 : len(f)-1] // drop the quotes
		if f != out[len(out)-1] && f != sec {
			out = append(out, f)
		}
	}
	return out
}

func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 {
			return true
		}
	}
	return false
}

// Snippet returns at most max bytes of body as printable single-line text,
// cut at a rune boundary, with "…" when it was cut.
func Snippet(body []byte, max int) string {
	body = bytes.TrimSpace(body)
	if max < 0 {
		max = 0
	}
	cut := len(body) > max
	if cut {
		body = body[:max]
		// Drop only a rune the cut left incomplete; invalid bytes before it
		// (a Latin-1 page) are replaced below, not a reason to drop the rest.
		i := len(body) - 1
		for i > 0 && len(body)-i < utf8.UTFMax && !utf8.RuneStart(body[i]) {
			i--
		}
		if i >= 0 && !utf8.FullRune(body[i:]) {
			body = body[:i]
		}
	}
	var b strings.Builder
	for _, r := range string(body) {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == utf8.RuneError:
			b.WriteRune('\uFFFD')
		default:
			b.WriteRune(r)
		}
	}
	if cut {
		b.WriteString("…")
	}
	return b.String()
}
