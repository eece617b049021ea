package simulator

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
)

// decodeBody reads a JSON request body into v. An empty body leaves v as
// is and reports false. A body that is not JSON of the right shape, or too
// large, is INVALID_REQUEST.
func decodeBody(r *http.Request, v any) (bool, *stdError) {
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
	if err := json.Unmarshal(b, v); err != nil {
		return false, errInvalidRequest("The request body is not valid JSON for this operation: " + err.Error())
	}
	return true, nil
}

// credentials is the links/providers Credentials structure.
type credentials struct {
	UserName *string `json:"user_name"`
	Password *string `json:"password"`
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
