//go:build unix

package bench

import "syscall"

// cpuNanos is the CPU time this process has used, user plus system. On a
// shared, loaded machine it is a steadier measure of the client's work
// than wall time: another process's load delays the client but does not
// add to its CPU time. (The loopback server runs in its own process.)
func cpuNanos() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
