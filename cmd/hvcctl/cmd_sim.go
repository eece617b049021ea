package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/hvcsdk/hvc/simulator"
)

// Foreign PSC settings printed by sim. The simulator accepts any foreign
// credentials; these are example values for the HVC_PSC_* variables.
const (
	simPSCDomain   = "foreign.local"
	simPSCUser     = "administrator@foreign.local"
	simPSCPassword = "Foreign!23"
)

func (a *app) simCmd() *cobra.Command {
	var (
		addr, failing     string
		release           string
		restOnly, apiOnly bool
		step, verbose     bool
		syncDur, idle     time.Duration
	)
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Run the embedded vCenter simulator and print its environment",
		Long: `Start the embedded hvc simulator and print "export NAME=value" lines on
stdout (HVC_URL, HVC_USERNAME, HVC_PASSWORD, HVC_TLS_KNOWN_HOSTS and the
foreign PSC's HVC_PSC_* variables), then serve until interrupted.

The known-hosts file it names is written to a temporary directory and holds
the simulator's certificate, so every command works without further flags:

  hvcctl sim > sim.env &
  . ./sim.env
  hvcctl link create && hvcctl link ls

The printed passwords are the simulator's own test credentials.`,
		Args: args(0, 0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts := []simulator.Option{simulator.WithAddr(addr), simulator.WithVersion(release), simulator.WithSyncDuration(syncDur)}
			if restOnly {
				opts = append(opts, simulator.WithRESTOnly())
			}
			if apiOnly {
				opts = append(opts, simulator.WithAPIOnly())
			}
			if step {
				opts = append(opts, simulator.WithSyncStepPerPoll())
			}
			if failing != "" {
				opts = append(opts, simulator.WithFailingProvider(failing))
			}
			if idle > 0 {
				opts = append(opts, simulator.WithIdleTimeout(idle))
			}
			if verbose {
				opts = append(opts, simulator.WithLogger(slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
			}
			sim, err := simulator.New(opts...)
			if err != nil {
				return usageErr(err)
			}
			if err := sim.Start(); err != nil {
				return err
			}
			dir, err := os.MkdirTemp("", "hvcctl-sim-")
			if err != nil {
				_ = sim.Close()
				return err
			}
			defer os.RemoveAll(dir)
			u, _ := url.Parse(sim.URL())
			kh := filepath.Join(dir, "known_hosts")
			if tp := sim.Thumbprint(); tp != "" {
				if err := os.WriteFile(kh, []byte(u.Host+" "+tp+"\n"), 0o600); err != nil {
					_ = sim.Close()
					return err
				}
			}
			env := [][2]string{
				{"HVC_URL", sim.URL()},
				{"HVC_USERNAME", simulator.DefaultAdminUser},
				{"HVC_PASSWORD", simulator.DefaultAdminPassword},
				{"HVC_TLS_KNOWN_HOSTS", kh},
				{"HVC_PSC_HOSTNAME", simulator.DefaultForeignPSC},
				{"HVC_PSC_DOMAIN", simPSCDomain},
				{"HVC_PSC_USERNAME", simPSCUser},
				{"HVC_PSC_PASSWORD", simPSCPassword},
				{"HVC_PSC_THUMBPRINT", simulator.DefaultForeignThumbprint},
			}
			for _, kv := range env {
				fmt.Fprintf(a.stdout, "export %s=%s\n", kv[0], shellQuote(kv[1]))
			}
			fmt.Fprintf(a.stderr, "hvcctl: simulator of vCenter %s serving %s (read-only user %s); press Ctrl-C to stop\n", sim.Version(), sim.URL(), simulator.DefaultReadOnlyUser)
			<-cmd.Context().Done()
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err = sim.Shutdown(sctx)
			fmt.Fprintln(a.stderr, "hvcctl: simulator stopped")
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:0", "listen address (port 0 picks a free port)")
	f.StringVar(&release, "vcenter-version", simulator.DefaultVersion, "vSphere release to behave as: 6.7, 7.0, 7.0U1…7.0U3, 8.0, 8.0U1…8.0U3, 9.0 (sync providers exist up to 8.0, link get and delete with credentials from 8.0U1)")
	f.BoolVar(&restOnly, "rest-only", false, "behave like vCenter before 7.0U2: only the legacy /rest flavor")
	f.BoolVar(&apiOnly, "api-only", false, "serve only the /api flavor")
	f.DurationVar(&syncDur, "sync-duration", 5*time.Second, "how long a started sync runs (0: completes at once)")
	f.BoolVar(&step, "step-per-poll", false, "advance a running sync one stage per read instead of by time")
	f.StringVar(&failing, "failing-provider", "", "make syncs of this provider fail")
	f.DurationVar(&idle, "idle-timeout", 0, "expire sessions idle for this long (default 30m)")
	f.BoolVarP(&verbose, "verbose", "v", false, "log every request to stderr")
	return cmd
}
