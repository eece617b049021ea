package acctest

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestFind runs Find against scripts standing in for terraform: every
// reason to skip names the binary it looked at and what to install or
// set; a terraform 1.11 or later is returned.
func TestFind(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("the stand-in terraform binaries are shell scripts")
	}
	dir := t.TempDir()
	script := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o700); err != nil { //nolint:gosec // G306: an executable
			t.Fatal(err)
		}
		return p
	}
	good := script("tf-1.11", `echo '{"terraform_version":"1.11.4","platform":"linux_amd64"}'`)
	old := script("tf-1.10", `echo '{"terraform_version":"1.10.5"}'`)
	garbage := script("tf-garbage", `echo 'Terraform v1.11.4'`)
	failing := script("tf-failing", `exit 3`)
	notExec := filepath.Join(dir, "not-executable")
	if err := os.WriteFile(notExec, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	onPath := func(p string) func(string) (string, error) {
		return func(string) (string, error) { return p, nil }
	}
	noPath := func(string) (string, error) { return "", exec.ErrNotFound }
	for _, tc := range []struct {
		name     string
		env      string
		lookPath func(string) (string, error)
		want     string // the path found, or "" for a skip
		why      []string
	}{
		{"env names a good terraform", good, noPath, good, nil},
		{"terraform on PATH", "", onPath(good), good, nil},
		{"env wins over PATH", good, onPath(old), good, nil},
		{"none at all", "", noPath, "", []string{"no terraform on PATH and TF_ACC_TERRAFORM_PATH is unset", "install terraform >= 1.11.0"}},
		{"env names nothing", filepath.Join(dir, "missing"), onPath(good), "",
			[]string{"TF_ACC_TERRAFORM_PATH=" + filepath.Join(dir, "missing") + ": cannot run", "no such file", "set TF_ACC_TERRAFORM_PATH to one"}},
		{"env names a file that cannot run", notExec, noPath, "", []string{"TF_ACC_TERRAFORM_PATH=" + notExec + ": cannot run", "permission denied", "install terraform >= 1.11.0"}},
		{"version fails", "", onPath(failing), "", []string{failing + ": cannot run", "exit status 3", "install terraform"}},
		{"version is not JSON", garbage, noPath, "", []string{"printed no terraform_version", "install terraform"}},
		{"too old on PATH", "", onPath(old), "", []string{old + " is terraform 1.10.5, older than 1.11.0", "set TF_ACC_TERRAFORM_PATH to one"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			getenv := func(k string) string {
				if k == EnvPath {
					return tc.env
				}
				return ""
			}
			got, why := Find(getenv, tc.lookPath)
			if got != tc.want {
				t.Errorf("Find = %q (%s), want %q", got, why, tc.want)
			}
			if (why == "") != (tc.want != "") {
				t.Errorf("why = %q with path %q", why, got)
			}
			for _, w := range tc.why {
				if !strings.Contains(why, w) {
					t.Errorf("why = %q, want it to contain %q", why, w)
				}
			}
		})
	}
}
