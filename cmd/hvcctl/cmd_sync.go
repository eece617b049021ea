package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/hvcsdk/hvc"
)

func (a *app) syncCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "sync", Short: "List, inspect, start, wait for and reset a link's sync"}
	cmd.AddCommand(a.syncLsCmd(), a.syncGetCmd(), a.syncStartCmd(), a.syncWaitCmd(), a.syncResetCmd())
	return cmd
}

func providerTable(w io.Writer, ps []providerOut) {
	fmt.Fprintln(w, "LINK\tPROVIDER\tSTATUS\tLAST SYNC\tSTAGE\tWORK\tMESSAGE")
	for _, p := range ps {
		stage, work := "-", "-"
		msg := p.StatusMessage
		if s := p.CurrentSessionInfo; s != nil {
			stage, work = cell(s.Stage), fmt.Sprintf("%d/%d", s.CompletedWork, s.TotalWork)
			if s.Exception != nil {
				msg = s.Exception
			}
		}
		m := "-"
		if msg != nil {
			m = cell(msg.DefaultMessage)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", cell(p.Link), cell(p.Provider), cell(p.Status), cellTime(p.LastSyncTime), stage, work, m)
	}
}

func (a *app) syncLsCmd() *cobra.Command {
	return &cobra.Command{
		ValidArgsFunction: a.completeLinks(false),
		Use:               "ls LINK", Aliases: []string{"list"}, Short: "List a link's sync providers and their state",
		Args: args(1, 1, "LINK"),
		RunE: a.runE(&syncReadOptions{app: a}),
	}
}

func (a *app) syncGetCmd() *cobra.Command {
	return &cobra.Command{
		ValidArgsFunction: a.completeLinks(true),
		Use:               "get LINK PROVIDER", Short: "Show a sync provider's state and current sync",
		Args: args(2, 2, "LINK PROVIDER"),
		RunE: a.runE(&syncReadOptions{app: a, one: true}),
	}
}

// syncReadOptions is sync ls (every provider of the link) and sync get
// (one, when one is set).
type syncReadOptions struct {
	*app
	one            bool
	link, provider string
}

func (o *syncReadOptions) complete(_ *cobra.Command, argv []string) error {
	o.link = argv[0]
	if o.one {
		o.provider = argv[1]
	}
	return nil
}

func (o *syncReadOptions) validate() error { return nil }

func (o *syncReadOptions) run(ctx context.Context, c *hvc.Client) error {
	if o.one {
		info, err := c.SyncProviders.Get(ctx, o.link, o.provider)
		if err != nil {
			return op(err, "get sync provider %s of link %s", o.provider, o.link)
		}
		out := provider(o.link, o.provider, info)
		return o.emit(out, func(w io.Writer) { providerTable(w, []providerOut{out}) })
	}
	ps, err := c.SyncProviders.List(ctx, o.link)
	if err != nil {
		return op(err, "list the sync providers of link %s", o.link)
	}
	out := make([]providerOut, 0, len(ps))
	for _, p := range ps {
		info, err := c.SyncProviders.Get(ctx, o.link, p.Provider)
		if err != nil {
			return op(err, "get sync provider %s of link %s", p.Provider, o.link)
		}
		out = append(out, provider(o.link, p.Provider, info))
	}
	return o.emit(out, func(w io.Writer) { providerTable(w, out) })
}

// waitFlags tune sync start --wait and sync wait.
type waitFlags struct {
	poll time.Duration
}

func (w waitFlags) validate() error {
	if w.poll <= 0 {
		return usageErr(errors.New("--poll-interval must be positive"))
	}
	return nil
}

func addWaitFlags(cmd *cobra.Command, w *waitFlags) {
	cmd.Flags().DurationVar(&w.poll, "poll-interval", hvc.DefaultPollInterval, "time between two polls of the sync state")
}

func (a *app) syncStartCmd() *cobra.Command {
	o := &syncStartOptions{app: a}
	cmd := &cobra.Command{
		ValidArgsFunction: a.completeLinks(true),
		Use:               "start LINK PROVIDER...",
		Short:             "Start a sync of one or more providers",
		Long: `Start a sync of one or more providers of a link. Every provider is checked
to exist before any sync starts; then each is started and its result printed,
with the reason when it did not start. A provider whose sync is already
running fails busy (exit 6); --join waits for that sync instead (and implies
--wait).

With --wait, wait for the syncs to end: a progress bar per provider on a
terminal (stderr), timestamped lines otherwise; the final states go to
stdout. Ctrl-C stops waiting (the sync goes on) and exits 130; Ctrl-C while
a start is on the way exits 8 (outcome unknown).

With --psc-user, the foreign PSC's credentials are sent to authenticate the
sync (password from HVC_PSC_PASSWORD, HVC_PSC_PASSWORD_FILE,
--psc-password-stdin or the prompt). Only a development build of vCenter 7.0
took them; released vCenters (6.7 to 8.0) answer UNEXPECTED_INPUT.

Sync providers exist in vSphere 6.7 to 8.0; later releases answer with
exit code 7.`,
		Args: args(2, -1, "LINK PROVIDER..."),
		RunE: a.runE(o),
	}
	cmd.Flags().BoolVarP(&o.wait, "wait", "w", false, "wait for the sync to end")
	cmd.Flags().BoolVar(&o.join, "join", false, "wait for a sync that is already running instead of failing busy (implies --wait)")
	cmd.Flags().StringVar(&o.psc.user, "psc-user", "", "authenticate the sync as this foreign PSC user")
	addPSCPassword(cmd, &o.psc)
	addWaitFlags(cmd, &o.wf)
	return cmd
}

// syncStartOptions is sync start: the providers of a link to start, and
// whether to wait (or join a running sync).
type syncStartOptions struct {
	*app
	cmd        *cobra.Command // where the PSC password flags were given
	link       string
	providers  []string
	psc        pscFlags
	wait, join bool
	wf         waitFlags
}

func (o *syncStartOptions) complete(cmd *cobra.Command, argv []string) error {
	o.cmd, o.link, o.providers = cmd, argv[0], argv[1:]
	o.wait = o.wait || o.join
	return nil
}

func (o *syncStartOptions) validate() error {
	if err := o.wf.validate(); err != nil {
		return err
	}
	return distinct(o.providers)
}

func (o *syncStartOptions) run(ctx context.Context, c *hvc.Client) error {
	creds, err := o.pscCredentials(o.cmd, &o.psc)
	if err != nil {
		return err
	}
	if err := checkProviders(ctx, c, o.link, o.providers); err != nil {
		return err
	}
	if o.wait {
		return o.waitSync(ctx, c, o.link, o.providers, creds, &hvc.WaitOptions{JoinRunning: o.join}, o.wf)
	}
	out := make([]syncStartedOut, len(o.providers))
	var errs []error
	for i, prov := range o.providers {
		out[i] = syncStartedOut{Link: o.link, Provider: prov, Started: true}
		if err := c.SyncProviders.Start(ctx, o.link, prov, creds); err != nil {
			err = startFailed(err, "start", o.link, prov, creds)
			msg := describe(err).Message
			out[i].Started, out[i].Error = false, &msg
			errs = append(errs, err)
		}
	}
	if err := o.emit(out, func(w io.Writer) {
		for _, s := range out {
			if s.Started {
				fmt.Fprintf(w, "started the sync of provider %s on link %s\n", s.Provider, s.Link)
			} else {
				fmt.Fprintf(w, "did not start the sync of provider %s on link %s\n", s.Provider, s.Link)
			}
		}
	}); err != nil {
		return err
	}
	return errors.Join(errs...)
}

// distinct refuses a provider named twice: its second start would only
// fail busy.
func distinct(providers []string) error {
	seen := map[string]bool{}
	for _, p := range providers {
		if seen[p] {
			return usageErr(fmt.Errorf("sync start: provider %s is given twice", p))
		}
		seen[p] = true
	}
	return nil
}

// checkProviders makes sure every provider exists on the link before any
// sync starts, so that what runs does not depend on the argument order.
func checkProviders(ctx context.Context, c *hvc.Client, link string, providers []string) error {
	ps, err := c.SyncProviders.List(ctx, link)
	if err != nil {
		return op(err, "list the sync providers of link %s", link)
	}
	have := map[string]bool{}
	names := make([]string, 0, len(ps))
	for _, p := range ps {
		have[p.Provider] = true
		names = append(names, p.Provider)
	}
	var missing []string
	for _, p := range providers {
		if !have[p] {
			missing = append(missing, p)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return &cliError{code: exitNotFound,
		err:   op(fmt.Errorf("link %s has no sync provider %s; no sync was started", link, strings.Join(missing, ", ")), "start the sync of link %s", link),
		hints: []string{"its providers: " + strings.Join(names, ", ")}}
}

// startFailed decorates the failure of starting (verb "start", or "start
// and wait for") a provider's sync: what to do about credentials a vCenter
// does not take, about a sync already running, and the outcome of a start
// whose reply never came.
func startFailed(err error, verb, link, prov string, creds *hvc.Credentials) error {
	err = syncCredsHint(op(err, "%s the sync of provider %s on link %s", verb, prov, link), creds)
	if errors.Is(err, hvc.ErrResourceBusy) {
		err = withHints(err, nil, "wait for the running sync with: hvcctl sync wait "+link+" "+prov+
			" (or start with --join, which waits for it)")
	}
	return changeFailed(err, "hvcctl sync get "+link+" "+prov)
}

func (a *app) syncWaitCmd() *cobra.Command {
	o := &syncWaitOptions{app: a}
	cmd := &cobra.Command{
		ValidArgsFunction: a.completeLinks(true),
		Use:               "wait LINK [PROVIDER...]",
		Short:             "Wait for running syncs to end (all providers of the link by default)",
		Args:              args(1, -1, "LINK [PROVIDER...]"),
		RunE:              a.runE(o),
	}
	addWaitFlags(cmd, &o.wf)
	return cmd
}

// syncWaitOptions is sync wait: the providers of a link to wait for (all
// when none is named).
type syncWaitOptions struct {
	*app
	link      string
	providers []string
	wf        waitFlags
}

func (o *syncWaitOptions) complete(_ *cobra.Command, argv []string) error {
	o.link, o.providers = argv[0], argv[1:]
	return nil
}

func (o *syncWaitOptions) validate() error { return o.wf.validate() }

func (o *syncWaitOptions) run(ctx context.Context, c *hvc.Client) error {
	providers := o.providers
	if len(providers) == 0 {
		ps, err := c.SyncProviders.List(ctx, o.link)
		if err != nil {
			return op(err, "list the sync providers of link %s", o.link)
		}
		for _, p := range ps {
			providers = append(providers, p.Provider)
		}
	}
	return o.waitSync(ctx, c, o.link, providers, nil, nil, o.wf)
}

// waitSync starts (when start is set, with its options) and waits for the
// syncs of providers, all at once, showing progress on stderr. The final
// state of every provider that has one goes to stdout, and the errors of
// the others to stderr.
func (a *app) waitSync(ctx context.Context, c *hvc.Client, link string, providers []string, creds *hvc.Credentials, start *hvc.WaitOptions, wf waitFlags) error {
	prog := a.newProgress(ctx, link, providers)
	results := make([]providerOut, len(providers))
	known := make([]bool, len(providers))
	errs := make([]error, len(providers))
	var wg sync.WaitGroup
	for i, prov := range providers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			opts := hvc.WaitOptions{PollInterval: wf.poll, OnProgress: func(p hvc.SyncProgress) { prog.update(p) }}
			var info hvc.ProviderInfo
			var err error
			if start != nil {
				opts.JoinRunning = start.JoinRunning
				info, err = c.SyncProviders.StartAndWait(ctx, link, prov, creds, opts)
			} else {
				info, err = c.SyncProviders.Wait(ctx, link, prov, opts)
			}
			prog.done(prov, info, err)
			results[i] = provider(link, prov, info)
			var sf *hvc.SyncFailedError
			known[i] = err == nil || errors.As(err, &sf)
			switch {
			case err == nil:
			case start != nil:
				errs[i] = startFailed(err, "start and wait for", link, prov, creds)
			default:
				errs[i] = op(err, "wait for the sync of provider %s on link %s", prov, link)
			}
		}()
	}
	wg.Wait()
	prog.stop()
	if ctx.Err() != nil {
		for _, err := range errs {
			if exitCode(err) == exitOutcomeUnknown {
				return errors.Join(errs...)
			}
		}
		return withHints(errors.Join(errs...), nil,
			"stopped waiting; the sync goes on on the server",
			"resume with: hvcctl sync wait "+link+" "+strings.Join(providers, " "))
	}
	var final []providerOut
	for i, ok := range known {
		if ok {
			final = append(final, results[i])
		}
	}
	err := errors.Join(errs...)
	if len(final) == 0 && err != nil {
		return err
	}
	if eerr := a.emit(final, func(w io.Writer) { providerTable(w, final) }); eerr != nil {
		return eerr
	}
	return err
}

func (a *app) syncResetCmd() *cobra.Command {
	o := &syncResetOptions{app: a}
	cmd := &cobra.Command{
		ValidArgsFunction: a.completeLinks(false),
		Use:               "reset LINK", Short: "Reset a link's sync state",
		Long: "Reset a link's sync state. Asks for confirmation on a terminal; pass --yes otherwise.",
		Args: args(1, 1, "LINK"),
		RunE: a.runE(o),
	}
	cmd.Flags().BoolVarP(&o.yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

// syncResetOptions is sync reset, confirmed on a terminal unless yes.
type syncResetOptions struct {
	*app
	link string
	yes  bool
}

func (o *syncResetOptions) complete(_ *cobra.Command, argv []string) error {
	o.link = argv[0]
	return nil
}

func (o *syncResetOptions) validate() error { return nil }

func (o *syncResetOptions) run(ctx context.Context, c *hvc.Client) error {
	if err := o.confirm(o.yes, "Reset the sync state of link "+o.link+"?", "reset the sync state of link "+o.link); err != nil {
		return err
	}
	if err := c.Sync.Reset(ctx, o.link); err != nil {
		return changeFailed(op(err, "reset the sync of link %s", o.link), "hvcctl sync ls "+o.link)
	}
	out := syncResetOut{Link: o.link, Reset: true}
	return o.emit(out, func(w io.Writer) { fmt.Fprintf(w, "reset the sync state of link %s\n", o.link) })
}

// syncCredsHint explains UNEXPECTED_INPUT after a start with credentials:
// released vCenters (6.7 to 8.0) take no body there.
func syncCredsHint(err error, creds *hvc.Credentials) error {
	if err == nil || creds == nil || !errors.Is(err, hvc.ErrUnexpectedInput) {
		return err
	}
	return withHints(err, nil, "this vCenter takes no credentials to start a sync; run it without --psc-user")
}
