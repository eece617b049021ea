package safetext

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		max      int
		want     string
	}{
		{"plain", "Link already exists", 64, "Link already exists"},
		{"controls become spaces", "a\nb\r\x1b[31mc\td", 64, "a b  [31mc d"},
		{"line separators", "a\u2028b\u2029c", 64, "a b c"},
		{"cut before the rune at max", "ab€cd", 2, "ab…"},
		{"a rune started before max is kept whole", "ab€cd", 3, "ab€…"},
		{"cut after a whole rune", "ab€cd", 5, "ab€…"},
		{"no cut", strings.Repeat("x", 10), 0, strings.Repeat("x", 10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, Line(tt.in, tt.max))
			var b strings.Builder
			Write(&b, tt.in, tt.max)
			assert.Equal(t, tt.want, b.String())
		})
	}
}
