package main

import (
	"errors"
	"strings"
	"testing"
)

// TestUsageErrorsAreClassifiedByType: cobra's usage failures are exit 2
// because hvcctl makes them typed usage errors, not because their text
// starts like cobra's; an error from elsewhere reading like one stays 1.
// Messages carry one prefix: the SDK's "hvc: " goes after hvcctl's.
func TestUsageErrorsAreClassifiedByType(t *testing.T) {
	t.Parallel()
	a := &app{}
	for _, msg := range []string{"unknown command frob", "unknown flag: --x", "invalid argument \"y\"", "required flag z"} {
		if got := exitCode(a.decorate(errors.New(msg))); got != exitError {
			t.Errorf("%q from elsewhere: exit %d, want %d", msg, got, exitError)
		}
	}
	home := env{"HVCCTL_HOME": t.TempDir()}
	for _, args := range [][]string{{"lnk"}, {"link", "lss"}, {"completion", "bash", "extra"}, {"link", "ls", "--bogus"}, {"link", "get"}, {"admin"}, {"admin", "set"}} {
		r := runInProcess(t, home, "", args...)
		if r.code != exitUsage || !strings.HasPrefix(r.stderr, "hvcctl: ") || strings.HasPrefix(r.stderr, "hvcctl: hvcctl") {
			t.Errorf("%q: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
	if r := runInProcess(t, home, ""); r.code != exitOK || !strings.Contains(r.stdout, "Exit codes:") {
		t.Errorf("no arguments: exit %d, stdout %q", r.code, r.stdout)
	}
	if got := describe(errors.New("hvc: New: bad endpoint")).Message; got != "New: bad endpoint" {
		t.Errorf("message %q keeps the SDK's prefix", got)
	}
}
