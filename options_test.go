package hvc_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc"
)

// fvcForeignRT is a RoundTripper that is not an *http.Transport.
type fvcForeignRT struct{}

func (fvcForeignRT) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, fmt.Errorf("fvcForeignRT: not for sending")
}

// TestOptionsRejected: every invalid endpoint or option makes New fail with
// an error; none panics and none yields a client.
func TestOptionsRejected(t *testing.T) {
	t.Parallel()
	const ok = "https://vc.example"
	tests := []struct {
		name     string
		endpoint string
		opts     []hvc.Option
	}{
		{"empty endpoint", "", nil},
		{"no scheme", "vc.example", nil},
		{"host:port without scheme", "vc.example:443", nil},
		{"ftp scheme", "ftp://vc.example", nil},
		{"wss scheme", "wss://vc.example", nil},
		{"missing host", "https://", nil},
		{"missing host with slash", "https:///", nil},
		{"port only", "https://:443", nil},
		{"path /api", "https://vc.example/api", nil},
		{"path /rest/", "https://vc.example/rest/", nil},
		{"path //", "https://vc.example//", nil},
		{"query", "https://vc.example/?x=1", nil},
		{"fragment", "https://vc.example/#frag", nil},
		{"user info", "https://root:secret@vc.example", nil},
		{"bad escape", "https://vc.example/%zz", nil},
		{"control character", "https://vc.example\n", nil},
		{"nil option", ok, []hvc.Option{nil}},
		{"credentials: empty user", ok, []hvc.Option{hvc.WithCredentials("", "pw")}},
		{"credentials: empty password", ok, []hvc.Option{hvc.WithCredentials("user", "")}},
		{"session id: empty", ok, []hvc.Option{hvc.WithSessionID("")}},
		{"session id: header injection", ok, []hvc.Option{hvc.WithSessionID("abc\r\nX-Evil: 1")}},
		{"session id: too long", ok, []hvc.Option{hvc.WithSessionID(strings.Repeat("a", hvc.MaxSessionIDLen+1))}},
		{"session id: space", ok, []hvc.Option{hvc.WithSessionID("abc def")}},
		{"session source: nil", ok, []hvc.Option{hvc.WithSessionSource(nil)}},
		{"credentials then session source", ok, []hvc.Option{hvc.WithCredentials("u", "p"), hvc.WithSessionSource(func(context.Context) (string, error) { return "s", nil })}},
		{"session source then credentials", ok, []hvc.Option{hvc.WithSessionSource(func(context.Context) (string, error) { return "s", nil }), hvc.WithCredentials("u", "p")}},
		{"flavor: too large", ok, []hvc.Option{hvc.WithFlavor(hvc.FlavorREST + 1)}},
		{"flavor: negative", ok, []hvc.Option{hvc.WithFlavor(-1)}},
		{"http client: nil", ok, []hvc.Option{hvc.WithHTTPClient(nil)}},
		{"root CAs: nil", ok, []hvc.Option{hvc.WithRootCAs(nil)}},
		{"thumbprint: garbage", ok, []hvc.Option{hvc.WithThumbprint("not a thumbprint")}},
		{"timeout: negative", ok, []hvc.Option{hvc.WithTimeout(-time.Second)}},
		{"user agent: empty", ok, []hvc.Option{hvc.WithUserAgent("")}},
		{"user agent: newline", ok, []hvc.Option{hvc.WithUserAgent("x\ny")}},
		{"logger: nil", ok, []hvc.Option{hvc.WithLogger(nil)}},
		{"max response bytes: zero", ok, []hvc.Option{hvc.WithMaxResponseBytes(0)}},
		{"max response bytes: negative", ok, []hvc.Option{hvc.WithMaxResponseBytes(-1)}},
		{"retry: zero attempts", ok, []hvc.Option{hvc.WithRetry(hvc.RetryPolicy{MinBackoff: time.Millisecond, MaxBackoff: time.Second})}},
		{"retry: zero backoff", ok, []hvc.Option{hvc.WithRetry(hvc.RetryPolicy{MaxAttempts: 3, MaxBackoff: time.Second})}},
		{"retry: min backoff above max", ok, []hvc.Option{hvc.WithRetry(hvc.RetryPolicy{MaxAttempts: 3, MinBackoff: 2 * time.Second, MaxBackoff: time.Second})}},
		{"insecure with thumbprint", ok, []hvc.Option{hvc.WithInsecureSkipVerify(), hvc.WithThumbprint(strings.Repeat("ab", 32))}},
		{"thumbprint with insecure", ok, []hvc.Option{hvc.WithThumbprint(strings.Repeat("ab", 20)), hvc.WithInsecureSkipVerify()}},
		{"thumbprint with root CAs", ok, []hvc.Option{hvc.WithThumbprint(strings.Repeat("ab", 32)), hvc.WithRootCAs(x509.NewCertPool())}},
		{"root CAs with insecure", ok, []hvc.Option{hvc.WithRootCAs(x509.NewCertPool()), hvc.WithInsecureSkipVerify()}},
		{"TLS option with a DialTLSContext transport", ok, []hvc.Option{hvc.WithHTTPClient(&http.Client{Transport: &http.Transport{
			DialTLSContext: func(context.Context, string, string) (net.Conn, error) { return nil, fmt.Errorf("unused") }}}), hvc.WithRootCAs(x509.NewCertPool())}},
		{"TLS option with a foreign transport", ok, []hvc.Option{hvc.WithHTTPClient(&http.Client{Transport: fvcForeignRT{}}), hvc.WithRootCAs(x509.NewCertPool())}},
		{"one bad among good", ok, []hvc.Option{hvc.WithCredentials("u", "p"), hvc.WithTimeout(time.Second), hvc.WithTimeout(-1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var c *hvc.Client
			var err error
			require.NotPanics(t, func() { c, err = hvc.New(tt.endpoint, tt.opts...) })
			require.Error(t, err)
			assert.Nil(t, c)
			assert.True(t, strings.HasPrefix(err.Error(), "hvc: "), "error %q", err)
		})
	}
}

// TestOptionsAccepted: valid endpoints and option combinations make a
// client without sending anything.
func TestOptionsAccepted(t *testing.T) {
	t.Parallel()
	pool := x509.NewCertPool()
	logger := slog.New(slog.DiscardHandler)
	tests := []struct {
		name     string
		endpoint string
		opts     []hvc.Option
	}{
		{"bare https", "https://vc.example", nil},
		{"trailing slash", "https://vc.example/", nil},
		{"port", "https://vc.example:8443", nil},
		{"http for tests", "http://127.0.0.1:8080", nil},
		{"IPv6", "https://[::1]:443", nil},
		{"upper-case scheme", "HTTPS://vc.example", nil},
		{"everything", "https://vc.example", []hvc.Option{
			hvc.WithCredentials("administrator@vsphere.local", "pw"),
			hvc.WithSessionID("existing"),
			hvc.WithFlavor(hvc.FlavorREST),
			hvc.WithRootCAs(pool),
			hvc.WithTimeout(5 * time.Second),
			hvc.WithUserAgent("my-tool/1.0"),
			hvc.WithLogger(logger),
			hvc.WithMaxResponseBytes(1),
			hvc.WithRetry(hvc.RetryPolicy{MaxAttempts: 1, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}),
		}},
		{"flavors", "https://vc.example", []hvc.Option{hvc.WithFlavor(hvc.FlavorAuto), hvc.WithFlavor(hvc.FlavorAPI)}},
		{"pin sha1", "https://vc.example", []hvc.Option{hvc.WithThumbprint(strings.Repeat("AB:", 19) + "AB")}},
		{"insecure", "https://vc.example", []hvc.Option{hvc.WithInsecureSkipVerify()}},
		{"http client", "https://vc.example", []hvc.Option{hvc.WithHTTPClient(&http.Client{Timeout: time.Second})}},
		{"foreign transport without TLS options", "https://vc.example", []hvc.Option{hvc.WithHTTPClient(&http.Client{Transport: fvcForeignRT{}})}},
		{"http client with pin", "https://vc.example", []hvc.Option{hvc.WithHTTPClient(&http.Client{Transport: &http.Transport{}}), hvc.WithThumbprint(strings.Repeat("ab", 32))}},
		{"later option wins", "https://vc.example", []hvc.Option{hvc.WithTimeout(time.Second), hvc.WithTimeout(time.Minute)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := hvc.New(tt.endpoint, tt.opts...)
			require.NoError(t, err)
			require.NotNil(t, c)
			t.Cleanup(c.CloseIdleConnections)
			assert.NotNil(t, c.Links)
			assert.NotNil(t, c.Sync)
			assert.NotNil(t, c.SyncProviders)
			assert.NotNil(t, c.Administrators)
		})
	}
}

// TestOptionsNoSecretsInFormatting: %v, %+v, %#v, %s and slog never show
// the password or the session id, before or after login.
func TestOptionsNoSecretsInFormatting(t *testing.T) {
	t.Parallel()
	const given = "given-session-8d3f21"
	f := newFVC(t, fvcConfig{})

	check := func(t *testing.T, c *hvc.Client, secrets ...string) {
		t.Helper()
		var buf bytes.Buffer
		slog.New(slog.NewTextHandler(&buf, nil)).Info("client", "c", c)
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("client", slog.Any("c", c))
		outs := map[string]string{
			"%v":    fmt.Sprintf("%v", c),
			"%+v":   fmt.Sprintf("%+v", c),
			"%#v":   fmt.Sprintf("%#v", c),
			"%s":    fmt.Sprintf("%s", c), //nolint:staticcheck // S1025: the %s verb is under test
			"slog":  buf.String(),
			"error": fmt.Errorf("wrapped: %v", c).Error(),
		}
		for verb, out := range outs {
			assert.Contains(t, out, f.URL, "%s should name the endpoint", verb)
			for _, s := range secrets {
				require.NotEmpty(t, s)
				assert.NotContains(t, out, s, "%s leaks a secret: %s", verb, out)
			}
		}
	}

	t.Run("given session", func(t *testing.T) {
		t.Parallel()
		c := f.client(t, hvc.WithSessionID(given))
		check(t, c, fvcPass, given)
	})
	t.Run("after login", func(t *testing.T) {
		t.Parallel()
		c := f.client(t)
		require.NoError(t, c.Login(context.Background()))
		check(t, c, fvcPass, c.SessionID())
	})
}

// TestOptionsOnTheWire: WithUserAgent and WithMaxResponseBytes take effect
// on real requests.
func TestOptionsOnTheWire(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	for _, tc := range []struct {
		name string
		opts []hvc.Option
		want string
	}{
		{"user agent", []hvc.Option{hvc.WithUserAgent("fvc-tool/2.1")}, "fvc-tool/2.1"},
		{"default user agent", nil, hvc.DefaultUserAgent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			agents := make(chan string, 1)
			f := newFVC(t, fvcConfig{hook: func(_ http.ResponseWriter, r *http.Request) bool {
				select {
				case agents <- r.UserAgent():
				default:
				}
				return false
			}})
			c := f.client(t, tc.opts...)
			_, err := c.Links.List(ctx)
			require.NoError(t, err)
			assert.Equal(t, tc.want, <-agents)
		})
	}

	t.Run("max response bytes", func(t *testing.T) {
		t.Parallel()
		f := newFVC(t, fvcConfig{})
		// The login reply (a ~22-byte JSON string) fits; the links list does not.
		c := f.client(t, hvc.WithMaxResponseBytes(30))
		_, err := c.Links.List(ctx)
		var de *hvc.DecodeError
		require.ErrorAs(t, err, &de)
		assert.Equal(t, http.StatusOK, de.StatusCode)
		assert.EqualValues(t, 1, f.logins())
	})
}
