package hvc

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/hvcsdk/hvc/internal/ops"
	"github.com/hvcsdk/hvc/internal/transport"
	"github.com/hvcsdk/hvc/internal/wire"
)

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
	// origin names the exchange in its errors (and holds its method).
	origin
	// target is the full URL.
	target string
	body   []byte
	// secrets are the call's own, scrubbed from the debug log along with
	// the client's.
	secrets   []string
	sessionID string
	// basic sends the client's credentials with HTTP Basic auth (login).
	basic bool
	// session marks the session resource's requests, whose bodies the
	// debug log never records.
	session bool
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
	_, target, guess, err := c.prepare(ctx, op.Name, op, cl.params)
	if err != nil {
		return err
	}
	f, err := c.flavorFor(ctx)
	if err != nil {
		return err
	}
	if f.Prefix() != guess.Prefix() {
		if target, err = c.target(op, f, cl.params); err != nil {
			return err
		}
	}
	return c.run(ctx, cl, f, target)
}

// prepare checks a call of op with params before anything is sent: the
// params first (a refusal naming op's template), then c and ctx
// (checkCall). name is the operation its errors name: op.Name, or a call
// that runs op, such as SyncProviders.Wait (which is no table operation,
// so its origin has no row). It returns the call's origin and op's URL for
// the flavor known now, guess.
func (c *Client) prepare(ctx context.Context, name string, op *ops.Op, params []string) (o origin, target string, guess Flavor, err error) {
	o = callOrigin(op, templatePath(op), name != op.Name)
	o.op = name
	guess = c.Flavor()
	target, err = c.target(op, guess, params)
	if err != nil {
		var pe *ops.ParamError
		if errors.As(err, &pe) {
			return o, "", guess, o.invalid(pe.Name, pe.Problem)
		}
		return o, "", guess, err
	}
	o.path = c.pathOf(target, guess)
	return o, target, guess, c.checkCall(ctx, o)
}

// run sends a call whose flavor is settled and whose URL is built: it
// encodes the body, sends with the session under the retry policy and
// decodes the result or the error. Client.Do and the generated methods
// share it.
func (c *Client) run(ctx context.Context, cl *call, f Flavor, target string) error {
	op := cl.op
	o := callOrigin(op, c.pathOf(target, f), cl.raw)
	body, err := wire.EncodeBody(f, op.WrapAs, cl.body)
	if err != nil {
		return o.undecodable(0, "", errors.New("encoding request: "+err.Error()))
	}
	req := request{origin: o, target: target, body: body, secrets: cl.secrets}

	var rep transport.Reply
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
		if werr := c.backoff(ctx, attempt, rep); werr != nil {
			return o.interrupted(werr)
		}
	}
	if err != nil {
		return err
	}
	if rep.Status < 200 || rep.Status > 299 {
		return c.rejected(o, rep, cl.secrets)
	}
	if cl.out == nil || (cl.raw && len(bytes.TrimSpace(rep.Body)) == 0) {
		return nil
	}
	if err := wire.DecodeResult(f, rep.Body, cl.out); err != nil {
		return o.undecodable(rep.Status, scrubbedSnippet(rep.Body, c.secrets(cl.secrets)), scrubError(err, c.secrets(cl.secrets)))
	}
	if cl.check != nil {
		if err := cl.check(); err != nil {
			return o.undecodable(rep.Status, "", err)
		}
	}
	return nil
}

// target returns the URL of a call of op: endpoint, flavor prefix, the path
// with params filled (see ops.Op.Path) and the action query, built in one
// allocation. The flavor-less path for errors and logs is its tail.
func (c *Client) target(op *ops.Op, f Flavor, params []string) (string, error) {
	var endpoint string
	if c != nil { // a Client not made by New fails in checkCall, after the parameters are checked
		endpoint = c.endpoint
	}
	prefix := f.Prefix()
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

// pathOf returns the flavor-less path of a target URL built for f, as
// errors name it.
func (c *Client) pathOf(target string, f Flavor) string {
	var endpoint string
	if c != nil {
		endpoint = c.endpoint
	}
	return target[len(endpoint)+len(f.Prefix()):]
}

// sendWithSession sends with the current session (logging in first when
// needed) and, when the server answers 401 to a session the client can
// renew, re-logs in once (shared by all goroutines) and resends once.
func (c *Client) sendWithSession(ctx context.Context, req request) (transport.Reply, error) {
	id, err := c.session(ctx)
	if err != nil {
		return transport.Reply{}, err
	}
	req.sessionID = id
	rep, err := c.send(ctx, req)
	if err != nil || rep.Status != http.StatusUnauthorized || !c.cfg.hasCredentials() {
		return rep, err
	}
	if req.sessionID, err = c.renew(ctx, id); err != nil {
		return transport.Reply{}, err
	}
	return c.send(ctx, req)
}

// send performs one HTTP exchange through the transport, which never
// resends it. A failure before a complete response is a *TransportError
// that keeps its cause; it is OutcomeUnknown for a POST only when the
// request may have reached the server (Reply.Sent). A response whose body
// cannot be used is a *DecodeError.
func (c *Client) send(ctx context.Context, req request) (transport.Reply, error) {
	rep, err := c.tr.Do(ctx, transport.Request{Method: req.method, URL: req.target, Body: req.body,
		SessionID: req.sessionID, Login: req.basic, Secrets: req.secrets, Sensitive: req.session})
	if err != nil {
		return rep, req.failed(rep, err)
	}
	return rep, nil
}
