//go:build unix

package conn

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// modeChecks reports whether file modes mean what they say here.
const modeChecks = true

// ownerOf returns the uid that owns the file.
func ownerOf(fi os.FileInfo) (int, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}

// ownedByMe reports whether the file belongs to the current user.
func ownedByMe(fi os.FileInfo) bool {
	uid, ok := ownerOf(fi)
	return !ok || uid == os.Getuid()
}

// lockFile takes an exclusive flock(2) on f, waiting for it.
func lockFile(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_EX) }

// checkWritable reports whether we may create files in dir, by access(2):
// no file is created, so the directory (and its modification time) is left
// alone. The kernel decides, so a read-only file system fails too.
func checkWritable(dir string) error {
	if err := unix.Access(dir, unix.W_OK|unix.X_OK); err != nil {
		return &os.PathError{Op: "check writable", Path: dir, Err: err}
	}
	return nil
}
