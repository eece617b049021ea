package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc/internal/ops"
)

func TestTableHasEveryOperation(t *testing.T) {
	t.Parallel()
	got := string(table(ops.All))
	for _, op := range ops.All {
		assert.Contains(t, got, "| `"+op.Name+"` | `"+op.Display()+"` |")
	}
	assert.Equal(t, len(ops.All)+3, strings.Count(got, "\n"), "comment, header, separator and one row per operation")
}

func TestReplace(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc, want string
		ok              bool
	}{
		{"replaces", "a\n" + begin + "\nold\n" + end + "\nb\n", "a\n" + begin + "\nNEW\n" + end + "\nb\n", true},
		{"empty", begin + end, begin + "\nNEW\n" + end, true},
		{"no markers", "a\n", "", false},
		{"end first", end + begin, "", false},
		{"two tables", begin + end + begin + end, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := replace([]byte(tc.doc), []byte("NEW\n"))
			if !tc.ok {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got))
		})
	}
}

// TestRunCheck: -check fails on a stale table and leaves the file alone;
// a rewrite makes -check pass.
func TestRunCheck(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "README.md")
	stale := "# x\n" + begin + "\n| stale |\n" + end + "\n"
	require.NoError(t, os.WriteFile(path, []byte(stale), 0o600))

	err := run(path, true)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "make readme")
	b, _ := os.ReadFile(path)
	assert.Equal(t, stale, string(b), "-check must not write")

	require.NoError(t, run(path, false))
	require.NoError(t, run(path, true))
}
