// Package safetext makes text from the network safe for one line of a
// terminal or a log: the one place that decides which characters a hostile
// server must not get through (control characters, which can forge lines
// or drive a terminal, and the Unicode line and paragraph separators).
package safetext

import (
	"strings"
	"unicode"
)

// Unsafe reports a rune that must not reach a line of output as is.
func Unsafe(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }

// Write appends s to b as one line: every Unsafe rune becomes a space, and
// s is cut before the rune that starts at or after max bytes, with "…"
// marking the cut (max <= 0: no cut).
func Write(b *strings.Builder, s string, max int) {
	for i, r := range s {
		if max > 0 && i >= max {
			b.WriteString("…")
			return
		}
		if Unsafe(r) {
			r = ' '
		}
		b.WriteRune(r)
	}
}

// Line returns s as Write appends it.
func Line(s string, max int) string {
	clean := max <= 0 || len(s) <= max
	if clean {
		for _, r := range s {
			if Unsafe(r) {
				clean = false
				break
			}
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(min(len(s), max) + len("…"))
	Write(&b, s, max)
	return b.String()
}
