package conn

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The password check of a cached session has two forms.
//
// The verifier (PBKDF2-SHA256, 100,000 iterations, salted) is in the
// session file: it is what the file alone gives an attacker, and it is
// slow to test guesses against, by design, so it costs about as much CPU
// as the rest of a command. Each entry therefore also carries a MAC:
// HMAC-SHA256 over the entry's URL, user, session id and the password,
// keyed with 32 random bytes kept in another file, verify.key. A command
// given a password checks the MAC (microseconds) when the entry has one
// made with the current key, and the verifier otherwise (then it adds the
// MAC for the next command).
//
// The MAC key is not derivable from the session file, so a stolen session
// file gives an attacker what it gave before: the session id and the slow
// verifier. Whoever reads the key as well can test password guesses at
// HMAC speed; the key is therefore kept, when $XDG_RUNTIME_DIR is a
// private directory (a per-user tmpfs on systemd systems: never in
// backups or disk images, gone at logout), in $XDG_RUNTIME_DIR/hvcctl, and
// otherwise in the sessions directory next to the files, where it is as
// private as the session ids they hold. A key that is missing or fails a
// check (owner, mode, size) is replaced or ignored, never trusted.

const (
	macKeyFile = "verify.key"
	macLabel   = "hvcctl session password mac v1"
)

// passwordMAC is the fast check of an entry's password.
type passwordMAC struct {
	// Key names the key it was made with: the first 8 bytes of the
	// key's SHA-256, in hex.
	Key string `json:"key"`
	// Sum is the HMAC-SHA256, in hex.
	Sum string `json:"sum"`
}

// macKey is a loaded MAC key.
type macKey struct {
	key []byte
	id  string
}

// macOf computes the MAC of password for e's session.
func (k *macKey) macOf(e *Entry, password string) []byte {
	h := hmac.New(sha256.New, k.key)
	for _, s := range []string{macLabel, e.URL, e.Username, e.SessionID, password} {
		_, _ = io.WriteString(h, s) // a hash never fails to write
		h.Write([]byte{0})
	}
	return h.Sum(nil)
}

// mac returns e's MAC made with k.
func (k *macKey) mac(e *Entry, password string) *passwordMAC {
	return &passwordMAC{Key: k.id, Sum: hex.EncodeToString(k.macOf(e, password))}
}

// check reports whether e has a MAC of k (then ok is whether password
// matches it); known is false when the verifier must decide.
func (k *macKey) check(e *Entry, password string) (ok, known bool) {
	if k == nil || e.MAC == nil || e.MAC.Key != k.id {
		return false, false
	}
	want, err := hex.DecodeString(e.MAC.Sum)
	return err == nil && hmac.Equal(k.macOf(e, password), want), true
}

// macKeyDir chooses where the MAC key lives: $XDG_RUNTIME_DIR/hvcctl when
// runtimeDir is a private directory of ours, else the sessions directory.
func macKeyDir(runtimeDir, sessions string) string {
	if runtimeDir == "" {
		return sessions
	}
	fi, err := os.Stat(runtimeDir)
	if err != nil || !fi.IsDir() || !ownedByMe(fi) || (modeChecks && fi.Mode().Perm()&0o077 != 0) {
		return sessions
	}
	dir := filepath.Join(runtimeDir, "hvcctl")
	if EnsurePrivateDir(dir) != nil {
		return sessions
	}
	return dir
}

// loadMACKey reads the key in dir, creating it when there is none; nil
// (and the verifier alone) when it cannot.
func loadMACKey(ctx context.Context, dir string, warnf func(string, ...any)) *macKey {
	path := filepath.Join(dir, macKeyFile)
	k, err := readMACKey(path)
	if errors.Is(err, os.ErrNotExist) {
		k, err = createMACKey(ctx, path)
	}
	if err != nil {
		warnf("not using the session password key %s: %v; checking cached sessions the slow way", path, err)
		return nil
	}
	return k
}

// readMACKey reads a key file after checking it is ours and private.
func readMACKey(path string) (*macKey, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	switch {
	case !fi.Mode().IsRegular():
		return nil, errors.New("not a regular file")
	case !ownedByMe(fi):
		return nil, errors.New("owned by another user")
	case modeChecks && fi.Mode().Perm()&0o077 != 0:
		return nil, errors.New("readable by others (run chmod 600 on it, or remove it)")
	case fi.Size() != 65:
		return nil, errors.New("not a key written by hvcctl (remove it)")
	}
	b, err := os.ReadFile(path) //nolint:gosec // G304: our key file, checked above
	if err != nil {
		return nil, err
	}
	key, err := hex.DecodeString(strings.TrimSuffix(string(b), "\n"))
	if err != nil || len(key) != 32 {
		return nil, errors.New("not a key written by hvcctl (remove it)")
	}
	sum := sha256.Sum256(key)
	return &macKey{key: key, id: hex.EncodeToString(sum[:8])}, nil
}

// createMACKey writes a new random key, under a lock so that commands
// starting together agree on one.
func createMACKey(ctx context.Context, path string) (*macKey, error) {
	lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	unlock, err := lock(lctx, path+".lock")
	if err != nil {
		return nil, err
	}
	defer unlock()
	if k, err := readMACKey(path); !errors.Is(err, os.ErrNotExist) {
		return k, err // another command made it meanwhile
	}
	removeStaleTemps(path)
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if err := writeFileAtomic(path, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		return nil, err
	}
	return readMACKey(path)
}
