package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"

	"github.com/hvcsdk/hvc/internal/simfacts"
	"github.com/hvcsdk/hvc/simulator"
)

// simExports are the facts' export variables plus the read-only user
// under the names hvcctl sim used before it shared hvcsim's
// (HVC_READONLY_USERNAME and HVC_READONLY_PASSWORD, after HVC_PASSWORD),
// kept for scripts written against them.
func simExports(f simfacts.Facts) [][2]string {
	var out [][2]string
	for _, kv := range f.Exports() {
		out = append(out, kv)
		if kv[0] == "HVC_PASSWORD" {
			out = append(out, [2]string{"HVC_READONLY_USERNAME", f.ReadOnlyUsername}, [2]string{"HVC_READONLY_PASSWORD", f.ReadOnlyPassword})
		}
	}
	return out
}

func (a *app) simCmd() *cobra.Command {
	var (
		addr              string
		failing           []string
		release           string
		restOnly, apiOnly bool
		step, verbose     bool
		asJSON            bool
		syncDur, idle     time.Duration
		maxConns          int
		logBytes          int64
	)
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Run the embedded vCenter simulator and print its environment",
		Long: `Start the embedded hvc simulator and print "export NAME=value" lines on
stdout, then serve until interrupted. The lines are the ones hvcsim prints
(docs/simulator.md, "Facts"): HVC_URL, HVC_USERNAME, HVC_PASSWORD,
HVC_TLS_KNOWN_HOSTS and the foreign PSC's HVC_PSC_* variables, which the
commands read, then the simulator's own HVCSIM_* facts (release, read-only
user, thumbprint, control surface URL and token).

The known-hosts file it names is written to a temporary directory and holds
the simulator's certificate, so every command works without further flags:

  hvcctl sim > sim.env &
  until [ -s sim.env ]; do sleep 0.1; done   # the lines are written at once
  . ./sim.env
  hvcctl link create && hvcctl link ls

HVCSIM_READONLY_USERNAME and HVCSIM_READONLY_PASSWORD name the simulator's
read-only user, for trying what it may not do (also printed under their
earlier names HVC_READONLY_USERNAME and HVC_READONLY_PASSWORD); no command
reads them:
  HVC_USERNAME=$HVCSIM_READONLY_USERNAME HVC_PASSWORD=$HVCSIM_READONLY_PASSWORD hvcctl admin ls

With -o json (or -o yaml) it prints the same variables as one object
instead of export lines; with --json the facts as one JSON line, exactly as
hvcsim -json does. Syncs complete at once unless --sync-duration says how
long they run. --max-connections and --request-log-bytes bound the
simulator as hvcsim's flags of the same names do, and as hvcsim it sets
Go's soft memory limit to the request log's bound plus 32 MiB unless
GOMEMLIMIT is set (the serving line on stderr says which limit the process
has). The printed passwords are the simulator's own test credentials.`,
		Args: args(0, 0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if asJSON && a.g.output != "table" {
				return usageErr(errors.New("--json and -o " + a.g.output + " do not go together"))
			}
			opts := []simulator.Option{simulator.WithAddr(addr), simulator.WithVersion(release), simulator.WithSyncDuration(syncDur),
				simulator.WithControl()}
			opts = append(opts, simfacts.BoundOptions(maxConns, logBytes)...)
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
			if a.limitMemory {
				gomemlimit, _ := a.lookupEnv("GOMEMLIMIT")
				simfacts.LimitMemory(logBytes, gomemlimit)
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
			facts := simfacts.FromServer(sim)
			err = facts.WriteKnownHosts(dir)
			if err == nil && asJSON {
				var b []byte
				if b, err = facts.JSON(); err == nil {
					_, err = a.stdout.Write(b)
				}
			} else if err == nil {
				err = a.printSimEnv(simExports(facts))
			}
			if err != nil {
				_ = sim.Close()
				return err
			}
			limitNote := ""
			if limit := debug.SetMemoryLimit(-1); limit != math.MaxInt64 { // -1 reads it
				limitNote = fmt.Sprintf("; soft memory limit %d bytes", limit)
			}
			fmt.Fprintf(a.stderr, "hvcctl: simulator of vCenter %s serving %s (read-only user %s%s); press Ctrl-C to stop\n", sim.Version(), sim.URL(), simulator.DefaultReadOnlyUser, limitNote)
			<-cmd.Context().Done()
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err = sim.Shutdown(sctx)
			fmt.Fprintln(a.stderr, "hvcctl: simulator stopped")
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", simfacts.DefaultAddr, "listen address (port 0 picks a free port)")
	f.StringVar(&release, "vcenter-version", simulator.DefaultVersion, "vSphere release to behave as: 6.7, 7.0, 7.0U1…7.0U3, 8.0, 8.0U1…8.0U3, 9.0, 9.1 (sync providers exist up to 8.0, link get and delete with credentials from 8.0U1; 9.1 has no hvc operations, as reported)")
	f.BoolVar(&restOnly, "rest-only", false, "behave like vCenter before 7.0U2: only the legacy /rest flavor")
	f.BoolVar(&apiOnly, "api-only", false, "serve only the /api flavor")
	f.DurationVar(&syncDur, "sync-duration", simfacts.DefaultSyncDuration, "how long a started sync runs (0: completes at once; e.g. 5s to watch one progress)")
	f.BoolVar(&step, "step-per-poll", false, "advance a running sync one stage per read instead of by time")
	f.StringSliceVar(&failing, "failing-provider", nil, "make syncs of these providers fail (repeatable, comma-separated)")
	f.DurationVar(&idle, "idle-timeout", 0, "expire sessions idle for this long (default 30m)")
	f.IntVar(&maxConns, "max-connections", simfacts.DefaultMaxConnections, simfacts.MaxConnectionsUsage)
	f.Int64Var(&logBytes, "request-log-bytes", simfacts.DefaultRequestLogBytes, simfacts.RequestLogBytesUsage)
	f.BoolVarP(&verbose, "verbose", "v", false, "log every request to stderr")
	f.BoolVar(&asJSON, "json", false, "print the facts as one JSON line, as hvcsim -json does, instead of export lines")
	_ = cmd.RegisterFlagCompletionFunc("vcenter-version", completeVersions)
	return cmd
}

// printSimEnv prints sim's variables: "export NAME=value" lines, or with
// -o json or -o yaml one object with the variables as keys, in order.
func (a *app) printSimEnv(env [][2]string) error {
	if a.g.output == "table" {
		_, err := io.WriteString(a.stdout, simfacts.ExportLines(env))
		return err
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
