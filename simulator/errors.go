package simulator

import "strings"

// errorStatus is the HTTP status of each standard error type (docs/wire.md,
// the per-error "HTTP Status Code" of the vSphere REST reference). A type
// not listed answers 500.
var errorStatus = map[string]int{
	"ERROR":                         500,
	"ALREADY_EXISTS":                400,
	"ALREADY_IN_DESIRED_STATE":      400,
	"CANCELED":                      400,
	"CONCURRENT_CHANGE":             409,
	"FEATURE_IN_USE":                400,
	"INTERNAL_SERVER_ERROR":         500,
	"INVALID_ARGUMENT":              400,
	"INVALID_ELEMENT_CONFIGURATION": 400,
	"INVALID_ELEMENT_TYPE":          400,
	"INVALID_REQUEST":               400,
	"NOT_ALLOWED_IN_CURRENT_STATE":  400,
	"NOT_FOUND":                     404,
	"OPERATION_NOT_FOUND":           404,
	"RESOURCE_BUSY":                 500,
	"RESOURCE_IN_USE":               400,
	"RESOURCE_INACCESSIBLE":         500,
	"SERVICE_UNAVAILABLE":           503,
	"TIMED_OUT":                     500,
	"UNABLE_TO_ALLOCATE_RESOURCE":   500,
	"UNAUTHENTICATED":               401,
	"UNAUTHORIZED":                  403,
	"UNEXPECTED_INPUT":              400,
	"UNSUPPORTED":                   400,
	"UNVERIFIED_PEER":               400,
}

// StatusOf returns the HTTP status vCenter answers with for a standard
// error type, 500 for a type it does not know.
func StatusOf(errorType string) int {
	if s, ok := errorStatus[errorType]; ok {
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
