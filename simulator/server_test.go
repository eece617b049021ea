package simulator_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc/internal/stderr"
	"github.com/hvcsdk/hvc/simulator"
)

// TestBadRoutes checks that an unknown path or a wrong method answers a real
// server's route-level 404 NOT_FOUND in the flavor's envelope and changes
// nothing.
func TestBadRoutes(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, method, path string }{
		{"unknown collection", http.MethodGet, "/hvc/nope"},
		{"not hvc", http.MethodGet, "/vcenter/vm"},
		{"prefix alone", http.MethodGet, ""},
		{"prefix with slash", http.MethodGet, "/"},
		{"trailing slash", http.MethodGet, "/hvc/links/"},
		{"empty segment", http.MethodGet, "/hvc/links//sync/providers"},
		{"too deep", http.MethodGet, "/hvc/links/link-1/sync/providers/identity/extra"},
		{"sync without action", http.MethodPost, "/hvc/links/link-1/sync"},
		{"sync get", http.MethodGet, "/hvc/links/link-1/sync"},
		{"links patch", http.MethodPatch, "/hvc/links"},
		{"links put", http.MethodPut, "/hvc/links/link-1"},
		{"links delete collection", http.MethodDelete, "/hvc/links"},
		{"link post without action", http.MethodPost, "/hvc/links/link-1"},
		{"link unknown action", http.MethodPost, "/hvc/links/link-1?action=explode"},
		{"start with GET", http.MethodGet, "/hvc/links/link-1/sync/providers/identity?action=start"},
		{"start with ~action", http.MethodPost, "/hvc/links/link-1/sync/providers/identity?~action=start"},
		{"providers post", http.MethodPost, "/hvc/links/link-1/sync/providers"},
		{"administrators delete", http.MethodDelete, "/hvc/management/administrators"},
		{"administrators unknown action", http.MethodPost, "/hvc/management/administrators?action=clear"},
		{"management alone", http.MethodGet, "/hvc/management"},
		{"session put", http.MethodPut, "/session"},
		{"session with unknown ~action", http.MethodPost, "/session?~action=explode"},
	}
	for _, f := range flavors {
		x := newFixture(t, f)
		for _, tc := range cases {
			t.Run(f.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				path := tc.path
				if f.rest() && strings.HasPrefix(path, "/session") {
					path = "/com/vmware/cis" + path
				}
				resp := x.call(t, tc.method, path, nil)
				requireRouteNotFound(t, f, resp, path)
			})
		}
		t.Cleanup(func() {
			assert.Equal(t, []string{"link-1"}, x.sim.Links())
			assert.Equal(t, 1, x.sim.LoginCount())
		})
	}
	t.Run("rest session info with GET", func(t *testing.T) {
		t.Parallel()
		x := newFixture(t, restFlavor)
		requireRouteNotFound(t, restFlavor, x.w.do(t, request{method: http.MethodGet, path: restFlavor.sessionPath, token: x.tok}), "/com/vmware/cis/session")
	})
	t.Run("outside both prefixes", func(t *testing.T) {
		t.Parallel()
		sim := simulator.Run(t)
		w := newWire(t, sim)
		for _, p := range []string{"/", "/nowhere", "/apix/hvc/links", "/restful", "/ui"} {
			requireRouteNotFound(t, apiFlavor, w.do(t, request{method: http.MethodGet, path: p}), p)
		}
	})
}

// TestBadBodies checks malformed and oversized request bodies: 400
// INVALID_REQUEST in the flavor's envelope.
func TestBadBodies(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, method, path string
		body               any
		restOnly           bool
	}{
		{"create truncated", http.MethodPost, "/hvc/links", `{"psc_hostname":`, false},
		{"create array", http.MethodPost, "/hvc/links", `[1,2]`, false},
		{"create string", http.MethodPost, "/hvc/links", `"spec"`, false},
		{"create not JSON", http.MethodPost, "/hvc/links", `psc_hostname=x`, false},
		{"create wrong field type", http.MethodPost, "/hvc/links", `{"psc_hostname":1}`, false},
		{"create spec not an object", http.MethodPost, "/hvc/links", `{"spec":"x"}`, true},
		{"set truncated", http.MethodPut, "/hvc/management/administrators", `{"group_names":["a@b"`, false},
		{"add number", http.MethodPost, "/hvc/management/administrators?action=add", `{"group_name":7}`, false},
		{"delete_with_credentials truncated", http.MethodPost, "/hvc/links/link-1?action=delete", `{`, false},
		{"start truncated", http.MethodPost, "/hvc/links/link-1/sync/providers/identity?action=start", `{"credentials"`, false},
	}
	xs := newFixtures(t)
	for _, f := range flavors {
		for _, tc := range cases {
			if tc.restOnly && !f.rest() {
				continue
			}
			body := tc.body
			if f.rest() && tc.name == "create wrong field type" {
				body = `{"spec":{"psc_hostname":1}}`
			}
			x := xs.get(f, tc.method, tc.path)
			t.Run(f.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				requireError(t, f, x.call(t, tc.method, tc.path, body), 400, "INVALID_REQUEST")
			})
			t.Cleanup(func() { assert.Equal(t, []string{"link-1"}, x.sim.Links()) })
		}
	}
}

// TestMaxRequestBytes checks the exact body size limit of
// WithMaxRequestBytes.
func TestMaxRequestBytes(t *testing.T) {
	t.Parallel()
	const limit = 100
	body := func(n int) string {
		b := `{"group_name":"a@b"}`
		return b + strings.Repeat(" ", n-len(b))
	}
	for _, f := range flavors {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			sim := simulator.Run(t, simulator.WithMaxRequestBytes(limit))
			w := newWire(t, sim)
			tok := w.admin(t, f)
			add := request{method: http.MethodPost, path: f.prefix + "/hvc/management/administrators?action=add", token: tok}
			add.body = body(limit)
			requireVoid(t, f, w.do(t, add))
			add.body = body(limit + 1)
			e := requireError(t, f, w.do(t, add), 400, "INVALID_REQUEST")
			assert.Contains(t, e.Messages[0].DefaultMessage, "larger")
			add.body = body(64 << 10)
			requireError(t, f, w.do(t, add), 400, "INVALID_REQUEST")
			s := spec("big.local")
			s["admin_groups"] = []string{strings.Repeat("g", 200) + "@d"}
			requireError(t, f, w.do(t, request{method: http.MethodPost, path: f.prefix + "/hvc/links", token: tok, body: createBody(f, s)}), 400, "INVALID_REQUEST")
			assert.Empty(t, sim.Links())
			// The server still serves after refusing a body.
			resp := w.do(t, request{method: http.MethodGet, path: f.prefix + "/hvc/management/administrators", token: tok})
			assert.Equal(t, []string{"Administrators@vsphere.local", "a@b"}, decode[[]string](t, f, resp))
		})
	}
}

// TestStatusOf checks the exported error → status table against the
// generated list of standard error types (internal/stderr), and that each
// injected type is answered with its status in both envelopes.
func TestStatusOf(t *testing.T) {
	t.Parallel()
	require.Len(t, stderr.All, 25)
	want := map[string]int{"": 500, "NOT_A_TYPE": 500, "not_found": 500}
	for _, typ := range stderr.All {
		want[typ.Name] = typ.Status
	}
	for typ, status := range want {
		assert.Equal(t, status, simulator.StatusOf(typ), "%q", typ)
	}
	// Every type answers its status in both envelopes when injected.
	sim := simulator.Run(t)
	w := newWire(t, sim)
	for _, f := range flavors {
		for typ, status := range want {
			if typ == "" || typ == "not_found" {
				continue
			}
			_, std := stderr.Status(typ)
			remove := mustFault(t, sim, simulator.Fault{Path: "/hvc/links", ErrorType: typ, CustomErrorType: !std})
			requireError(t, f, w.do(t, request{method: http.MethodGet, path: f.prefix + "/hvc/links"}), status, typ)
			remove()
		}
	}
}

// TestTLS checks the server certificate: it verifies with CertPool for the
// loopback names, Thumbprint is the SHA-256 of its DER, and a client that
// does not trust it fails.
func TestTLS(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t)
	require.True(t, strings.HasPrefix(sim.URL(), "https://127.0.0.1:"), sim.URL())
	cert := sim.Certificate()
	require.NotNil(t, cert)
	sum := sha256.Sum256(cert.Raw)
	hexSum := strings.ToUpper(hex.EncodeToString(sum[:]))
	var parts []string
	for i := 0; i < len(hexSum); i += 2 {
		parts = append(parts, hexSum[i:i+2])
	}
	assert.Equal(t, strings.Join(parts, ":"), sim.Thumbprint())
	assert.Len(t, sim.Thumbprint(), 32*3-1)
	for _, host := range []string{"127.0.0.1", "localhost", "::1"} {
		assert.NoError(t, cert.VerifyHostname(host), host)
	}
	_, err := cert.Verify(x509.VerifyOptions{Roots: sim.CertPool(), DNSName: "localhost"})
	assert.NoError(t, err)

	t.Run("verified client", func(t *testing.T) {
		t.Parallel()
		w := newWire(t, sim)
		w.admin(t, apiFlavor)
	})
	t.Run("localhost", func(t *testing.T) {
		t.Parallel()
		w := newWire(t, sim)
		_, port, err := net.SplitHostPort(strings.TrimPrefix(sim.URL(), "https://"))
		require.NoError(t, err)
		req, err := http.NewRequest(http.MethodPost, "https://localhost:"+port+"/api/session", nil)
		require.NoError(t, err)
		req.SetBasicAuth(simulator.DefaultAdminUser, simulator.DefaultAdminPassword)
		resp, err := w.hc.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusCreated, resp.StatusCode)
	})
	t.Run("untrusted client", func(t *testing.T) {
		t.Parallel()
		tr := &http.Transport{}
		defer tr.CloseIdleConnections()
		hc := &http.Client{Transport: tr}
		_, err := hc.Post(sim.URL()+"/api/session", "application/json", nil)
		var unknown x509.UnknownAuthorityError
		require.ErrorAs(t, err, &unknown)
	})
	t.Run("pinned thumbprint", func(t *testing.T) {
		t.Parallel()
		var seen string
		tr := &http.Transport{TLSClientConfig: &tls.Config{
			InsecureSkipVerify: true, //nolint:gosec // pinning by thumbprint below
			VerifyConnection: func(cs tls.ConnectionState) error {
				s := sha256.Sum256(cs.PeerCertificates[0].Raw)
				seen = strings.ToUpper(hex.EncodeToString(s[:]))
				if seen != strings.ReplaceAll(sim.Thumbprint(), ":", "") {
					return errors.New("thumbprint mismatch")
				}
				return nil
			},
		}}
		defer tr.CloseIdleConnections()
		resp, err := (&http.Client{Transport: tr}).Get(sim.URL() + "/api/hvc/links")
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
		assert.NotEmpty(t, seen)
	})
	t.Run("each server has its own certificate", func(t *testing.T) {
		t.Parallel()
		other := simulator.Run(t)
		assert.NotEqual(t, sim.Thumbprint(), other.Thumbprint())
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: sim.CertPool()}}
		defer tr.CloseIdleConnections()
		_, err := (&http.Client{Transport: tr}).Get(other.URL() + "/api/hvc/links")
		require.Error(t, err)
	})
}

// TestPlainHTTP checks WithPlainHTTP.
func TestPlainHTTP(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t, simulator.WithPlainHTTP())
	require.True(t, strings.HasPrefix(sim.URL(), "http://127.0.0.1:"), sim.URL())
	assert.Nil(t, sim.Certificate())
	assert.Nil(t, sim.CertPool())
	assert.Empty(t, sim.Thumbprint())
	for _, f := range flavors {
		w := newWire(t, sim)
		resp := w.do(t, request{method: http.MethodPost, path: f.sessionPath, user: simulator.DefaultAdminUser, pass: simulator.DefaultAdminPassword})
		require.Equal(t, f.created, resp.status)
		cookies := (&http.Response{Header: resp.header}).Cookies()
		require.Len(t, cookies, 1)
		assert.False(t, cookies[0].Secure, "a plain HTTP server's cookie cannot be Secure")
		w.createLink(t, f, w.admin(t, f), "plain-"+f.name+".local")
	}
	assert.Len(t, sim.Links(), 2)
}

// TestHandler checks that Handler can be mounted in another server.
func TestHandler(t *testing.T) {
	t.Parallel()
	sim, err := simulator.New()
	require.NoError(t, err)
	ts := httptest.NewServer(sim.Handler())
	defer ts.Close()
	defer ts.Client().CloseIdleConnections()
	req, err := http.NewRequest(http.MethodPost, ts.URL+"/api/session", nil)
	require.NoError(t, err)
	req.SetBasicAuth(simulator.DefaultAdminUser, simulator.DefaultAdminPassword)
	resp, err := ts.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.Equal(t, 1, sim.LoginCount())
	assert.Empty(t, sim.URL(), "a server that was not started has no URL")
}

// TestLifecycle checks New, Start, Close and Shutdown.
func TestLifecycle(t *testing.T) {
	t.Parallel()
	t.Run("start, close", func(t *testing.T) {
		t.Parallel()
		sim, err := simulator.New()
		require.NoError(t, err)
		require.NoError(t, sim.Close(), "close before start")
		assert.Empty(t, sim.URL())
		assert.Nil(t, sim.Certificate())
		require.NoError(t, sim.Start())
		require.Error(t, sim.Start(), "second start")
		url := sim.URL()
		w := newWire(t, sim)
		w.admin(t, apiFlavor)
		require.NoError(t, sim.Close())
		require.NoError(t, sim.Close(), "second close")
		_, err = w.try(context.Background(), request{method: http.MethodGet, path: "/api/hvc/links"})
		require.Error(t, err, "%s still answers after Close", url)
	})
	t.Run("shutdown waits for requests in flight", func(t *testing.T) {
		t.Parallel()
		sim := simulator.Run(t)
		w := newWire(t, sim)
		tok := w.admin(t, apiFlavor)
		entered, release := make(chan struct{}), make(chan struct{})
		mustFault(t, sim, simulator.Fault{Path: "/hvc/links", Respond: func(w http.ResponseWriter, _ *http.Request) {
			close(entered)
			<-release
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, "[]")
		}})
		done := make(chan response, 1)
		go func() {
			resp, err := w.try(context.Background(), request{method: http.MethodGet, path: "/api/hvc/links", token: tok})
			assert.NoError(t, err)
			done <- resp
		}()
		<-entered // the GET is in its handler
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		shut := make(chan error, 1)
		go func() { shut <- sim.Shutdown(ctx) }()
		// Shutdown closes the listener first, then waits for the GET.
		addr := strings.TrimPrefix(sim.URL(), "https://")
		require.Eventually(t, func() bool {
			c, err := net.Dial("tcp", addr)
			if err == nil {
				_ = c.Close()
			}
			return err != nil
		}, 5*time.Second, 5*time.Millisecond, "shutdown did not stop accepting")
		select {
		case err := <-shut:
			t.Fatalf("Shutdown returned %v with a request in flight", err)
		default:
		}
		close(release)
		resp := <-done
		assert.Equal(t, http.StatusOK, resp.status)
		require.NoError(t, <-shut)
		require.NoError(t, sim.Shutdown(ctx), "shutdown twice")
	})
	t.Run("shutdown gives up with its context", func(t *testing.T) {
		t.Parallel()
		sim := simulator.Run(t)
		w := newWire(t, sim)
		tok := w.admin(t, apiFlavor)
		entered := make(chan struct{})
		mustFault(t, sim, simulator.Fault{Path: "/hvc/links", Respond: func(_ http.ResponseWriter, r *http.Request) {
			close(entered)
			<-r.Context().Done() // until the server cuts the connection
		}})
		done := make(chan error, 1)
		go func() {
			_, err := w.try(context.Background(), request{method: http.MethodGet, path: "/api/hvc/links", token: tok})
			done <- err
		}()
		<-entered
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		require.ErrorIs(t, sim.Shutdown(ctx), context.DeadlineExceeded)
		require.Error(t, <-done, "the request in flight is cut")
	})
	t.Run("address in use", func(t *testing.T) {
		t.Parallel()
		sim := simulator.Run(t, simulator.WithPlainHTTP())
		addr := strings.TrimPrefix(sim.URL(), "http://")
		other, err := simulator.New(simulator.WithAddr(addr))
		require.NoError(t, err)
		err = other.Start()
		require.Error(t, err)
		require.NoError(t, other.Close())
		tb := &fakeTB{}
		assert.Nil(t, simulator.Run(tb, simulator.WithAddr(addr)))
		assert.Equal(t, err.Error(), tb.failed)
		assert.True(t, strings.HasPrefix(tb.failed, "simulator: listen: "), tb.failed)
	})
	t.Run("fixed address", func(t *testing.T) {
		t.Parallel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := ln.Addr().String()
		require.NoError(t, ln.Close())
		sim := simulator.Run(t, simulator.WithAddr(addr))
		assert.Equal(t, "https://"+addr, sim.URL())
	})
	t.Run("unspecified address", func(t *testing.T) {
		t.Parallel()
		sim := simulator.Run(t, simulator.WithAddr("0.0.0.0:0"))
		assert.True(t, strings.HasPrefix(sim.URL(), "https://127.0.0.1:"), sim.URL())
		newWire(t, sim).admin(t, restFlavor)
	})
}

// fakeTB records Run's failures.
type fakeTB struct {
	failed   string
	cleanups []func()
}

func (f *fakeTB) Helper()                        {}
func (f *fakeTB) Fatalf(format string, a ...any) { f.failed = fmt.Sprintf(format, a...) }
func (f *fakeTB) Cleanup(fn func())              { f.cleanups = append(f.cleanups, fn) }

// TestOptionErrors checks that options validate their arguments and that
// New and Run report the first error.
func TestOptionErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		opts []simulator.Option
	}{
		{"nil option", []simulator.Option{nil}},
		{"empty address", []simulator.Option{simulator.WithAddr("")}},
		{"rest and api only", []simulator.Option{simulator.WithRESTOnly(), simulator.WithAPIOnly()}},
		{"api and rest only", []simulator.Option{simulator.WithAPIOnly(), simulator.WithRESTOnly()}},
		{"admin without password", []simulator.Option{simulator.WithAdmin("a@b", "")}},
		{"read-only user without name", []simulator.Option{simulator.WithReadOnlyUser("", "p")}},
		{"user with colon", []simulator.Option{simulator.WithUser("a:b", "p", false)}},
		{"zero idle timeout", []simulator.Option{simulator.WithIdleTimeout(0)}},
		{"negative idle timeout", []simulator.Option{simulator.WithIdleTimeout(-time.Second)}},
		{"foreign PSC without host", []simulator.Option{simulator.WithForeignPSC("", simulator.DefaultForeignThumbprint)}},
		{"foreign PSC with a bad thumbprint", []simulator.Option{simulator.WithForeignPSC("psc.x", "xyz")}},
		{"foreign PSC with an empty thumbprint", []simulator.Option{simulator.WithForeignPSC("psc.x", "")}},
		{"empty provider", []simulator.Option{simulator.WithProviders("a", "")}},
		{"repeated provider", []simulator.Option{simulator.WithProviders("a", "b", "a")}},
		{"negative sync duration", []simulator.Option{simulator.WithSyncDuration(-time.Second)}},
		{"empty failing provider", []simulator.Option{simulator.WithFailingProvider("")}},
		{"nil logger", []simulator.Option{simulator.WithLogger(nil)}},
		{"zero max body", []simulator.Option{simulator.WithMaxRequestBytes(0)}},
		{"nil clock", []simulator.Option{simulator.WithClock(nil)}},
		{"zero log entries", []simulator.Option{simulator.WithRequestLogLimit(0, 1<<20)}},
		{"negative log bytes", []simulator.Option{simulator.WithRequestLogLimit(10, -1)}},
		{"first error wins", []simulator.Option{simulator.WithPlainHTTP(), simulator.WithMaxRequestBytes(-1), simulator.WithAddr("")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sim, err := simulator.New(tc.opts...)
			require.Error(t, err)
			assert.Nil(t, sim)
			assert.True(t, strings.HasPrefix(err.Error(), "simulator: "), err.Error())
			tb := &fakeTB{}
			assert.Nil(t, simulator.Run(tb, tc.opts...))
			assert.Equal(t, err.Error(), tb.failed, "Run reports New's error as is")
			assert.Empty(t, tb.cleanups)
		})
	}
	t.Run("first error wins", func(t *testing.T) {
		t.Parallel()
		_, err := simulator.New(simulator.WithMaxRequestBytes(-1), simulator.WithAddr(""))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "WithMaxRequestBytes")
	})
	t.Run("valid options", func(t *testing.T) {
		t.Parallel()
		tb := &fakeTB{}
		sim := simulator.Run(tb, simulator.WithSyncDuration(0), simulator.WithProviders(), simulator.WithIdleTimeout(time.Hour),
			simulator.WithRESTOnly(), simulator.WithRESTOnly())
		require.NotNil(t, sim)
		assert.Empty(t, tb.failed)
		require.Len(t, tb.cleanups, 1)
		tb.cleanups[0]()
		assert.Empty(t, sim.Links())
	})
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestLogger checks WithLogger: every request is logged, credentials and
// session ids never are.
func TestLogger(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	sim := simulator.Run(t, simulator.WithLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	w := newWire(t, sim)
	var toks []string
	for _, f := range flavors {
		tok := w.admin(t, f)
		toks = append(toks, tok)
		w.createLink(t, f, tok, f.name+".local")
		w.do(t, request{method: http.MethodPost, path: f.sessionPath, user: simulator.DefaultAdminUser, pass: "wrong-password"})
		w.do(t, request{method: http.MethodGet, path: f.prefix + "/hvc/links", header: map[string]string{"Cookie": "vmware-api-session-id=" + tok}})
	}
	rpcTok := w.rpcLogin(t, simulator.DefaultAdminUser, simulator.DefaultAdminPassword)
	toks = append(toks, rpcTok)
	w.call(t, rpcTok, "com.vmware.vcenter.hvc.links", "create", map[string]any{"spec": rpcSpec("rpc.local", simulator.DefaultForeignThumbprint)})
	logged := buf.String()
	// A JSON-RPC call's line names its transport and vAPI operation, not just POST /api.
	assert.Contains(t, logged, "flavor=jsonrpc operation=com.vmware.vcenter.hvc.links.create")
	assert.Contains(t, logged, "operation=com.vmware.cis.session.create")
	assert.Equal(t, len(sim.Requests()), strings.Count(logged, "simulator request"), logged)
	assert.Contains(t, logged, "/api/hvc/links")
	assert.Contains(t, logged, "/rest/com/vmware/cis/session")
	assert.Contains(t, logged, "status=201")
	for _, secret := range append(toks, simulator.DefaultAdminPassword, "wrong-password", simulator.DefaultForeignPassword) {
		assert.NotContains(t, logged, secret)
	}
}

// TestConcurrentClients runs 50 goroutines of mixed requests in both
// flavors (run it with -race).
func TestConcurrentClients(t *testing.T) {
	t.Parallel()
	const n = 50
	sim := simulator.Run(t, simulator.WithSyncStepPerPoll())
	w := newWire(t, sim)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := flavors[i%2]
			tok := w.admin(t, f)
			call := func(method, path string, body any) response {
				return w.do(t, request{method: method, path: f.prefix + path, token: tok, body: body})
			}
			domain := fmt.Sprintf("g%d.local", i)
			id := w.createLink(t, f, tok, domain)
			assert.Equal(t, http.StatusOK, call(http.MethodGet, "/hvc/links", nil).status)
			assert.Equal(t, http.StatusOK, call(http.MethodGet, "/hvc/links/"+id+"/sync/providers", nil).status)
			assert.Equal(t, f.void, call(http.MethodPost, "/hvc/links/"+id+"/sync/providers/identity?action=start", nil).status)
			for range 4 {
				assert.Equal(t, http.StatusOK, call(http.MethodGet, "/hvc/links/"+id+"/sync/providers/identity", nil).status)
			}
			info := decode[providerInfo](t, f, call(http.MethodGet, "/hvc/links/"+id+"/sync/providers/identity", nil))
			assert.Equal(t, "SUCCEEDED", info.Status)
			group := fmt.Sprintf("g%d@corp.local", i)
			assert.Equal(t, f.void, call(http.MethodPost, "/hvc/management/administrators?action=add", map[string]string{"group_name": group}).status)
			assert.Equal(t, http.StatusOK, call(http.MethodGet, "/hvc/management/administrators", nil).status)
			assert.Equal(t, f.void, call(http.MethodPost, "/hvc/management/administrators?action=remove", map[string]string{"group_name": group}).status)
			resp := call(http.MethodPost, "/hvc/links", createBody(f, spec(domain)))
			requireError(t, f, resp, 400, "ALREADY_EXISTS")
			assert.Equal(t, f.void, call(http.MethodDelete, "/hvc/links/"+id, nil).status)
			assert.Equal(t, http.StatusNotFound, call(http.MethodGet, "/hvc/links/"+id, nil).status)
			_ = sim.Requests()
			_ = sim.OpenConnections()
			assert.Equal(t, f.void, w.do(t, request{method: http.MethodDelete, path: f.sessionPath, token: tok}).status)
		}()
	}
	wg.Wait()
	assert.Empty(t, sim.Links())
	assert.Equal(t, n, sim.LoginCount())
	assert.Zero(t, sim.SessionCount())
	resp := w.do(t, request{method: http.MethodGet, path: "/api/hvc/management/administrators", token: w.admin(t, apiFlavor)})
	assert.Equal(t, []string{"Administrators@vsphere.local"}, decode[[]string](t, apiFlavor, resp))
	// Link ids are never reused.
	assert.Equal(t, "link-51", w.createLink(t, apiFlavor, w.admin(t, apiFlavor), "last.local"))
}

// TestConnections checks OpenConnections and MaxOpenConnections.
func TestConnections(t *testing.T) {
	t.Parallel()
	const n = 5
	sim := simulator.Run(t)
	tok := newWire(t, sim).admin(t, apiFlavor)
	mustFault(t, sim, simulator.Fault{Path: "/hvc/links", Latency: 300 * time.Millisecond})
	wires := make([]*wire, n)
	for i := range wires {
		wires[i] = newWire(t, sim)
	}
	var wg sync.WaitGroup
	for _, w := range wires {
		wg.Add(1)
		go func() {
			defer wg.Done()
			assert.Equal(t, http.StatusOK, w.do(t, request{method: http.MethodGet, path: "/api/hvc/links", token: tok}).status)
		}()
	}
	require.Eventually(t, func() bool { return sim.OpenConnections() >= n }, 5*time.Second, 5*time.Millisecond)
	wg.Wait()
	assert.GreaterOrEqual(t, sim.MaxOpenConnections(), n)
	assert.LessOrEqual(t, sim.MaxOpenConnections(), n+1)
	for _, w := range wires {
		w.hc.CloseIdleConnections()
	}
	require.Eventually(t, func() bool { return sim.OpenConnections() <= 1 }, 5*time.Second, 5*time.Millisecond,
		"open connections stay at %d", sim.OpenConnections())
	assert.GreaterOrEqual(t, sim.MaxOpenConnections(), n, "the peak is kept")
}
