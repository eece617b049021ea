//go:build unix

package main

import (
	"errors"
	"syscall"
)

// alive reports whether a process with that id exists: signal 0 checks
// without sending anything, and EPERM means it exists but is another
// user's. A zombie (exited, not yet reaped) still counts as alive.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
