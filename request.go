package hvc

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/hvcsdk/hvc/internal/wire"
)

// sessionHeader carries the session id on every call.
const sessionHeader = "vmware-api-session-id"

// call is one hvc operation, described once for both flavors.
type call struct {
	method string
	// path is flavor-less and already escaped, e.g. "/hvc/links/l%2F1".
	path string
	// query is the raw query, e.g. "action=start".
	query string
	// body is the request body (nil for none); wrapAs names it as the
	// operation's body parameter (see wire.EncodeBody).
	body   any
	wrapAs string
	// out receives the decoded result; nil for void operations.
	out any
	// secrets are values in body that must be scrubbed from errors.
	secrets []string
	// check, when set, validates the decoded result; its error becomes a
	// *DecodeError naming the path and status as sent and received.
	check func() error
}

// reply is one HTTP exchange's outcome.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// do runs an operation: it resolves the flavor and session, sends, re-logs in
// and resends once on 401 when it holds credentials, retries idempotent
// requests under the retry policy, and decodes the result or the error.
func (c *Client) do(ctx context.Context, op *call) error {
	legacy, err := c.legacy(ctx)
	if err != nil {
		return err
	}
	body, err := wire.EncodeBody(legacy, op.wrapAs, op.body)
	if err != nil {
		return &DecodeError{Method: op.method, Path: op.path, Err: errors.New("encoding request: " + err.Error())}
	}
	// One allocation for the URL; path is a slice of it.
	prefix := wire.Prefix(legacy)
	var target string
	if op.query != "" {
		target = c.endpoint + prefix + op.path + "?" + op.query
	} else {
		target = c.endpoint + prefix + op.path
	}
	path := target[len(c.endpoint) : len(c.endpoint)+len(prefix)+len(op.path)]

	var rep reply
	for attempt := 1; ; attempt++ {
		rep, err = c.sendWithSession(ctx, op.method, path, target, body, op.secrets)
		if !c.shouldRetry(ctx, op.method, attempt, rep, err) {
			break
		}
		if werr := c.backoff(ctx, attempt, rep.header); werr != nil {
			return &TransportError{Method: op.method, Path: path, Err: werr}
		}
	}
	if err != nil {
		return err
	}
	if rep.status < 200 || rep.status > 299 {
		return c.hinted(newStdError(op.method, path, rep.status, rep.body, c.secrets(op.secrets)...))
	}
	if op.out == nil {
		return nil
	}
	if err := wire.DecodeResult(legacy, rep.body, op.out); err != nil {
		return &DecodeError{Method: op.method, Path: path, StatusCode: rep.status,
			Snippet: scrubbedSnippet(rep.body, c.secrets(op.secrets)), Err: scrubError(err, c.secrets(op.secrets))}
	}
	if op.check != nil {
		if err := op.check(); err != nil {
			return &DecodeError{Method: op.method, Path: path, StatusCode: rep.status, Err: err}
		}
	}
	return nil
}

// sendWithSession sends with the current session (logging in first when
// needed) and, when the server answers 401 to a session the client can
// renew, re-logs in once (shared by all goroutines) and resends once.
// secrets are the call's own (see call.secrets), for send's debug log.
func (c *Client) sendWithSession(ctx context.Context, method, path, target string, body []byte, secrets []string) (reply, error) {
	id, err := c.session(ctx)
	if err != nil {
		return reply{}, err
	}
	rep, err := c.send(ctx, method, path, target, body, secrets, id, false)
	if err != nil || rep.status != http.StatusUnauthorized || !c.cfg.hasCredentials() {
		return rep, err
	}
	id, err = c.renew(ctx, id)
	if err != nil {
		return reply{}, err
	}
	return c.send(ctx, method, path, target, body, secrets, id, false)
}

// send performs one HTTP exchange, bounded by the per-request timeout and
// the response size limit. A failure before a complete response is a
// *TransportError that keeps its cause. secrets, the call's own, are
// scrubbed from the debug log along with the client's.
func (c *Client) send(ctx context.Context, method, path, target string, body []byte, secrets []string, sessionID string, basic bool) (reply, error) {
	tctx := ctx
	if dl, ok := ctx.Deadline(); !ok || time.Until(dl) > c.cfg.timeout {
		var cancel context.CancelFunc
		tctx, cancel = context.WithTimeout(ctx, c.cfg.timeout)
		defer cancel()
	}
	r := c.rc.R().SetContext(tctx)
	if body != nil {
		r.SetHeader("Content-Type", "application/json").SetBody(body)
	}
	if sessionID != "" {
		r.SetHeader(sessionHeader, sessionID)
	}
	if basic {
		r.SetBasicAuth(c.cfg.user, c.cfg.password).SetHeader("vmware-use-header-authn", "true")
	}
	debug := c.log.Enabled(ctx, levelDebug)
	start := time.Now()
	resp, err := r.Execute(method, target)
	if debug {
		c.logExchange(ctx, method, path, body, secrets, resp, err, time.Since(start))
	}
	if err != nil {
		if errors.Is(err, resty.ErrResponseBodyTooLarge) && resp != nil {
			return reply{}, &DecodeError{Method: method, Path: path, StatusCode: resp.StatusCode(),
				Err: errors.New("response body larger than " + itoa(c.cfg.maxBody) + " bytes")}
		}
		return reply{}, &TransportError{Method: method, Path: path, Err: cleanURLError(err),
			OutcomeUnknown: method == http.MethodPost && !neverSent(err)}
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

// escape escapes one path parameter. "." and ".." are rejected by callers.
func escape(s string) string { return url.PathEscape(s) }

// checkID validates a path parameter: non-empty and not a dot segment.
func checkID(method, path, name, v string) error {
	switch {
	case strings.TrimSpace(v) == "":
		return invalidArgument(method, path, name, "must not be empty")
	case v == "." || v == "..":
		return invalidArgument(method, path, name, "must not be a dot segment")
	}
	return nil
}
