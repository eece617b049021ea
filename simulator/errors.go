package simulator

import (
	"strings"

	"github.com/hvcsdk/hvc/internal/stderr"
)

// StatusOf returns the HTTP status vCenter answers with for a standard
// error type, 500 for a type it does not know.
func StatusOf(errorType string) int {
	if s, ok := stderr.Status(errorType); ok {
		return s
	}
	return 500
}

// legacyType is the /rest envelope's "type" of an error type, e.g.
// com.vmware.vapi.std.errors.not_found.
func legacyType(errorType string) string {
	return "com.vmware.vapi.std.errors." + strings.ToLower(errorType)
}

// challenge is the WWW-Authenticate value sent with 401 UNAUTHENTICATED.
const challenge = `Basic realm="VAPI endpoint",service="VAPI endpoint"`

// message is a LocalizableMessage. Params are kept in order so that both
// encodings are deterministic.
type message struct {
	id, text string
	args     []string
	params   []param
}

type param struct{ key, value string }

// stdError is a standard error the simulator answers with.
type stdError struct {
	typ      string
	status   int
	messages []message
	data     any
}

func newError(typ, id, text string, args ...string) *stdError {
	return &stdError{typ: typ, status: StatusOf(typ), messages: []message{{id: id, text: text, args: args}}}
}

// withParam adds a named localization parameter to the first message.
func (e *stdError) withParam(key, value string) *stdError {
	e.messages[0].params = append(e.messages[0].params, param{key, value})
	return e
}

func errInvalidArgument(field, problem string) *stdError {
	return newError("INVALID_ARGUMENT", "com.vmware.vapi.std.errors.invalid_argument",
		"Invalid value for "+field+": "+problem, field).withParam("field", field)
}

func errInvalidRequest(text string) *stdError {
	return newError("INVALID_REQUEST", "vapi.bindings.method.invalid.request", text)
}

func errNotFound(kind, id string) *stdError {
	return newError("NOT_FOUND", "com.vmware.vcenter.hvc."+kind+".not_found",
		"The "+kind+" "+id+" was not found.", id).withParam(kind, id)
}

func errUnauthenticated() *stdError {
	return newError("UNAUTHENTICATED", "com.vmware.vapi.endpoint.method.authentication.required",
		"Authentication required.")
}

func errUnauthorized() *stdError {
	return newError("UNAUTHORIZED", "com.vmware.vapi.endpoint.method.authorization.failed",
		"Permission to perform this operation was denied.")
}

func errOperationNotFound(method, path string) *stdError {
	return newError("OPERATION_NOT_FOUND", "com.vmware.vapi.rest.operation.not_found",
		"No operation matches "+method+" "+path+".", method, path)
}
