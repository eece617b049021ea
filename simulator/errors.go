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
