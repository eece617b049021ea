package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hvcsdk/hvc"
	"github.com/spf13/cobra"

	"github.com/hvcsdk/hvc/cmd/hvcctl/internal/conn"
)

// connector returns the invocation's conn.Connector, built from the
// resolved global flags on first use.
func (a *app) connector() *conn.Connector {
	if a.conn == nil {
		a.conn = &conn.Connector{
			Settings: a.connSettings(),
			Stdin:    a.stdinReader,
			Prompt:   prompter{a},
			Warnf:    a.warnf,
			Debugf:   a.debugf,
		}
	}
	return a.conn
}

// connSettings turns the global flags and their variables into connection
// settings.
func (a *app) connSettings() conn.Settings {
	pf := a.root.PersistentFlags()
	envPW, _ := a.env("HVC_PASSWORD")
	pw := conn.PasswordSource{File: a.g.passwordFile, FileFromFlag: changed(pf, "password-file"),
		FileVar: a.envSource("HVC_PASSWORD_FILE"), Env: envPW, EnvVar: a.envSource("HVC_PASSWORD")}
	if a.g.passwordStdin {
		pw.Stdin = "--password-stdin"
	}
	flavor, _ := parseFlavor(a.g.flavor) // resolveGlobals refused a bad one
	opts := []hvc.Option{hvc.WithUserAgent("hvcctl/" + version() + " " + hvc.DefaultUserAgent)}
	if a.g.debug && a.log != nil {
		opts = append(opts, hvc.WithLogger(a.log))
	}
	var govcKH string
	if _, set := a.env("HVC_TLS_KNOWN_HOSTS"); !set && !changed(pf, "tls-known-hosts") {
		govcKH = govcKnownHosts(a.lookupEnv)
	}
	runtimeDir, _ := a.lookupEnv("XDG_RUNTIME_DIR")
	return conn.Settings{
		URL: a.g.url, URLFromFlag: changed(pf, "url"), Username: a.g.username, Password: pw,
		Thumbprint: a.g.thumbprint, Insecure: a.g.insecure, CACerts: a.g.caCerts, KnownHosts: a.g.knownHosts, GovcKnownHosts: govcKH,
		Flavor: flavor, Persist: a.g.persistSession, Home: a.g.home, RuntimeDir: runtimeDir, Options: opts,
	}
}

// govcKnownHosts is govc's known-hosts file: $GOVMOMI_HOME/known_hosts,
// default ~/.govmomi/known_hosts; "" when there is no home.
func govcKnownHosts(lookupEnv func(string) (string, bool)) string {
	if h, ok := lookupEnv("GOVMOMI_HOME"); ok && h != "" {
		return filepath.Join(h, "known_hosts")
	}
	home, ok := lookupEnv("HOME")
	if !ok || home == "" {
		home, _ = os.UserHomeDir()
	}
	if home == "" {
		return ""
	}
	return filepath.Join(home, ".govmomi", "known_hosts")
}

// fromConn turns the conn package's errors into hvcctl's exit codes and
// operations.
func fromConn(err error) error {
	var le *conn.LoginError
	var ce *conn.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &le):
		return op(le.Err, "log in as %s", le.User)
	case errors.As(err, &ce):
		code := exitError
		switch ce.Kind {
		case conn.KindUsage:
			code = exitUsage
		case conn.KindAuth:
			code = exitAuth
		}
		return &cliError{code: code, err: ce.Err, hints: ce.Hints}
	}
	return err
}

// connect builds the client for a command (see conn.Connector.Connect).
func (a *app) connect(ctx context.Context) (*hvc.Client, error) {
	c, err := a.connector().Connect(ctx)
	return c, fromConn(err)
}

// finish persists or ends the invocation's session; cmdErr is the
// command's error, if any.
func (a *app) finish(ctx context.Context, cmdErr error) {
	if a.conn != nil {
		a.conn.Finish(ctx, cmdErr)
	}
}

// withClient runs fn with a client connected under the command's context
// (bounded by --timeout), the shape of every command that calls vCenter.
func (a *app) withClient(cmd *cobra.Command, fn func(ctx context.Context, c *hvc.Client) error) error {
	ctx, cancel := a.cmdContext(cmd)
	defer cancel()
	c, err := a.connect(ctx)
	if err != nil {
		return err
	}
	return fn(ctx, c)
}

func (a *app) debugf(format string, args ...any) {
	if a.g.debug && a.log != nil {
		a.log.Debug("hvcctl: " + fmt.Sprintf(format, args...))
	}
}

// prompter lets the conn package ask on the operator's terminal.
type prompter struct{ a *app }

func (p prompter) CanPrompt() bool                            { return p.a.canPrompt() }
func (p prompter) PromptSecret(prompt string) (string, error) { return p.a.promptSecret(prompt) }

// promptSecret asks for a secret on the terminal without echo.
func (a *app) promptSecret(prompt string) (string, error) {
	b, err := interruptible(a.ctx, func() ([]byte, error) { return a.readPassword(prompt) })
	fmt.Fprintln(a.stderr)
	if err != nil {
		return "", fmt.Errorf("reading the password: %w", err)
	}
	if len(b) == 0 {
		return "", authErr(errors.New("empty password"))
	}
	return string(b), nil
}

// readAnswer reads one line the operator types; Ctrl-C ends the wait.
func (a *app) readAnswer() (string, error) {
	b, err := interruptible(a.ctx, func() ([]byte, error) {
		s, err := a.stdinReader.ReadString('\n')
		if err != nil && s == "" {
			return nil, err
		}
		return []byte(s), nil
	})
	return string(b), err
}

// interruptible runs a blocking terminal read and returns early, with the
// context's error, when ctx ends (Ctrl-C is caught, so the read alone would
// keep waiting for Enter). The read is left behind; the process exits.
func interruptible(ctx context.Context, read func() ([]byte, error)) ([]byte, error) {
	type res struct {
		b   []byte
		err error
	}
	ch := make(chan res, 1)
	go func() {
		b, err := read()
		ch <- res{b, err}
	}()
	select {
	case r := <-ch:
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return r.b, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// canPrompt reports whether hvcctl may ask the operator something: stdin
// and stderr are terminals.
func (a *app) canPrompt() bool { return a.stdinTTY && a.stderrTTY && !a.noPrompt }

// confirm asks a y/N question on the terminal, or requires --yes when there
// is none.
func (a *app) confirm(yes bool, question, what string) error {
	if yes {
		return nil
	}
	if !a.canPrompt() {
		return usageErr(fmt.Errorf("refusing to %s without confirmation: no terminal to ask on; pass --yes", what))
	}
	fmt.Fprint(a.stderr, question+" [y/N] ")
	line, err := a.readAnswer()
	if err != nil {
		return err
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return nil
	}
	return &cliError{code: exitNotConfirmed, err: errors.New("not confirmed; nothing was changed")}
}
