package hvc_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc"
	"github.com/hvcsdk/hvc/internal/stderr"
	"github.com/hvcsdk/hvc/simulator"
)

// errorKind is one of the 25 std error types: its HTTP status (see
// docs/wire.md#error-types-and-http-statuses), its sentinel, and an errors.As
// to its named type.
type errorKind struct {
	typ      hvc.ErrorType
	status   int
	sentinel error
	as       func(error) bool
}

// errorKinds is read from the lists internal/cmd/generrors writes: the
// SDK's types and sentinels, and the statuses of internal/stderr.
var errorKinds = func() []errorKind {
	var out []errorKind
	for _, k := range hvc.ErrorKinds() {
		status, _ := stderr.Status(string(k.Type)) // TestErrorKindsMatchStdErr checks every type has one
		named := k.Named
		out = append(out, errorKind{typ: k.Type, status: status, sentinel: k.Sentinel, as: func(err error) bool {
			return errors.As(err, reflect.New(named).Interface())
		}})
	}
	return out
}()

// TestErrorKindsMatchStdErr: the SDK's generated list and internal/stderr
// name the same 25 types in the same order, and each type has its own named
// error type and sentinel.
func TestErrorKindsMatchStdErr(t *testing.T) {
	t.Parallel()
	kinds := hvc.ErrorKinds()
	require.Len(t, kinds, 25)
	require.Len(t, stderr.All, len(kinds))
	named := map[reflect.Type]bool{}
	sentinels := map[error]bool{}
	for i, k := range kinds {
		assert.Equal(t, stderr.All[i].Name, string(k.Type))
		status, ok := stderr.Status(string(k.Type))
		assert.True(t, ok, "%s has no status", k.Type)
		assert.Equal(t, stderr.All[i].Status, status, "%s", k.Type)
		assert.Equal(t, reflect.Pointer, k.Named.Kind(), "%s", k.Type)
		assert.NotEqual(t, reflect.TypeOf(&hvc.StdError{}), k.Named, "%s has no named type", k.Type)
		named[k.Named] = true
		sentinels[k.Sentinel] = true
	}
	assert.Len(t, named, 25, "named types")
	assert.Len(t, sentinels, 25, "sentinels")
}

// TestSimulatorErrorTypes: every standard error type the simulator injects
// reaches the SDK with the status of internal/stderr, its named type and its
// sentinel, in both flavors.
func TestSimulatorErrorTypes(t *testing.T) {
	t.Parallel()
	for _, f := range []hvc.Flavor{hvc.FlavorAPI, hvc.FlavorREST} {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			sim, c := simClient(t, nil, hvc.WithFlavor(f))
			require.NoError(t, c.Login(ctx))
			for _, k := range errorKinds {
				remove := mustFault(t, sim, simulator.Fault{Method: http.MethodGet, Path: "/hvc/links", ErrorType: string(k.typ)})
				_, err := c.Links.List(ctx)
				remove()
				require.Error(t, err, "%s", k.typ)
				assert.True(t, k.as(err), "%s: got %T", k.typ, err)
				assert.ErrorIs(t, err, k.sentinel)
				var std *hvc.StdError
				require.ErrorAs(t, err, &std)
				assert.Equal(t, k.status, std.StatusCode, "%s", k.typ)
				assert.Equal(t, k.typ, std.ErrorType)
			}
		})
	}
}

func kindOf(t *testing.T, typ hvc.ErrorType) errorKind {
	t.Helper()
	for _, k := range errorKinds {
		if k.typ == typ {
			return k
		}
	}
	t.Fatalf("no error kind %s", typ)
	return errorKind{}
}

// envelope is a server's error body shape.
type envelope int

const (
	// envAPI is {"error_type":T, members…}.
	envAPI envelope = iota
	// envREST is {"type":"com.vmware.vapi.std.errors.t","value":{members…}}.
	envREST
	// envRESTTyped is envREST with value.error_type too (vSphere 6.7.2+).
	envRESTTyped
)

func (e envelope) String() string { return [...]string{"api", "rest", "rest+error_type"}[e] }

func (e envelope) legacy() bool { return e != envAPI }

// envFor returns the envelope a real server of the flavor sends.
func envFor(legacy bool) envelope {
	if legacy {
		return envRESTTyped
	}
	return envAPI
}

// errorBody builds an error body; members are the JSON members besides the
// type, e.g. `"messages":[…],"data":{…}`.
func errorBody(env envelope, typ hvc.ErrorType, members string) string {
	switch env {
	case envAPI:
		return `{"error_type":"` + string(typ) + `",` + members + `}`
	case envREST:
		return `{"type":"com.vmware.vapi.std.errors.` + strings.ToLower(string(typ)) + `","value":{` + members + `}}`
	default:
		return `{"type":"com.vmware.vapi.std.errors.` + strings.ToLower(string(typ)) +
			`","value":{"error_type":"` + string(typ) + `",` + members + `}}`
	}
}

var allEnvelopes = []envelope{envAPI, envREST, envRESTTyped}

// createOn creates a link against a mock answering status/body and returns
// the error.
func createOn(t *testing.T, legacy bool, status int, body string) error {
	t.Helper()
	m := newMockVC(t, jsonReply(status, body))
	c := m.Client(t, map[bool]hvc.Flavor{false: hvc.FlavorAPI, true: hvc.FlavorREST}[legacy], hvc.WithSessionID(mockSession))
	_, err := c.Links.Create(context.Background(), fullSpec())
	require.Error(t, err)
	return err
}

// linksPathFor is the path errors of Links.Create name in either flavor:
// flavor-less, as every operation's errors are.
func linksPathFor(bool) string { return "/hvc/links" }

func TestErrorDecodeAllTypes(t *testing.T) {
	t.Parallel()
	require.Len(t, errorKinds, 25)
	for _, k := range errorKinds {
		for _, env := range allEnvelopes {
			t.Run(string(k.typ)+"/"+env.String(), func(t *testing.T) {
				t.Parallel()
				body := errorBody(env, k.typ, `"messages":[{"id":"x","default_message":"msg","args":[]}]`)
				err := createOn(t, env.legacy(), k.status, body)

				assert.True(t, k.as(err), "errors.As to the %s type; got %T", k.typ, err)
				assert.ErrorIs(t, err, k.sentinel)
				for _, other := range errorKinds {
					if other.typ == k.typ {
						continue
					}
					assert.False(t, other.as(err), "must not be a %s", other.typ)
					assert.False(t, errors.Is(err, other.sentinel), "must not match Err of %s", other.typ)
				}
				assert.False(t, errors.Is(err, hvc.ErrOutcomeUnknown))

				var std *hvc.StdError
				require.ErrorAs(t, err, &std)
				path := linksPathFor(env.legacy())
				assert.Equal(t, k.typ, std.ErrorType)
				assert.Equal(t, k.status, std.StatusCode)
				assert.Equal(t, "POST", std.Method)
				assert.Equal(t, path, std.Path)
				assert.Equal(t, []hvc.LocalizableMessage{{ID: "x", DefaultMessage: "msg", Args: []string{}}}, std.Messages)
				assert.Nil(t, std.Data)
				assert.Equal(t, "msg", std.Message())
				want := fmt.Sprintf("hvc: POST %s: %d %s: msg", path, k.status, k.typ)
				if k.status == http.StatusUnauthorized {
					// The client holds only a session id: it cannot log in again, and says so.
					assert.ErrorIs(t, err, hvc.ErrNoCredentials)
					want += " (hint: " + std.Hint + ")"
					assert.Contains(t, std.Hint, "no credentials")
				}
				assert.Equal(t, want, err.Error())
			})
		}
	}
}

// TestErrorBodyTypeWins: the body names the type even when the status says
// otherwise.
func TestErrorBodyTypeWins(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status int
		typ    hvc.ErrorType
	}{
		{400, hvc.ErrorTypeNotFound},
		{404, hvc.ErrorTypeAlreadyExists},
		{500, hvc.ErrorTypeUnauthenticated},
		{400, hvc.ErrorTypeResourceBusy},
		{503, hvc.ErrorTypeInvalidArgument},
		{409, hvc.ErrorTypeUnsupported},
	}
	for _, tc := range cases {
		for _, env := range allEnvelopes {
			t.Run(fmt.Sprintf("%d %s/%s", tc.status, tc.typ, env), func(t *testing.T) {
				t.Parallel()
				err := createOn(t, env.legacy(), tc.status,
					errorBody(env, tc.typ, `"messages":[{"id":"x","default_message":"m","args":[]}]`))
				k := kindOf(t, tc.typ)
				assert.True(t, k.as(err), "got %T", err)
				assert.ErrorIs(t, err, k.sentinel)
				if st, ok := statusKind(tc.status); ok && st.typ != tc.typ {
					assert.False(t, st.as(err), "status %d must not decide the type", tc.status)
					assert.False(t, errors.Is(err, st.sentinel))
				}
				var std *hvc.StdError
				require.ErrorAs(t, err, &std)
				assert.Equal(t, tc.status, std.StatusCode)
			})
		}
	}
}

// statusKind is the kind the client falls back to for a status (the
// reverse map in docs/wire.md#error-types-and-http-statuses as implemented: 401/403/404/503), or for 400 the kind a
// naive client would pick.
func statusKind(status int) (errorKind, bool) {
	m := map[int]hvc.ErrorType{400: hvc.ErrorTypeInvalidArgument, 401: hvc.ErrorTypeUnauthenticated,
		403: hvc.ErrorTypeUnauthorized, 404: hvc.ErrorTypeNotFound, 503: hvc.ErrorTypeServiceUnavailable}
	typ, ok := m[status]
	if !ok {
		return errorKind{}, false
	}
	for _, k := range errorKinds {
		if k.typ == typ {
			return k, true
		}
	}
	return errorKind{}, false
}

func TestErrorUnknownType(t *testing.T) {
	t.Parallel()
	const typ = hvc.ErrorType("SOMETHING_NEW")
	for _, env := range allEnvelopes {
		for _, status := range []int{400, 404, 500} {
			t.Run(fmt.Sprintf("%s/%d", env, status), func(t *testing.T) {
				t.Parallel()
				err := createOn(t, env.legacy(), status,
					errorBody(env, typ, `"messages":[{"id":"new","default_message":"brand new","args":[]}],"data":{"k":1}`))
				std, ok := err.(*hvc.StdError) //nolint:errorlint // the concrete type is what is checked
				require.True(t, ok, "an unknown type is a bare *StdError, got %T", err)
				assert.Equal(t, typ, std.ErrorType)
				assert.Equal(t, status, std.StatusCode)
				assert.JSONEq(t, `{"k":1}`, string(std.Data))
				for _, k := range errorKinds {
					assert.False(t, k.as(err), "must not be a %s", k.typ)
					assert.False(t, errors.Is(err, k.sentinel), "must not match Err of %s", k.typ)
				}
				assert.Equal(t, fmt.Sprintf("hvc: POST %s: %d SOMETHING_NEW: brand new", linksPathFor(env.legacy()), status), err.Error())
			})
		}
	}
}

// TestErrorNonStdBodies: bodies that are not std errors fall back to the
// status for 401/403/404/503, else a *StdError with no type, quoting a
// bounded snippet of the body.
func TestErrorNonStdBodies(t *testing.T) {
	t.Parallel()
	bodies := []struct{ name, body, snippet string }{
		{"html", "<html><body><h1>502 Bad Gateway</h1>\n<p>nginx</p></body></html>", "<html><body><h1>502 Bad Gateway</h1> <p>nginx</p></body></html>"},
		{"empty", "", ""},
		{"whitespace", " \n ", ""},
		{"foreign json", `{"foo":1}`, `{"foo":1}`},
		{"truncated json", `{"error_type":"NOT_FOUND","messages":[{"id":`, `{"error_type":"NOT_FOUND","messages":[{"id":`},
		{"json string", `"oops"`, `"oops"`},
		{"legacy-like with foreign type", `{"type":"org.example.Failure","value":{"messages":[]}}`, `{"type":"org.example.Failure"`},
	}
	statuses := []struct {
		status int
		typ    hvc.ErrorType // "" for a bare *StdError
	}{
		{401, hvc.ErrorTypeUnauthenticated},
		{403, hvc.ErrorTypeUnauthorized},
		{404, hvc.ErrorTypeNotFound},
		{503, hvc.ErrorTypeServiceUnavailable},
		{400, ""},
		{409, ""},
		{500, ""},
		{502, ""},
		{504, ""},
		{418, ""},
	}
	for _, b := range bodies {
		for _, st := range statuses {
			for _, legacy := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%d/legacy=%v", b.name, st.status, legacy), func(t *testing.T) {
					t.Parallel()
					err := createOn(t, legacy, st.status, b.body)
					var std *hvc.StdError
					require.ErrorAs(t, err, &std)
					assert.Equal(t, st.typ, std.ErrorType)
					assert.Equal(t, st.status, std.StatusCode)
					assert.Equal(t, linksPathFor(legacy), std.Path)
					// A 404 without a std body says the server has no such
					// operation, not that an object is missing.
					unavailable := st.status == http.StatusNotFound
					assert.Equal(t, unavailable, errors.Is(err, hvc.ErrOperationUnavailable))
					for _, k := range errorKinds {
						assert.Equal(t, k.typ == st.typ && !unavailable, k.as(err), "as %s", k.typ)
						assert.Equal(t, k.typ == st.typ && !unavailable, errors.Is(err, k.sentinel), "is %s", k.typ)
					}
					if st.typ == "" {
						_, bare := err.(*hvc.StdError) //nolint:errorlint // the concrete type is what is checked
						assert.True(t, bare, "got %T", err)
						assert.Contains(t, err.Error(), fmt.Sprintf("%d error: ", st.status))
					}
					require.Len(t, std.Messages, 1)
					assert.Contains(t, std.Message(), http.StatusText(st.status))
					if b.snippet != "" {
						assert.Contains(t, err.Error(), b.snippet)
					} else {
						assert.NotContains(t, err.Error(), "body:")
					}
					assert.NotContains(t, err.Error(), "\n")
				})
			}
		}
	}
}

// TestErrorHugeBodyBounded: a 10 KB proxy page yields a short message.
func TestErrorHugeBodyBounded(t *testing.T) {
	t.Parallel()
	page := "<html><head><title>Gateway</title></head><body>" + strings.Repeat("<p>lorem ipsum dolor sit amet</p>\n", 320) + "</body></html>"
	require.Greater(t, len(page), 10_000)
	for _, status := range []int{500, 502, 404, 503} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Parallel()
			err := createOn(t, false, status, page)
			msg := err.Error()
			assert.Less(t, len(msg), 600, "message %q", msg)
			assert.Contains(t, msg, "<html><head><title>Gateway</title>")
			assert.Contains(t, msg, "…", "a cut snippet is marked")
		})
	}
	// A Latin-1 proxy page is not UTF-8: the cut snippet still shows its
	// start, with the odd byte replaced.
	t.Run("latin-1 page", func(t *testing.T) {
		t.Parallel()
		err := createOn(t, false, 502, "<html><p>Passerelle d\xe9faillante</p>"+strings.Repeat("<p>r\xe9essayez</p>", 100)+"</html>")
		msg := err.Error()
		assert.Less(t, len(msg), 600, "message %q", msg)
		assert.Contains(t, msg, "<html><p>Passerelle d\uFFFDfaillante</p>")
	})
	t.Run("cut inside a multi-byte rune", func(t *testing.T) {
		t.Parallel()
		for pad := 250; pad < 256; pad++ {
			err := createOn(t, false, 502, strings.Repeat("a", pad)+strings.Repeat("€", 10))
			msg := err.Error()
			assert.Contains(t, msg, strings.Repeat("a", pad), "pad %d", pad)
			assert.NotContains(t, msg, "\uFFFD", "no broken rune at the cut (pad %d)", pad)
		}
	})
	t.Run("huge std messages are kept", func(t *testing.T) {
		t.Parallel()
		long := strings.Repeat("x", 5000)
		err := createOn(t, false, 400, errorBody(envAPI, hvc.ErrorTypeInvalidArgument,
			`"messages":[{"id":"x","default_message":"`+long+`","args":[]}]`))
		var std *hvc.StdError
		require.ErrorAs(t, err, &std)
		assert.Equal(t, long, std.Message())
	})
}

// TestErrorMessages: several messages, params in both encodings, localized
// text and id fallbacks.
func TestErrorMessages(t *testing.T) {
	t.Parallel()
	dt := time.Date(2020, 5, 1, 10, 0, 0, 0, time.UTC)
	wantParams := map[string]hvc.LocalizationParam{
		"host":  {S: ptr("psc.remote.example")},
		"count": {I: ptr(int64(3))},
		"when":  {DT: &dt, Format: "SHORT_DATE"},
		"ratio": {D: ptr(3.14), Precision: ptr(int64(2))},
		"inner": {L: &hvc.NestedLocalizableMessage{ID: "nested.id",
			Params: map[string]hvc.LocalizationParam{"a": {S: ptr("b")}}}},
	}
	const objParams = `{"host":{"s":"psc.remote.example"},"count":{"i":3},
		"when":{"dt":"2020-05-01T10:00:00.000Z","format":"SHORT_DATE"},
		"ratio":{"d":3.14,"precision":2},
		"inner":{"l":{"id":"nested.id","params":{"a":{"s":"b"}}}}}`
	const listParams = `[{"key":"host","value":{"s":"psc.remote.example"}},{"key":"count","value":{"i":3}},
		{"key":"when","value":{"dt":"2020-05-01T10:00:00.000Z","format":"SHORT_DATE"}},
		{"key":"ratio","value":{"d":3.14,"precision":2}},
		{"key":"inner","value":{"l":{"id":"nested.id","params":[{"key":"a","value":{"s":"b"}}]}}}]`

	cases := []struct {
		name     string
		env      envelope
		messages string
		want     []hvc.LocalizableMessage
		text     string
	}{
		{"params object", envAPI,
			`[{"id":"m1","default_message":"Cannot reach psc.remote.example","args":["psc.remote.example"],"params":` + objParams + `,"localized":"Kann psc.remote.example nicht erreichen"}]`,
			[]hvc.LocalizableMessage{{ID: "m1", DefaultMessage: "Cannot reach psc.remote.example", Args: []string{"psc.remote.example"},
				Params: wantParams, Localized: "Kann psc.remote.example nicht erreichen"}},
			"Cannot reach psc.remote.example"},
		{"params list", envRESTTyped,
			`[{"id":"m1","default_message":"Cannot reach psc.remote.example","args":["psc.remote.example"],"params":` + listParams + `}]`,
			[]hvc.LocalizableMessage{{ID: "m1", DefaultMessage: "Cannot reach psc.remote.example", Args: []string{"psc.remote.example"},
				Params: wantParams}},
			"Cannot reach psc.remote.example"},
		{"params list in rest without error_type", envREST,
			`[{"id":"m1","default_message":"d","args":[],"params":` + listParams + `}]`,
			[]hvc.LocalizableMessage{{ID: "m1", DefaultMessage: "d", Args: []string{}, Params: wantParams}},
			"d"},
		{"malformed params dropped", envAPI,
			`[{"id":"m1","default_message":"kept","args":[],"params":"nonsense"}]`,
			[]hvc.LocalizableMessage{{ID: "m1", DefaultMessage: "kept", Args: []string{}}},
			"kept"},
		{"stack of messages", envAPI,
			`[{"id":"top","default_message":"top cause","args":[]},{"id":"inner","default_message":"inner cause","args":[]}]`,
			[]hvc.LocalizableMessage{{ID: "top", DefaultMessage: "top cause", Args: []string{}},
				{ID: "inner", DefaultMessage: "inner cause", Args: []string{}}},
			"top cause; inner cause"},
		{"localized only", envAPI,
			`[{"id":"m","default_message":"","args":[],"localized":"lokal"}]`,
			[]hvc.LocalizableMessage{{ID: "m", DefaultMessage: "", Args: []string{}, Localized: "lokal"}},
			"lokal"},
		{"id only", envRESTTyped,
			`[{"id":"only.id"}]`,
			[]hvc.LocalizableMessage{{ID: "only.id"}},
			"only.id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := createOn(t, tc.env.legacy(), 400, errorBody(tc.env, hvc.ErrorTypeInvalidArgument, `"messages":`+tc.messages))
			var std *hvc.StdError
			require.ErrorAs(t, err, &std)
			assert.Equal(t, hvc.ErrorTypeInvalidArgument, std.ErrorType)
			assert.Equal(t, tc.want, std.Messages)
			assert.Equal(t, fmt.Sprintf("hvc: POST %s: 400 INVALID_ARGUMENT: %s", linksPathFor(tc.env.legacy()), tc.text), err.Error())
		})
	}
	t.Run("no messages", func(t *testing.T) {
		t.Parallel()
		err := createOn(t, false, 400, `{"error_type":"ALREADY_EXISTS"}`)
		assert.Equal(t, "hvc: POST /hvc/links: 400 ALREADY_EXISTS", err.Error())
		assert.ErrorIs(t, err, hvc.ErrAlreadyExists)
	})
	t.Run("messages without error_type use the status", func(t *testing.T) {
		t.Parallel()
		err := createOn(t, false, 404, `{"messages":[{"id":"x","default_message":"gone","args":[]}]}`)
		assert.ErrorIs(t, err, hvc.ErrNotFound)
		assert.Equal(t, "hvc: POST /hvc/links: 404 NOT_FOUND: gone", err.Error())
	})
	t.Run("control characters and length are neutralised in Error", func(t *testing.T) {
		t.Parallel()
		forged := `line one\nhvc: forged log line\r\u001b[31mred\u0000`
		long := strings.Repeat("é", 2000)
		err := createOn(t, false, 400, `{"error_type":"INVALID_ARGUMENT","messages":[`+
			`{"id":"a","default_message":"`+forged+`","args":[]},{"id":"b","default_message":"`+long+`","args":[]}]}`)
		msg := err.Error()
		assert.NotContains(t, msg, "\n")
		assert.NotContains(t, msg, "\r")
		assert.NotContains(t, msg, "\x1b")
		assert.NotContains(t, msg, "\x00")
		assert.Contains(t, msg, "line one hvc: forged log line  [31mred ; ")
		assert.Less(t, len(msg), 1200, "each message is cut at 1 KiB")
		assert.True(t, strings.HasSuffix(msg, "…"), msg[len(msg)-10:])
		assert.True(t, utf8.ValidString(msg))
		var std *hvc.StdError
		require.ErrorAs(t, err, &std)
		assert.Equal(t, "line one\nhvc: forged log line\r\x1b[31mred\x00", std.Messages[0].DefaultMessage, "Messages keep the server's text")
		assert.Equal(t, long, std.Messages[1].DefaultMessage)
	})
	t.Run("Error quotes at most 8 messages", func(t *testing.T) {
		t.Parallel()
		ms := strings.TrimSuffix(strings.Repeat(`{"id":"m","default_message":"d","args":[]},`, 20), ",")
		err := createOn(t, false, 400, `{"error_type":"INVALID_ARGUMENT","messages":[`+ms+`]}`)
		assert.Equal(t, "hvc: POST /hvc/links: 400 INVALID_ARGUMENT: d; d; d; d; d; d; d; d; (+12 more)", err.Error())
		var std *hvc.StdError
		require.ErrorAs(t, err, &std)
		assert.Len(t, std.Messages, 20)
	})
	t.Run("unparsable messages", func(t *testing.T) {
		t.Parallel()
		err := createOn(t, false, 400, `{"error_type":"INVALID_ARGUMENT","messages":[1,2]}`)
		assert.ErrorIs(t, err, hvc.ErrInvalidArgument)
		assert.Contains(t, err.Error(), "unparsable messages")
	})
}

// TestErrorScrubsSecrets: a server echoing the password or the session id
// in an error does not leak it through the error.
func TestErrorScrubsSecrets(t *testing.T) {
	t.Parallel()
	spec := fullSpec()
	for _, env := range allEnvelopes {
		t.Run(env.String(), func(t *testing.T) {
			t.Parallel()
			body := errorBody(env, hvc.ErrorTypeInvalidArgument,
				`"messages":[{"id":"x","default_message":"bad password `+spec.Password+` for session `+mockSession+`",
				"args":["`+spec.Password+`"],"localized":"`+spec.Password+`"}]`)
			err := createOn(t, env.legacy(), 400, body)
			assert.NotContains(t, err.Error(), spec.Password)
			assert.NotContains(t, err.Error(), mockSession)
			var std *hvc.StdError
			require.ErrorAs(t, err, &std)
			assert.NotContains(t, fmt.Sprintf("%+v", std.Messages), spec.Password)
		})
	}
	t.Run("non-std body", func(t *testing.T) {
		t.Parallel()
		err := createOn(t, false, 500, "<html>echo: "+spec.Password+"</html>")
		assert.NotContains(t, err.Error(), spec.Password)
	})
	// A password straddling the snippet cut must not leak its first part.
	for _, pad := range []int{250, 251, 252, 253} {
		t.Run(fmt.Sprintf("non-std body, password at byte %d", pad), func(t *testing.T) {
			t.Parallel()
			err := createOn(t, false, 502, strings.Repeat("x", pad)+spec.Password+strings.Repeat("y", 300))
			assert.NotContains(t, err.Error(), spec.Password[:256-pad])
		})
	}
	// A password with JSON-special characters reaches a raw body escaped:
	// the escaped spellings are scrubbed too, as are data and params.
	special := hvc.LinkCreateSpec{PSCHostname: "psc.remote.example", DomainName: "remote.local",
		Username: "administrator@remote.local", Password: `p<a>&"s\w`}
	escapedForms := []string{`p\u003ca\u003e\u0026\"s\\w`, `p<a>&\"s\\w`}
	for _, form := range escapedForms {
		t.Run("escaped echo "+form, func(t *testing.T) {
			t.Parallel()
			cases := []struct {
				status int
				body   string
			}{
				{502, `{"proxy_echo":"` + form + `"}`},
				{400, `{"error_type":"INVALID_ARGUMENT","messages":[{"id":"x","default_message":"m","args":[],` +
					`"params":{"p":{"s":"` + form + `"},"n":{"l":{"id":"y","params":{"q":{"s":"` + form + `"}}}}}}],` +
					`"data":{"spec":{"password":"` + form + `"}}}`},
			}
			for _, tc := range cases {
				m := newMockVC(t, jsonReply(tc.status, tc.body))
				c := m.Client(t, hvc.FlavorAPI, hvc.WithSessionID(mockSession))
				_, err := c.Links.Create(context.Background(), special)
				require.Error(t, err)
				var std *hvc.StdError
				require.ErrorAs(t, err, &std)
				all := err.Error() + string(std.Data) + fmt.Sprintf("%+v %#v", std.Messages, std.Messages)
				assert.NotContains(t, all, form, "status %d", tc.status)
				assert.NotContains(t, all, special.Password, "status %d", tc.status)
			}
		})
	}
	t.Run("decode error snippet", func(t *testing.T) {
		t.Parallel()
		m := newMockVC(t, jsonReply(200, `{"not_value":"`+mockSession+`"}`))
		c := m.Client(t, hvc.FlavorREST, hvc.WithSessionID(mockSession))
		_, err := c.Links.List(context.Background())
		var de *hvc.DecodeError
		require.ErrorAs(t, err, &de)
		assert.NotContains(t, err.Error(), mockSession)
	})
	t.Run("decode error snippet, session id at the cut", func(t *testing.T) {
		t.Parallel()
		// The short id stands as a token (a space each side), so it is an echo to mask.
		m := newMockVC(t, jsonReply(200, `{"x":"`+strings.Repeat("x", 246)+" "+mockSession+" "+strings.Repeat("y", 300)+`"}`))
		c := m.Client(t, hvc.FlavorREST, hvc.WithSessionID(mockSession))
		_, err := c.Links.List(context.Background())
		var de *hvc.DecodeError
		require.ErrorAs(t, err, &de)
		assert.NotContains(t, err.Error(), mockSession[:3])
	})
}

// TestErrorDeadline: a transport-level timeout is a *TransportError that
// errors.Is context.DeadlineExceeded, for the caller's deadline and for
// WithTimeout, and a POST's outcome is reported unknown.
func TestErrorDeadline(t *testing.T) {
	t.Parallel()
	block := func(req *http.Request) (*http.Response, error) {
		<-req.Context().Done()
		return nil, req.Context().Err()
	}
	cases := []struct {
		name          string
		opts          []hvc.Option
		ctxTimeout    time.Duration
		call          func(ctx context.Context, c *hvc.Client) error
		method, path  string
		outcomeUnkown bool
	}{
		{"ctx deadline/GET", nil, 50 * time.Millisecond,
			func(ctx context.Context, c *hvc.Client) error { _, err := c.Links.List(ctx); return err },
			"GET", "/hvc/links", false},
		{"ctx deadline/POST", nil, 50 * time.Millisecond,
			func(ctx context.Context, c *hvc.Client) error { _, err := c.Links.Create(ctx, fullSpec()); return err },
			"POST", "/hvc/links", true},
		{"WithTimeout/GET", []hvc.Option{hvc.WithTimeout(50 * time.Millisecond)}, 0,
			func(ctx context.Context, c *hvc.Client) error { _, err := c.Links.Get(ctx, "l"); return err },
			"GET", "/hvc/links/l", false},
		{"WithTimeout/POST", []hvc.Option{hvc.WithTimeout(50 * time.Millisecond)}, 0,
			func(ctx context.Context, c *hvc.Client) error { return c.SyncProviders.Start(ctx, "l", "p", nil) },
			"POST", "/hvc/links/l/sync/providers/p?action=start", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := newMockVC(t, block)
			c := m.Client(t, hvc.FlavorAPI, append([]hvc.Option{hvc.WithSessionID(mockSession)}, tc.opts...)...)
			ctx := context.Background()
			if tc.ctxTimeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.ctxTimeout)
				defer cancel()
			}
			start := time.Now()
			err := tc.call(ctx, c)
			assert.Less(t, time.Since(start), 5*time.Second)
			require.Error(t, err)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			var te *hvc.TransportError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, tc.method, te.Method)
			assert.Equal(t, tc.path, te.Path)
			assert.Equal(t, tc.outcomeUnkown, te.OutcomeUnknown)
			assert.Equal(t, tc.outcomeUnkown, errors.Is(err, hvc.ErrOutcomeUnknown))
			var std *hvc.StdError
			assert.False(t, errors.As(err, &std), "a timeout is not a server error")
			assert.NotContains(t, err.Error(), mockEndpoint, "no URL repetition")
		})
	}
	t.Run("canceled", func(t *testing.T) {
		t.Parallel()
		m := newMockVC(t, block)
		c := m.Client(t, hvc.FlavorREST, hvc.WithSessionID(mockSession))
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(20*time.Millisecond, cancel)
		_, err := c.Links.List(ctx)
		assert.ErrorIs(t, err, context.Canceled)
		assert.False(t, errors.Is(err, context.DeadlineExceeded))
	})
}
