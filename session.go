package hvc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/hvcsdk/hvc/internal/wire"
)

// MaxSessionIDLen is the longest session id the client accepts, from a
// login reply, WithSessionID or WithSessionSource. vCenter's ids are 32 hex
// digits; JWT-like tokens of other front ends stay well below it.
const MaxSessionIDLen = 4096

// checkSessionID validates a session id before the client holds it: it is
// sent in a header on every call, so it must be non-empty, at most
// MaxSessionIDLen bytes, and printable ASCII without spaces. The error
// never quotes the id (it is a secret).
func checkSessionID(id string) error {
	switch {
	case id == "":
		return errors.New("empty session id")
	case len(id) > MaxSessionIDLen:
		return errors.New("session id of " + strconv.Itoa(len(id)) + " bytes is longer than " + strconv.Itoa(MaxSessionIDLen))
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c >= 0x7f {
			return errors.New("session id holds a byte that is not printable ASCII (0x" +
				string("0123456789abcdef"[c>>4]) + string("0123456789abcdef"[c&15]) + " at offset " + strconv.Itoa(i) + ")")
		}
	}
	return nil
}

// Login logs in now, replacing the current session. Calls log in lazily, so
// Login is needed only to fail fast on bad credentials or an unreachable
// server. With FlavorAuto it also settles the flavor.
func (c *Client) Login(ctx context.Context) error {
	if err := c.checkCall(ctx, sessionOrigin(opLogin, http.MethodPost, c.Flavor())); err != nil {
		return err
	}
	if !c.cfg.hasCredentials() {
		return ErrNoCredentials
	}
	_, err := c.renew(ctx, c.SessionID())
	return err
}

// Logout deletes the session on the server and forgets it. It is safe to
// call twice and on a client that never logged in; a session the server
// already dropped counts as logged out. A later call logs in again when the
// client holds credentials.
func (c *Client) Logout(ctx context.Context) error {
	if c.SessionID() == "" {
		return nil
	}
	if err := c.checkCall(ctx, sessionOrigin(opLogout, http.MethodDelete, c.Flavor())); err != nil {
		return err
	}
	f, err := c.flavorFor(ctx) // settle the flavor while the session is still known
	if err != nil {
		return err
	}
	p := c.sessionID.Swap(nil)
	if p == nil || *p == "" {
		return nil
	}
	o := sessionOrigin(opLogout, http.MethodDelete, f)
	rep, err := c.send(ctx, request{origin: o, target: c.endpoint + f.Prefix() + o.path, sessionID: *p, session: true})
	if err != nil {
		return err
	}
	if rep.Status/100 == 2 || rep.Status == http.StatusUnauthorized {
		return nil
	}
	return c.rejected(o, rep, []string{*p})
}

// session returns the session id to send: the current one, or a new one
// from a (shared) lazy login when the client holds credentials and has none.
func (c *Client) session(ctx context.Context) (string, error) {
	if id := c.SessionID(); id != "" || !c.cfg.hasCredentials() {
		return id, nil
	}
	return c.renew(ctx, "")
}

// renew replaces the session stale with a new one. However many goroutines
// call it for the same stale session, one login runs: callers that arrive
// after it finished see a different current id and take it as is. Each
// caller waits on its own ctx; the login itself is bounded by the timeout.
func (c *Client) renew(ctx context.Context, stale string) (string, error) {
	if id := c.SessionID(); id != stale {
		return id, nil
	}
	ch := c.logins.DoChan("login", func() (any, error) {
		if id := c.SessionID(); id != stale && id != "" {
			return id, nil
		}
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.cfg.sharedTimeout())
		defer cancel()
		id, err := c.login(lctx)
		if err != nil {
			return "", err
		}
		c.sessionID.Store(&id)
		return id, nil
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return "", r.Err
		}
		return r.Val.(string), nil
	case <-ctx.Done():
		return "", sessionOrigin(opLogin, http.MethodPost, c.Flavor()).interrupted(context.Cause(ctx))
	}
}

// login creates a session with Basic auth, or takes one from the session
// source. With FlavorAuto unresolved a Basic login tries /api/session first
// and, on 404, settles on the legacy flavor.
func (c *Client) login(ctx context.Context) (string, error) {
	if c.cfg.sessionSource != nil {
		return c.fromSource(ctx)
	}
	f := c.Flavor()
	try := f // the flavor of this attempt: Auto tries /api first
	for {
		o := sessionOrigin(opLogin, http.MethodPost, try)
		rep, err := c.send(ctx, request{origin: o, target: c.endpoint + try.Prefix() + o.path, basic: true, session: true})
		if err != nil {
			return "", err
		}
		if rep.Status == http.StatusNotFound && f == FlavorAuto && try == FlavorAuto {
			c.log.DebugContext(ctx, "hvc: /api/session not found; using the legacy /rest flavor")
			// Settle now, for good, even if the legacy login then fails.
			c.settle(FlavorREST)
			try = FlavorREST
			continue
		}
		if rep.Status/100 != 2 {
			return "", c.rejected(o, rep, nil)
		}
		var id string
		if err := wire.DecodeResult(try, rep.Body, &id); err != nil || id == "" {
			if err == nil {
				err = errors.New("empty session id")
			}
			return "", o.undecodable(rep.Status, "", err)
		}
		if err := checkSessionID(id); err != nil {
			return "", o.undecodable(rep.Status, "", err)
		}
		if f == FlavorAuto {
			if try == FlavorAuto {
				try = FlavorAPI
			}
			c.settle(try)
		}
		return id, nil
	}
}

// fromSource calls the WithSessionSource function, turning a panic into an
// error (it runs in the shared login goroutine, where no caller's recover
// reaches) and validating the id it returns. The source stands for the
// login, so its failures name it (Session.Create): its error or panic as a
// *TransportError that keeps the cause, an unusable id as an
// *InvalidArgumentError that does not quote it.
func (c *Client) fromSource(ctx context.Context) (id string, err error) {
	o := sessionOrigin(opLogin, http.MethodPost, c.Flavor())
	defer func() {
		if r := recover(); r != nil {
			id, err = "", o.interrupted(fmt.Errorf("WithSessionSource: source panicked: %v", r))
		}
	}()
	id, err = c.cfg.sessionSource(ctx)
	if err != nil {
		return "", o.interrupted(fmt.Errorf("WithSessionSource: %w", err))
	}
	if err := checkSessionID(id); err != nil {
		return "", o.refusal("hvc.client.invalid_session_source", "WithSessionSource",
			"WithSessionSource returned an unusable session id: "+err.Error()+" (request not sent)")
	}
	return id, nil
}

// flavorFor returns the flavor to speak, FlavorAPI or FlavorREST, settling
// FlavorAuto first: by logging in when the client holds credentials and no session,
// otherwise by probing GET /api/session (404 means a pre-7.0U2 server).
//
// The probe runs once for all concurrent callers, detached from the caller
// that started it (bounded by the client's timeout), so a caller that
// gives up does not fail the others. It settles the flavor only on a
// definite answer: 404 means /rest; 200, 401 and 403 mean /api. Any other
// status or a transport failure is returned to the callers of that probe
// and leaves the flavor unknown, so the next call probes again.
// Its callers have passed checkCall: c was made by New and ctx is not nil.
func (c *Client) flavorFor(ctx context.Context) (Flavor, error) {
	if f := c.Flavor(); f != FlavorAuto {
		return f, nil
	}
	if c.cfg.hasCredentials() && c.SessionID() == "" {
		if _, err := c.renew(ctx, ""); err != nil {
			return FlavorAuto, err
		}
		if f := c.Flavor(); f != FlavorAuto { // a Basic login settles it; a session source does not
			return f, nil
		}
	}
	ch := c.logins.DoChan("probe", func() (any, error) {
		if f := c.Flavor(); f != FlavorAuto {
			return nil, nil
		}
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.cfg.sharedTimeout())
		defer cancel()
		id := c.SessionID()
		o := sessionOrigin(opProbe, http.MethodGet, FlavorAPI)
		rep, err := c.send(pctx, request{origin: o, target: c.endpoint + FlavorAPI.Prefix() + o.path, sessionID: id, session: true})
		if err != nil {
			return nil, err
		}
		var f Flavor
		switch rep.Status {
		case http.StatusNotFound:
			f = FlavorREST
		case http.StatusOK, http.StatusUnauthorized, http.StatusForbidden:
			f = FlavorAPI
		default:
			return nil, c.rejected(o, rep, []string{id})
		}
		c.settle(f)
		return nil, nil
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return FlavorAuto, r.Err
		}
	case <-ctx.Done():
		return FlavorAuto, sessionOrigin(opProbe, http.MethodGet, FlavorAPI).interrupted(context.Cause(ctx))
	}
	return c.Flavor(), nil
}
