package simulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"sort"
)

// operationInput is the vAPI name of the structure an operation's body
// parameters form.
const operationInput = "operation-input"

// decodeInput reads a JSON request body into v. The body's members are the
// operation's body parameters: a member outside allowed that is set (not
// null) is UNEXPECTED_INPUT in structure, as vAPI reports it. An empty body
// leaves v as is and reports false. A body that is not JSON of the right
// shape, or too large, is INVALID_REQUEST.
func decodeInput(r *http.Request, v any, structure string, allowed ...string) (bool, *stdError) {
	if r.Body == nil {
		return false, nil
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return false, errInvalidRequest("The request body is larger than the server accepts.")
		}
		return false, errInvalidRequest("The request body could not be read.")
	}
	if len(b) == 0 {
		return false, nil
	}
	if e := checkFields(b, structure, allowed...); e != nil {
		return false, e
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, errInvalidRequest("The request body is not valid JSON for this operation: " + jsonDecodeError(err))
	}
	return true, nil
}

// checkFields returns UNEXPECTED_INPUT when the JSON object raw sets a
// member outside allowed, and INVALID_REQUEST when raw is not an object.
// A member set to null is an unset optional field and passes, as in vAPI.
func checkFields(raw []byte, structure string, allowed ...string) *stdError {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil || members == nil {
		return errInvalidRequest("The request body is not valid JSON for this operation: expected an object.")
	}
	var extra []string
	for k, v := range members {
		if !slices.Contains(allowed, k) && string(bytes.TrimSpace(v)) != "null" {
			extra = append(extra, k)
		}
	}
	if len(extra) == 0 {
		return nil
	}
	sort.Strings(extra)
	return errUnexpectedInput(extra, structure)
}

// credentials is the links/providers Credentials structure.
type credentials struct {
	UserName *string `json:"user_name"`
	Password *string `json:"password"`
}

// linksCredentialsName is the vAPI name of links.Credentials.
const linksCredentialsName = "com.vmware.vcenter.hvc.links.credentials" //nolint:gosec // a vAPI type name, not a credential

// decodeCredentials decodes a required Credentials parameter named field:
// missing, of the wrong shape, with fields Credentials does not define, or
// with a field missing.
func decodeCredentials(raw json.RawMessage, field, structure string) (credentials, *stdError) {
	var c credentials
	if len(raw) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return c, errInvalidArgument(field, "required field is missing")
	}
	if e := checkFields(raw, structure, "user_name", "password"); e != nil {
		return c, e
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return c, errInvalidRequest("The request body is not valid JSON for this operation: " + jsonDecodeError(err))
	}
	return c, c.check(field)
}

// check reports a missing credentials field, naming it under prefix.
func (c *credentials) check(prefix string) *stdError {
	if c == nil {
		return errInvalidArgument(prefix, "required field is missing")
	}
	if c.UserName == nil || *c.UserName == "" {
		return errInvalidArgument(prefix+".user_name", "required field is missing")
	}
	if c.Password == nil || *c.Password == "" {
		return errInvalidArgument(prefix+".password", "required field is missing")
	}
	return nil
}
