package conn

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Prompter asks the operator for a secret on a terminal.
type Prompter interface {
	// CanPrompt reports whether there is a terminal to ask on.
	CanPrompt() bool
	// PromptSecret shows prompt and reads one line without echo.
	PromptSecret(prompt string) (string, error)
}

// PasswordSource says where one password may come from, in this order: the
// first line of stdin, a file, an environment variable, a govc-style URL.
// The vCenter's and the foreign PSC's passwords are both read through it.
type PasswordSource struct {
	// Stdin is the flag that asks to read stdin ("--password-stdin"),
	// "" when it is not set.
	Stdin string
	// File is the password file, from a flag or the variable FileVar.
	File string
	// FileFromFlag reports that File came from the command line, which
	// beats the variable Env.
	FileFromFlag bool
	// FileVar names the variable File defaults from, for messages.
	FileVar string
	// Env is the value of the variable EnvVar ("" when unset).
	Env string
	// EnvVar names the password variable, for messages.
	EnvVar string
	// URL is the password of a govc-style URL.
	URL string
}

// Lookup returns the password from the first source that is set; ok is
// false when none is. It never prompts.
func (s PasswordSource) Lookup(stdin *bufio.Reader) (pw string, ok bool, err error) {
	switch {
	case s.Stdin != "":
		pw, err = readStdinSecret(stdin, s.Stdin)
		return pw, err == nil, err
	case s.File != "" && s.Env != "" && !s.FileFromFlag:
		return "", false, usage(fmt.Errorf("both %s and %s are set; unset one", s.EnvVar, s.FileVar))
	case s.File != "":
		pw, err = ReadSecretFile(s.File)
		return pw, err == nil, err
	case s.Env != "":
		return s.Env, true, nil
	case s.URL != "":
		return s.URL, true, nil
	}
	return "", false, nil
}

// Get is Lookup, then the prompt on a terminal; without either it fails
// with an authentication error carrying hint.
func (s PasswordSource) Get(stdin *bufio.Reader, p Prompter, prompt string, none error, hints ...string) (string, error) {
	pw, ok, err := s.Lookup(stdin)
	switch {
	case err != nil:
		return "", err
	case ok:
		return pw, nil
	case p != nil && p.CanPrompt():
		return p.PromptSecret(prompt)
	}
	return "", auth(none, hints...)
}

// readStdinSecret reads one line from stdin.
func readStdinSecret(r *bufio.Reader, flag string) (string, error) {
	if r == nil {
		return "", usage(fmt.Errorf("%s: no password on stdin", flag))
	}
	line, err := r.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", usage(fmt.Errorf("%s: no password on stdin", flag))
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", usage(fmt.Errorf("%s: empty password on stdin", flag))
	}
	return line, nil
}

// maxSecretFileBytes bounds a password file.
const maxSecretFileBytes = 4096

// ReadSecretFile reads a password file: its content without the trailing
// newline. The path is named in errors, the content never.
func ReadSecretFile(path string) (string, error) {
	f, err := os.Open(path) //nolint:gosec // G304: the operator names the password file
	if err != nil {
		return "", usage(fmt.Errorf("password file: %w", err))
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && modeChecks && fi.Mode().IsRegular() && fi.Mode().Perm()&0o077 != 0 {
		// As ssh does with a private key: a secret others can read is
		// refused, not used.
		return "", usage(fmt.Errorf("password file %s has mode %04o: other users can read it; run chmod 600 %s", path, fi.Mode().Perm(), path))
	}
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFileBytes+1))
	if err != nil {
		return "", usage(fmt.Errorf("password file %s: %w", path, err))
	}
	if len(b) > maxSecretFileBytes {
		return "", usage(fmt.Errorf("password file %s is larger than 4 KiB", path))
	}
	s := strings.TrimRight(string(b), "\r\n")
	if s == "" {
		return "", usage(fmt.Errorf("password file %s is empty", path))
	}
	return s, nil
}
