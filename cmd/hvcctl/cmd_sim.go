package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/hvcsdk/hvc/simulator"
)

// Foreign PSC settings printed by sim: the simulator's default foreign PSC
// and the credentials it checks, for the HVC_PSC_* variables.
const (
	simPSCDomain   = simulator.DefaultForeignDomain
	simPSCUser     = simulator.DefaultForeignUser
	simPSCPassword = simulator.DefaultForeignPassword
)

func (a *app) simCmd() *cobra.Command {
	var (
		addr              string
		failing           []string
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

HVC_READONLY_USERNAME and HVC_READONLY_PASSWORD name the simulator's
read-only user, for trying what it may not do; no command reads them:
  HVC_USERNAME=$HVC_READONLY_USERNAME HVC_PASSWORD=$HVC_READONLY_PASSWORD hvcctl admin ls

With -o json (or -o yaml) it prints the same variables as one object
instead of export lines. The printed passwords are the simulator's own
test credentials.`,
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
			for _, p := range failing {
				opts = append(opts, simulator.WithFailingProvider(p))
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
				{"HVC_READONLY_USERNAME", simulator.DefaultReadOnlyUser},
				{"HVC_READONLY_PASSWORD", simulator.DefaultReadOnlyPassword},
				{"HVC_TLS_KNOWN_HOSTS", kh},
				{"HVC_PSC_HOSTNAME", simulator.DefaultForeignPSC},
				{"HVC_PSC_DOMAIN", simPSCDomain},
				{"HVC_PSC_USERNAME", simPSCUser},
				{"HVC_PSC_PASSWORD", simPSCPassword},
				{"HVC_PSC_THUMBPRINT", simulator.DefaultForeignThumbprint},
			}
			if err := a.printSimEnv(env); err != nil {
				_ = sim.Close()
				return err
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
	f.StringVar(&release, "vcenter-version", simulator.DefaultVersion, "vSphere release to behave as: 6.7, 7.0, 7.0U1…7.0U3, 8.0, 8.0U1…8.0U3, 9.0, 9.1 (sync providers exist up to 8.0, link get and delete with credentials from 8.0U1; 9.1 has no hvc operations, as reported)")
	f.BoolVar(&restOnly, "rest-only", false, "behave like vCenter before 7.0U2: only the legacy /rest flavor")
	f.BoolVar(&apiOnly, "api-only", false, "serve only the /api flavor")
	f.DurationVar(&syncDur, "sync-duration", 5*time.Second, "how long a started sync runs (0: completes at once)")
	f.BoolVar(&step, "step-per-poll", false, "advance a running sync one stage per read instead of by time")
	f.StringSliceVar(&failing, "failing-provider", nil, "make syncs of these providers fail (repeatable, comma-separated)")
	f.DurationVar(&idle, "idle-timeout", 0, "expire sessions idle for this long (default 30m)")
	f.BoolVarP(&verbose, "verbose", "v", false, "log every request to stderr")
	return cmd
}

// printSimEnv prints sim's variables: "export NAME=value" lines, or with
// -o json or -o yaml one object with the variables as keys, in order.
func (a *app) printSimEnv(env [][2]string) error {
	if a.g.output == "table" {
		for _, kv := range env {
			fmt.Fprintf(a.stdout, "export %s=%s\n", kv[0], shellQuote(kv[1]))
		}
		return nil
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, kv := range env {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(kv[0])
		v, _ := json.Marshal(kv[1])
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return a.emit(json.RawMessage(b.Bytes()), nil)
}
