// Package bench measures the SDK against the floor: a hand-written net/http +
// encoding/json call doing the same request against the same loopback server.
// Run with `make bench`; compare pairs with benchstat.
package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/go-resty/resty/v2"

	"github.com/hvcsdk/hvc"
)

var spec = hvc.LinkCreateSpec{
	PSCHostname: "psc.remote.example", DomainName: "remote.local",
	Username: "administrator@remote.local", Password: "s3cret!",
	SSLThumbprint: "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99",
	AdminGroups:   []string{"admins@remote.local"},
}

func newTransport() *http.Transport {
	return &http.Transport{MaxIdleConns: 100, MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}
}

func newSDK(b *testing.B, f *fakeVC) *hvc.Client {
	c, err := hvc.New(f.srv.URL, hvc.WithCredentials("administrator@vsphere.local", "pw"),
		hvc.WithFlavor(hvc.FlavorAPI), hvc.WithHTTPClient(&http.Client{Transport: newTransport()}))
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Login(context.Background()); err != nil {
		b.Fatal(err)
	}
	return c
}

// raw is the floor: what a careful hand-written client does per call.
type raw struct {
	hc    *http.Client
	base  string
	token string
}

func newRaw(b *testing.B, f *fakeVC) *raw {
	r := &raw{hc: &http.Client{Transport: newTransport()}, base: f.srv.URL}
	req, _ := http.NewRequest(http.MethodPost, r.base+"/api/session", nil)
	req.SetBasicAuth("administrator@vsphere.local", "pw")
	if err := r.do(req, &r.token); err != nil {
		b.Fatal(err)
	}
	return r
}

func (r *raw) do(req *http.Request, out any) error {
	resp, err := r.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return &json.UnsupportedValueError{Str: resp.Status}
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(body, out)
}

func (r *raw) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("vmware-api-session-id", r.token)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return r.do(req, out)
}

// restyOnly is resty v2 alone doing the same request, with no SDK logic:
// the difference between it and raw is the transport library's cost, the
// difference between sdk and it is ours.
type restyOnly struct {
	rc    *resty.Client
	token string
}

func newRestyOnly(r *raw) *restyOnly {
	rc := resty.NewWithClient(&http.Client{Transport: newTransport()}).
		SetBaseURL(r.base).SetHeader("Accept", "application/json")
	return &restyOnly{rc: rc, token: r.token}
}

func (r *restyOnly) call(ctx context.Context, method, path string, in, out any) error {
	req := r.rc.R().SetContext(ctx).SetHeader("vmware-api-session-id", r.token)
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		req.SetHeader("Content-Type", "application/json").SetBody(b)
	}
	resp, err := req.Execute(method, path)
	if err != nil {
		return err
	}
	if resp.StatusCode()/100 != 2 {
		return &json.UnsupportedValueError{Str: resp.Status()}
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(resp.Body(), out)
}

// caller is what raw and restyOnly have in common.
type caller interface {
	call(ctx context.Context, method, path string, in, out any) error
}

type op struct {
	name string
	sdk  func(context.Context, *hvc.Client) error
	raw  func(context.Context, caller) error
}

var ops = []op{
	{"Create",
		func(ctx context.Context, c *hvc.Client) error { _, err := c.Links.Create(ctx, spec); return err },
		func(ctx context.Context, r caller) error {
			var id string
			return r.call(ctx, http.MethodPost, "/api/hvc/links", spec, &id)
		}},
	{"Start",
		func(ctx context.Context, c *hvc.Client) error { return c.SyncProviders.Start(ctx, "link-1", "p1", nil) },
		func(ctx context.Context, r caller) error {
			return r.call(ctx, http.MethodPost, "/api/hvc/links/link-1/sync/providers/p1?action=start", nil, nil)
		}},
	{"List",
		func(ctx context.Context, c *hvc.Client) error { _, err := c.Links.List(ctx); return err },
		func(ctx context.Context, r caller) error {
			var out []hvc.LinkSummary
			return r.call(ctx, http.MethodGet, "/api/hvc/links", nil, &out)
		}},
	{"Get",
		func(ctx context.Context, c *hvc.Client) error {
			_, err := c.SyncProviders.Get(ctx, "link-1", "p1")
			return err
		},
		func(ctx context.Context, r caller) error {
			var out hvc.ProviderInfo
			return r.call(ctx, http.MethodGet, "/api/hvc/links/link-1/sync/providers/p1", nil, &out)
		}},
}

// BenchmarkOp runs each operation through the raw floor, resty alone and
// the SDK; benchstat pairs them as Op/<name>/impl=raw, impl=resty and
// impl=sdk.
func BenchmarkOp(b *testing.B) {
	ctx := context.Background()
	for _, o := range ops {
		b.Run(o.name+"/impl=raw", func(b *testing.B) {
			r := newRaw(b, newFakeVC(b))
			b.ReportAllocs()
			for b.Loop() {
				if err := o.raw(ctx, r); err != nil {
					b.Fatal(err)
				}
			}
			r.hc.CloseIdleConnections()
		})
		b.Run(o.name+"/impl=resty", func(b *testing.B) {
			r := newRestyOnly(newRaw(b, newFakeVC(b)))
			b.ReportAllocs()
			for b.Loop() {
				if err := o.raw(ctx, r); err != nil {
					b.Fatal(err)
				}
			}
			r.rc.GetClient().CloseIdleConnections()
		})
		b.Run(o.name+"/impl=sdk", func(b *testing.B) {
			c := newSDK(b, newFakeVC(b))
			b.ReportAllocs()
			for b.Loop() {
				if err := o.sdk(ctx, c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParallelGet shares one client (and, for the floor, one raw
// client) between GOMAXPROCS goroutines; run with -cpu 1,2 to see scaling.
// The session lookup on the hot path is an atomic load.
func BenchmarkParallelGet(b *testing.B) {
	ctx := context.Background()
	b.Run("impl=raw", func(b *testing.B) {
		r := newRaw(b, newFakeVC(b))
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				var out hvc.ProviderInfo
				if err := r.call(ctx, http.MethodGet, "/api/hvc/links/link-1/sync/providers/p1", nil, &out); err != nil {
					b.Error(err)
					return
				}
			}
		})
		r.hc.CloseIdleConnections()
	})
	b.Run("impl=sdk", func(b *testing.B) {
		c := newSDK(b, newFakeVC(b))
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := c.SyncProviders.Get(ctx, "link-1", "p1"); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkReloginStorm measures how long 1,000 concurrent calls take to
// recover from one session expiry, and checks they cause exactly one login.
func BenchmarkReloginStorm(b *testing.B) {
	const callers = 1000
	ctx := context.Background()
	f := newFakeVC(b)
	c := newSDK(b, f)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		f.expire()
		before := f.logins.Load()
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make(chan error, callers)
		for range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if _, err := c.Links.List(ctx); err != nil {
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
		if n := f.logins.Load() - before; n != 1 {
			b.Fatalf("%d logins for one expiry, want 1", n)
		}
		b.StartTimer()
	}
}
