package main

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hvcsdk/hvc"
)

// sessionCache keeps one session per vCenter URL and user in
// $HVCCTL_HOME/sessions (directory 0700, files 0600, written atomically).
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
// slow, and the file is as private as the session id it holds.
type sessionCache struct {
	dir string
}

// cacheEntry is the JSON content of a session file.
type cacheEntry struct {
	Version   int       `json:"version"`
	URL       string    `json:"url"`
	Username  string    `json:"username"`
	Flavor    string    `json:"flavor"`
	SessionID string    `json:"session_id"`
	Verifier  verifier  `json:"password_verifier"`
	Created   time.Time `json:"created"`
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
func (e *cacheEntry) verify(password string) bool {
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

// openCache returns the cache, creating its directory, or nil (with one
// warning) when the home is unusable.
func (a *app) openCache() *sessionCache {
	if a.g.home == "" {
		a.warnf("no home directory for the session cache (set HVCCTL_HOME); continuing without it")
		return nil
	}
	dir := filepath.Join(a.g.home, "sessions")
	if err := ensurePrivateDir(a.g.home); err != nil {
		a.warnf("cannot use the session cache in %s: %v; continuing without it", dir, err)
		return nil
	}
	if err := ensurePrivateDir(dir); err != nil {
		a.warnf("cannot use the session cache in %s: %v; continuing without it", dir, err)
		return nil
	}
	return &sessionCache{dir: dir}
}

// ensurePrivateDir creates dir with mode 0700, or checks an existing one is a
// directory of ours and tightens its mode.
func ensurePrivateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return errors.New("not a directory")
	}
	if !ownedByMe(fi) {
		return errors.New("owned by another user")
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil { //nolint:gosec // G302: a directory needs x to be entered; 0700 is owner-only
			return err
		}
	}
	// Check it is writable now rather than failing at the end.
	f, err := os.CreateTemp(dir, ".probe-*")
	if err != nil {
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

func (c *sessionCache) path(t target) string {
	sum := sha256.Sum256([]byte(t.cacheKey() + "\x00" + t.user))
	return filepath.Join(c.dir, hex.EncodeToString(sum[:16])+".json")
}

// load returns the cached session of t, or nil when there is none or the
// file fails a check (mode, owner, size, content, URL and user).
func (c *sessionCache) load(t target, a *app) *cacheEntry {
	p := c.path(t)
	fi, err := os.Lstat(p)
	if err != nil {
		return nil
	}
	switch {
	case !fi.Mode().IsRegular():
		a.warnf("ignoring session file %s: not a regular file", p)
		return nil
	case !ownedByMe(fi):
		a.warnf("ignoring session file %s: owned by another user", p)
		return nil
	case fi.Mode().Perm()&0o077 != 0:
		a.warnf("ignoring session file %s: mode %o is readable by others", p, fi.Mode().Perm())
		return nil
	case fi.Size() > maxCacheFileBytes:
		a.warnf("ignoring session file %s: too large", p)
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
	var e cacheEntry
	if err := json.Unmarshal(b, &e); err != nil || e.Version != cacheVersion || e.URL != t.cacheKey() ||
		e.Username != t.user || e.SessionID == "" || strings.ContainsAny(e.SessionID, "\r\n") {
		a.warnf("ignoring session file %s: not a valid session for %s at %s", p, t.user, t.hostport)
		return nil
	}
	return &e
}

// store writes the session atomically (temporary file, then rename). The
// verifier of prev is kept when it matches the password.
func (c *sessionCache) store(t target, id string, f hvc.Flavor, password string, prev *cacheEntry, a *app) {
	e := cacheEntry{Version: cacheVersion, URL: t.cacheKey(), Username: t.user, Flavor: f.String(), SessionID: id, Created: time.Now().UTC()}
	if prev != nil && prev.verify(password) {
		e.Verifier, e.Created = prev.Verifier, prev.Created
	} else {
		v, err := newVerifier(password)
		if err != nil {
			a.warnf("session cache: %v", err)
			return
		}
		e.Verifier = v
	}
	b, _ := json.MarshalIndent(e, "", "  ")
	if err := writeFileAtomic(c.path(t), append(b, '\n'), 0o600); err != nil {
		a.warnf("cannot write the session cache in %s: %v; continuing without it", c.dir, err)
	}
}

func (c *sessionCache) remove(t target) {
	_ = os.Remove(c.path(t))
}

// writeFileAtomic writes data to a temporary file in path's directory with
// mode perm, syncs it and renames it over path.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			_ = os.Remove(tmp)
		}
	}()
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename: %w", err)
	}
	ok = true
	return nil
}
