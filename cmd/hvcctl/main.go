// Command hvcctl is the operator's command line for vCenter hybrid links
// (hvc): links, sync providers and hvc administrators.
//
//	go install ./cmd/hvcctl   # from a checkout; the module is not published yet
//	export HVC_URL=vcenter.example HVC_USERNAME=administrator@vsphere.local
//	hvcctl link ls
//
// It reads the same connection settings as govc (HVC_* variables, falling
// back to the GOVC_* ones), never takes a password as a flag value, caches
// sessions under $HVCCTL_HOME (default ~/.hvcctl) and exits with a
// documented code per failure kind (listed by "hvcctl --help").
//
// JSON and YAML output (-o json, -o yaml) use the API's snake_case field
// names and are a stable contract.
package main

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"golang.org/x/term"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	a := &app{
		stdin:        os.Stdin,
		stdout:       os.Stdout,
		stderr:       os.Stderr,
		lookupEnv:    os.LookupEnv,
		environ:      os.Environ(),
		stdinTTY:     term.IsTerminal(int(os.Stdin.Fd())),
		stderrTTY:    term.IsTerminal(int(os.Stderr.Fd())),
		readPassword: readPasswordRestoring,
	}
	if a.stderrTTY {
		if w, _, err := term.GetSize(int(os.Stderr.Fd())); err == nil && w > 0 {
			a.bars = true
		}
	}
	code := a.run(ctx, os.Args[1:])
	stop()
	restoreTerminal()
	os.Exit(code)
}

// readPasswordRestoring reads a password without echo. If hvcctl is
// interrupted while it waits, main restores the terminal's echo before it
// exits.
func readPasswordRestoring() ([]byte, error) {
	fd := int(os.Stdin.Fd())
	if st, err := term.GetState(fd); err == nil {
		pending.Lock()
		pending.restore = func() { _ = term.Restore(fd, st) }
		pending.Unlock()
		defer func() {
			pending.Lock()
			pending.restore = nil
			pending.Unlock()
		}()
	}
	return term.ReadPassword(fd)
}

// pending holds the undo of a no-echo read still in progress.
var pending struct {
	sync.Mutex
	restore func()
}

func restoreTerminal() {
	pending.Lock()
	defer pending.Unlock()
	if pending.restore != nil {
		pending.restore()
	}
}
