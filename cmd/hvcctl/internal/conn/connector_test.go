package conn

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hvcsdk/hvc"
	"github.com/hvcsdk/hvc/simulator"
)

// These tests run the Connector in process, through its seams (Stdin,
// Prompt, Warnf), against the simulator over TLS.

// fakePrompter answers a prompt with a fixed password and records it.
type fakePrompter struct {
	mu      sync.Mutex
	answer  string
	prompts []string
}

func (p *fakePrompter) CanPrompt() bool { return p.answer != "" }

func (p *fakePrompter) PromptSecret(prompt string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.prompts = append(p.prompts, prompt)
	return p.answer, nil
}

// warnings collects Warnf's lines.
type warnings struct {
	mu    sync.Mutex
	lines []string
}

func (w *warnings) warnf(format string, args ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lines = append(w.lines, fmt.Sprintf(format, args...))
}

// simSettings returns settings that reach sim, with a private home and a
// known-hosts file trusting it.
func simSettings(t *testing.T, sim *simulator.Server) Settings {
	t.Helper()
	dir := t.TempDir()
	kh := filepath.Join(dir, "known_hosts")
	host := strings.TrimPrefix(sim.URL(), "https://")
	if err := os.WriteFile(kh, []byte(host+" "+sim.Thumbprint()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return Settings{URL: sim.URL(), Username: simulator.DefaultAdminUser, KnownHosts: kh, Persist: true,
		Home: filepath.Join(dir, "home"), Password: PasswordSource{Env: simulator.DefaultAdminPassword, EnvVar: "HVC_PASSWORD"}}
}

// invoke runs one "command": Connect, a call, Finish.
func invoke(t *testing.T, c *Connector) error {
	t.Helper()
	ctx := context.Background()
	client, err := c.Connect(ctx)
	if err != nil {
		return err
	}
	_, err = client.Links.List(ctx)
	c.Finish(ctx, err)
	return err
}

func TestConnectorInProcess(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t)
	s := simSettings(t, sim)
	quiet := func(string, ...any) {}

	// The password from "stdin", then the cached session for the next
	// invocation without a login.
	stdin := s
	stdin.Password = PasswordSource{Stdin: "--password-stdin"}
	c := &Connector{Settings: stdin, Stdin: bufio.NewReader(strings.NewReader(simulator.DefaultAdminPassword + "\n")), Warnf: quiet, Debugf: quiet}
	if err := invoke(t, c); err != nil {
		t.Fatal(err)
	}
	if err := invoke(t, &Connector{Settings: s, Warnf: quiet, Debugf: quiet}); err != nil {
		t.Fatal(err)
	}
	if n := sim.LoginCount(); n != 1 {
		t.Errorf("logins %d, want 1", n)
	}

	// No password and no cache: the prompt is asked, with the host in it.
	fresh := s
	fresh.Home = filepath.Join(t.TempDir(), "home")
	fresh.Password = PasswordSource{}
	p := &fakePrompter{answer: simulator.DefaultAdminPassword}
	if err := invoke(t, &Connector{Settings: fresh, Prompt: p, Warnf: quiet, Debugf: quiet}); err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(sim.URL(), "https://")
	if len(p.prompts) != 1 || p.prompts[0] != "Password for "+simulator.DefaultAdminUser+" at "+host+": " {
		t.Errorf("prompts: %q", p.prompts)
	}
	// Without a prompter the error is an auth error with a hint.
	none := fresh
	none.Home = filepath.Join(t.TempDir(), "home")
	err := invoke(t, &Connector{Settings: none, Warnf: quiet, Debugf: quiet})
	var ce *Error
	if !errors.As(err, &ce) || ce.Kind != KindAuth || len(ce.Hints) == 0 {
		t.Errorf("no password: %v", err)
	}

	// A wrong password is a LoginError (the cache cannot stand in for it).
	wrong := s
	wrong.Password.Env = "wrong-password"
	err = invoke(t, &Connector{Settings: wrong, Warnf: quiet, Debugf: quiet})
	var le *LoginError
	if !errors.As(err, &le) || !errors.Is(err, hvc.ErrUnauthenticated) {
		t.Errorf("wrong password: %v", err)
	}
}

// TestConnectorRacesInProcess: 8 goroutines connecting at once with no
// cached session make one login (the lock is per open file, so it holds
// between goroutines as between processes) and leave one live session.
func TestConnectorRacesInProcess(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t)
	s := simSettings(t, sim)
	var w warnings
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &Connector{Settings: s, Warnf: w.warnf, Debugf: func(string, ...any) {}}
			ctx := context.Background()
			client, err := c.Connect(ctx)
			if err == nil {
				_, err = client.Links.List(ctx)
				c.Finish(ctx, err)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if l, n := sim.LoginCount(), sim.SessionCount(); l != 1 || n != 1 {
		t.Errorf("%d logins, %d live sessions; want 1 and 1", l, n)
	}
	if len(w.lines) != 0 {
		t.Errorf("warnings: %q", w.lines)
	}
}
