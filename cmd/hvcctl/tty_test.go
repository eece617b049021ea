package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hvcsdk/hvc/simulator"
)

// onTerminal runs hvcctl under util-linux script(1), which gives it a
// pseudo-terminal of 100 columns, and answers each prompt (a substring of
// the output) with its keystrokes. It returns everything the terminal showed and
// the exit code.
func onTerminal(t *testing.T, e env, answers [][2]string, args ...string) (string, int) {
	t.Helper()
	if bin == "" {
		t.Skip(buildErr)
	}
	script, err := exec.LookPath("script")
	if err != nil || runtime.GOOS != "linux" {
		t.Skip("needs util-linux script(1) for a pseudo-terminal")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	quoted := []string{shellQuote(bin)}
	for _, a := range args {
		quoted = append(quoted, shellQuote(a))
	}
	cmd := exec.CommandContext(ctx, script, "-qec", "stty cols 100 rows 40; exec "+strings.Join(quoted, " "), "/dev/null")
	cmd.Env = e.list()
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var seen strings.Builder
	br := bufio.NewReader(out)
	for _, qa := range answers {
		for !strings.Contains(seen.String(), qa[0]) {
			b, err := br.ReadByte()
			if err != nil {
				t.Fatalf("waiting for %q: %v; terminal showed %q", qa[0], err, seen.String())
			}
			seen.WriteByte(b)
		}
		// Answer at once: echo is off before a password prompt shows.
		if _, err := io.WriteString(in, qa[1]); err != nil {
			t.Fatal(err)
		}
	}
	rest, _ := io.ReadAll(br)
	seen.Write(rest)
	in.Close()
	code := 0
	if err := cmd.Wait(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("hvcctl on a terminal: %v; terminal showed %q", err, seen.String())
		}
		code = ee.ExitCode()
	}
	transcript.Lock()
	transcript.WriteString(seen.String())
	transcript.Unlock()
	return seen.String(), code
}

func TestTerminalPromptsAndProgressBars(t *testing.T) {
	t.Parallel()
	_, e := startSim(t, simulator.WithSyncDuration(400*time.Millisecond))
	noPW := e.with("HVC_PASSWORD", "", "HVC_PSC_THUMBPRINT", "")

	// The vCenter password is asked for without echo; the PSC certificate is
	// shown and trusted on "y".
	got, code := onTerminal(t, noPW, [][2]string{
		{"Password for " + simulator.DefaultAdminUser, simulator.DefaultAdminPassword + "\n"},
		{"Trust it and create the link? [y/N]", "y\n"},
	}, "link", "create")
	if code != 0 || !strings.Contains(got, simulator.DefaultForeignThumbprint) || !strings.Contains(got, "link-1") {
		t.Errorf("link create on a terminal showed %q", got)
	}
	if strings.Contains(got, simulator.DefaultAdminPassword) {
		t.Error("the password was echoed")
	}
	// Ctrl-C at the password prompt ends hvcctl at once.
	got, code = onTerminal(t, noPW.with("HVCCTL_HOME", t.TempDir()), [][2]string{{"Password for", "\x03"}}, "link", "ls")
	if code != exitInterrupted || !strings.Contains(got, "hvcctl: interrupted") {
		t.Errorf("Ctrl-C at the prompt: exit %d, terminal showed %q", code, got)
	}
	// "n" creates nothing.
	got, code = onTerminal(t, e.with("HVC_PSC_THUMBPRINT", "", "HVC_PSC_DOMAIN", "no.local"), [][2]string{{"[y/N]", "n\n"}}, "link", "create")
	if code != exitTLS || !strings.Contains(got, "not trusted; nothing was created") {
		t.Errorf("refusing showed %q", got)
	}
	// Destructive commands ask; "n" changes nothing.
	got, code = onTerminal(t, e, [][2]string{{"Delete link link-1? [y/N]", "n\n"}}, "link", "rm", "link-1")
	if code != exitNotConfirmed || !strings.Contains(got, "not confirmed; nothing was changed") {
		t.Errorf("link rm: exit %d, showed %q", code, got)
	}
	// admin set names the groups it removes before it asks.
	got, code = onTerminal(t, e, [][2]string{{"[y/N]", "n\n"}}, "admin", "set", "Ops@vsphere.local")
	if code != exitNotConfirmed || !strings.Contains(got, "Set the administrator groups to Ops@vsphere.local (adding Ops@vsphere.local; removing "+builtinAdmins+")? [y/N]") ||
		!strings.Contains(got, "warning: this removes "+builtinAdmins) {
		t.Errorf("admin set: exit %d, showed %q", code, got)
	}
	// Progress bars, not timestamped lines, on a terminal.
	got, code = onTerminal(t, e, nil, "sync", "start", "link-1", "identity", "authorization", "--wait", "--poll-interval", "50ms")
	if code != 0 || !strings.Contains(got, "\x1b[") || !strings.Contains(got, "] ") || !strings.Contains(got, "120/120") {
		t.Errorf("no progress bars: %q", got)
	}
	if strings.Contains(got, "link-1/identity: ") {
		t.Errorf("plain progress lines on a terminal: %q", got)
	}
}
