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
		RunE: func(cmd *cobra.Command, argv []string) error {
			return a.withClient(cmd, func(ctx context.Context, c *hvc.Client) error {
				link := argv[0]
				ps, err := c.SyncProviders.List(ctx, link)
				if err != nil {
					return op(err, "list the sync providers of link %s", link)
				}
				out := make([]providerOut, 0, len(ps))
				for _, p := range ps {
					info, err := c.SyncProviders.Get(ctx, link, p.Provider)
					if err != nil {
						return op(err, "get sync provider %s of link %s", p.Provider, link)
					}
					out = append(out, provider(link, p.Provider, info))
				}
				return a.emit(out, func(w io.Writer) { providerTable(w, out) })
			})
		},
	}
}

func (a *app) syncGetCmd() *cobra.Command {
	return &cobra.Command{
		ValidArgsFunction: a.completeLinks(true),
		Use:               "get LINK PROVIDER", Short: "Show a sync provider's state and current sync",
		Args: args(2, 2, "LINK PROVIDER"),
		RunE: func(cmd *cobra.Command, argv []string) error {
			return a.withClient(cmd, func(ctx context.Context, c *hvc.Client) error {
				info, err := c.SyncProviders.Get(ctx, argv[0], argv[1])
				if err != nil {
					return op(err, "get sync provider %s of link %s", argv[1], argv[0])
				}
				out := provider(argv[0], argv[1], info)
				return a.emit(out, func(w io.Writer) { providerTable(w, []providerOut{out}) })
			})
		},
	}
}

// waitFlags tune sync start --wait and sync wait.
type waitFlags struct {
	poll time.Duration
}

func addWaitFlags(cmd *cobra.Command, w *waitFlags) {
	cmd.Flags().DurationVar(&w.poll, "poll-interval", hvc.DefaultPollInterval, "time between two polls of the sync state")
}

func (a *app) syncStartCmd() *cobra.Command {
	var p pscFlags
	var wait bool
	var wf waitFlags
	cmd := &cobra.Command{
		ValidArgsFunction: a.completeLinks(true),
		Use:               "start LINK PROVIDER...",
		Short:             "Start a sync of one or more providers",
		Long: `Start a sync of one or more providers of a link. With --wait, wait for it
to end: a progress bar per provider on a terminal (stderr), timestamped lines
otherwise; the final state goes to stdout. Ctrl-C stops waiting (the sync
goes on) and exits 130.

With --psc-user, the foreign PSC's credentials are sent to authenticate the
sync (password from HVC_PSC_PASSWORD, HVC_PSC_PASSWORD_FILE,
--psc-password-stdin or the prompt). Only a development build of vCenter 7.0
took them; released vCenters (6.7 to 8.0) answer UNEXPECTED_INPUT.

Sync providers exist in vSphere 6.7 to 8.0; later releases answer with
exit code 7.`,
		Args: args(2, -1, "LINK PROVIDER..."),
		RunE: func(cmd *cobra.Command, argv []string) error {
			if wf.poll <= 0 {
				return usageErr(errors.New("--poll-interval must be positive"))
			}
			creds, err := a.optionalPSCCredentials(cmd, &p)
			if err != nil {
				return err
			}
			return a.withClient(cmd, func(ctx context.Context, c *hvc.Client) error {
				link, providers := argv[0], argv[1:]
				if wait {
					return syncCredsHint(a.waitSync(ctx, c, link, providers, creds, true, wf), creds)
				}
				var out []syncStartedOut
				for _, prov := range providers {
					if err := c.SyncProviders.Start(ctx, link, prov, creds); err != nil {
						return changeFailed(syncCredsHint(op(err, "start the sync of provider %s on link %s", prov, link), creds),
							"hvcctl sync get "+link+" "+prov)
					}
					out = append(out, syncStartedOut{Link: link, Provider: prov, Started: true})
				}
				return a.emit(out, func(w io.Writer) {
					for _, o := range out {
						fmt.Fprintf(w, "started the sync of provider %s on link %s\n", o.Provider, o.Link)
					}
				})
			})
		},
	}
	cmd.Flags().BoolVarP(&wait, "wait", "w", false, "wait for the sync to end")
	cmd.Flags().StringVar(&p.user, "psc-user", "", "authenticate the sync as this foreign PSC user")
	addPSCPassword(cmd, &p)
	addWaitFlags(cmd, &wf)
	return cmd
}

// syncCredsHint explains UNEXPECTED_INPUT after a start with credentials:
// released vCenters (6.7 to 8.0) take no body there.
func syncCredsHint(err error, creds *hvc.Credentials) error {
	if err == nil || creds == nil || !errors.Is(err, hvc.ErrUnexpectedInput) {
		return err
	}
	return withHints(err, nil, "this vCenter takes no credentials to start a sync; run it without --psc-user")
}

func (a *app) syncWaitCmd() *cobra.Command {
	var wf waitFlags
	cmd := &cobra.Command{
		ValidArgsFunction: a.completeLinks(true),
		Use:               "wait LINK [PROVIDER...]",
		Short:             "Wait for running syncs to end (all providers of the link by default)",
		Args:              args(1, -1, "LINK [PROVIDER...]"),
		RunE: func(cmd *cobra.Command, argv []string) error {
			if wf.poll <= 0 {
				return usageErr(errors.New("--poll-interval must be positive"))
			}
			return a.withClient(cmd, func(ctx context.Context, c *hvc.Client) error {
				link, providers := argv[0], argv[1:]
				if len(providers) == 0 {
					ps, err := c.SyncProviders.List(ctx, link)
					if err != nil {
						return op(err, "list the sync providers of link %s", link)
					}
					for _, p := range ps {
						providers = append(providers, p.Provider)
					}
				}
				return a.waitSync(ctx, c, link, providers, nil, false, wf)
			})
		},
	}
	addWaitFlags(cmd, &wf)
	return cmd
}

// waitSync starts (when start) and waits for the syncs of providers, all at
// once, showing progress on stderr and the final states on stdout.
func (a *app) waitSync(ctx context.Context, c *hvc.Client, link string, providers []string, creds *hvc.Credentials, start bool, wf waitFlags) error {
	prog := a.newProgress(ctx, link, providers)
	results := make([]providerOut, len(providers))
	errs := make([]error, len(providers))
	var wg sync.WaitGroup
	for i, prov := range providers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			opts := hvc.WaitOptions{PollInterval: wf.poll, OnProgress: func(p hvc.SyncProgress) { prog.update(p) }}
			var info hvc.ProviderInfo
			var err error
			if start {
				info, err = c.SyncProviders.StartAndWait(ctx, link, prov, creds, opts)
			} else {
				info, err = c.SyncProviders.Wait(ctx, link, prov, opts)
			}
			prog.done(prov, info, err)
			results[i] = provider(link, prov, info)
			if err != nil {
				verb := "wait for"
				if start {
					verb = "start and wait for"
				}
				errs[i] = op(err, "%s the sync of provider %s on link %s", verb, prov, link)
				if start {
					errs[i] = changeFailed(errs[i], "hvcctl sync get "+link+" "+prov)
				}
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
	var failed []providerOut
	var firstErr error
	for i, err := range errs {
		if err == nil {
			continue
		}
		var sf *hvc.SyncFailedError
		if errors.As(err, &sf) {
			failed = append(failed, results[i])
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr != nil && len(failed) == 0 {
		return errors.Join(errs...)
	}
	if err := a.emit(results, func(w io.Writer) { providerTable(w, results) }); err != nil {
		return err
	}
	if firstErr != nil {
		return errors.Join(errs...)
	}
	return nil
}

func (a *app) syncResetCmd() *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		ValidArgsFunction: a.completeLinks(false),
		Use:               "reset LINK", Short: "Reset a link's sync state",
		Long: "Reset a link's sync state. Asks for confirmation on a terminal; pass --yes otherwise.",
		Args: args(1, 1, "LINK"),
		RunE: func(cmd *cobra.Command, argv []string) error {
			return a.withClient(cmd, func(ctx context.Context, c *hvc.Client) error {
				link := argv[0]
				if err := a.confirm(yes, "Reset the sync state of link "+link+"?", "reset the sync state of link "+link); err != nil {
					return err
				}
				if err := c.Sync.Reset(ctx, link); err != nil {
					return changeFailed(op(err, "reset the sync of link %s", link), "hvcctl sync ls "+link)
				}
				out := syncResetOut{Link: link, Reset: true}
				return a.emit(out, func(w io.Writer) { fmt.Fprintf(w, "reset the sync state of link %s\n", link) })
			})
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}
