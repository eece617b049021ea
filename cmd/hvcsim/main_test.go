package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/hvcsdk/hvc/simulator"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// startRun runs the command in the background and returns the lines it
// printed up to the prompt, a stop function and the command's result.
func startRun(t *testing.T, args ...string) (map[string]string, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, args, pw, io.Discard)
		_ = pw.Close()
		done <- err
	}()
	fields := map[string]string{}
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		line := sc.Text()
		if line == "press Ctrl-C to stop" {
			break
		}
		if k, v, ok := strings.Cut(line, " "); ok {
			fields[k] = strings.TrimSpace(v)
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	return fields, func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			return errors.New("hvcsim did not stop")
		}
	}
}

func TestRunServesAndStops(t *testing.T) {
	t.Parallel()
	fields, stop := startRun(t, "--addr", "127.0.0.1:0", "--sync-duration", "0")
	url := strings.TrimPrefix(fields["hvcsim"], "serving ")
	require.True(t, strings.HasPrefix(url, "https://127.0.0.1:"), "url %q", url)
	tp := fields["thumbprint"]
	require.NotEmpty(t, tp)
	require.Contains(t, fields["admin"], simulator.DefaultAdminUser)

	// Trust the server only by the printed thumbprint, as a non-Go suite would.
	want := strings.ToLower(strings.ReplaceAll(tp, ":", ""))
	tr := &http.Transport{TLSClientConfig: &tls.Config{
		InsecureSkipVerify: true, //nolint:gosec // verified by thumbprint below
		VerifyConnection: func(cs tls.ConnectionState) error {
			sum := sha256.Sum256(cs.PeerCertificates[0].Raw)
			if hex.EncodeToString(sum[:]) != want {
				return errors.New("thumbprint mismatch")
			}
			return nil
		},
	}}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequest(http.MethodPost, url+"/api/session", nil)
	require.NoError(t, err)
	req.SetBasicAuth(simulator.DefaultAdminUser, simulator.DefaultAdminPassword)
	resp, err := (&http.Client{Transport: tr}).Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
	tr.CloseIdleConnections()

	require.NoError(t, stop())
}

func TestRunRejectsBadFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--nope"},
		{"--rest-only", "--api-only", "--addr", "127.0.0.1:0"},
		{"--sync-duration", "-1s", "--addr", "127.0.0.1:0"},
		{"extra"},
		{"--addr", "256.0.0.1:99999"},
	} {
		err := run(context.Background(), args, io.Discard, io.Discard)
		assert.Error(t, err, "%q", args)
	}
}
