package hvc

import (
	"strconv"
	"unicode/utf8"
)

// quoteShort quotes user input for an error message, cut to 40 bytes on a
// rune boundary.
func quoteShort(s string) string {
	if len(s) > 40 {
		i := 40
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s = s[:i] + "…"
	}
	return strconv.Quote(s)
}
