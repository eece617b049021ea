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
	"syscall"

	"golang.org/x/term"

	"github.com/hvcsdk/hvc/cmd/hvcctl/internal/conn"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	tty := &conn.Terminal{In: os.Stdin, Out: os.Stderr}
	a := &app{
		stdin:        os.Stdin,
		stdout:       os.Stdout,
		stderr:       os.Stderr,
		lookupEnv:    os.LookupEnv,
		environ:      os.Environ(),
		stdinTTY:     term.IsTerminal(int(os.Stdin.Fd())),
		stderrTTY:    term.IsTerminal(int(os.Stderr.Fd())),
		readPassword: tty.ReadSecret,
		limitMemory:  true,
	}
	if a.stderrTTY {
		if w, _, err := term.GetSize(int(os.Stderr.Fd())); err == nil && w > 0 {
			a.bars = true
		}
	}
	code := a.run(ctx, os.Args[1:])
	stop()
	// If hvcctl was interrupted at a password prompt, echo comes back on.
	tty.Restore()
	os.Exit(code)
}
