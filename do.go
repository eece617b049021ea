package hvc

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/hvcsdk/hvc/internal/ops"
)

// Do calls an endpoint the SDK has no method for (a newer vCenter's
// addition, say) through the same pipeline as the generated methods: lazy
// login, a single shared re-login on 401, the flavor prefix, the retry
// policy, typed errors and secrets redaction.
//
// method is an HTTP method such as "GET" or "POST". path is flavor-less
// and already escaped, e.g. "/hvc/links" or "/hvc/links/l-1?action=delete";
// the client puts "/api" or "/rest" in front of it. A path with a scheme,
// host or fragment, or one that already starts with /api/ or /rest/, is
// refused with ErrInvalidArgument and nothing is sent.
//
// body (nil for none) is sent as JSON exactly as given: on the legacy /rest
// flavor wrap it yourself where the endpoint wants a {"spec":…} envelope.
// The success body is decoded into out (nil to discard it); on /rest it is
// first unwrapped from its {"value":…} envelope. An empty success body
// leaves out untouched. The client's own password and session id are
// masked in errors and logs as everywhere, and the debug log masks body
// members named like passwords; but Do cannot know which other values in
// body are secret, so a server that echoes one (a foreign PSC's password,
// say) in an error message has it shown there.
//
// Only GET, HEAD, PUT and DELETE are retried (and only under WithRetry);
// any other method, POST included, is sent at most once: a POST that may
// have reached the server fails with an error matching ErrOutcomeUnknown
// instead of being resent. A retried DELETE answered 404 after an attempt
// that may have been applied succeeds, as WithRetry describes.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	if err := c.checkCall(ctx, origin{op: doOp, method: method, path: path}); err != nil {
		return err
	}
	op, err := rawOp(method, path)
	if err != nil {
		return err
	}
	f, err := c.flavorFor(ctx)
	if err != nil {
		return err
	}
	return c.run(ctx, &call{op: op, body: body, out: out, raw: true}, f, c.endpoint+f.Prefix()+path)
}

// doOp is the operation name errors of Client.Do calls report.
const doOp = "Client.Do"

// rawOp describes a Client.Do call as an operation: its idempotency comes
// from the method, since nothing else is known about it.
func rawOp(method, path string) (*ops.Op, error) {
	bad := origin{op: doOp, method: method, path: path}
	if !validMethod(method) {
		return nil, bad.invalid("method", "must be an HTTP method such as GET or POST")
	}
	u, err := url.Parse(path)
	switch {
	case err != nil:
		return nil, bad.invalid("path", "is not a valid URL path: "+err.Error())
	case u.Scheme != "" || u.Host != "" || u.Fragment != "" || strings.Contains(path, "#"):
		return nil, bad.invalid("path", "must be a path with an optional query, without scheme, host or fragment")
	case !strings.HasPrefix(path, "/") || strings.HasPrefix(path, "//"):
		return nil, bad.invalid("path", `must start with "/"`)
	case u.Path == "/api" || u.Path == "/rest" || strings.HasPrefix(u.Path, "/api/") || strings.HasPrefix(u.Path, "/rest/"):
		return nil, bad.invalid("path", "must be flavor-less (the client adds /api or /rest)")
	}
	tmpl, _, _ := strings.Cut(path, "?")
	idempotent := method == http.MethodGet || method == http.MethodHead || method == http.MethodPut || method == http.MethodDelete
	return &ops.Op{Name: doOp, Method: method, Template: tmpl, Idempotent: idempotent}, nil
}

// validMethod reports an HTTP method token (RFC 9110), upper-case as every
// vCenter method is.
func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for i := 0; i < len(m); i++ {
		if m[i] < 'A' || m[i] > 'Z' {
			return false
		}
	}
	return true
}
