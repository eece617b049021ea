package hvc

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/hvcsdk/hvc/internal/ops"
	"github.com/hvcsdk/hvc/internal/wire"
)

// sessionHeader carries the session id on every call.
// It is spelled in canonical form so net/http need not rewrite it on every
// call; the wire is the same (header names are case-insensitive).
const sessionHeader = "Vmware-Api-Session-Id"

// call is one invocation of an hvc operation: the operation's facts come
// from the table in internal/ops, the rest is this invocation's.
type call struct {
	op *ops.Op
	// params fill op.Template's placeholders, in order (unescaped).
	params []string
	// body is the request body (nil for none), encoded per op.WrapAs.
	body any
	// out receives the decoded result; nil for void operations.
	out any
	// secrets are values in body that must be scrubbed from errors.
	secrets []string
	// check, when set, validates the decoded result; its error becomes a
	// *DecodeError naming the path and status as sent and received.
	check func() error
	// raw marks a Client.Do call: op is made up for it, so no table facts
	// (versions) are reported, and an empty success body decodes to nothing.
	raw bool
}

// request is one HTTP exchange to make.
type request struct {
	method string
	// path names the request in errors and logs (no scheme, host or query).
	path string
	// target is the full URL.
	target string
	body   []byte
	// secrets are the call's own, scrubbed from the debug log along with
	// the client's.
	secrets   []string
	sessionID string
	// basic sends the client's credentials with HTTP Basic auth (login).
	basic bool
}

// reply is one HTTP exchange's outcome.
type reply struct {
	status int
	header http.Header
	body   []byte
	// sent, with an error, is true when the request may have reached the
	// server although no complete response came back.
	sent bool
}

// do runs an operation: it validates and escapes the path parameters
// (before anything is sent), resolves the flavor and session, sends, re-logs
// in and resends once on 401 when it holds credentials, retries idempotent
// requests under the retry policy, and decodes the result or the error.
// Every error names the operation's method and flavor-less path, e.g.
// "POST /hvc/links/l-1?action=delete", the same way whether it was found
// locally or returned by the server.
func (c *Client) do(ctx context.Context, cl *call) error {
	op := cl.op
	// The parameters are checked before the flavor is resolved, which may
	// send a request; the URL is built for the flavor known now and again
	// only in the rare case that resolving it changed it.
	guess := c.Flavor() == FlavorREST
	target, err := c.target(op, guess, cl.params)
	if err != nil {
		var pe *ops.ParamError
		if errors.As(err, &pe) {
			return invalidArgument(op.Method, templatePath(op), pe.Name, pe.Problem)
		}
		return err
	}
	legacy, err := c.legacy(ctx)
	if err != nil {
		return err
	}
	if legacy != guess {
		if target, err = c.target(op, legacy, cl.params); err != nil {
			return err
		}
	}
	return c.run(ctx, cl, legacy, target)
}

// run sends a call whose flavor is settled and whose URL is built: it
// encodes the body, sends with the session under the retry policy and
// decodes the result or the error. Client.Do and the generated methods
// share it.
func (c *Client) run(ctx context.Context, cl *call, legacy bool, target string) error {
	op := cl.op
	path := target[len(c.endpoint)+len(wire.Prefix(legacy)):]
	body, err := wire.EncodeBody(legacy, op.WrapAs, cl.body)
	if err != nil {
		return &DecodeError{Method: op.Method, Path: path, Err: errors.New("encoding request: " + err.Error())}
	}
	req := request{method: op.Method, path: path, target: target, body: body, secrets: cl.secrets}

	var rep reply
	applied := false // an earlier attempt may have been applied
	for attempt := 1; ; attempt++ {
		rep, err = c.sendWithSession(ctx, req)
		if applied && err == nil && alreadyDeleted(op, rep) {
			return nil
		}
		if !c.shouldRetry(ctx, op, attempt, rep, err) {
			break
		}
		applied = applied || mayHaveApplied(rep, err)
		if werr := c.backoff(ctx, attempt, rep.header); werr != nil {
			return &TransportError{Method: op.Method, Path: path, Err: werr}
		}
	}
	if err != nil {
		return err
	}
	if rep.status < 200 || rep.status > 299 {
		err := newStdError(op.Method, path, rep.status, rep.body, c.secrets(cl.secrets)...)
		if !cl.raw {
			err = unavailable(op, err)
		}
		return c.hinted(err)
	}
	if cl.out == nil || (cl.raw && len(bytes.TrimSpace(rep.body)) == 0) {
		return nil
	}
	if err := wire.DecodeResult(legacy, rep.body, cl.out); err != nil {
		return &DecodeError{Method: op.Method, Path: path, StatusCode: rep.status,
			Snippet: scrubbedSnippet(rep.body, c.secrets(cl.secrets)), Err: scrubError(err, c.secrets(cl.secrets))}
	}
	if cl.check != nil {
		if err := cl.check(); err != nil {
			return &DecodeError{Method: op.Method, Path: path, StatusCode: rep.status, Err: err}
		}
	}
	return nil
}

// target returns the URL of a call of op: endpoint, flavor prefix, the path
// with params filled (see ops.Op.Path) and the action query, built in one
// allocation. The flavor-less path for errors and logs is its tail.
func (c *Client) target(op *ops.Op, legacy bool, params []string) (string, error) {
	var endpoint string
	if c != nil { // a Client not made by New fails in legacy, after the parameters are checked
		endpoint = c.endpoint
	}
	prefix := wire.Prefix(legacy)
	n := len(endpoint) + len(prefix) + len(op.Template) + len("?action=") + len(op.Action)
	for _, p := range params {
		n += len(p) + 8 // room for a few escapes
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(endpoint)
	b.WriteString(prefix)
	if err := op.WritePath(&b, params...); err != nil {
		return "", err
	}
	if q := op.Query(); q != "" {
		b.WriteByte('?')
		b.WriteString(q)
	}
	return b.String(), nil
}

// templatePath names an operation whose parameters could not be filled:
// its template and action, e.g. "/hvc/links/{link}?action=delete".
func templatePath(op *ops.Op) string {
	if q := op.Query(); q != "" {
		return op.Template + "?" + q
	}
	return op.Template
}

// sendWithSession sends with the current session (logging in first when
// needed) and, when the server answers 401 to a session the client can
// renew, re-logs in once (shared by all goroutines) and resends once.
func (c *Client) sendWithSession(ctx context.Context, req request) (reply, error) {
	id, err := c.session(ctx)
	if err != nil {
		return reply{}, err
	}
	req.sessionID = id
	rep, err := c.send(ctx, req)
	if err != nil || rep.status != http.StatusUnauthorized || !c.cfg.hasCredentials() {
		return rep, err
	}
	if req.sessionID, err = c.renew(ctx, id); err != nil {
		return reply{}, err
	}
	return c.send(ctx, req)
}

// send performs one HTTP exchange, bounded by the per-request timeout and
// the response size limit. A failure before a complete response is a
// *TransportError that keeps its cause; it is OutcomeUnknown for a POST only
// when the request may have reached the server (see wireTrace). The reply
// returned with an error says in sent whether it may have.
func (c *Client) send(ctx context.Context, req request) (reply, error) {
	if err := ctx.Err(); err != nil {
		// Nothing is sent under a context that is already done.
		return reply{}, &TransportError{Method: req.method, Path: req.path, Err: context.Cause(ctx)}
	}
	tctx := ctx
	if dl, ok := ctx.Deadline(); c.cfg.timeout > 0 && (!ok || time.Until(dl) > c.cfg.timeout) {
		var cancel context.CancelFunc
		tctx, cancel = context.WithTimeout(ctx, c.cfg.timeout)
		defer cancel()
	}
	// Whether a failed request may have reached the server decides a POST's
	// OutcomeUnknown and whether a retried DELETE's 404 means the object is
	// gone (mayHaveApplied); for a GET or HEAD it decides nothing, so they
	// go untraced and count as possibly sent.
	bodiless := req.method == http.MethodGet || req.method == http.MethodHead
	var x *exchange
	if !bodiless || req.body != nil {
		x = &exchange{}
	}
	if !bodiless {
		x.wt.init(c.tracedTransport)
		tctx = httptrace.WithClientTrace(tctx, &x.wt.trace)
	}
	r := c.rc.R().SetContext(tctx).SetDoNotParseResponse(true)
	// The headers come from a map shared by every request with the same
	// session (resty clones it into the *http.Request), so none is built
	// per request; resty writes nothing to it (see requestHeader).
	r.Header = c.requestHeader(req.sessionID, req.basic)
	switch {
	case req.body != nil:
		// A *bytes.Reader lets net/http size the body without resty copying
		// it; noReplay decides about the GetBody net/http derives from it.
		x.body.Reset(req.body)
		r.SetBody(&x.body)
	case !bodiless:
		// Left without a body, resty would read and copy http.NoBody to
		// make it replayable; net/http turns an empty *bytes.Reader into
		// http.NoBody itself. noReplay drops the Content-Type.
		r.SetBody(noBytes)
	}
	if req.basic {
		r.SetBasicAuth(c.cfg.user, c.cfg.password)
	}
	// The clock is read only for the debug log (it is slow on some VMs).
	var start time.Time
	debug := c.log.Enabled(ctx, levelDebug)
	if debug {
		start = time.Now()
	}
	resp, err := r.Execute(req.method, req.target)
	var rep reply
	if err == nil {
		rep, err = c.readReply(req, resp.RawResponse)
	}
	if debug {
		c.logExchange(ctx, req, rep, err, time.Since(start))
	}
	if err == nil {
		return rep, nil
	}
	var de *DecodeError
	if errors.As(err, &de) {
		return reply{}, err
	}
	sent := bodiless || x.wt.mayHaveSent(c.tracedTransport)
	return reply{sent: sent}, &TransportError{Method: req.method, Path: req.path, Err: transportCause(err),
		OutcomeUnknown: req.method == http.MethodPost && sent}
}

// readReply reads the response body (gunzipped when the server sent gzip
// that the transport left encoded), at most the configured limit.
func (c *Client) readReply(req request, resp *http.Response) (reply, error) {
	defer resp.Body.Close()
	var body io.Reader = resp.Body
	declared := resp.ContentLength
	if !resp.Uncompressed && resp.ContentLength != 0 && strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			return reply{}, &DecodeError{Method: req.method, Path: req.path, StatusCode: resp.StatusCode,
				Err: errors.New("gzip body: " + err.Error())}
		}
		defer zr.Close()
		body, declared = zr, -1
	}
	b, err := readBody(body, declared, c.cfg.maxBody)
	if len(b) > c.cfg.maxBody {
		return reply{status: resp.StatusCode}, &DecodeError{Method: req.method, Path: req.path, StatusCode: resp.StatusCode,
			Err: errors.New("response body larger than " + strconv.Itoa(c.cfg.maxBody) + " bytes")}
	}
	if err != nil {
		return reply{}, err
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}, nil
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

// exchange is what one send keeps on the heap, in one allocation.
type exchange struct {
	wt   wireTrace
	body bytes.Reader // the request body, when there is one
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
func (c *Client) noReplay(_ *resty.Client, r *http.Request) error {
	if !c.http1Only {
		r.GetBody = nil
	}
	if r.ContentLength != 0 {
		return nil
	}
	// A request without a body names no content type (requestHeader's
	// maps name one for resty's sake).
	delete(r.Header, "Content-Type")
	if r.Body != nil && r.Body != http.NoBody {
		_ = r.Body.Close()
	}
	r.GetBody = nil
	if r.Method == http.MethodPost && !c.http1Only {
		r.Body = emptyBody{}
		return nil
	}
	r.Body = http.NoBody
	return nil
}

// noBytes is the body resty is given for a request without one: empty,
// never read (net/http replaces it with http.NoBody) and so safe to share.
var noBytes = bytes.NewReader(nil)

// headerSet is the request headers for one session id, shared read-only by
// every request sent with it.
type headerSet struct {
	sessionID string
	header    http.Header
}

// requestHeader returns the headers of a request with the given session id
// (none when ""), or of a login with Basic auth. The map is shared: resty
// clones it into each *http.Request and, since it names User-Agent, Accept
// and Content-Type, has nothing to add to it (resty's parseRequestHeader and
// handleContentType write to a request's map only when one is missing); the
// request's own copy is what noReplay and net/http may change.
func (c *Client) requestHeader(sessionID string, basic bool) http.Header {
	if basic {
		return c.loginHeader
	}
	if hs := c.headers.Load(); hs != nil && hs.sessionID == sessionID {
		return hs.header
	}
	h := c.baseHeader()
	if sessionID != "" {
		h[sessionHeader] = []string{sessionID}
	}
	c.headers.Store(&headerSet{sessionID: sessionID, header: h})
	return h
}

// baseHeader returns a new map of the headers every request sends.
func (c *Client) baseHeader() http.Header {
	return http.Header{
		"User-Agent":   {c.cfg.userAgent},
		"Accept":       {"application/json"},
		"Content-Type": {"application/json"},
	}
}

// emptyBody is a request body with nothing in it that, unlike http.NoBody,
// no transport treats as safe to send again.
type emptyBody struct{}

func (emptyBody) Read([]byte) (int, error) { return 0, io.EOF }
func (emptyBody) Close() error             { return nil }

// transportCause drops the *url.Error wrapper, whose text repeats the full
// URL, keeping the cause (and so context.DeadlineExceeded) reachable, and
// turns a failed certificate verification into a *CertificateError.
func transportCause(err error) error {
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
// would have resent a request but could not rewind its body (which the SDK
// makes sure of): its advice to define Request.GetBody is the opposite of
// what a caller should do. The error is a plain string, so nothing is lost.
func quietReplayRefusal(err error) error {
	const pre, post = "http2: Transport: cannot retry err [", "] after Request.Body was written; define Request.GetBody to avoid this error"
	s := err.Error()
	if strings.HasPrefix(s, pre) && strings.HasSuffix(s, post) {
		return errors.New("http2: " + s[len(pre):len(s)-len(post)] + " after the request was written (not resent)")
	}
	return err
}

// secrets lists the values never to show in errors for one call.
func (c *Client) secrets(extra []string) []string {
	return append([]string{c.cfg.password, c.SessionID()}, extra...)
}
