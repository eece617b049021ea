package hvc

import (
	"errors"
	"net/http"
	"strings"

	"github.com/hvcsdk/hvc/internal/ops"
	"github.com/hvcsdk/hvc/internal/redact"
	"github.com/hvcsdk/hvc/internal/transport"
)

// The classifier: every error a call returns is built here, once and
// complete (type, hint, unavailability, secrets masked), from what
// happened to one exchange; nothing changes an error after it is built.
//
// Every error names the exchange it is about the same way (see origin):
// the operation (StdError.Op and the other types' Op fields), the HTTP
// method and the path.

// Operation names of the session resource's exchanges, as errors report
// them in their Op field (the service operations are named by the table,
// "Links.Create"; Client.Do calls "Client.Do").
const (
	opLogin  = "Session.Create" // POST, the login
	opLogout = "Session.Delete" // DELETE, Logout and Close
	opProbe  = "Session.Get"    // GET, the flavor probe
)

// Operation names of the calls that run table operations without being
// one: Wait polls SyncProviders.Get, StartAndWait starts with
// SyncProviders.Start. Their own errors (a refused ctx or id, the end of
// Wait's context while it sleeps) name them; an exchange's names its row.
const (
	opWait         = "SyncProviders.Wait"
	opStartAndWait = "SyncProviders.StartAndWait"
)

// origin names the exchange an error is about. path is what every error's
// Path field holds: the request path without scheme, host and flavor
// prefix (/api or /rest), with its query, e.g. "/hvc/links/l-1?action=delete",
// "/session" (the /api session resource) or "/com/vmware/cis/session" (the
// /rest one). A call refused before its path could be filled names the
// template, e.g. "/hvc/links/{link}".
type origin struct {
	op, method, path string
	// table is the operation's row; nil for the session resource and for
	// Client.Do, which cannot be reported unavailable.
	table *ops.Op
}

// callOrigin names a call of a table operation (or a Client.Do call).
func callOrigin(op *ops.Op, path string, raw bool) origin {
	o := origin{op: op.Name, method: op.Method, path: path, table: op}
	if raw {
		o.table = nil
	}
	return o
}

// refused is the error of a call of op refused before anything was sent,
// naming op's template (its parameters may be what is wrong).
func refused(op *ops.Op, field, problem string) error {
	return callOrigin(op, templatePath(op), false).invalid(field, problem)
}

// templatePath names an operation whose parameters could not be filled:
// its template and action, e.g. "/hvc/links/{link}?action=delete".
func templatePath(op *ops.Op) string {
	if q := op.Query(); q != "" {
		return op.Template + "?" + q
	}
	return op.Template
}

// sessionOrigin names an exchange with the session resource of a flavor.
func sessionOrigin(op, method string, f Flavor) origin {
	return origin{op: op, method: method, path: f.SessionPath()}
}

// failed is the error of an exchange that got no usable reply: a
// *DecodeError when the reply's body could not be used, else a
// *TransportError that keeps the cause and is OutcomeUnknown for a POST
// that may have reached the server.
func (o origin) failed(rep transport.Reply, err error) error {
	var be *transport.BodyError
	if errors.As(err, &be) {
		return &DecodeError{Op: o.op, Method: o.method, Path: o.path, StatusCode: be.Status, Err: be.Err}
	}
	return &TransportError{Op: o.op, Method: o.method, Path: o.path, Err: transportCause(err),
		OutcomeUnknown: o.method == http.MethodPost && rep.Sent}
}

// interrupted is the error of a call whose context ended (or whose retry
// wait failed) outside an exchange.
func (o origin) interrupted(cause error) error {
	return &TransportError{Op: o.op, Method: o.method, Path: o.path, Err: cause}
}

// undecodable is the error of a reply that is not the documented shape.
func (o origin) undecodable(status int, snippet string, err error) error {
	return &DecodeError{Op: o.op, Method: o.method, Path: o.path, StatusCode: status, Snippet: snippet, Err: err}
}

// invalid is a local validation failure: nothing was sent.
func (o origin) invalid(field, problem string) error {
	return o.refusal("hvc.client.invalid_argument", field, field+" "+problem+" (request not sent)")
}

// refusal is the *InvalidArgumentError of a call refused before anything
// was sent: one message with id, the text and the argument's name.
func (o origin) refusal(id, arg, text string) error {
	return &InvalidArgumentError{&StdError{
		ErrorType: ErrorTypeInvalidArgument,
		Op:        o.op,
		Method:    o.method,
		Path:      o.path,
		Messages:  []LocalizableMessage{{ID: id, DefaultMessage: text, Args: []string{arg}}},
	}}
}

// rejected is the error of a non-2xx reply: the typed error of its body's
// error type with the client's hint, or an *OperationUnavailableError when
// the server answered a table operation as a URL it has no operation for.
// secrets (besides the client's password and session id) are masked in
// everything quoted from the body.
func (c *Client) rejected(o origin, rep transport.Reply, secrets []string) error {
	hint, noCreds := c.hint(o, rep.Status)
	std := newStdError(o, rep.Status, rep.Body, hint, noCreds, c.secrets(secrets))
	if o.table != nil && routeNotFound(std) {
		u := &OperationUnavailableError{Op: o.table.Name, Versions: o.table.Versions(), Cause: std, what: opWhat(o.table)}
		if o.table.Last() == ops.FamilyUntil && ops.Latest > ops.FamilyUntil {
			u.removedAfter, u.removedIn = ops.FamilyUntil.String(), (ops.FamilyUntil + 1).String()
		}
		return u
	}
	return wrapTyped(std)
}

// Hints: where the fix for an error is known, the error says so in
// StdError.Hint, which Error() appends after the server's messages.
const (
	hintNoCredentials = "the session is not valid and the client has no credentials to log in again: " +
		"create it WithCredentials or WithSessionSource, or pass a new WithSessionID"
	hintOldServer = "the server has no /api/session and looks older than vSphere 7.0U2: " +
		"create the client WithFlavor(hvc.FlavorAuto) or WithFlavor(hvc.FlavorREST)"
)

// hint returns what the client knows about a reply's status: a 401 on a
// client that cannot log in again (which then also matches
// ErrNoCredentials), or a 404 from /api/session under a forced FlavorAPI
// (the server is older than vSphere 7.0U2, which has no /api flavor).
func (c *Client) hint(o origin, status int) (hint string, noCredentials bool) {
	switch {
	case status == http.StatusUnauthorized && !c.cfg.hasCredentials():
		return hintNoCredentials, true
	case status == http.StatusNotFound && o.op == opLogin && c.Flavor() == FlavorAPI:
		return hintOldServer, false
	}
	return "", false
}

// transportCause shows the transport's certificate failures as the SDK's
// public error types.
func transportCause(err error) error {
	var pm *transport.PinMismatchError
	if errors.As(err, &pm) {
		return &CertificateMismatchError{Expected: pm.Expected, Actual: pm.Actual}
	}
	var ce *transport.CertificateError
	if errors.As(err, &ce) {
		return &CertificateError{Thumbprint: ce.Thumbprint, Err: ce.Err}
	}
	return err
}

// secrets lists the values never to show in errors for one call: the
// client's password and session id, and the call's own.
func (c *Client) secrets(extra []string) []string {
	return append([]string{c.cfg.password, c.SessionID()}, extra...)
}

// scrubbedSnippet quotes a bounded prefix of body with secrets removed
// first, so that a secret cut by the bound cannot leak its beginning.
func scrubbedSnippet(body []byte, secrets []string) string {
	return redact.Snippet(redact.JSONValues(body, secrets...), snippetLimit)
}

// Message ids of a real vCenter's reply to a URL it has no operation for,
// as opposed to an operation that did not find its object.
const (
	// idNoOperationForURL is the legacy /rest reply, "Unable to find
	// operations for URL: …" (seen from vCenter 7.0.3).
	idNoOperationForURL = "com.vmware.vapi.rest.operationsForUrlNotFound"
	// idHTTPNotFound is the /api reply, "Not found.", also what a server
	// without /api answers for every /api path.
	idHTTPNotFound = "com.vmware.vapi.rest.httpNotFound"
)

// routeNotFound reports a 404 that says the URL has no operation: a
// NOT_FOUND whose message is vCenter's route-level one, or a 404 whose body
// is not a standard error.
func routeNotFound(e *StdError) bool {
	if e.StatusCode != 404 || (e.ErrorType != ErrorTypeNotFound && e.ErrorType != "") {
		return false
	}
	if len(e.Messages) == 0 {
		return false // a std NOT_FOUND that says nothing: an object's
	}
	switch e.Messages[0].ID {
	case idNoOperationForURL, idHTTPNotFound, idNonStdError:
		return true
	}
	return false
}

// opWhat names what is missing: a whole service when every operation of it
// shares op's releases ("sync providers exist in"), else the operation
// ("Links.Get exists in").
func opWhat(op *ops.Op) string {
	service, _, _ := strings.Cut(op.Name, ".")
	n := 0
	for _, o := range ops.All {
		if s, _, _ := strings.Cut(o.Name, "."); s == service {
			if o.Since != op.Since || o.Until != op.Until {
				return op.Name + " exists in"
			}
			n++
		}
	}
	if n < 2 {
		return op.Name + " exists in"
	}
	return serviceNoun(service) + " exist in"
}

// serviceNoun spells a service name in words: "SyncProviders" → "sync
// providers".
func serviceNoun(service string) string {
	var b strings.Builder
	for i, r := range service {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte(' ')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
