// Package bench measures the SDK against the floor (a hand-written
// net/http + encoding/json call), resty alone, VMware's vAPI Go runtime and
// govmomi's vapi/rest.Client, each doing the same requests:
//
//   - BenchmarkNoNet: the network replaced by an in-memory RoundTripper, so
//     only the libraries' own work is measured;
//   - BenchmarkOp and BenchmarkParallelGet: over loopback to a server in
//     another process, so allocation counts are the client's alone;
//   - BenchmarkBurst: 100 concurrent calls over TLS, with the server's count
//     of new connections and of full and resumed handshakes per burst;
//   - BenchmarkReloginStorm: 1,000 concurrent calls recovering from one
//     session expiry.
//
// Run with `make bench`; cmd/ratio prints the ratios the targets name.
package bench

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/hvcsdk/hvc"
	"github.com/hvcsdk/hvc/bench/internal/fakevc"
)

var spec = hvc.LinkCreateSpec{
	PSCHostname: "psc.remote.example", DomainName: "remote.local",
	Username: "administrator@remote.local", Password: "s3cret!",
	SSLThumbprint: "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99",
	AdminGroups:   []string{"admins@remote.local"},
}

// vapiCall is a generated client method's call of one operation.
func vapiCall(o *vapiOp, args ...vapiArg) func(context.Context, *vapiClient) error {
	return func(ctx context.Context, v *vapiClient) error { _, err := v.invoke(ctx, o, args...); return err }
}

var (
	provider = []vapiArg{{"Link", "link-1"}, {"Provider", "p1"}}

	// ops are the measured operations: a POST with a body, a POST
	// without one, and two GETs.
	ops = []*op{
		{name: "Create", method: http.MethodPost, target: "/api/hvc/links", in: spec,
			out:  func() any { return new(string) },
			sdk:  func(ctx context.Context, c *hvc.Client) error { _, err := c.Links.Create(ctx, spec); return err },
			vapi: vapiCall(vapiOps["Create"], vapiArg{"Spec", vapiCreateSpec()})},
		{name: "Start", method: http.MethodPost, target: fakevc.ProviderPath + "?action=start",
			sdk:  func(ctx context.Context, c *hvc.Client) error { return c.SyncProviders.Start(ctx, "link-1", "p1", nil) },
			vapi: vapiCall(vapiOps["Start"], provider...)},
		{name: "List", method: http.MethodGet, target: "/api/hvc/links",
			out:  func() any { return new([]hvc.LinkSummary) },
			sdk:  func(ctx context.Context, c *hvc.Client) error { _, err := c.Links.List(ctx); return err },
			vapi: vapiCall(vapiOps["List"])},
		{name: "Get", method: http.MethodGet, target: fakevc.ProviderPath,
			out: func() any { return new(hvc.ProviderInfo) },
			sdk: func(ctx context.Context, c *hvc.Client) error {
				_, err := c.SyncProviders.Get(ctx, "link-1", "p1")
				return err
			},
			vapi: vapiCall(vapiOps["Get"], provider...)},
	}
)

func opNamed(name string) *op {
	for _, o := range ops {
		if o.name == name {
			return o
		}
	}
	panic("no op " + name)
}

// noNetEnv sends through the in-memory fake.
func noNetEnv(testing.TB) env {
	const token = "tok-nonet"
	return env{base: "https://vcenter.invalid", token: token, rt: &fakevc.Transport{Token: token}}
}

// loopbackEnv sends over plain HTTP to the server process, through a
// transport configured alike for every implementation.
func loopbackEnv(tb testing.TB) env {
	s := server(tb)
	return env{base: s.HTTP, token: s.Token,
		rt: &http.Transport{MaxIdleConns: 100, MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}}
}

// runOps benchmarks every operation through every implementation;
// benchstat pairs them as op=<name>/impl=<impl>. Besides wall time it
// reports cpu-ns/op, the process's CPU time per call (see cpuNanos).
func runOps(b *testing.B, newEnv func(testing.TB) env) {
	ctx := context.Background()
	for _, o := range ops {
		for _, im := range impls {
			b.Run("op="+o.name+"/impl="+im.name, func(b *testing.B) {
				c := im.new(b, newEnv(b))
				defer c.closeIdle()
				b.ReportAllocs()
				cpu := cpuNanos()
				for b.Loop() {
					if err := c.call(ctx, o); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(cpuNanos()-cpu)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// BenchmarkNoNet measures each library's own work per call: the network is
// an in-memory RoundTripper answering canned replies.
func BenchmarkNoNet(b *testing.B) { runOps(b, noNetEnv) }

// BenchmarkOp measures each call over loopback to the server process.
func BenchmarkOp(b *testing.B) { runOps(b, loopbackEnv) }

// BenchmarkParallelGet shares one client between GOMAXPROCS goroutines;
// run with -cpu 1,2 to see scaling.
func BenchmarkParallelGet(b *testing.B) {
	ctx := context.Background()
	get := opNamed("Get")
	for _, im := range impls {
		b.Run("impl="+im.name, func(b *testing.B) {
			c := im.new(b, loopbackEnv(b))
			defer c.closeIdle()
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := c.call(ctx, get); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// burstSize is how many calls one client fires at once in BenchmarkBurst.
const burstSize = 100

// burst fires burstSize concurrent calls of o and waits for them all.
func burst(tb testing.TB, c client, o *op) {
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, burstSize)
	for range burstSize {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.call(ctx, o); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		tb.Fatal(err)
	}
}

// BenchmarkBurst fires bursts of 100 concurrent Links.List calls over TLS,
// each implementation with its library's default transport, and reports
// the server's count of new connections and of full and resumed TLS
// handshakes per burst:
//
//   - state=cold: a new client per burst;
//   - state=warm: one client, bursts back to back (idle connections kept);
//   - state=reconnect: one client whose idle connections are closed
//     between bursts, as an idle timeout would (session resumption pays).
func BenchmarkBurst(b *testing.B) {
	s := server(b)
	list := opNamed("List")
	for _, state := range []string{"cold", "warm", "reconnect"} {
		for _, im := range impls {
			b.Run("state="+state+"/impl="+im.name, func(b *testing.B) {
				e := env{base: s.HTTPS, token: s.Token, roots: s.Roots}
				c := im.new(b, e)
				burst(b, c, list)
				before := stats(b, s)
				b.ReportAllocs()
				for b.Loop() {
					if state != "warm" {
						b.StopTimer()
						c.closeIdle()
						if state == "cold" {
							c = im.new(b, e)
						}
						b.StartTimer()
					}
					burst(b, c, list)
				}
				d := stats(b, s).Sub(before)
				n := float64(b.N)
				b.ReportMetric(float64(d.Conns)/n, "conns/burst")
				b.ReportMetric(float64(d.FullHandshakes)/n, "full-handshakes/burst")
				b.ReportMetric(float64(d.Resumed)/n, "resumed/burst")
				c.closeIdle()
			})
		}
	}
}

func stats(tb testing.TB, s *fakevc.Proc) fakevc.Stats {
	st, err := s.Stats()
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

// BenchmarkReloginStorm measures how long 1,000 concurrent SDK calls take
// to recover from one session expiry, and checks they cause exactly one
// login.
func BenchmarkReloginStorm(b *testing.B) {
	const callers = 1000
	ctx := context.Background()
	s := server(b)
	c := newSDK(b, loopbackEnv(b))
	defer c.closeIdle()
	list := opNamed("List")
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		if err := s.Expire(); err != nil {
			b.Fatal(err)
		}
		before := stats(b, s)
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make(chan error, callers)
		for range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if err := c.call(ctx, list); err != nil {
					errs <- err
				}
			}()
		}
		b.StartTimer()
		close(start)
		wg.Wait()
		b.StopTimer()
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
		if n := stats(b, s).Sub(before).Logins; n != 1 {
			b.Fatalf("%d logins for one expiry, want 1", n)
		}
		b.StartTimer()
	}
}
