package main

import (
	"context"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/hvcsdk/hvc"
	"github.com/hvcsdk/hvc/simulator"
)

// completionTimeout bounds what completion asks the server: a shell waits
// for it on every Tab, so it gives up early and offers nothing.
const completionTimeout = 3 * time.Second

// fromServer runs list against the vCenter for a completion, best effort.
// Completion never prompts: it uses the cached session or the
// environment's password, and offers nothing when neither works.
func (a *app) fromServer(cmd *cobra.Command, list func(context.Context, *hvc.Client) ([]cobra.Completion, error)) ([]cobra.Completion, cobra.ShellCompDirective) {
	const none = cobra.ShellCompDirectiveNoFileComp
	a.noPrompt = true
	if err := a.resolveGlobals(cmd); err != nil {
		return nil, none
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), completionTimeout)
	defer cancel()
	c, err := a.connect(ctx)
	if err != nil {
		return nil, none
	}
	defer a.finish(ctx, nil)
	out, err := list(ctx, c)
	if err != nil {
		return nil, none
	}
	return out, none
}

// completeLinks completes a LINK argument, and a PROVIDER after it when
// providers is set, from the server.
func (a *app) completeLinks(providers bool) cobra.CompletionFunc {
	return func(cmd *cobra.Command, argv []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(argv) > 1 || (len(argv) == 1 && !providers) {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return a.fromServer(cmd, func(ctx context.Context, c *hvc.Client) ([]cobra.Completion, error) {
			var out []cobra.Completion
			if len(argv) == 0 {
				links, err := c.Links.List(ctx)
				for _, l := range links {
					out = append(out, cobra.CompletionWithDesc(l.Link, l.DisplayName))
				}
				return out, err
			}
			ps, err := c.SyncProviders.List(ctx, argv[0])
			for _, p := range ps {
				out = append(out, p.Provider)
			}
			return out, err
		})
	}
}

// completeGroups completes the GROUP of admin rm with the administrator
// groups on the server.
func (a *app) completeGroups(cmd *cobra.Command, argv []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(argv) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return a.fromServer(cmd, func(ctx context.Context, c *hvc.Client) ([]cobra.Completion, error) {
		return c.Administrators.Get(ctx)
	})
}

// completeWords completes a flag from a fixed set of values.
func completeWords(words ...string) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return slices.Clone(words), cobra.ShellCompDirectiveNoFileComp
	}
}

// outputFormats and flavors are the values of -o and --flavor.
var (
	outputFormats = []string{"table", "json", "yaml"}
	flavors       = []string{"auto", "api", "rest"}
)

// completeVersions completes sim --vcenter-version with the releases the
// simulator knows.
func completeVersions(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return simulator.Versions(), cobra.ShellCompDirectiveNoFileComp
}

// noFileCompletion makes every command without a completion of its own
// complete no arguments: no hvcctl argument is a file name, and cobra
// would offer the directory's files.
func noFileCompletion(c *cobra.Command) {
	for _, sub := range c.Commands() {
		if sub.ValidArgsFunction == nil {
			sub.ValidArgsFunction = cobra.NoFileCompletions
		}
		noFileCompletion(sub)
	}
}
