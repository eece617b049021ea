package hvc_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/hvcsdk/hvc"
)

// memRT answers every request in memory, reading the request body as a
// server would, so a benchmark measures the client's own work.
type memRT struct{}

func (memRT) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	status, body := http.StatusOK, ""
	if r.Method == http.MethodPost && r.URL.Path == "/api/hvc/links" {
		status, body = http.StatusCreated, `"link-1"`
	} else if r.Method == http.MethodPost {
		status = http.StatusNoContent
	}
	return &http.Response{StatusCode: status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)), Request: r}, nil
}

func benchClient(b *testing.B) *hvc.Client {
	c, err := hvc.New("https://vc.example", hvc.WithHTTPClient(&http.Client{Transport: memRT{}}),
		hvc.WithFlavor(hvc.FlavorAPI), hvc.WithSessionID("bench-session"))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkNoNetworkLinksCreate measures one Links.Create with the network
// replaced by an in-memory RoundTripper.
func BenchmarkNoNetworkLinksCreate(b *testing.B) {
	c := benchClient(b)
	spec := fullSpec()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Links.Create(ctx, spec); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNoNetworkProvidersStart measures one SyncProviders.Start (with
// credentials, so with a body) over an in-memory RoundTripper.
func BenchmarkNoNetworkProvidersStart(b *testing.B) {
	c := benchClient(b)
	ctx := context.Background()
	creds := &hvc.Credentials{UserName: "u@example", Password: "pw"}
	b.ReportAllocs()
	for b.Loop() {
		if err := c.SyncProviders.Start(ctx, "link-1", "roles", creds); err != nil {
			b.Fatal(err)
		}
	}
}
