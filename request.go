package hvc

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/hvcsdk/hvc/internal/ops"
	"github.com/hvcsdk/hvc/internal/wire"
)

// sessionHeader carries the session id on every call.
const sessionHeader = "vmware-api-session-id"

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
	path, err := op.Path(cl.params...)
	if q := op.Query(); q != "" {
		path += "?" + q
	}
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
	body, err := wire.EncodeBody(legacy, op.WrapAs, cl.body)
	if err != nil {
		return &DecodeError{Method: op.Method, Path: path, Err: errors.New("encoding request: " + err.Error())}
	}
	req := request{method: op.Method, path: path, target: c.endpoint + wire.Prefix(legacy) + path, body: body, secrets: cl.secrets}

	var rep reply
	for attempt := 1; ; attempt++ {
		rep, err = c.sendWithSession(ctx, req)
		if !c.shouldRetry(ctx, op, attempt, rep, err) {
			break
		}
		if werr := c.backoff(ctx, attempt, rep.header); werr != nil {
			return &TransportError{Method: op.Method, Path: path, Err: werr}
		}
	}
	if err != nil {
		return err
	}
	if rep.status < 200 || rep.status > 299 {
		return unavailable(op, newStdError(op.Method, path, rep.status, rep.body, c.secrets(cl.secrets)...))
	}
	if cl.out == nil {
		return nil
	}
	if err := wire.DecodeResult(legacy, rep.body, cl.out); err != nil {
		return &DecodeError{Method: op.Method, Path: path, StatusCode: rep.status,
			Snippet: scrubbedSnippet(rep.body, c.secrets(cl.secrets)), Err: err}
	}
	if cl.check != nil {
		if err := cl.check(); err != nil {
			return &DecodeError{Method: op.Method, Path: path, StatusCode: rep.status, Err: err}
		}
	}
	return nil
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
// *TransportError that keeps its cause.
func (c *Client) send(ctx context.Context, req request) (reply, error) {
	tctx := ctx
	if dl, ok := ctx.Deadline(); !ok || time.Until(dl) > c.cfg.timeout {
		var cancel context.CancelFunc
		tctx, cancel = context.WithTimeout(ctx, c.cfg.timeout)
		defer cancel()
	}
	r := c.rc.R().SetContext(tctx)
	if req.body != nil {
		r.SetHeader("Content-Type", "application/json").SetBody(req.body)
	}
	if req.sessionID != "" {
		r.SetHeader(sessionHeader, req.sessionID)
	}
	if req.basic {
		r.SetBasicAuth(c.cfg.user, c.cfg.password).SetHeader("vmware-use-header-authn", "true")
	}
	debug := c.log.Enabled(ctx, levelDebug)
	start := time.Now()
	resp, err := r.Execute(req.method, req.target)
	if debug {
		c.logExchange(ctx, req.method, req.target[len(c.endpoint):], req.body, req.secrets, resp, err, time.Since(start))
	}
	if err != nil {
		if errors.Is(err, resty.ErrResponseBodyTooLarge) && resp != nil {
			return reply{}, &DecodeError{Method: req.method, Path: req.path, StatusCode: resp.StatusCode(),
				Err: errors.New("response body larger than " + itoa(c.cfg.maxBody) + " bytes")}
		}
		return reply{}, &TransportError{Method: req.method, Path: req.path, Err: cleanURLError(err),
			OutcomeUnknown: req.method == http.MethodPost && !neverSent(err)}
	}
	return reply{status: resp.StatusCode(), header: resp.Header(), body: resp.Body()}, nil
}

// cleanURLError drops the *url.Error wrapper, whose text repeats the full
// URL, keeping the cause (and so context.DeadlineExceeded) reachable.
func cleanURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// neverSent reports an error that certainly happened before the request
// reached the server: a failed dial, or a context already done.
func neverSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// secrets lists the values never to show in errors for one call.
func (c *Client) secrets(extra []string) []string {
	return append([]string{c.cfg.password, c.SessionID()}, extra...)
}
