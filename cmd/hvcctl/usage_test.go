package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

// runInProcess runs hvcctl's app with args through its seams (streams and
// environment), without the binary.
func runInProcess(t *testing.T, environ map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{
		stdin:  strings.NewReader(""),
		stdout: &out, stderr: &errb,
		lookupEnv: func(k string) (string, bool) { v, ok := environ[k]; return v, ok },
		// stdin and stderr are no terminals: nothing prompts, and
		// readPassword stays nil.
	}
	for k, v := range environ {
		a.environ = append(a.environ, k+"="+v)
	}
	code = a.run(context.Background(), args)
	return code, out.String(), errb.String()
}

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
	home := map[string]string{"HVCCTL_HOME": t.TempDir()}
	for _, args := range [][]string{{"lnk"}, {"link", "lss"}, {"completion", "bash", "extra"}, {"link", "ls", "--bogus"}, {"link", "get"}, {"admin"}, {"admin", "set"}} {
		code, _, stderr := runInProcess(t, home, args...)
		if code != exitUsage || strings.Count(stderr, "hvcctl") < 1 || strings.HasPrefix(stderr, "hvcctl: hvcctl") {
			t.Errorf("%q: exit %d, stderr %q", args, code, stderr)
		}
	}
	if code, stdout, _ := runInProcess(t, home); code != exitOK || !strings.Contains(stdout, "Exit codes:") {
		t.Errorf("no arguments: exit %d, stdout %q", code, stdout)
	}
	if got := describe(errors.New("hvc: New: bad endpoint")).Message; got != "New: bad endpoint" {
		t.Errorf("message %q keeps the SDK's prefix", got)
	}
}
