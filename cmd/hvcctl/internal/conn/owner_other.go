//go:build !unix && !windows

package conn

import "os"

// modeChecks reports whether file modes mean what they say here: not on
// this system, where only the owner's bits are emulated.
const modeChecks = false

// ownerOf cannot tell a file's owner on this system.
func ownerOf(os.FileInfo) (int, bool) { return 0, false }

// ownedByMe cannot check ownership on this system; the other checks remain.
func ownedByMe(os.FileInfo) bool { return true }

// lockFile cannot lock on this system: concurrent hvcctl processes may
// race on the files they share.
func lockFile(*os.File) error { return nil }
