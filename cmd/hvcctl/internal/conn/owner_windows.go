//go:build windows

package conn

import (
	"os"

	"golang.org/x/sys/windows"
)

// modeChecks reports whether file modes mean what they say here: not on
// Windows, where access is decided by ACLs that os.FileMode does not show.
const modeChecks = false

// ownerOf cannot tell a file's owner from os.FileInfo on Windows.
func ownerOf(os.FileInfo) (int, bool) { return 0, false }

// ownedByMe cannot check ownership on Windows; the other checks remain.
func ownedByMe(os.FileInfo) bool { return true }

// lockFile takes an exclusive LockFileEx lock on f, waiting for it.
func lockFile(f *os.File) error {
	var ol windows.Overlapped
	return windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, &ol)
}
