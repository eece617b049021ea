package transport

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"

	"github.com/go-resty/resty/v2"
)

// wireTrace records, through net/http/httptrace, how far one exchange got:
// whether a connection was asked for and whether any of the request was
// written to one. It is the only ground for "the request may have reached
// the server": error kinds are not (a TLS failure, a refused dial, an
// invalid header and a cancelled context all fail before anything is
// written). The flags only ever go up: when net/http resends on a fresh
// connection a request of which nothing was written to a reused one, the
// first attempt's write still counts, which errs on the side of "unknown".
type wireTrace struct {
	asked atomic.Bool // the transport asked for a connection
	wrote atomic.Bool // request bytes were (or may have been) written
	trace httptrace.ClientTrace
}

// init sets w's hooks. asked is watched only for a transport not known to
// report through httptrace.
func (w *wireTrace) init(traced bool) {
	// A write can be partial and still reach the server: the request counts
	// as written once the transport has tried to write it, whether it
	// reports the headers as written or the write as failed.
	w.trace.WroteHeaders = func() { w.wrote.Store(true) }
	w.trace.WroteRequest = func(httptrace.WroteRequestInfo) { w.wrote.Store(true) }
	if !traced {
		w.trace.GetConn = func(string) { w.asked.Store(true) }
	}
}

// mayHaveSent reports whether the request may have reached the server. A
// transport that reports through httptrace (net/http's, x/net/http2's) is
// taken at its word; for any other that reported nothing the answer must be
// yes.
func (w *wireTrace) mayHaveSent(traced bool) bool {
	if w.wrote.Load() {
		return true
	}
	return !traced && !w.asked.Load()
}

// noReplay is resty's pre-request hook: it makes every request body
// impossible for a transport to replay behind the SDK's back. Go's HTTP/2
// client resends a request after a stream reset or GOAWAY when it can
// rewind the body (GetBody) or when there is none (golang/go#47635). So on
// a caller's transport, which may speak HTTP/2, GetBody is removed and a
// POST without a body gets an empty body that cannot be rewound either. On
// the SDK's own HTTP/1.1-only transport GetBody stays (net/http's HTTP/1
// client uses it only to resend a request of which nothing was written, on
// a kept-alive connection the server had closed) and a body-less POST goes
// out with "Content-Length: 0".
func (t *Transport) noReplay(_ *resty.Client, r *http.Request) error {
	if !t.http1Only {
		r.GetBody = nil
	}
	if r.ContentLength != 0 {
		return nil
	}
	// A request without a body names no content type (the shared header
	// maps name one so that resty adds none).
	delete(r.Header, "Content-Type")
	if r.Body != nil && r.Body != http.NoBody {
		_ = r.Body.Close()
	}
	r.GetBody = nil
	if r.Method == http.MethodPost && !t.http1Only {
		r.Body = emptyBody{}
		return nil
	}
	r.Body = http.NoBody
	return nil
}

// noBytes is the body resty is given for a request without one: empty,
// never read (net/http replaces it with http.NoBody) and so safe to share.
var noBytes = bytes.NewReader(nil)

// emptyBody is a request body with nothing in it that, unlike http.NoBody,
// no transport treats as safe to send again.
type emptyBody struct{}

func (emptyBody) Read([]byte) (int, error) { return 0, io.EOF }
func (emptyBody) Close() error             { return nil }

// cause drops the *url.Error wrapper, whose text repeats the full URL,
// keeping the cause (and so context.DeadlineExceeded) reachable, and turns
// a failed certificate verification into a *CertificateError.
func cause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if ce := certificateError(err); ce != nil {
		return ce
	}
	return quietReplayRefusal(err)
}

// quietReplayRefusal rewords the error Go's HTTP/2 client returns when it
// would have resent a request but could not rewind its body (which this
// package makes sure of): its advice to define Request.GetBody is the
// opposite of what a caller should do. The error is a plain string, so
// nothing is lost.
func quietReplayRefusal(err error) error {
	const pre, post = "http2: Transport: cannot retry err [", "] after Request.Body was written; define Request.GetBody to avoid this error"
	s := err.Error()
	if strings.HasPrefix(s, pre) && strings.HasSuffix(s, post) {
		return errors.New("http2: " + s[len(pre):len(s)-len(post)] + " after the request was written (not resent)")
	}
	return err
}
