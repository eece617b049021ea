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

// errUnauthenticated is 401 UNAUTHENTICATED. On /rest its value carries no
// error_type: the body observed from a real vCenter is
// {"type":"com.vmware.vapi.std.errors.unauthenticated","value":{"messages":[…]}}
// (vranystepan/nagios-go-vcsa-health, README).
func errUnauthenticated() *stdError {
	return newError("UNAUTHENTICATED", "com.vmware.vapi.endpoint.method.authentication.required",
		"Authentication required.")
}

func errUnauthorized() *stdError {
	return newError("UNAUTHORIZED", "com.vmware.vapi.endpoint.method.authorization.failed",
		"Permission to perform this operation was denied.")
}

// Message ids of the route-level NOT_FOUND replies: the server has no
// operation for the URL, as opposed to an operation that did not find its
// object.
const (
	// idRESTNoOperation is the legacy /rest reply, observed as
	// {"type":"com.vmware.vapi.std.errors.not_found","value":{"error_type":"NOT_FOUND","messages":[{"args":["/com/vmware/…"],
	// "default_message":"Unable to find operations for URL: /com/vmware/….","id":"com.vmware.vapi.rest.operationsForUrlNotFound"}]}}
	// (vmware-archive/vmware-openapi-generator#72, vCenter 7.0.3).
	idRESTNoOperation = "com.vmware.vapi.rest.operationsForUrlNotFound"
	// idHTTPNotFound is the /api reply, observed as
	// {"error_type":"NOT_FOUND","messages":[{"args":[],"default_message":"Not found.","id":"com.vmware.vapi.rest.httpNotFound"}]}
	// (ansible-collections/vmware.vmware_rest#240).
	idHTTPNotFound = "com.vmware.vapi.rest.httpNotFound"
)

// errRouteNotFound is a real server's reply to a URL it has no operation
// for. rel is the escaped path without the /rest prefix or query.
func errRouteNotFound(f flavor, rel string) *stdError {
	if f == flavorREST {
		if rel == "" {
			rel = "/"
		}
		return newError("NOT_FOUND", idRESTNoOperation, "Unable to find operations for URL: "+rel+".", rel)
	}
	return newError("NOT_FOUND", idHTTPNotFound, "Not found.")
}

// errUnexpectedInput is the vAPI infrastructure's reply to set fields the
// operation's input (structure "operation-input") or one of its structures
// does not define: 400 UNEXPECTED_INPUT with message
// vapi.data.structure.field.unexpected (VMware vAPI runtime,
// ApiInterfaceSkeleton.check_for_unknown_fields; fields listed as a Java
// list, as vCenter's Java endpoint prints them).
func errUnexpectedInput(fields []string, structure string) *stdError {
	list := "[" + strings.Join(fields, ", ") + "]"
	return newError("UNEXPECTED_INPUT", "vapi.data.structure.field.unexpected",
		"Found unexpected fields "+list+" in structure '"+structure+"'.", list, structure)
}
