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

	"github.com/hvcsdk/hvc/internal/safetext"
)

// Mask replaces a secret wherever one is removed.
const Mask = "[REDACTED]"

// secretKey reports whether a JSON member name holds a secret. A session
// is secret as "session" itself or its id ("session_id", "sessionId",
// "vmware-api-session-id"), not as state about one ("current_session_info").
func secretKey(k string) bool {
	k = strings.ToLower(k)
	return strings.Contains(k, "password") || strings.Contains(k, "secret") ||
		k == "session" || strings.Contains(k, "session_id") || strings.Contains(k, "sessionid") ||
		strings.Contains(k, "session-id") || strings.Contains(k, "token") ||
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

// LooseLen is the length (in runes) from which a secret is masked wherever
// it occurs. A shorter secret is masked only where it stands as a token.
const LooseLen = 8

// Strings masks the secrets in s, and nothing else. The rule:
//
//   - A secret is matched in its plain spelling and in the spellings a JSON
//     encoder gives it (with and without HTML escaping), so an echo inside
//     a raw JSON body is found too.
//   - A secret of LooseLen runes or more is masked wherever it occurs: such
//     a run inside other text is an echo, not a coincidence.
//   - A shorter secret is masked only as a token: where each end of the
//     match is the edge of s, or meets a character that is not a letter,
//     digit or underscore (or the secret's own end character is one). So a
//     password "p" masks "p" and "pw p." but leaves "psc.unknown.example",
//     and a password "ssl" leaves the key "ssl_thumbprint" alone.
//   - In raw JSON text, a JSON escape sequence (\n, \u003c) before a match
//     counts as a non-word character.
//   - A field whose whole value is a secret is masked whatever its length:
//     the string edges bound it.
//
// All matches are found on the original text and replaced once each by
// Mask; overlapping matches (passwords "admin" and "admin123") merge into
// one Mask, so no part of a longer secret is left over.
func Strings(s string, secrets ...string) string {
	var spans [][2]int
	for _, sec := range secrets {
		if sec == "" {
			continue
		}
		loose := utf8.RuneCountInString(sec) >= LooseLen
		for _, f := range forms(sec) {
			for from := 0; from <= len(s)-len(f); {
				i := strings.Index(s[from:], f)
				if i < 0 {
					break
				}
				i += from
				j := i + len(f)
				if loose || bounded(s, i, j, f) {
					spans = append(spans, [2]int{i, j})
					from = j
					continue
				}
				_, w := utf8.DecodeRuneInString(s[i:])
				from = i + w
			}
		}
	}
	if len(spans) == 0 {
		return s
	}
	sort.Slice(spans, func(a, b int) bool { return spans[a][0] < spans[b][0] })
	var b strings.Builder
	last := 0
	for k := 0; k < len(spans); {
		start, end := spans[k][0], spans[k][1]
		for k++; k < len(spans) && spans[k][0] < end; k++ {
			end = max(end, spans[k][1])
		}
		b.WriteString(s[last:start])
		b.WriteString(Mask)
		last = end
	}
	b.WriteString(s[last:])
	return b.String()
}

// bounded reports whether the match f at s[i:j] stands as a token.
func bounded(s string, i, j int, f string) bool {
	first, _ := utf8.DecodeRuneInString(f)
	lastR, _ := utf8.DecodeLastRuneInString(f)
	if i > 0 && isWord(first) && !afterEscape(s, i) {
		if r, _ := utf8.DecodeLastRuneInString(s[:i]); isWord(r) {
			return false
		}
	}
	if j < len(s) && isWord(lastR) {
		if r, _ := utf8.DecodeRuneInString(s[j:]); isWord(r) {
			return false
		}
	}
	return true
}

// afterEscape reports whether s[:i] ends with a JSON escape sequence (\n,
// \t, \u003e, …): in raw JSON text it stands for a character, and for the
// characters JSON escapes that is never a letter or digit.
func afterEscape(s string, i int) bool {
	if i >= 2 && s[i-2] == '\\' && strings.IndexByte(`bfnrt"/\`, s[i-1]) >= 0 {
		return true
	}
	if i < 6 || s[i-6] != '\\' || s[i-5] != 'u' {
		return false
	}
	for _, c := range []byte(s[i-4 : i]) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func isWord(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// JSONValues masks the secrets (see Strings) inside the strings of a JSON
// document, member names included, and replaces a number or literal that
// is exactly a secret by the string Mask. Everything else, structure,
// order and spacing, is kept byte for byte, so the result is still valid
// JSON with the same shape. Input that is not valid JSON is masked as text
// with Strings.
func JSONValues(raw []byte, secrets ...string) []byte {
	if !hasSecret(secrets) {
		return raw
	}
	if !json.Valid(raw) {
		if s := Strings(string(raw), secrets...); s != string(raw) {
			return []byte(s)
		}
		return raw
	}
	var out []byte
	last := 0
	replace := func(i, j int, with []byte) {
		out = append(out, raw[last:i]...)
		out = append(out, with...)
		last = j
	}
	for i := 0; i < len(raw); {
		switch c := raw[i]; {
		case c == '"':
			j := i + 1
			escaped := false
			for ; raw[j] != '"'; j++ {
				if raw[j] == '\\' {
					escaped = true
					j++
				}
			}
			j++
			lit := raw[i:j]
			var v string
			if escaped {
				if json.Unmarshal(lit, &v) != nil {
					i = j
					continue
				}
			} else {
				v = string(lit[1 : len(lit)-1])
			}
			if m := Strings(v, secrets...); m != v {
				replace(i, j, quote(m))
			}
			i = j
		case strings.IndexByte("{}[]:, \t\r\n", c) >= 0:
			i++
		default:
			j := i
			for j < len(raw) && strings.IndexByte("{}[]:,\" \t\r\n", raw[j]) < 0 {
				j++
			}
			for _, sec := range secrets {
				if sec != "" && string(raw[i:j]) == sec {
					replace(i, j, quote(Mask))
					break
				}
			}
			i = j
		}
	}
	if out == nil {
		return raw
	}
	return append(out, raw[last:]...)
}

func hasSecret(secrets []string) bool {
	for _, s := range secrets {
		if s != "" {
			return true
		}
	}
	return false
}

// quote returns s as a JSON string literal without HTML escaping.
func quote(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
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
		case safetext.Unsafe(r) || r == utf8.RuneError:
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
