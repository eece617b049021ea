//go:build !unix

package bench

// cpuNanos is not measured here; cpu-ns/op reads 0.
func cpuNanos() int64 { return 0 }
