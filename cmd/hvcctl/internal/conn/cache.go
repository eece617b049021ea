package conn

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hvcsdk/hvc"
)

// Cache keeps one session per vCenter URL and user in $HVCCTL_HOME/sessions
// (directory 0700, files 0600, written atomically).
//
// A cached session is used only when it cannot stand in for a wrong
// password: each entry stores a PBKDF2-SHA256 verifier of the password it
// was made with. When a command is given a password, the entry is used only
// if the password matches the verifier; otherwise the cache is ignored and
// the command logs in with the given password, so a wrong password fails as
// it would without a cache. When no password is given at all, the session
// itself is the credential (as after "hvcctl session login"), and an
// expired one fails with exit 3 and a hint instead of silently succeeding.
// Logging in on every command to check the password would defeat the cache,
// which is why the verifier is kept instead. The verifier is salted and
// slow, and the file is as private as the session id it holds; a keyed MAC
// makes the usual check fast (see mac.go for the trade-off).
type Cache struct {
	dir        string
	runtimeDir string // $XDG_RUNTIME_DIR, for the MAC key
	warnf      func(string, ...any)

	keyLoaded bool
	key       *macKey // nil: no usable MAC key
}

// Entry is the JSON content of a session file.
type Entry struct {
	Version   int       `json:"version"`
	URL       string    `json:"url"`
	Username  string    `json:"username"`
	Flavor    string    `json:"flavor"`
	SessionID string    `json:"session_id"`
	Verifier  verifier  `json:"password_verifier"`
	Created   time.Time `json:"created"`
	// MAC is the fast check of the password (absent in older files).
	MAC *passwordMAC `json:"password_mac,omitempty"`
}

type verifier struct {
	Alg        string `json:"alg"`
	Iterations int    `json:"iterations"`
	Salt       string `json:"salt"`
	Hash       string `json:"hash"`
}

const (
	cacheVersion      = 1
	verifierAlg       = "pbkdf2-sha256"
	verifierIter      = 100_000
	maxCacheFileBytes = 64 << 10
)

func newVerifier(password string) (verifier, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return verifier{}, err
	}
	h, err := pbkdf2.Key(sha256.New, password, salt, verifierIter, 32)
	if err != nil {
		return verifier{}, err
	}
	return verifier{Alg: verifierAlg, Iterations: verifierIter, Salt: hex.EncodeToString(salt), Hash: hex.EncodeToString(h)}, nil
}

// verify reports whether password is the one the session was made with.
func (e *Entry) verify(password string) bool {
	v := e.Verifier
	if v.Alg != verifierAlg || v.Iterations < 10_000 || v.Iterations > 10_000_000 {
		return false
	}
	salt, err1 := hex.DecodeString(v.Salt)
	want, err2 := hex.DecodeString(v.Hash)
	if err1 != nil || err2 != nil || len(salt) < 8 || len(want) != 32 {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, password, salt, v.Iterations, 32)
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}

// OpenCache returns the cache in home/sessions, creating its directory, or
// nil (with one warning) when the home is unusable. runtimeDir is
// $XDG_RUNTIME_DIR ("" when unset), where the MAC key is kept if it is
// private.
func OpenCache(home, runtimeDir string, warnf func(string, ...any)) *Cache {
	if home == "" {
		warnf("no home directory for the session cache (set HVCCTL_HOME); continuing without it")
		return nil
	}
	dir := filepath.Join(home, "sessions")
	for _, d := range []string{home, dir} {
		if err := EnsurePrivateDir(d); err != nil {
			warnf("cannot keep the session cache in %s: %v; continuing without it", d, err)
			return nil
		}
	}
	return &Cache{dir: dir, runtimeDir: runtimeDir, warnf: warnf}
}

// Path is the session file of t.
func (c *Cache) Path(t Target) string {
	sum := sha256.Sum256([]byte(t.CacheKey() + "\x00" + t.User))
	return filepath.Join(c.dir, hex.EncodeToString(sum[:16])+".json")
}

// Load returns the cached session of t, or nil when there is none or the
// file fails a check (mode, owner, size, content, URL and user).
func (c *Cache) Load(t Target) *Entry {
	p := c.Path(t)
	fi, err := os.Lstat(p)
	if err != nil {
		return nil
	}
	switch {
	case !fi.Mode().IsRegular():
		c.warnf("ignoring session file %s: not a regular file", p)
		return nil
	case !ownedByMe(fi):
		c.warnf("ignoring session file %s: owned by another user", p)
		return nil
	case modeChecks && fi.Mode().Perm()&0o077 != 0:
		c.warnf("ignoring session file %s: mode %o is readable by others", p, fi.Mode().Perm())
		return nil
	case fi.Size() > maxCacheFileBytes:
		c.warnf("ignoring session file %s: too large", p)
		return nil
	}
	f, err := os.Open(p) //nolint:gosec // G304: p is in our cache directory, checked above
	if err != nil {
		return nil
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxCacheFileBytes))
	if err != nil {
		return nil
	}
	var e Entry
	if err := json.Unmarshal(b, &e); err != nil || e.Version != cacheVersion || e.URL != t.CacheKey() ||
		e.Username != t.User || e.SessionID == "" || strings.ContainsAny(e.SessionID, "\r\n") {
		c.warnf("ignoring session file %s: not a valid session for %s at %s", p, t.User, t.HostPort)
		return nil
	}
	return &e
}

// Lock takes the lock of t's entry (a sidecar file next to it), for a
// login and the write that stores its session.
func (c *Cache) Lock(ctx context.Context, t Target) (unlock func(), err error) {
	return lock(ctx, c.Path(t)+".lock")
}

// macKey loads the MAC key on first use.
func (c *Cache) macKey(ctx context.Context) *macKey {
	if !c.keyLoaded {
		c.keyLoaded = true
		c.key = loadMACKey(ctx, macKeyDir(c.runtimeDir, c.dir), c.warnf)
	}
	return c.key
}

// Verify reports whether password is the one e's session was made with:
// by the MAC when e has one of the current key (cheap), else by the
// verifier (slow). It changes nothing; AddMAC records the MAC.
func (c *Cache) Verify(ctx context.Context, e *Entry, password string) bool {
	if ok, known := c.macKey(ctx).check(e, password); known {
		return ok
	}
	return e.verify(password)
}

// AddMAC records the MAC of a password Verify accepted, so the next check
// is cheap. It takes t's lock: do not call it under Lock.
func (c *Cache) AddMAC(ctx context.Context, t Target, e *Entry, password string) {
	k := c.macKey(ctx)
	if k == nil {
		return
	}
	if _, known := k.check(e, password); known {
		return
	}
	lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	unlock, err := c.Lock(lctx, t)
	if err != nil {
		return
	}
	defer unlock()
	cur := c.Load(t)
	if cur == nil || cur.SessionID != e.SessionID || cur.Verifier != e.Verifier {
		return // replaced meanwhile
	}
	cur.MAC = k.mac(cur, password)
	if c.write(t, cur) == nil {
		e.MAC = cur.MAC
	}
}

// Store writes the session atomically (temporary file, then rename) and
// returns the entry, or nil (with a warning) when it cannot. The verifier
// of prev is kept when it matches the password. Call it under Lock.
func (c *Cache) Store(ctx context.Context, t Target, id string, f hvc.Flavor, password string, prev *Entry) *Entry {
	e := Entry{Version: cacheVersion, URL: t.CacheKey(), Username: t.User, Flavor: f.String(), SessionID: id, Created: time.Now().UTC()}
	if prev != nil && c.Verify(ctx, prev, password) {
		e.Verifier, e.Created = prev.Verifier, prev.Created
	} else {
		v, err := newVerifier(password)
		if err != nil {
			c.warnf("session cache: %v", err)
			return nil
		}
		e.Verifier = v
	}
	if k := c.macKey(ctx); k != nil {
		e.MAC = k.mac(&e, password)
	}
	if err := c.write(t, &e); err != nil {
		c.warnf("cannot write the session cache in %s: %v; continuing without it", c.dir, err)
		return nil
	}
	return &e
}

// write replaces t's session file with e, removing what killed writes
// left. Call it under Lock.
func (c *Cache) write(t Target, e *Entry) error {
	b, _ := json.MarshalIndent(e, "", "  ")
	removeStaleTemps(c.Path(t))
	return writeFileAtomic(c.Path(t), append(b, '\n'), 0o600)
}

// Remove deletes the cached session of t.
func (c *Cache) Remove(t Target) {
	_ = os.Remove(c.Path(t))
}
