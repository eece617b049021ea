package hvc

import (
	"errors"
	"net/http"
)

// Hints: where the fix for an error is known, the error says so in
// StdError.Hint, which Error() appends after the server's messages.

// withHint sets the hint of err's *StdError and returns err.
func withHint(err error, text string) error {
	var std *StdError
	if errors.As(err, &std) {
		std.Hint = text
	}
	return err
}

// hintOldServer marks a 404 from /api/session under a forced FlavorAPI: the
// server looks older than vSphere 7.0U2, which has no /api flavor.
func hintOldServer(err error) error {
	return withHint(err,
		"the server has no /api/session and looks older than vSphere 7.0U2: create the client WithFlavor(hvc.FlavorAuto) or WithFlavor(hvc.FlavorREST)")
}

// hinted adds what the client knows to a server error of a call: a 401 on
// a client that cannot log in again says so and also matches
// ErrNoCredentials.
func (c *Client) hinted(err error) error {
	var std *StdError
	if !c.cfg.hasCredentials() && errors.As(err, &std) && std.StatusCode == http.StatusUnauthorized {
		std.noCredentials = true
		return withHint(err,
			"the session is not valid and the client has no credentials to log in again: create it WithCredentials or WithSessionSource, or pass a new WithSessionID")
	}
	return err
}
