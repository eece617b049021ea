package conn

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// TestEnsurePrivateDirWritesNothing: checking an existing private
// directory creates no file in it, even for a moment (its modification
// time stays as set), and a directory we cannot write to is refused with
// its path named.
func TestEnsurePrivateDirWritesNothing(t *testing.T) {
	t.Parallel()
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	cases := []struct {
		name    string
		mode    os.FileMode
		wantErr bool
	}{
		{name: "private", mode: 0o700},
		{name: "not writable", mode: 0o500, wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.wantErr && (runtime.GOOS == "windows" || os.Geteuid() == 0) {
				t.Skip("mode bits do not stop this user from writing")
			}
			dir := filepath.Join(t.TempDir(), "home")
			if err := os.Mkdir(dir, tc.mode); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = os.Chmod(dir, 0o700) }) //nolint:gosec // G302: a directory needs x; TempDir removes it
			if err := os.Chtimes(dir, old, old); err != nil {
				t.Fatal(err)
			}
			err := EnsurePrivateDir(dir)
			if got := err != nil; got != tc.wantErr {
				t.Fatalf("EnsurePrivateDir: %v; want an error: %v", err, tc.wantErr)
			}
			if err != nil {
				var pe *os.PathError
				if !errors.As(err, &pe) || pe.Path != dir {
					t.Errorf("error %v does not name %s", err, dir)
				}
			}
			fi, err := os.Stat(dir)
			if err != nil {
				t.Fatal(err)
			}
			ents, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if !fi.ModTime().Equal(old) || len(ents) != 0 {
				t.Errorf("EnsurePrivateDir changed %s: mtime %v, %d entries", dir, fi.ModTime(), len(ents))
			}
		})
	}
}
