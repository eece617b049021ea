package bench

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/go-resty/resty/v2"
	"github.com/vmware/govmomi/vapi/rest"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"

	"github.com/hvcsdk/hvc"
)

// env says where and how an implementation sends.
type env struct {
	base, token string
	// rt, when set, is the transport the implementation sends through (the
	// in-memory fake, or a loopback transport configured alike for all).
	// Otherwise it uses its library's default transport, trusting roots.
	rt    http.RoundTripper
	roots *x509.CertPool
}

// client is one implementation, ready to run operations.
type client struct {
	call      func(context.Context, *op) error
	closeIdle func()
}

// impl is one way of calling vCenter: raw net/http (the floor), resty alone
// (the transport the SDK builds on), the SDK, VMware's vAPI runtime and
// govmomi's vapi/rest.Client.
type impl struct {
	name string
	new  func(testing.TB, env) client
}

var impls = []impl{
	{"raw", newRaw},
	{"resty", newResty},
	{"sdk", newSDK},
	{"runtime", newRuntime},
	{"govmomi", newGovmomi},
}

// defaultHTTP is what a careful user of a library without its own
// transport writes: http.DefaultTransport trusting roots.
func defaultHTTP(e env) *http.Client {
	if e.rt != nil {
		return &http.Client{Transport: e.rt}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: e.roots, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: tr}
}

// errStatus is a non-2xx reply.
type errStatus struct{ status string }

func (e *errStatus) Error() string { return "status " + e.status }

// raw is the floor: what a careful hand-written client does per call.
type raw struct {
	hc          *http.Client
	base, token string
}

func newRaw(_ testing.TB, e env) client {
	r := &raw{hc: defaultHTTP(e), base: e.base, token: e.token}
	return client{call: r.call, closeIdle: r.hc.CloseIdleConnections}
}

func (r *raw) call(ctx context.Context, o *op) error {
	var body io.Reader
	if o.in != nil {
		b, err := json.Marshal(o.in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, o.method, r.base+o.target, body)
	if err != nil {
		return err
	}
	req.Header.Set("vmware-api-session-id", r.token)
	req.Header.Set("Accept", "application/json")
	if o.in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := r.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return &errStatus{resp.Status}
	}
	if o.out == nil {
		return nil
	}
	return json.Unmarshal(b, o.out())
}

// restyOnly is resty v2 alone doing the same request with no SDK logic: the
// difference between it and raw is the transport library's cost, the
// difference between sdk and it is ours.
type restyOnly struct {
	rc    *resty.Client
	token string
}

func newResty(_ testing.TB, e env) client {
	var rc *resty.Client
	if e.rt != nil {
		rc = resty.NewWithClient(&http.Client{Transport: e.rt})
	} else {
		rc = resty.New().SetTLSClientConfig(&tls.Config{RootCAs: e.roots, MinVersion: tls.VersionTLS12})
	}
	r := &restyOnly{rc: rc.SetBaseURL(e.base).SetHeader("Accept", "application/json"), token: e.token}
	return client{call: r.call, closeIdle: rc.GetClient().CloseIdleConnections}
}

func (r *restyOnly) call(ctx context.Context, o *op) error {
	req := r.rc.R().SetContext(ctx).SetHeader("vmware-api-session-id", r.token)
	if o.in != nil {
		b, err := json.Marshal(o.in)
		if err != nil {
			return err
		}
		req.SetHeader("Content-Type", "application/json").SetBody(b)
	}
	resp, err := req.Execute(o.method, o.target)
	if err != nil {
		return err
	}
	if resp.StatusCode()/100 != 2 {
		return &errStatus{resp.Status()}
	}
	if o.out == nil {
		return nil
	}
	return json.Unmarshal(resp.Body(), o.out())
}

// newSDK is the hvc client with the flavor and session settled, so that
// nothing but the operation runs in the timed loop. It holds credentials
// too, so an expired session is renewed (see BenchmarkReloginStorm).
func newSDK(tb testing.TB, e env) client {
	opts := []hvc.Option{hvc.WithFlavor(hvc.FlavorAPI), hvc.WithSessionID(e.token),
		hvc.WithCredentials("administrator@vsphere.local", "pw")}
	if e.rt != nil {
		opts = append(opts, hvc.WithHTTPClient(&http.Client{Transport: e.rt}))
	} else {
		opts = append(opts, hvc.WithRootCAs(e.roots))
	}
	c, err := hvc.New(e.base, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return client{call: func(ctx context.Context, o *op) error { return o.sdk(ctx, c) }, closeIdle: c.CloseIdleConnections}
}

func newRuntime(_ testing.TB, e env) client {
	hc := defaultHTTP(e)
	v := newVAPIClient(e.base, e.token, hc)
	return client{call: func(ctx context.Context, o *op) error { return o.vapi(ctx, v) }, closeIdle: hc.CloseIdleConnections}
}

// newGovmomi is govmomi's REST client (vapi/rest), which rides on its SOAP
// client's transport.
func newGovmomi(tb testing.TB, e env) client {
	u, err := url.Parse(e.base)
	if err != nil {
		tb.Fatal(err)
	}
	sc := soap.NewClient(u, false)
	if e.rt == nil {
		sc.DefaultTransport().TLSClientConfig.RootCAs = e.roots
	}
	rc := rest.NewClient(&vim25.Client{Client: sc})
	if e.rt != nil {
		rc.Client.Transport = e.rt
	}
	rc.SessionID(e.token)
	call := func(ctx context.Context, o *op) error {
		path, query, _ := strings.Cut(o.target, "?")
		r := rc.Resource(path)
		if k, v, ok := strings.Cut(query, "="); ok {
			r = r.WithParam(k, v)
		}
		var req *http.Request
		if o.in != nil {
			req = r.Request(o.method, o.in)
		} else {
			req = r.Request(o.method)
		}
		var out any
		if o.out != nil {
			out = o.out()
		}
		return rc.Do(ctx, req, out)
	}
	return client{call: call, closeIdle: rc.CloseIdleConnections}
}

// op is one operation: its request for the generic implementations, and
// its typed call for the SDK and the vAPI runtime.
type op struct {
	name   string
	method string
	// target is the path and query under the endpoint.
	target string
	in     any
	out    func() any
	sdk    func(context.Context, *hvc.Client) error
	vapi   func(context.Context, *vapiClient) error
}
