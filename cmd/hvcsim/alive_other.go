//go:build !unix

package main

import "os"

// alive reports whether a process with that id can be opened.
func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	_ = p.Release()
	return true
}
