package main

import (
	"strings"
	"testing"
)

// TestSharedEnvDrawsNoWarning: HVC_API_TIMEOUT configures the Terraform
// provider, which reads the same environment as hvcctl (the exports of
// hvcctl sim configure both), so setting it must not draw hvcctl's
// unknown-variable warning; a misspelling of it still does.
func TestSharedEnvDrawsNoWarning(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, value string
		warning     string // "" when none may be printed
	}{
		{"HVC_API_TIMEOUT", "5m", ""},
		{"HVC_API_TIMEOUTS", "5m", "unknown environment variable HVC_API_TIMEOUTS is ignored"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runInProcess(t, env{tc.name: tc.value}, "", "version")
			if r.code != 0 {
				t.Fatalf("version: exit %d, stderr %q", r.code, r.stderr)
			}
			if tc.warning == "" && strings.Contains(r.stderr, "unknown environment variable") {
				t.Errorf("%s=%s draws a warning: %q", tc.name, tc.value, r.stderr)
			}
			if tc.warning != "" && !strings.Contains(r.stderr, tc.warning) {
				t.Errorf("%s=%s: stderr %q, want %q", tc.name, tc.value, r.stderr, tc.warning)
			}
		})
	}
}
