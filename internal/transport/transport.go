// Package transport is the SDK's HTTP exchange: the only package that
// knows net/http, resty, TLS, httptrace, body limits and the debug log.
// Package hvc decides what to send and what a reply means; this package
// sends one request and reads one reply.
//
// Do sends a request at most once: resty is asked for no retries, net/http
// and Go's HTTP/2 client are kept from replaying it (see noReplay), and
// Reply.Sent says whether any of it may have been written, so the caller
// can tell "nothing happened" from "the server may have applied it".
//
// resty is used through its public API only; the behaviours this package
// relies on are pinned by resty_contract_test.go, one subtest each, so an
// upgrade that changes one fails that test by name.
package transport

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-resty/resty/v2"
)

// SessionHeader carries the session id on every call. It is spelled in
// canonical form so net/http need not rewrite it on every call; the wire is
// the same (header names are case-insensitive).
const SessionHeader = "Vmware-Api-Session-Id"

// Config is what a Transport is built from. The zero value of each field
// but MaxBody is a usable default.
type Config struct {
	// Endpoint is "scheme://host[:port]"; the debug log names a request
	// by its URL without it.
	Endpoint string
	// HTTPClient is the caller's client (WithHTTPClient), or nil for the
	// SDK's own HTTP/1.1-only transport.
	HTTPClient *http.Client
	// TLS configures certificate verification.
	TLS TLS
	// Timeout caps each exchange; 0 means no cap (the context decides).
	Timeout time.Duration
	// MaxBody is the largest response body read.
	MaxBody int
	// UserAgent is sent on every request.
	UserAgent string
	// User and Password are sent with HTTP Basic auth on a login request.
	User, Password string
	// Logger receives a debug record of every exchange; nil for none.
	Logger *slog.Logger
}

// Request is one HTTP exchange to make.
type Request struct {
	Method string
	// URL is the full request URL.
	URL  string
	Body []byte
	// SessionID is sent in SessionHeader when not "".
	SessionID string
	// Login sends the configured credentials with HTTP Basic auth and
	// asks for a header session (vmware-use-header-authn).
	Login bool
	// Secrets are values the debug log must never show (passwords in the
	// body); the configured password and SessionID are always masked.
	Secrets []string
	// Sensitive marks a request whose bodies the debug log must not record
	// at all (the session resource's: they hold the token).
	Sensitive bool
}

// Reply is one exchange's outcome. With a nil error from Do it holds a
// complete response; with an error, Status is set when a response head was
// received, and Sent says whether the request may have reached the server.
type Reply struct {
	Status int
	Header http.Header
	Body   []byte
	// Sent is true when any byte of the request may have been written to
	// the server (with a nil error it is always true).
	Sent bool
}

// RetryAfter reads the reply's Retry-After header, in seconds or as an
// HTTP date (a date in the past is 0); ok is false when there is none or
// it cannot be read.
func (r Reply) RetryAfter() (d time.Duration, ok bool) {
	v := r.Header.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}

// BodyError reports a response whose head arrived but whose body could not
// be used: larger than Config.MaxBody, or gzip that does not decode. The
// request reached the server.
type BodyError struct {
	// Status is the response's HTTP status.
	Status int
	// Err says what is wrong with the body.
	Err error
}

func (e *BodyError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *BodyError) Unwrap() error { return e.Err }

// Transport sends requests. It is safe for concurrent use.
type Transport struct {
	cfg Config
	rc  *resty.Client
	hc  *http.Client
	log *slog.Logger
	// http1Only is true on the SDK's own transport, which speaks HTTP/1.1
	// only (see noReplay).
	http1Only bool
	// traced is true when the transport is an *http.Transport, which
	// reports through httptrace whatever it writes (see wireTrace).
	traced bool
	// headers and loginHeader are the request headers (see header).
	headers     atomic.Pointer[headerSet]
	loginHeader http.Header
}

// New builds a Transport. It fails when a TLS option cannot be enforced on
// the caller's client (see newHTTPClient).
func New(cfg Config) (*Transport, error) {
	hc, own, err := newHTTPClient(cfg.HTTPClient, cfg.TLS)
	if err != nil {
		return nil, err
	}
	t := &Transport{cfg: cfg, hc: hc, log: cfg.Logger, http1Only: own}
	_, t.traced = hc.Transport.(*http.Transport)
	if t.log == nil {
		t.log = slog.New(slog.DiscardHandler)
	}
	// resty is configured to add nothing of its own (no retries, no
	// logging, no warnings; each request carries a complete header map)
	// and to leave the response body unread (SetDoNotParseResponse). The
	// contract test pins each of these.
	t.rc = resty.NewWithClient(hc).
		SetLogger(quietLogger{}).
		SetDisableWarn(true).
		SetRetryCount(0).
		SetPreRequestHook(t.noReplay)
	t.loginHeader = t.baseHeader()
	t.loginHeader["Vmware-Use-Header-Authn"] = []string{"true"}
	return t, nil
}

// CloseIdleConnections closes the idle keep-alive connections.
func (t *Transport) CloseIdleConnections() { t.hc.CloseIdleConnections() }

// Do performs one HTTP exchange, bounded by the configured timeout and body
// limit, and never resends it. A failure before a complete response keeps
// its cause, without the *url.Error wrapper (whose text repeats the URL),
// with a failed certificate verification as a *CertificateError and a pin
// mismatch as a *PinMismatchError in the chain; a response whose body
// cannot be used is a *BodyError.
func (t *Transport) Do(ctx context.Context, req Request) (Reply, error) {
	if err := ctx.Err(); err != nil {
		// Nothing is sent under a context that is already done.
		return Reply{}, context.Cause(ctx)
	}
	tctx := ctx
	if dl, ok := ctx.Deadline(); t.cfg.Timeout > 0 && (!ok || time.Until(dl) > t.cfg.Timeout) {
		var cancel context.CancelFunc
		tctx, cancel = context.WithTimeout(ctx, t.cfg.Timeout)
		defer cancel()
	}
	// Whether a failed request may have reached the server decides a POST's
	// outcome and whether a retried DELETE's 404 means the object is gone;
	// for a GET or HEAD it decides nothing, so they go untraced and count
	// as possibly sent.
	bodiless := req.Method == http.MethodGet || req.Method == http.MethodHead
	var x *exchange
	if !bodiless || req.Body != nil {
		x = &exchange{}
	}
	if !bodiless {
		x.wt.init(t.traced)
		tctx = httptrace.WithClientTrace(tctx, &x.wt.trace)
	}
	r := t.rc.R().SetContext(tctx).SetDoNotParseResponse(true)
	// The header map is shared by every request with the same session:
	// resty copies it into each *http.Request and, since it names
	// User-Agent, Accept and Content-Type, adds nothing to it (pinned by
	// the contract test); the request's own copy is what noReplay and
	// net/http may change.
	r.Header = t.header(req.SessionID, req.Login)
	switch {
	case req.Body != nil:
		// A *bytes.Reader lets net/http size the body without resty copying
		// it; noReplay decides about the GetBody net/http derives from it.
		x.body.Reset(req.Body)
		r.SetBody(&x.body)
	case !bodiless:
		// An empty *bytes.Reader, which net/http turns into http.NoBody;
		// noReplay drops the Content-Type.
		r.SetBody(noBytes)
	}
	if req.Login {
		r.SetBasicAuth(t.cfg.User, t.cfg.Password)
	}
	// The clock is read only for the debug log (it is slow on some VMs).
	var start time.Time
	debug := t.log.Enabled(ctx, slog.LevelDebug)
	if debug {
		start = time.Now()
	}
	resp, err := r.Execute(req.Method, req.URL)
	var rep Reply
	if err == nil {
		rep, err = t.readReply(resp.RawResponse)
	}
	if debug {
		t.logExchange(ctx, req, rep, err, time.Since(start))
	}
	if err == nil {
		rep.Sent = true
		return rep, nil
	}
	var be *BodyError
	if errors.As(err, &be) {
		return Reply{Status: be.Status, Sent: true}, err
	}
	return Reply{Sent: bodiless || x.wt.mayHaveSent(t.traced)}, cause(err)
}

// readReply reads the response body (gunzipped when the server sent gzip
// that the transport left encoded), at most the configured limit.
func (t *Transport) readReply(resp *http.Response) (Reply, error) {
	defer resp.Body.Close()
	var body io.Reader = resp.Body
	declared := resp.ContentLength
	if !resp.Uncompressed && resp.ContentLength != 0 && strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			return Reply{}, &BodyError{Status: resp.StatusCode, Err: errors.New("gzip body: " + err.Error())}
		}
		defer zr.Close()
		body, declared = zr, -1
	}
	max := t.cfg.MaxBody
	b, err := readBody(body, declared, max)
	if len(b) > max {
		return Reply{}, &BodyError{Status: resp.StatusCode,
			Err: errors.New("response body larger than " + strconv.Itoa(max) + " bytes")}
	}
	if err != nil {
		return Reply{}, err
	}
	return Reply{Status: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

// readBody reads body to its end, at most max+1 bytes (more means too
// large). A body of known length (declared >= 0) within the limit is read
// into a buffer of exactly that size, and an empty one allocates nothing;
// one that turns out longer than declared is read on under the limit.
func readBody(body io.Reader, declared int64, max int) ([]byte, error) {
	if declared < 0 || declared > int64(max) {
		return io.ReadAll(io.LimitReader(body, int64(max)+1))
	}
	n := int(declared)
	var b []byte
	if n > 0 {
		b = make([]byte, n, n+1)
		if _, err := io.ReadFull(body, b); err != nil {
			return nil, err
		}
	}
	// Confirm the end (seeing io.EOF also lets net/http reuse the
	// connection at once). For n == 0 this is a zero-length read, which a
	// reader at its end answers with io.EOF.
	k, err := body.Read(b[n:cap(b)])
	if k == 0 && errors.Is(err, io.EOF) {
		return b, nil
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	b = b[:n+k]
	rest, err := io.ReadAll(io.LimitReader(body, int64(max-len(b))+1))
	return append(b, rest...), err
}

// exchange is what one Do keeps on the heap, in one allocation.
type exchange struct {
	wt   wireTrace
	body bytes.Reader // the request body, when there is one
}

// headerSet is the request headers for one session id, shared read-only by
// every request sent with it.
type headerSet struct {
	sessionID string
	header    http.Header
}

// header returns the headers of a request with the given session id (none
// when ""), or of a login. The map is shared and must not be written to.
func (t *Transport) header(sessionID string, login bool) http.Header {
	if login {
		return t.loginHeader
	}
	if hs := t.headers.Load(); hs != nil && hs.sessionID == sessionID {
		return hs.header
	}
	h := t.baseHeader()
	if sessionID != "" {
		h[SessionHeader] = []string{sessionID}
	}
	t.headers.Store(&headerSet{sessionID: sessionID, header: h})
	return h
}

// baseHeader returns a new map of the headers every request sends.
func (t *Transport) baseHeader() http.Header {
	return http.Header{
		"User-Agent":   {t.cfg.UserAgent},
		"Accept":       {"application/json"},
		"Content-Type": {"application/json"},
	}
}

// quietLogger keeps resty from printing anything of its own.
type quietLogger struct{}

func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Warnf(string, ...any)  {}
func (quietLogger) Debugf(string, ...any) {}
