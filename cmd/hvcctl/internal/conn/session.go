package conn

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hvcsdk/hvc"
)

// session is the client of this invocation and what Finish needs to
// persist or end it.
type session struct {
	client   *hvc.Client
	t        Target
	cache    *Cache // nil without a usable cache
	entry    *Entry // the cached session in use or stored, if any
	password string // set when the client holds credentials
	noCreds  bool   // the client runs on a cached session alone
}

// cachedID is the session id the cache holds for this invocation.
func (s *session) cachedID() string {
	if s.entry == nil {
		return ""
	}
	return s.entry.SessionID
}

// logoutTimeout bounds a logout at exit, which runs even after Ctrl-C.
const logoutTimeout = 10 * time.Second

// Connect builds the client for a command: the cached session when it may
// be used, credentials otherwise (see Cache for the rules).
//
// When it must log in and the session will be cached, it logs in at once
// under the cache entry's lock and stores the session before unlocking;
// a command that waited on the lock finds that session and uses it. So
// however many commands start together without a cached session, one
// logs in.
func (c *Connector) Connect(ctx context.Context) (*hvc.Client, error) {
	t, opts, src, err := c.prepare()
	if err != nil {
		return nil, err
	}
	pw, havePW, err := src.Lookup(c.Stdin)
	if err != nil {
		return nil, err
	}
	s := &session{t: t}
	if c.Settings.Persist {
		s.cache = c.openCache()
	}
	if s.cache != nil {
		s.entry = s.cache.Load(t)
	}
	if havePW && c.settledOther(s.entry) {
		// A 7.0U1 /rest session would turn "no /api here" into "operation
		// unavailable": log in anew, as without the cache.
		c.Debugf("the cached session of %s speaks %s, not the forced flavor %s; logging in", t.User, s.entry.Flavor, c.Settings.Flavor)
		s.entry = nil
	}
	switch {
	case havePW && s.entry != nil && s.cache.Verify(ctx, s.entry, pw):
		c.Debugf("using the cached session of %s at %s", t.User, t.Endpoint)
		s.cache.AddMAC(ctx, t, s.entry, pw)
		s.password = pw
		return c.use(s, append(opts, hvc.WithCredentials(t.User, pw)))
	case !havePW && s.entry != nil:
		c.Debugf("using the cached session of %s at %s (no password given)", t.User, t.Endpoint)
		s.noCreds = true
		return c.use(s, opts)
	case havePW && s.entry != nil:
		c.Debugf("the cached session of %s was made with another password; logging in", t.User)
	case !havePW && c.Prompt != nil && c.Prompt.CanPrompt():
		if pw, err = c.Prompt.PromptSecret(fmt.Sprintf("Password for %s at %s: ", t.User, t.HostPort)); err != nil {
			return nil, err
		}
	case !havePW:
		return nil, auth(fmt.Errorf("no password for %s: no cached session and no terminal to prompt on", t.User),
			"set HVC_PASSWORD or HVC_PASSWORD_FILE, pass --password-stdin, or run \"hvcctl session login\" on a terminal")
	}
	s.password = pw
	if s.cache == nil {
		// Nothing to share the session with: log in lazily, log out at
		// Finish.
		s.entry = nil
		return c.newClient(s, append(opts, hvc.WithCredentials(t.User, pw)))
	}
	return c.loginLocked(ctx, s, opts, false)
}

// prepare resolves the target, the options of its clients and where its
// password comes from.
func (c *Connector) prepare() (Target, []hvc.Option, PasswordSource, error) {
	src := c.Settings.Password
	t, err := c.Target(true)
	if err != nil {
		return t, nil, src, err
	}
	opts, err := c.ClientOptions(t)
	src.URL = t.URLPassword
	return t, opts, src, err
}

// openCache opens the session cache of the settings.
func (c *Connector) openCache() *Cache {
	return OpenCache(c.Settings.Home, c.Settings.RuntimeDir, c.Warnf)
}

// use builds the client on the cached session s.entry.
func (c *Connector) use(s *session, opts []hvc.Option) (*hvc.Client, error) {
	opts = append(opts, hvc.WithSessionID(s.entry.SessionID))
	return c.newClient(s, append(opts, c.flavorFromCache(s.entry)...))
}

// newClient builds s's client and makes s the invocation's session.
func (c *Connector) newClient(s *session, opts []hvc.Option) (*hvc.Client, error) {
	client, err := hvc.New(s.t.Endpoint, opts...)
	if err != nil {
		return nil, usage(err)
	}
	s.client = client
	c.cur = s
	return client, nil
}

// loginLocked logs in with s.password under the lock of s's cache entry
// and stores the session. Unless fresh, a session another command stored
// while this one waited for the lock is used instead. The session the new
// one replaces in the cache is logged out: nothing could use it again.
func (c *Connector) loginLocked(ctx context.Context, s *session, opts []hvc.Option, fresh bool) (*hvc.Client, error) {
	unlock, err := s.cache.Lock(ctx, s.t)
	if err != nil {
		return nil, err
	}
	defer unlock()
	prev := s.cache.Load(s.t)
	if !fresh && prev != nil && !c.settledOther(prev) && s.cache.Verify(ctx, prev, s.password) {
		c.Debugf("using the session of %s another command just cached", s.t.User)
		s.entry = prev
		return c.use(s, append(opts, hvc.WithCredentials(s.t.User, s.password)))
	}
	client, err := c.newClient(s, append(opts, hvc.WithCredentials(s.t.User, s.password)))
	if err != nil {
		return nil, err
	}
	s.entry = nil
	if err := client.Login(ctx); err != nil {
		return nil, &LoginError{User: s.t.User, Err: err}
	}
	s.entry = s.cache.Store(ctx, s.t, client.SessionID(), client.Flavor(), s.password, prev)
	if prev != nil && prev.SessionID != client.SessionID() {
		c.logoutSession(ctx, s.t, prev)
	}
	return client, nil
}

// logoutSession logs out a cached session that is being replaced; a
// failure only shows under --debug (the session may have expired).
func (c *Connector) logoutSession(ctx context.Context, t Target, e *Entry) {
	cs := &Cached{Target: t, Entry: e}
	client, err := c.Client(cs)
	if err != nil {
		return
	}
	defer client.CloseIdleConnections()
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), logoutTimeout)
	defer cancel()
	if err := client.Logout(lctx); err != nil {
		c.Debugf("logging out the replaced session of %s: %v", t.User, err)
	}
}

// LoginError is a login that was refused or did not complete.
type LoginError struct {
	User string
	Err  error
}

func (e *LoginError) Error() string { return "log in as " + e.User + ": " + e.Err.Error() }

// Unwrap returns the SDK's error.
func (e *LoginError) Unwrap() error { return e.Err }

// Session describes the session "session login" made.
type Session struct {
	Target Target
	Flavor hvc.Flavor
	// CachePath is the session file, "" when the session is not cached.
	CachePath string
	// Created is when the cached session's password was first verified.
	Created time.Time
}

// Login logs in now with the password (never a cached session: the point
// is to check the password) through the same locked path as Connect, and
// caches the session; the session it replaces is logged out.
func (c *Connector) Login(ctx context.Context) (*Session, error) {
	t, opts, src, err := c.prepare()
	if err != nil {
		return nil, err
	}
	pw, err := src.Get(c.Stdin, c.Prompt, fmt.Sprintf("Password for %s at %s: ", t.User, t.HostPort),
		errors.New("session login needs a password and there is no terminal to prompt on"),
		"set HVC_PASSWORD or HVC_PASSWORD_FILE, or pass --password-stdin")
	if err != nil {
		return nil, err
	}
	s := &session{t: t, password: pw}
	if c.Settings.Persist {
		s.cache = c.openCache()
	}
	var client *hvc.Client
	if s.cache != nil {
		client, err = c.loginLocked(ctx, s, opts, true)
	} else if client, err = c.newClient(s, append(opts, hvc.WithCredentials(t.User, pw))); err == nil {
		if lerr := client.Login(ctx); lerr != nil {
			err = &LoginError{User: t.User, Err: lerr}
		}
	}
	if err != nil {
		return nil, err
	}
	out := &Session{Target: t, Flavor: client.Flavor()}
	if s.entry != nil {
		out.CachePath, out.Created = s.cache.Path(t), s.entry.Created
	}
	return out, nil
}

// settledOther reports whether the cached session e settled on another
// flavor than the one the operator forced.
func (c *Connector) settledOther(e *Entry) bool {
	return e != nil && c.Settings.Flavor != hvc.FlavorAuto && e.Flavor != c.Settings.Flavor.String()
}

// flavorFromCache reuses the flavor a cached session settled, unless the
// operator chose one.
func (c *Connector) flavorFromCache(e *Entry) []hvc.Option {
	if c.Settings.Flavor != hvc.FlavorAuto {
		return nil
	}
	if f, err := ParseFlavor(e.Flavor); err == nil && f != hvc.FlavorAuto {
		return []hvc.Option{hvc.WithFlavor(f)}
	}
	return nil
}

// Expired returns the error to report when err is the server refusing the
// cached session a client ran on alone; nil otherwise.
func (c *Connector) Expired(err error) error {
	s := c.cur
	if s == nil || !s.noCreds || !errors.Is(err, hvc.ErrUnauthenticated) {
		return nil
	}
	return auth(fmt.Errorf("the cached session of %s at %s has expired: %w", s.t.User, s.t.HostPort, err),
		"log in again with \"hvcctl session login\", or set HVC_PASSWORD or HVC_PASSWORD_FILE")
}

// Finish persists or ends the invocation's session. It runs after every
// command, also after a failure (cmdErr) or an interrupt. A session no
// later command can reuse (--persist-session=false, no usable cache, or
// one that lost a race to another command's) is logged out.
func (c *Connector) Finish(ctx context.Context, cmdErr error) {
	s := c.cur
	if s == nil || s.client == nil {
		return
	}
	expired := c.Expired(cmdErr) != nil
	c.cur = nil
	defer s.client.CloseIdleConnections()
	id := s.client.SessionID()
	switch {
	case s.cache == nil:
		c.logout(ctx, s.client)
	case expired, id == "" && s.entry != nil:
		c.forget(ctx, s.t, s.cache, s.cachedID())
	case id == "", id == s.cachedID(), s.password == "":
	default:
		// The SDK logged in again (the cached session had expired) or the
		// session was never stored.
		c.storeOrLose(ctx, s, id)
	}
}

// storeOrLose stores the session id of s under the entry's lock, unless
// another command stored a newer session of the same password meanwhile:
// then this one lost the race and is logged out.
func (c *Connector) storeOrLose(ctx context.Context, s *session, id string) {
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), logoutTimeout)
	defer cancel()
	unlock, err := s.cache.Lock(lctx, s.t)
	if err != nil {
		c.Warnf("%v; logging out instead of caching the session", err)
		c.logout(ctx, s.client)
		return
	}
	defer unlock()
	cur := s.cache.Load(s.t)
	if cur != nil && cur.SessionID != id && cur.SessionID != s.cachedID() && s.cache.Verify(lctx, cur, s.password) {
		c.Debugf("another command cached a newer session of %s; logging out this one", s.t.User)
		c.logout(ctx, s.client)
		return
	}
	if s.cache.Store(lctx, s.t, id, s.client.Flavor(), s.password, cur) == nil {
		c.logout(ctx, s.client)
	}
}

// forget removes the cached entry if it still holds the session id.
func (c *Connector) forget(ctx context.Context, t Target, cache *Cache, id string) {
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), logoutTimeout)
	defer cancel()
	unlock, err := cache.Lock(lctx, t)
	if err != nil {
		c.Warnf("%v; the cached session was not removed", err)
		return
	}
	defer unlock()
	if cur := cache.Load(t); cur != nil && cur.SessionID == id {
		cache.Remove(t)
	}
}

// logout ends client's session, bounded even after Ctrl-C.
func (c *Connector) logout(ctx context.Context, client *hvc.Client) {
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), logoutTimeout)
	defer cancel()
	if err := client.Logout(lctx); err != nil {
		c.Warnf("logout: %v", err)
	}
}

// Cached is the cached session of the target, for "session show" and
// "session logout".
type Cached struct {
	Target Target
	// Path is the session file; Entry is nil when there is no usable one.
	Path  string
	Entry *Entry
	cache *Cache
}

// Cached returns the target's cached session without connecting.
func (c *Connector) Cached() (*Cached, error) {
	t, err := c.Target(true)
	if err != nil {
		return nil, err
	}
	out := &Cached{Target: t}
	if out.cache = c.openCache(); out.cache != nil {
		out.Path = out.cache.Path(t)
		out.Entry = out.cache.Load(t)
	}
	return out, nil
}

// Client returns a client that runs on the cached session alone (it cannot
// log in again); close it with CloseIdleConnections.
func (c *Connector) Client(cs *Cached) (*hvc.Client, error) {
	opts, err := c.ClientOptions(cs.Target)
	if err != nil {
		return nil, err
	}
	opts = append(opts, hvc.WithSessionID(cs.Entry.SessionID))
	opts = append(opts, c.flavorFromCache(cs.Entry)...)
	client, err := hvc.New(cs.Target.Endpoint, opts...)
	if err != nil {
		return nil, usage(err)
	}
	return client, nil
}

// Forget removes the cached session if it is still the one cs holds.
func (c *Connector) Forget(ctx context.Context, cs *Cached) {
	if cs.cache != nil && cs.Entry != nil {
		c.forget(ctx, cs.Target, cs.cache, cs.Entry.SessionID)
	}
}
