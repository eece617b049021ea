package bench

import (
	"context"
	"crypto/tls"
	"net/http"
	"testing"

	"github.com/hvcsdk/hvc/bench/internal/fakevc"
)

// TestImpls checks that every implementation performs every operation
// correctly against each place the benchmarks send to: the in-memory fake
// (strict: it checks the bodies), the server process over plain HTTP, and
// over TLS with the library's default transport. The fake and the server
// answer 404 to a wrong method, path or query and 401 to a missing
// session header, so a wrongly wired implementation fails here rather than
// measuring an error path.
func TestImpls(t *testing.T) {
	s := server(t)
	envs := map[string]func(testing.TB) env{
		"nonet": func(tb testing.TB) env {
			e := noNetEnv(tb)
			e.rt = &fakevc.Transport{Token: e.token, Strict: true}
			return e
		},
		"loopback": loopbackEnv,
		"tls":      func(testing.TB) env { return env{base: s.HTTPS, token: s.Token, roots: s.Roots} },
	}
	for where, newEnv := range envs {
		for _, im := range impls {
			t.Run(where+"/"+im.name, func(t *testing.T) {
				c := im.new(t, newEnv(t))
				defer c.closeIdle()
				for _, o := range ops {
					if err := c.call(context.Background(), o); err != nil {
						t.Errorf("%s: %v", o.name, err)
					}
				}
			})
		}
	}
}

// TestFakeRejects shows the in-memory fake fails a call without the
// session, with a wrong route, or with a body where none belongs.
func TestFakeRejects(t *testing.T) {
	t.Parallel()
	rt := &fakevc.Transport{Token: "tok", Strict: true}
	good := env{base: "https://vcenter.invalid", token: "tok", rt: rt}
	bad := good
	bad.token = "stale"
	if err := newRaw(t, bad).call(context.Background(), opNamed("List")); err == nil {
		t.Error("call with a stale session succeeded")
	}
	wrong := *opNamed("Start")
	wrong.target = fakevc.ProviderPath + "?action=stop"
	if err := newRaw(t, good).call(context.Background(), &wrong); err == nil {
		t.Error("call to a wrong route succeeded")
	}
	wrong = *opNamed("Start")
	wrong.in = spec
	if err := newRaw(t, good).call(context.Background(), &wrong); err == nil {
		t.Error("Start with a body succeeded")
	}
}

// TestHandshakeCounts shows the server tells a full handshake from a
// resumed one and counts connections: a client with a session cache that
// reconnects resumes.
func TestHandshakeCounts(t *testing.T) {
	s := server(t)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.Roots, MinVersion: tls.VersionTLS12,
		ClientSessionCache: tls.NewLRUClientSessionCache(8)}}
	c := newRaw(t, env{base: s.HTTPS, token: s.Token, rt: tr})
	before := stats(t, s)
	for range 2 {
		if err := c.call(context.Background(), opNamed("List")); err != nil {
			t.Fatal(err)
		}
		c.closeIdle()
	}
	d := stats(t, s).Sub(before)
	if d.Conns != 2 || d.FullHandshakes != 1 || d.Resumed != 1 {
		t.Fatalf("got %+v, want 2 connections, 1 full handshake, 1 resumed", d)
	}
}
