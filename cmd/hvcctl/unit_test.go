package main

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"testing"
)

func TestYAMLKeepsJSONKeysAndOrder(t *testing.T) {
	t.Parallel()
	v := []providerOut{{Link: "l", Provider: "p: x", Status: "SUCCEEDED", PollingIntervalInSeconds: 30,
		CurrentSessionInfo: &sessionInfoOut{Stage: "COMPLETED", CompletedWork: 1, TotalWork: 2}}}
	b, err := toYAML(v)
	if err != nil {
		t.Fatal(err)
	}
	want := `- link: l
  provider: 'p: x'
  status: SUCCEEDED
  last_sync_time: null
  polling_interval_in_seconds: 30
  current_session_info:
    stage: COMPLETED
    completed_work: 1
    total_work: 2
    start_time: null
    completion_time: null
    exception: null
  status_message: null
`
	if string(b) != want {
		t.Errorf("got:\n%s\nwant:\n%s", b, want)
	}
}

func TestUnknownEnvSuggestion(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"HVC_USER": "HVC_USERNAME", "HVC_PASWORD": "HVC_PASSWORD", "HVC_INSECUR": "HVC_INSECURE", "HVC_COMPLETELY_ELSE": ""} {
		if got := closest(in, knownEnv); got != want {
			t.Errorf("%s: %q, want %q", in, got, want)
		}
	}
}

func pemCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// TestClosestSuggestsOnlyCloseNames: the unknown-variable warning suggests
// a known name only for a likely misspelling (edit distance 2 or less, or
// the only known name it is a prefix of, or that is a prefix of it).
func TestClosestSuggestsOnlyCloseNames(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"HVC_FOO", ""},
		{"HVC_X", ""},
		{"HVC_BAR", ""},
		{"HVC_PSC", ""}, // a prefix of many: no guess
		{"HVC_USER", "HVC_USERNAME"},
		{"HVC_URI", "HVC_URL"},
		{"HVC_PASWORD", "HVC_PASSWORD"},
		{"HVC_FLAVOUR", "HVC_FLAVOR"},
		{"HVC_DEBGU", "HVC_DEBUG"},
		{"HVC_PSC_HOST", "HVC_PSC_HOSTNAME"},
		{"HVC_URLS", "HVC_URL"},
	} {
		if got := closest(c.in, knownEnv); got != c.want {
			t.Errorf("closest(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestOpErrorDropsTheSDKPrefix: an SDK error under a command's operation
// reads "wait for …: waiting for …", not "wait for …: hvc: waiting for …".
func TestOpErrorDropsTheSDKPrefix(t *testing.T) {
	t.Parallel()
	sdk := fmt.Errorf("hvc: waiting for the sync of provider p on link l: %w", context.DeadlineExceeded)
	err := op(sdk, "wait for the sync of %s/%s", "l", "p")
	want := "wait for the sync of l/p: waiting for the sync of provider p on link l: context deadline exceeded"
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Error("the cause is lost")
	}
}
