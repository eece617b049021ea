package conn

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// EnsurePrivateDir creates dir with mode 0700, or checks that an existing
// one is a directory of ours that only we can enter. It never changes an
// existing directory: one that fails is refused with what to fix (an
// HVCCTL_HOME of /tmp must not lose its sticky bit).
func EnsurePrivateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	switch {
	case !fi.IsDir():
		return errors.New("not a directory")
	case !ownedByMe(fi):
		return errors.New("owned by another user; set HVCCTL_HOME to a directory of your own")
	case modeChecks && fi.Mode().Perm()&0o077 != 0:
		return fmt.Errorf("its mode %04o lets other users in; run chmod 700 %s, or set HVCCTL_HOME to a private directory", fi.Mode().Perm(), dir)
	}
	// Check it is writable now rather than failing at the end; on unix
	// without writing, so a warm command leaves the directory alone.
	return checkWritable(dir)
}

// writeFileAtomic writes data to a temporary file in path's directory with
// mode perm, syncs it and renames it over path. The temporary file is
// named tempPrefix(path) followed by digits.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), tempPrefix(path)+"*")
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

// tempPrefix is how writeFileAtomic's temporary files for path begin.
func tempPrefix(path string) string { return "." + filepath.Base(path) + ".tmp-" }

// removeStaleTemps removes the temporary files writeFileAtomic left for
// path when a process was killed mid-write (a session file's may hold a
// live session id): regular files of ours named tempPrefix(path) and
// digits. The caller holds path's lock, so no write of path is in
// progress.
func removeStaleTemps(path string) {
	dir, prefix := filepath.Dir(path), tempPrefix(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || rest == "" || strings.Trim(rest, "0123456789") != "" || !e.Type().IsRegular() {
			continue
		}
		if fi, err := e.Info(); err == nil && ownedByMe(fi) {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
