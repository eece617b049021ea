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

func TestTablesHaveEveryOperation(t *testing.T) {
	t.Parallel()
	readme, wire := string(readmeTable(ops.All)), string(wireOpsTable(ops.All))
	for _, op := range ops.All {
		assert.Contains(t, readme, "| `"+op.Name+"` | `"+op.Display()+"` |")
		assert.Contains(t, wire, "| `"+op.Name+"` | `"+op.VAPIService+"` `"+op.VAPIOperation+"` | `"+op.Display()+"` |")
	}
	for _, table := range []string{readme, wire} {
		assert.Equal(t, len(ops.All)+3, strings.Count(table, "\n"), "comment, header, separator and one row per operation")
	}
	assert.Contains(t, wire, "| `Links.Create` | `com.vmware.vcenter.hvc.links` `create` | `POST /hvc/links` | no | "+
		"ALREADY_EXISTS 400, INVALID_ARGUMENT 400, UNSUPPORTED 400, UNAUTHORIZED 403, UNVERIFIED_PEER 400, ERROR 500 | 6.7–9.0 |")
}

// TestReleaseTables: the profile table has a row per release whose cells
// say what ops.In says; the versions table merges equal neighbours and
// marks what a release no longer serves.
func TestReleaseTables(t *testing.T) {
	t.Parallel()
	gs := groups(ops.All)
	require.NotEmpty(t, gs)
	profiles := strings.Split(strings.TrimSpace(string(profilesTable(ops.All))), "\n")[3:]
	require.Len(t, profiles, len(ops.Releases()))
	for i, r := range ops.Releases() {
		cells := strings.Split(strings.Trim(profiles[i], "| "), " | ")
		require.Len(t, cells, len(gs)+3, profiles[i])
		assert.Equal(t, r.String(), cells[0])
		for j, g := range gs {
			for _, op := range g.ops {
				assert.Equal(t, op.In(r), cells[2+j] == "yes", "%s in %s", op.Name, r)
			}
		}
	}
	versions := string(versionsTable(ops.All))
	assert.Contains(t, versions, "| 6.7 – 7.0U1 | `/rest` | – | `/rest` | `/rest` | – |")
	assert.Contains(t, versions, "| 8.0U1 – 8.0U3 | `/rest`, `/api` | `/rest`, `/api` | removed | `/rest`, `/api` | – |")
	assert.Contains(t, versions, "| 9.1 (reported, not confirmed) | removed | removed | removed | removed | – |")
	assert.Contains(t, versions, "| links create, list, delete | links get, delete_with_credentials | sync reset; providers list, get, start | administrators get, set, add, remove |")
}

func TestReplace(t *testing.T) {
	t.Parallel()
	const begin, end = "<!-- x:begin -->", "<!-- x:end -->"
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
			got, err := replace([]byte(tc.doc), "x", []byte("NEW\n"))
			if !tc.ok {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got))
		})
	}
}

// TestRunCheck: -check fails on a stale table and leaves the files alone;
// a rewrite makes -check pass; an operation without a hand-written row in
// docs/wire.md fails, naming it, rewrite or not.
func TestRunCheck(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "docs"), 0o700))
	var rows strings.Builder
	for _, op := range ops.All {
		rows.WriteString("### " + op.Name + "\n\nInterface `" + op.VAPIService + "`.\n\n| x | `" + op.Display() + "` | none |\n\n" +
			"| operation | errors |\n|---|---|\n| " + op.VAPIOperation + " | " + strings.Join(op.Errors, " 500, ") + " 500 |\n\n")
	}
	stale := map[string]string{
		"README.md":         "# x\n<!-- ops:begin -->\n| stale |\n<!-- ops:end -->\n",
		"docs/wire.md":      "<!-- ops:begin -->\n<!-- ops:end -->\n" + rows.String() + "<!-- versions:begin -->\n| stale |\n<!-- versions:end -->\n",
		"docs/simulator.md": "<!-- profiles:begin -->\n<!-- profiles:end -->\n",
	}
	for f, s := range stale {
		require.NoError(t, os.WriteFile(filepath.Join(root, f), []byte(s), 0o600))
	}
	err := run(root, ops.All, true)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "make docs")
	for f, s := range stale {
		b, _ := os.ReadFile(filepath.Join(root, f))
		assert.Equal(t, s, string(b), "-check must not write %s", f)
	}
	require.NoError(t, run(root, ops.All, false))
	require.NoError(t, run(root, ops.All, true))

	extra := &ops.Op{Name: "Scratch.Get", Method: "GET", Template: "/hvc/scratch-only-in-this-test", Since: ops.R90,
		VAPIService: "com.vmware.vcenter.hvc.scratch", VAPIOperation: "get"}
	err = run(root, append(append([]*ops.Op(nil), ops.All...), extra), false)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Scratch.Get (`GET /hvc/scratch-only-in-this-test`)")
	assert.Contains(t, err.Error(), "no row for Scratch.Get in the errors table of com.vmware.vcenter.hvc.scratch")

	// A declared error missing from an errors row fails, naming both lists.
	wire := filepath.Join(root, "docs/wire.md")
	b, err := os.ReadFile(wire)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(wire, []byte(strings.Replace(string(b), "| create | ALREADY_EXISTS 500, ", "| create | ", 1)), 0o600)) //nolint:gosec // G703: a file under t.TempDir()
	err = run(root, ops.All, true)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Links.Create declares ALREADY_EXISTS, ERROR, INVALID_ARGUMENT, UNAUTHORIZED, UNSUPPORTED, UNVERIFIED_PEER in internal/ops, but its errors row says ERROR, INVALID_ARGUMENT")
}
