package hvc_test

import (
	"bytes"
	"context"
	"crypto/sha1" //nolint:gosec // SHA-1 thumbprints are a supported pin form
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc"
)

// fvcColonUpper formats a digest as AA:BB:…
func fvcColonUpper(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = strings.ToUpper(hex.EncodeToString([]byte{c}))
	}
	return strings.Join(parts, ":")
}

func fvcSHA256(f *fvc) []byte {
	s := sha256.Sum256(f.Certificate().Raw)
	return s[:]
}

func fvcSHA1(f *fvc) []byte {
	s := sha1.Sum(f.Certificate().Raw) //nolint:gosec // see import
	return s[:]
}

// TestTLSDefaultVerificationFails: the self-signed test certificate is not
// trusted by default; the handshake fails and no request is handled.
func TestTLSDefaultVerificationFails(t *testing.T) {
	t.Parallel()
	f := newFVC(t, fvcConfig{})
	c := fvcNew(t, f.URL, hvc.WithCredentials(fvcUser, fvcPass))

	_, err := c.Links.List(context.Background())
	require.Error(t, err)
	var te *hvc.TransportError
	require.ErrorAs(t, err, &te)
	var cve *tls.CertificateVerificationError
	assert.ErrorAs(t, err, &cve, "the x509 failure stays reachable: %v", err)
	assert.Zero(t, f.Total(), "no request may reach the server")
	assert.Empty(t, c.SessionID())
}

// TestTLSTrusted: each documented way to trust the server works.
func TestTLSTrusted(t *testing.T) {
	t.Parallel()
	f := newFVC(t, fvcConfig{})
	s256, s1 := fvcSHA256(f), fvcSHA1(f)
	tests := []struct {
		name string
		opt  hvc.Option
	}{
		{"root CAs", hvc.WithRootCAs(f.pool())},
		{"sha256 colon upper", hvc.WithThumbprint(fvcColonUpper(s256))},
		{"sha256 plain lower", hvc.WithThumbprint(hex.EncodeToString(s256))},
		{"sha256 colon lower", hvc.WithThumbprint(strings.ToLower(fvcColonUpper(s256)))},
		{"sha256 plain upper, padded", hvc.WithThumbprint("  " + strings.ToUpper(hex.EncodeToString(s256)) + "\n")},
		{"sha1 colon upper", hvc.WithThumbprint(fvcColonUpper(s1))},
		{"sha1 plain lower", hvc.WithThumbprint(hex.EncodeToString(s1))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := fvcNew(t, f.URL, hvc.WithCredentials(fvcUser, fvcPass), tt.opt)
			links, err := c.Links.List(context.Background())
			require.NoError(t, err)
			assert.Len(t, links, 1)
		})
	}
}

// TestTLSThumbprintMismatch: a wrong pin fails the handshake with a
// *CertificateMismatchError naming expected and actual thumbprints in the
// pin's hash, and nothing is sent.
func TestTLSThumbprintMismatch(t *testing.T) {
	t.Parallel()
	f := newFVC(t, fvcConfig{})
	wrong256 := sha256.Sum256([]byte("some other certificate"))
	wrong1 := sha1.Sum([]byte("some other certificate")) //nolint:gosec // see import
	tests := []struct {
		name           string
		pin            string
		expect, actual string
	}{
		{"sha256", hex.EncodeToString(wrong256[:]), fvcColonUpper(wrong256[:]), fvcColonUpper(fvcSHA256(f))},
		{"sha1", fvcColonUpper(wrong1[:]), fvcColonUpper(wrong1[:]), fvcColonUpper(fvcSHA1(f))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := fvcNew(t, f.URL, hvc.WithCredentials(fvcUser, fvcPass), hvc.WithThumbprint(tt.pin))
			_, err := c.Links.List(context.Background())
			var cm *hvc.CertificateMismatchError
			require.ErrorAs(t, err, &cm)
			assert.Equal(t, tt.expect, cm.Expected)
			assert.Equal(t, tt.actual, cm.Actual)
			assert.Contains(t, err.Error(), tt.actual)
			assert.Equal(t, 1, strings.Count(err.Error(), "hvc: "), "one hvc: prefix: %v", err)
			var te *hvc.TransportError
			assert.ErrorAs(t, err, &te)
			assert.Zero(t, f.Total())
		})
	}
}

// TestTLSInvalidThumbprint: New rejects a malformed pin.
func TestTLSInvalidThumbprint(t *testing.T) {
	t.Parallel()
	good := strings.Repeat("ab", 32)
	for _, tp := range []string{
		"",
		"   ",
		"zz",
		good[:62],                           // 31 bytes
		good + "ab",                         // 33 bytes
		strings.Repeat("ab", 16),            // 16 bytes (MD5 size)
		strings.Repeat("g0", 32),            // not hex
		fvcColonUpper(make([]byte, 32))[1:], // misaligned colons
		strings.ReplaceAll(fvcColonUpper(make([]byte, 32)), ":", "-"),
		strings.Replace(fvcColonUpper(make([]byte, 20)), ":", "", 3), // colons in some places only
	} {
		c, err := hvc.New("https://vc.example", hvc.WithThumbprint(tp))
		assert.Error(t, err, "%q", tp)
		assert.Nil(t, c)
	}
}

// TestTLSInsecureWarnsOnce: WithInsecureSkipVerify connects to anything and
// logs one warning, not one per call; the log never holds secrets.
func TestTLSInsecureWarnsOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFVC(t, fvcConfig{})
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := fvcNew(t, f.URL, hvc.WithCredentials(fvcUser, fvcPass), hvc.WithInsecureSkipVerify(), hvc.WithLogger(logger))
	for range 3 {
		_, err := c.Links.List(ctx)
		require.NoError(t, err)
	}
	require.NoError(t, c.Logout(ctx))
	_, err := c.Links.List(ctx)
	require.NoError(t, err)

	out := buf.String()
	assert.Equal(t, 1, strings.Count(out, "level=WARN"), "log:\n%s", out)
	assert.Contains(t, out, "InsecureSkipVerify")
	assert.Contains(t, out, "level=DEBUG", "debug records are on")
	assert.NotContains(t, out, fvcPass)
	for _, tok := range f.Deleted() {
		assert.NotContains(t, out, tok)
	}
	assert.NotContains(t, out, c.SessionID())
}

// fvcCountingRT is a RoundTripper that is not an *http.Transport.
type fvcCountingRT struct {
	next http.RoundTripper
	n    atomic.Int64
}

func (r *fvcCountingRT) RoundTrip(req *http.Request) (*http.Response, error) {
	r.n.Add(1)
	return r.next.RoundTrip(req)
}

// TestTLSWithHTTPClient: how TLS options combine with a caller's
// *http.Client, as documented on WithHTTPClient and newHTTPClient.
func TestTLSWithHTTPClient(t *testing.T) {
	t.Parallel()
	f := newFVC(t, fvcConfig{})
	pin := fvcColonUpper(fvcSHA256(f))
	ctx := context.Background()

	list := func(t *testing.T, c *hvc.Client) error {
		t.Helper()
		_, err := c.Links.List(ctx)
		return err
	}
	creds := hvc.WithCredentials(fvcUser, fvcPass)

	t.Run("client without TLS options is used as is", func(t *testing.T) {
		t.Parallel()
		hc := f.Client() // its transport trusts the test certificate
		require.NoError(t, list(t, fvcNew(t, f.URL, creds, hvc.WithHTTPClient(hc))))
	})

	t.Run("custom round tripper without TLS options is used as is", func(t *testing.T) {
		t.Parallel()
		rt := &fvcCountingRT{next: f.Client().Transport}
		c := fvcNew(t, f.URL, creds, hvc.WithHTTPClient(&http.Client{Transport: rt}))
		require.NoError(t, list(t, c))
		assert.EqualValues(t, 2, rt.n.Load(), "login and list went through the caller's transport")
	})

	t.Run("custom round tripper with a TLS option is rejected", func(t *testing.T) {
		t.Parallel()
		rt := &fvcCountingRT{next: http.DefaultTransport}
		for _, opt := range []hvc.Option{hvc.WithThumbprint(pin), hvc.WithRootCAs(f.pool()), hvc.WithInsecureSkipVerify()} {
			c, err := hvc.New(f.URL, creds, hvc.WithHTTPClient(&http.Client{Transport: rt}), opt)
			assert.Error(t, err)
			assert.Nil(t, c)
		}
	})

	t.Run("nil transport gets default verification", func(t *testing.T) {
		t.Parallel()
		c := fvcNew(t, f.URL, creds, hvc.WithHTTPClient(&http.Client{}))
		var cve *tls.CertificateVerificationError
		require.ErrorAs(t, list(t, c), &cve)
	})

	t.Run("nil transport with a pin", func(t *testing.T) {
		t.Parallel()
		c := fvcNew(t, f.URL, creds, hvc.WithHTTPClient(&http.Client{}), hvc.WithThumbprint(pin))
		require.NoError(t, list(t, c))
	})

	t.Run("pin applies on a copy of the caller's transport", func(t *testing.T) {
		t.Parallel()
		tr := &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12, ServerName: "example.com"}}
		t.Cleanup(tr.CloseIdleConnections)
		hc := &http.Client{Transport: tr}
		c := fvcNew(t, f.URL, creds, hvc.WithHTTPClient(hc), hvc.WithThumbprint(pin))
		require.NoError(t, list(t, c))
		assert.Same(t, tr, hc.Transport, "the caller's client is not modified")
		assert.False(t, tr.TLSClientConfig.InsecureSkipVerify, "the caller's TLS config is not modified")
		assert.Nil(t, tr.TLSClientConfig.VerifyConnection)
	})

	t.Run("pin wins over the caller's InsecureSkipVerify", func(t *testing.T) {
		t.Parallel()
		tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} //nolint:gosec // test
		t.Cleanup(tr.CloseIdleConnections)
		wrong := strings.Repeat("00", 32)
		c := fvcNew(t, f.URL, creds, hvc.WithHTTPClient(&http.Client{Transport: tr}), hvc.WithThumbprint(wrong))
		var cm *hvc.CertificateMismatchError
		require.ErrorAs(t, list(t, c), &cm)
	})

	t.Run("root CAs on the caller's transport", func(t *testing.T) {
		t.Parallel()
		tr := &http.Transport{}
		t.Cleanup(tr.CloseIdleConnections)
		c := fvcNew(t, f.URL, creds, hvc.WithHTTPClient(&http.Client{Transport: tr}), hvc.WithRootCAs(f.pool()))
		require.NoError(t, list(t, c))
		// http.Transport.Clone may give the original its HTTP/2 defaults,
		// but the pool must only be on the client's copy.
		if tr.TLSClientConfig != nil {
			assert.Nil(t, tr.TLSClientConfig.RootCAs, "the caller's transport is not modified")
		}
	})

	t.Run("root CAs verify even over the caller's insecure transport", func(t *testing.T) {
		t.Parallel()
		// WithRootCAs promises verification against the pool; a caller's
		// InsecureSkipVerify must not silently turn it off.
		insecure := func(t *testing.T) *http.Client {
			tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} //nolint:gosec // test
			t.Cleanup(tr.CloseIdleConnections)
			return &http.Client{Transport: tr}
		}
		c := fvcNew(t, f.URL, creds, hvc.WithHTTPClient(insecure(t)), hvc.WithRootCAs(x509.NewCertPool()))
		var cve *tls.CertificateVerificationError
		require.ErrorAs(t, list(t, c), &cve)

		c = fvcNew(t, f.URL, creds, hvc.WithHTTPClient(insecure(t)), hvc.WithRootCAs(f.pool()))
		require.NoError(t, list(t, c))
	})

	t.Run("insecure and pin exclude each other", func(t *testing.T) {
		t.Parallel()
		c, err := hvc.New(f.URL, creds, hvc.WithInsecureSkipVerify(), hvc.WithThumbprint(pin))
		assert.Error(t, err)
		assert.Nil(t, c)
	})

	t.Run("root CAs and pin exclude each other", func(t *testing.T) {
		t.Parallel()
		// The pin replaces chain verification: a pool beside it would be
		// silently ignored, so New refuses the pair.
		c, err := hvc.New(f.URL, creds, hvc.WithRootCAs(f.pool()), hvc.WithThumbprint(pin))
		require.Error(t, err)
		assert.Nil(t, c)
		assert.Contains(t, err.Error(), "WithRootCAs and WithThumbprint exclude each other")
	})
}

// TestTLSOptionsNeverDroppedWithCustomDialer: net/http ignores
// TLSClientConfig when the transport sets DialTLSContext or DialTLS, so a
// pin or a pool given beside such a transport would be dropped and the
// credentials handed to an impostor. New refuses the combination. Before
// the fix New accepted it and the impostor received the Basic credentials.
func TestTLSOptionsNeverDroppedWithCustomDialer(t *testing.T) {
	t.Parallel()
	real := newFVC(t, fvcConfig{})
	var gotCreds atomic.Int64
	impostor := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, _, ok := r.BasicAuth(); ok {
			gotCreds.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `"stolen"`)
	}))
	impostor.Config.ErrorLog = log.New(io.Discard, "", 0)
	impostor.StartTLS()
	t.Cleanup(impostor.Close)

	// A caller's dialer that does its own (here: no) verification.
	dialTLS := func(ctx context.Context, network, addr string) (net.Conn, error) {
		d := tls.Dialer{Config: &tls.Config{InsecureSkipVerify: true}} //nolint:gosec // the impostor's way in
		return d.DialContext(ctx, network, addr)
	}
	transports := map[string]func() *http.Transport{
		"DialTLSContext": func() *http.Transport { return &http.Transport{DialTLSContext: dialTLS} },
		"DialTLS": func() *http.Transport {
			return &http.Transport{DialTLS: func(network, addr string) (net.Conn, error) { //nolint:staticcheck // the deprecated hook is still honoured
				return dialTLS(context.Background(), network, addr)
			}}
		},
	}
	options := map[string]hvc.Option{
		"WithThumbprint":         hvc.WithThumbprint(fvcColonUpper(fvcSHA256(real))),
		"WithRootCAs":            hvc.WithRootCAs(real.pool()),
		"WithInsecureSkipVerify": hvc.WithInsecureSkipVerify(),
	}
	for tname, tr := range transports {
		for oname, opt := range options {
			t.Run(tname+"/"+oname, func(t *testing.T) {
				t.Parallel()
				c, err := hvc.New(impostor.URL, hvc.WithHTTPClient(&http.Client{Transport: tr()}), opt,
					hvc.WithCredentials(fvcUser, fvcPass), hvc.WithFlavor(hvc.FlavorAPI))
				if err == nil {
					t.Cleanup(c.CloseIdleConnections)
					_ = c.Login(context.Background())
				}
				require.Error(t, err, "New must refuse a TLS option the transport ignores")
				assert.Contains(t, err.Error(), oname)
				assert.Contains(t, err.Error(), "DialTLS")
			})
		}
	}
	t.Cleanup(func() { assert.Zero(t, gotCreds.Load(), "the impostor received the credentials") })
}

// TestWarnings: credentials over plain http:// and WithInsecureSkipVerify
// each log one WARN through the configured logger at New. Before the fix
// the http:// case logged nothing.
func TestWarnings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		endpoint string
		opts     []hvc.Option
		want     string
	}{
		{"credentials over http", "http://vc.example", []hvc.Option{hvc.WithCredentials("u", "p")}, "plain http://"},
		{"session id over http", "http://vc.example", []hvc.Option{hvc.WithSessionID("sid")}, "plain http://"},
		{"insecure", "https://vc.example", []hvc.Option{hvc.WithInsecureSkipVerify()}, "WithInsecureSkipVerify"},
		{"https with credentials", "https://vc.example", []hvc.Option{hvc.WithCredentials("u", "p")}, ""},
		{"http without credentials", "http://vc.example", nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&buf, nil))
			fvcNew(t, tc.endpoint, append(tc.opts, hvc.WithLogger(logger))...)
			out := buf.String()
			if tc.want == "" {
				assert.Empty(t, out)
				return
			}
			assert.Equal(t, 1, strings.Count(out, "level=WARN"), out)
			assert.Contains(t, out, tc.want)
			assert.NotContains(t, out, "sid")
		})
	}
}
