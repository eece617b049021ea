// Command hvcsim serves the hvc simulator as a process, for test suites that
// are not written in Go:
//
//	hvcsim --addr 127.0.0.1:8443
//
// It prints the URL, the certificate thumbprint, the users and the foreign
// PSC a link can be created to, then serves until interrupted (SIGINT or
// SIGTERM) and shuts down cleanly.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hvcsdk/hvc/simulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0) // -h printed the usage, as asked
	case err != nil:
		fmt.Fprintln(os.Stderr, "hvcsim:", err)
		os.Exit(2)
	}
}

// run parses args, starts the simulator, reports how to reach it on out and
// serves until ctx ends.
func run(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := flag.NewFlagSet("hvcsim", flag.ContinueOnError)
	fs.SetOutput(errOut)
	addr := fs.String("addr", "127.0.0.1:8443", "listen address (port 0 picks a free port)")
	plain := fs.Bool("plain-http", false, "serve plain HTTP instead of TLS")
	restOnly := fs.Bool("rest-only", false, "behave like vCenter before 7.0U2: only the legacy /rest flavor")
	apiOnly := fs.Bool("api-only", false, "serve only the /api flavor")
	syncDur := fs.Duration("sync-duration", 5*time.Second, "how long a started sync runs (0: completes at once)")
	step := fs.Bool("step-per-poll", false, "advance a running sync one stage per read instead of by time")
	failing := fs.String("failing-provider", "", "make syncs of this provider id fail")
	verbose := fs.Bool("v", false, "log every request to stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	opts := []simulator.Option{simulator.WithAddr(*addr), simulator.WithSyncDuration(*syncDur)}
	if *plain {
		opts = append(opts, simulator.WithPlainHTTP())
	}
	if *restOnly {
		opts = append(opts, simulator.WithRESTOnly())
	}
	if *apiOnly {
		opts = append(opts, simulator.WithAPIOnly())
	}
	if *step {
		opts = append(opts, simulator.WithSyncStepPerPoll())
	}
	if *failing != "" {
		opts = append(opts, simulator.WithFailingProvider(*failing))
	}
	if *verbose {
		opts = append(opts, simulator.WithLogger(slog.New(slog.NewTextHandler(errOut, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	sim, err := simulator.New(opts...)
	if err != nil {
		return err
	}
	if err := sim.Start(); err != nil {
		return err
	}
	fmt.Fprintf(out, "hvcsim serving %s\n", sim.URL())
	if tp := sim.Thumbprint(); tp != "" {
		fmt.Fprintf(out, "thumbprint     %s\n", tp)
	}
	fmt.Fprintf(out, "admin          %s / %s\n", simulator.DefaultAdminUser, simulator.DefaultAdminPassword)
	fmt.Fprintf(out, "read-only      %s / %s\n", simulator.DefaultReadOnlyUser, simulator.DefaultReadOnlyPassword)
	fmt.Fprintf(out, "foreign PSC    %s (thumbprint %s)\n", simulator.DefaultForeignPSC, simulator.DefaultForeignThumbprint)
	fmt.Fprintln(out, "press Ctrl-C to stop")

	<-ctx.Done()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = sim.Shutdown(shutdownCtx)
	fmt.Fprintln(out, "hvcsim stopped")
	return err
}
