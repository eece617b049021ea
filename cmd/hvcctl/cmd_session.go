package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/hvcsdk/hvc"

	"github.com/hvcsdk/hvc/cmd/hvcctl/internal/conn"
)

// sessionOut describes the cached session of a URL and user; it never
// holds the session id.
type sessionOut struct {
	URL          string   `json:"url"`
	Username     string   `json:"username"`
	Flavor       *string  `json:"flavor"`
	SessionCache *string  `json:"session_cache"`
	Cached       bool     `json:"cached"`
	Valid        *bool    `json:"valid"`
	Created      *timeOut `json:"created"`
	LoggedOut    *bool    `json:"logged_out,omitempty"`
}

func sessionTable(w io.Writer, s sessionOut) {
	str := func(p *string) string {
		if p == nil {
			return "-"
		}
		return cell(*p)
	}
	valid := "-"
	if s.Valid != nil {
		valid = fmt.Sprint(*s.Valid)
	}
	fmt.Fprintf(w, "URL:\t%s\nUser:\t%s\nFlavor:\t%s\nCached:\t%v\nValid:\t%s\nCreated:\t%s\nCache file:\t%s\n",
		s.URL, s.Username, str(s.Flavor), s.Cached, valid, cellTime(s.Created), str(s.SessionCache))
	if s.LoggedOut != nil {
		fmt.Fprintf(w, "Logged out:\t%v\n", *s.LoggedOut)
	}
}

func (a *app) sessionCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "session", Short: "Log in, log out and show the cached session",
		Long: `hvcctl keeps one session per vCenter URL and user in $HVCCTL_HOME/sessions
(default ~/.hvcctl/sessions; directory 0700, files 0600). A cached session is
used when the command is given the password it was made with, or when no
password is given at all; a different password logs in anew, so a wrong
password never succeeds because a session is cached. An expired session is
renewed when the password is known. --persist-session=false neither reads
nor writes the cache and logs out at exit.`}
	cmd.AddCommand(a.sessionLoginCmd(), a.sessionLogoutCmd(), a.sessionShowCmd())
	return cmd
}

func (a *app) sessionLoginCmd() *cobra.Command {
	return &cobra.Command{
		Use: "login", Short: "Log in (checking the password) and cache the session",
		Args: args(0, 0, "no arguments"),
		RunE: a.runLocal(&sessionOptions{app: a, verb: "login"}),
	}
}

func (a *app) sessionLogoutCmd() *cobra.Command {
	return &cobra.Command{
		Use: "logout", Short: "Log out the cached session and remove it",
		Args: args(0, 0, "no arguments"),
		RunE: a.runLocal(&sessionOptions{app: a, verb: "logout"}),
	}
}

func (a *app) sessionShowCmd() *cobra.Command {
	return &cobra.Command{
		Use: "show", Short: "Show the cached session of the URL and user, and whether it is still valid",
		Args: args(0, 0, "no arguments"),
		RunE: a.runLocal(&sessionOptions{app: a, verb: "show"}),
	}
}

// sessionOptions is session login, logout or show (verb) of the session of
// the URL and user the settings name; it takes no arguments, and its app's
// connector does the connecting.
type sessionOptions struct {
	*app
	verb string
}

func (o *sessionOptions) complete(*cobra.Command, []string) error { return nil }

func (o *sessionOptions) validate() error {
	switch o.verb {
	case "login", "logout", "show":
		return nil
	}
	return fmt.Errorf("session %q: not a session command", o.verb)
}

func (o *sessionOptions) run(ctx context.Context) error {
	if o.verb == "login" {
		return o.login(ctx)
	}
	cs, err := o.connector().Cached()
	if err != nil {
		return fromConn(err)
	}
	if o.verb == "logout" {
		return o.logout(ctx, cs)
	}
	return o.show(ctx, cs)
}

// login logs in with the password, never a cached session, and caches
// the new session.
func (o *sessionOptions) login(ctx context.Context) error {
	s, err := o.connector().Login(ctx)
	if err != nil {
		return fromConn(err)
	}
	f := s.Flavor.String()
	out := sessionOut{URL: s.Target.Endpoint, Username: s.Target.User, Flavor: &f, Valid: ptr(true)}
	if s.CachePath != "" {
		out.SessionCache, out.Cached, out.Created = &s.CachePath, true, outTime(&s.Created)
	}
	return o.emit(out, func(w io.Writer) { sessionTable(w, out) })
}

// logout logs out the cached session cs, if any, and removes it.
func (o *sessionOptions) logout(ctx context.Context, cs *conn.Cached) error {
	t := cs.Target
	out := sessionOut{URL: t.Endpoint, Username: t.User, LoggedOut: ptr(false)}
	if cs.Entry != nil {
		c, err := o.connector().Client(cs)
		if err != nil {
			return fromConn(err)
		}
		defer c.CloseIdleConnections()
		if err := c.Logout(ctx); err != nil {
			return op(err, "log out %s", t.User)
		}
		o.connector().Forget(ctx, cs)
		out.LoggedOut = ptr(true)
	}
	return o.emit(out, func(w io.Writer) {
		if *out.LoggedOut {
			fmt.Fprintf(w, "logged out %s at %s\n", t.User, t.Endpoint)
		} else {
			fmt.Fprintf(w, "no cached session for %s at %s\n", t.User, t.Endpoint)
		}
	})
}

// show describes the cached session cs and whether the server still
// takes it.
func (o *sessionOptions) show(ctx context.Context, cs *conn.Cached) error {
	out := sessionOut{URL: cs.Target.Endpoint, Username: cs.Target.User}
	if e := cs.Entry; e != nil {
		out.SessionCache, out.Cached, out.Created, out.Flavor = &cs.Path, true, outTime(&e.Created), &e.Flavor
		valid, err := o.probeSession(ctx, cs)
		if err != nil {
			return err
		}
		out.Valid = &valid
	}
	return o.emit(out, func(w io.Writer) { sessionTable(w, out) })
}

// probeSession checks a cached session with a cheap read. The SDK has no
// session-info call, so listing links stands in for one.
func (a *app) probeSession(ctx context.Context, cs *conn.Cached) (bool, error) {
	c, err := a.connector().Client(cs)
	if err != nil {
		return false, fromConn(err)
	}
	defer c.CloseIdleConnections()
	_, err = c.Links.List(ctx)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, hvc.ErrUnauthenticated):
		return false, nil
	}
	return false, op(err, "check the session")
}

func ptr[T any](v T) *T { return &v }
