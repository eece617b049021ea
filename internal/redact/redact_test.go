package redact_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc/internal/redact"
)

const m = `"` + redact.Mask + `"`

func TestJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string // compared with JSONEq
	}{
		{"password", `{"user_name":"u","password":"hunter2"}`, `{"user_name":"u","password":` + m + `}`},
		{"nested spec", `{"spec":{"psc_hostname":"psc","username":"admin","password":"pw","port":"443"}}`,
			`{"spec":{"psc_hostname":"psc","username":"admin","password":` + m + `,"port":"443"}}`},
		{"deep", `{"a":{"b":{"c":{"d":{"new_password":"x","keep":true}}}}}`,
			`{"a":{"b":{"c":{"d":{"new_password":` + m + `,"keep":true}}}}}`},
		{"case insensitive", `{"Password":"a","PASSWORD":"b","oldPassWord":"c"}`,
			`{"Password":` + m + `,"PASSWORD":` + m + `,"oldPassWord":` + m + `}`},
		{"session id", `{"session_id":"s1","vmware-api-session-id":"s2","sessionId":"s3"}`,
			`{"session_id":` + m + `,"vmware-api-session-id":` + m + `,"sessionId":` + m + `}`},
		{"tokens and secrets", `{"access_token":"t","client_secret":"s","Authorization":"Basic eA=="}`,
			`{"access_token":` + m + `,"client_secret":` + m + `,"Authorization":` + m + `}`},
		// Only the exact member name "authorization" counts, not substrings of it.
		{"authorization exact only", `{"authorization_mode":"x"}`, `{"authorization_mode":"x"}`},
		{"secret object replaced whole", `{"credentials":{"user_name":"u","password":"p"},"password":{"a":1}}`,
			`{"credentials":{"user_name":"u","password":` + m + `},"password":` + m + `}`},
		{"secret array replaced whole", `{"passwords":["a","b"]}`, `{"passwords":` + m + `}`},
		{"secret number", `{"session":12345}`, `{"session":` + m + `}`},
		{"secret null", `{"password":null}`, `{"password":` + m + `}`},
		{"array of objects", `[{"password":"a"},{"name":"n"},[{"token":"t"}]]`,
			`[{"password":` + m + `},{"name":"n"},[{"token":` + m + `}]]`},
		{"array in object", `{"items":[{"session_id":"x","id":1}]}`, `{"items":[{"session_id":` + m + `,"id":1}]}`},
		// Legacy maps are arrays of {"key":K,"value":V}; a secret K hides its V.
		{"legacy map pair", `{"params":[{"key":"password","value":"p"},{"key":"host","value":"h"}]}`,
			`{"params":[{"key":"password","value":` + m + `},{"key":"host","value":"h"}]}`},
		{"legacy map pair without value", `[{"key":"password"}]`, `[{"key":"password"}]`},
		{"legacy map pair non-string key", `[{"key":1,"value":"v"}]`, `[{"key":1,"value":"v"}]`},
		// Values that look secret are kept when the key is not.
		{"session state kept", `{"current_session_info":{"stage":"COMPLETED","total_work":10}}`,
			`{"current_session_info":{"stage":"COMPLETED","total_work":10}}`},
		{"secret-looking values kept", `{"name":"password","note":"session token"}`, `{"name":"password","note":"session token"}`},
		{"no secrets", `{"error_type":"NOT_FOUND","messages":[{"id":"x","args":["a"]}]}`,
			`{"error_type":"NOT_FOUND","messages":[{"id":"x","args":["a"]}]}`},
		{"numbers preserved", `{"big":12345678901234567890,"f":1.50,"e":-2E+3}`, `{"big":12345678901234567890,"f":1.50,"e":-2E+3}`},
		{"top-level string", `"hunter2"`, `"hunter2"`},
		{"top-level array", `["a",1,null]`, `["a",1,null]`},
		{"top-level null", `null`, `null`},
		{"empty object", `{}`, `{}`},
		{"whitespace around", " \n{\"password\":\"p\"}\n ", `{"password":` + m + `}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := redact.JSON([]byte(tc.in))
			assert.JSONEq(t, tc.want, string(got))
		})
	}
}

func TestJSONNoSecretLeft(t *testing.T) {
	t.Parallel()
	in := `{"a":[{"b":{"password":"S3CRET-1"}},{"key":"session_id","value":"S3CRET-2"}],"token":{"x":"S3CRET-3"}}`
	got := string(redact.JSON([]byte(in)))
	assert.NotContains(t, got, "S3CRET")
	assert.Equal(t, 3, strings.Count(got, redact.Mask))
}

// Numbers keep their spelling (no float64 round trip); members come out sorted.
func TestJSONNumbersVerbatim(t *testing.T) {
	t.Parallel()
	in := `{"z":12345678901234567891,"a":1.50,"e":-2E+3,"password":7}`
	want := `{"a":1.50,"e":-2E+3,"password":"` + redact.Mask + `","z":12345678901234567891}`
	assert.Equal(t, want, string(redact.JSON([]byte(in))))
}

func TestJSONNotJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
	}{
		// Blank bodies are returned as they are.
		{"empty", "", ""},
		{"blank", " \n\t", " \n\t"},
		// Anything unparsable is replaced whole, naming only its length.
		{"html", "<html>password=x</html>", "[unparsable body of 23 bytes]"},
		{"text", "password=hunter2", "[unparsable body of 16 bytes]"},
		{"truncated", `{"password":"hun`, "[unparsable body of 16 bytes]"},
		{"one byte", "x", "[unparsable body of 1 bytes]"},
		{"bad utf8 in key position", "{\xff:1}", "[unparsable body of 5 bytes]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, string(redact.JSON([]byte(tc.in))))
		})
	}
}

func TestJSONNil(t *testing.T) {
	t.Parallel()
	assert.Empty(t, redact.JSON(nil))
}

// Only the first JSON value is inspected and returned; what follows it is dropped.
func TestJSONTrailingDataDropped(t *testing.T) {
	t.Parallel()
	got := string(redact.JSON([]byte(`{"a":1} {"password":"p"} trailing hunter2`)))
	assert.JSONEq(t, `{"a":1}`, got)
	assert.NotContains(t, got, "hunter2")
}

func TestStrings(t *testing.T) {
	t.Parallel()
	const M = redact.Mask
	tests := []struct {
		name    string
		s       string
		secrets []string
		want    string
	}{
		{"one", "login admin/hunter2 failed", []string{"hunter2"}, "login admin/" + M + " failed"},
		{"every token occurrence", "hunter2 (hunter2) hunter2hunter2", []string{"hunter2"}, M + " (" + M + ") hunter2hunter2"},
		{"long secret anywhere", "xx" + "Hunter2-long" + "yy", []string{"Hunter2-long"}, "xx" + M + "yy"},
		// A short secret is masked only as a token (issue 11).
		{"p keeps a host name", "Could not connect to the PSC psc.unknown.example", []string{"p"}, "Could not connect to the PSC psc.unknown.example"},
		{"p as a token", "user p, password p.", []string{"p"}, "user " + M + ", password " + M + "."},
		{"ssl keeps a key", `{"ssl_thumbprint":"AA:BB"}`, []string{"ssl"}, `{"ssl_thumbprint":"AA:BB"}`},
		{"short after a JSON escape", `"\u003essl\n"`, []string{"ssl"}, `"\u003e` + M + `\n"`},
		{"short after a tab escape", `"\tssl"`, []string{"ssl"}, `"\t` + M + `"`},
		{"short with non-word ends", "x<p>y", []string{"<p>"}, "x" + M + "y"},
		{"several", "pw=hunter2 sid=abc123", []string{"hunter2", "abc123"}, "pw=" + M + " sid=" + M},
		{"absent", "nothing here", []string{"hunter2"}, "nothing here"},
		{"no secrets", "hunter2", nil, "hunter2"},
		{"empty secret ignored", "abc", []string{""}, "abc"},
		{"empty among others", "a hunter2 b", []string{"", "hunter2", ""}, "a " + M + " b"},
		{"empty input", "", []string{"hunter2"}, ""},
		{"case sensitive", "HUNTER2", []string{"hunter2"}, "HUNTER2"},
		{"whole string", "hunter2", []string{"hunter2"}, M},
		{"unicode", "pw=pässwörd!", []string{"pässwörd"}, "pw=" + M + "!"},
		// Secrets with characters a JSON encoder escapes are found in their escaped spellings too.
		{"quote escaped", `{"password":"a\"b"}`, []string{`a"b`}, `{"password":"` + M + `"}`},
		{"backslash escaped", `{"password":"a\\b"}`, []string{`a\b`}, `{"password":"` + M + `"}`},
		{"html escaped", `{"password":"a\u003cb\u003e\u0026"}`, []string{`a<b>&`}, `{"password":"` + M + `"}`},
		{"html unescaped form", `{"password":"a<b>&"}`, []string{`a<b>&`}, `{"password":"` + M + `"}`},
		{"quote and html", `"x\"\u003c" and x"<`, []string{`x"<`}, `"` + M + `" and ` + M},
		{"control char escaped", `{"password":"a\tb\n"}`, []string{"a\tb\n"}, `{"password":"` + M + `"}`},
		{"control char plain", "a\tb\n", []string{"a\tb\n"}, M},
		{"backslash only escaped", `{"password":"C:\\temp\\x"}`, []string{`C:\temp\x`}, `{"password":"` + M + `"}`},
		// A secret containing another is masked whole, whatever the order given.
		{"secret containing another", "pw=admin123! other=admin", []string{"admin", "admin123!"}, "pw=" + M + " other=" + M},
		{"secret containing another reversed", "pw=admin123! other=admin", []string{"admin123!", "admin"}, "pw=" + M + " other=" + M},
		{"line separator escaped", `"a\u2028b"`, []string{"a\u2028b"}, `"` + M + `"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, redact.Strings(tc.s, tc.secrets...))
		})
	}
}

// TestJSONValues: secrets are masked in JSON strings (member names too)
// and as whole scalars; structure, order and spacing stay as they were.
func TestJSONValues(t *testing.T) {
	t.Parallel()
	const M = redact.Mask
	tests := []struct {
		name, in string
		secrets  []string
		want     string
	}{
		{"value", `{"pw": "ssl", "ssl_thumbprint":"AA"}`, []string{"ssl"}, `{"pw": "` + M + `", "ssl_thumbprint":"AA"}`},
		{"key", `{"hunter2":1,"b":[ "x hunter2" ]}`, []string{"hunter2"}, `{"` + M + `":1,"b":[ "x ` + M + `" ]}`},
		{"escaped value", `{"a":"\u003cpw\u003e"}`, []string{"<pw>"}, `{"a":"` + M + `"}`},
		{"token after escape", `{"a":"x\npw"}`, []string{"pw"}, `{"a":"x\n` + M + `"}`},
		{"number", `{"pin":1234,"n":12345}`, []string{"1234"}, `{"pin":"` + M + `","n":12345}`},
		{"untouched", `{"a" : [1, true, null]}`, []string{"zz"}, `{"a" : [1, true, null]}`},
		{"not JSON", `<p>pw</p>`, []string{"pw"}, `<p>` + M + `</p>`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := string(redact.JSONValues([]byte(tc.in), tc.secrets...))
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestSnippet(t *testing.T) {
	t.Parallel()
	const ell = "…"
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"short", "hello", 10, "hello"},
		{"exact", "hello", 5, "hello"},
		{"cut", "hello world", 5, "hello" + ell},
		{"cut to zero", "hello", 0, ell},
		{"empty", "", 10, ""},
		{"empty zero", "", 0, ""},
		// Surrounding whitespace is trimmed before measuring.
		{"trimmed", "  \n hello \t\n", 5, "hello"},
		{"blank", " \n\t ", 3, ""},
		// One line: newlines, CRs and tabs become spaces; other controls U+FFFD.
		{"single line", "a\nb\r\nc\td", 100, "a b  c d"},
		{"controls", "a\x00b\x1bc\x7fd", 100, "a\uFFFDb\uFFFDc\uFFFDd"},
		// A multi-byte rune that the cut would split is dropped whole.
		{"two-byte rune split", "héllo", 2, "h" + ell},
		{"two-byte rune kept", "héllo", 3, "hé" + ell},
		{"three-byte rune split 1", "a€b", 2, "a" + ell},
		{"three-byte rune split 2", "a€b", 3, "a" + ell},
		{"three-byte rune kept", "a€b", 4, "a€" + ell},
		{"four-byte rune split 1", "a😀b", 2, "a" + ell},
		{"four-byte rune split 3", "a😀b", 4, "a" + ell},
		{"four-byte rune kept", "a😀b", 5, "a😀" + ell},
		{"four-byte rune first", "😀b", 4, "😀" + ell},
		{"only rune split", "é", 1, ell},
		{"runes only", "ééé", 5, "éé" + ell},
		// Invalid UTF-8 is shown as U+FFFD and is not a reason to drop more.
		{"latin1", "caf\xe9 au lait", 100, "caf\uFFFD au lait"},
		{"latin1 before cut", "caf\xe9 au lait", 6, "caf\uFFFD a" + ell},
		// A Latin-1 byte that is also a UTF-8 lead byte cannot be told from a
		// split rune at the cut: it is dropped, which stays within max.
		{"latin1 lead byte at cut", "caf\xe9 au lait", 4, "caf" + ell},
		{"latin1 non-lead byte at cut", "caf\xff au lait", 4, "caf\uFFFD" + ell},
		{"invalid bytes at cut", "\xff\xffabc", 2, "\uFFFD\uFFFD" + ell},
		{"continuation bytes", "a\x80\x80\x80\x80b", 4, "a\uFFFD\uFFFD\uFFFD" + ell},
		{"only continuation bytes", "\x80\x80\x80\x80\x80", 3, "\uFFFD\uFFFD\uFFFD" + ell},
		{"invalid then split rune", "\xe9\xe9é", 3, "\uFFFD\uFFFD" + ell},
		{"literal replacement char", "a\uFFFDb", 100, "a\uFFFDb"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := redact.Snippet([]byte(tc.in), tc.max)
			assert.Equal(t, tc.want, got)
			assert.True(t, utf8.ValidString(got))
			assert.NotContains(t, got, "\n")
		})
	}
}

// Every cut of a mixed body keeps the documented bounds: at most max bytes of
// the body, each shown as at most one rune, valid UTF-8, "…" only when cut.
func TestSnippetBounds(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "…", redact.Snippet([]byte("abc"), -1), "a negative bound is 0, not a panic")
	body := []byte("ab\xffé€😀\n\x00z" + strings.Repeat("x", 10))
	for max := 0; max <= len(body)+1; max++ {
		got := redact.Snippet(body, max)
		require.True(t, utf8.ValidString(got), "max=%d", max)
		cut := max < len(body)
		assert.Equal(t, cut, strings.HasSuffix(got, "…"), "max=%d: %q", max, got)
		runes := utf8.RuneCountInString(strings.TrimSuffix(got, "…"))
		assert.LessOrEqual(t, runes, max, "max=%d: %q", max, got)
	}
}

// TestSnippetUnicodeControls: C1 controls (NEL, CSI) and the Unicode line
// separators cannot break a snippet across lines or drive a terminal.
func TestSnippetUnicodeControls(t *testing.T) {
	t.Parallel()
	got := redact.Snippet([]byte("a\u0085b\u009bc\u2028d\u2029e"), 100)
	assert.Equal(t, "a\uFFFDb\uFFFDc\uFFFDd\uFFFDe", got)
}
