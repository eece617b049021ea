package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// childEnv makes TestMain run this test binary as something else: "hvcsim"
// runs main, the hvcsim command itself; "sleep" just waits.
const childEnv = "HVCSIM_TEST_CHILD"

// exitGuard bounds the wait for a child to exit, so that a bug fails the
// test instead of hanging it; it is not a speed assertion.
const exitGuard = 20 * time.Second

// hvcsimProcess is the hvcsim command running as a child process.
type hvcsimProcess struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	// stdout reads what the child printed on standard output (the facts,
	// all printed before "serving").
	stdout *bufio.Reader
	// exited is closed once the child has exited, after err and rest
	// (what it printed on stderr after "serving") are set.
	exited chan struct{}
	err    error
	rest   string
}

// startProcess runs hvcsim's main in a child process with args and waits
// until it says it serves.
func startProcess(t *testing.T, args ...string) *hvcsimProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...) //nolint:gosec // the test binary itself
	cmd.Env = append(os.Environ(), childEnv+"=hvcsim")
	return startCmd(t, cmd)
}

// startCmd starts cmd, an hvcsim command, and waits until it says it
// serves.
func startCmd(t *testing.T, cmd *exec.Cmd) *hvcsimProcess {
	t.Helper()
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	p := &hvcsimProcess{cmd: cmd, stdin: stdin, stdout: bufio.NewReader(stdout), exited: make(chan struct{})}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		select {
		case <-p.exited:
		case <-time.After(exitGuard):
		}
	})
	sc := bufio.NewScanner(stderr)
	serving := false
	for !serving && sc.Scan() {
		serving = strings.Contains(sc.Text(), "serving")
	}
	go func() {
		var rest strings.Builder
		for sc.Scan() {
			rest.WriteString(sc.Text() + "\n")
		}
		p.rest, p.err = rest.String(), cmd.Wait()
		close(p.exited)
	}()
	require.True(t, serving, "hvcsim did not start")
	return p
}

// wait returns the child's exit error and what it printed after serving,
// failing the test if it does not exit.
func (p *hvcsimProcess) wait(t *testing.T) (string, error) {
	t.Helper()
	select {
	case <-p.exited:
		return p.rest, p.err
	case <-time.After(exitGuard):
		t.Fatalf("hvcsim did not exit within %v", exitGuard)
		return "", nil
	}
}

// TestProcessExitWithStdin: the hvcsim process with -exit-with-stdin stops
// cleanly (status 0) once its standard input is closed, and keeps serving
// while it stays open; without the flag a closed stdin changes nothing.
func TestProcessExitWithStdin(t *testing.T) {
	t.Parallel()
	p := startProcess(t, "-exit-with-stdin", "-json")
	_, err := io.WriteString(p.stdin, "input is read and ignored\n")
	require.NoError(t, err)
	select {
	case <-p.exited:
		t.Fatal("hvcsim exited while stdin was open")
	default:
	}
	require.NoError(t, p.stdin.Close())
	rest, err := p.wait(t)
	require.NoError(t, err, "exit status; stderr: %s", rest)
	assert.Contains(t, rest, "hvcsim: standard input closed (-exit-with-stdin); stopping")
	assert.Contains(t, rest, "hvcsim: stopped")

	// Without the flag, hvcsim ignores stdin and stops on a signal only.
	q := startProcess(t, "-json")
	require.NoError(t, q.stdin.Close())
	probe := startProcess(t, "-exit-with-stdin", "-json") // a run that does stop, to give q the same time
	require.NoError(t, probe.stdin.Close())
	_, err = probe.wait(t)
	require.NoError(t, err)
	select {
	case <-q.exited:
		t.Fatalf("hvcsim without -exit-with-stdin exited when stdin closed: %v", q.err)
	default:
	}
	require.NoError(t, q.cmd.Process.Signal(os.Interrupt))
	rest, err = q.wait(t)
	require.NoError(t, err)
	assert.NotContains(t, rest, "standard input")
}

// TestProcessParentPID: the hvcsim process with -parent-pid stops cleanly
// once that process is gone (checked every parentPollInterval), and refuses
// to start for a process that does not exist.
func TestProcessParentPID(t *testing.T) {
	t.Parallel()
	parent := exec.Command(os.Args[0]) //nolint:gosec // the test binary itself
	parent.Env = append(os.Environ(), childEnv+"=sleep")
	require.NoError(t, parent.Start())
	pid := parent.Process.Pid
	p := startProcess(t, "-parent-pid", strconv.Itoa(pid), "-json")
	require.NoError(t, parent.Process.Kill())
	// Reap it: a zombie still exists as a process.
	var exitErr *exec.ExitError
	require.True(t, errors.As(parent.Wait(), &exitErr), "the parent was killed")
	rest, err := p.wait(t)
	require.NoError(t, err, "exit status; stderr: %s", rest)
	assert.Contains(t, rest, "hvcsim: the -parent-pid process is gone; stopping")
	assert.Contains(t, rest, "hvcsim: stopped")

	err = run(context.Background(), []string{"-parent-pid", strconv.Itoa(pid)}, nil, io.Discard, io.Discard)
	require.Error(t, err, "pid %d is gone", pid)
	assert.Contains(t, err.Error(), "no such process")
}

// TestProcessRefusesRemote: the hvcsim process given a non-loopback -addr
// without -allow-remote exits with status 2 and a message naming the flag,
// having printed nothing on stdout (no credentials, no token) and served
// nothing.
func TestProcessRefusesRemote(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{":0", "0.0.0.0:0", "[::]:0", "192.0.2.10:0", "hvcsim.example:0"} {
		t.Run(addr, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), exitGuard)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-addr", addr, "-json") //nolint:gosec // the test binary itself
			cmd.Env = append(os.Environ(), childEnv+"=hvcsim")
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			require.NoError(t, ctx.Err(), "hvcsim served %s instead of refusing it; stderr: %s", addr, stderr.String())
			var exitErr *exec.ExitError
			require.True(t, errors.As(err, &exitErr), "exit status: %v", err)
			assert.Equal(t, 2, exitErr.ExitCode())
			assert.Contains(t, stderr.String(), "is not a loopback address")
			assert.Contains(t, stderr.String(), "-allow-remote")
			assert.NotContains(t, stderr.String(), "serving")
			assert.Empty(t, stdout.String(), "facts printed for a refused address")
		})
	}
}
