package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"
)

// completeLinks completes a LINK argument, and a PROVIDER after it when
// providers is set, from the server. Completion never prompts: it uses the
// cached session or the environment's password, and offers nothing when
// neither works.
func (a *app) completeLinks(providers bool) cobra.CompletionFunc {
	return func(cmd *cobra.Command, argv []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		const none = cobra.ShellCompDirectiveNoFileComp
		if len(argv) > 1 || (len(argv) == 1 && !providers) {
			return nil, none
		}
		a.noPrompt = true
		if err := a.resolveGlobals(cmd); err != nil {
			return nil, none
		}
		ctx, cancel := context.WithTimeout(cmd.Context(), 10*time.Second)
		defer cancel()
		c, err := a.connect(ctx)
		if err != nil {
			return nil, none
		}
		defer a.finish(ctx, nil)
		var out []cobra.Completion
		if len(argv) == 0 {
			links, err := c.Links.List(ctx)
			if err != nil {
				return nil, none
			}
			for _, l := range links {
				out = append(out, cobra.CompletionWithDesc(l.Link, l.DisplayName))
			}
			return out, none
		}
		ps, err := c.SyncProviders.List(ctx, argv[0])
		if err != nil {
			return nil, none
		}
		for _, p := range ps {
			out = append(out, p.Provider)
		}
		return out, none
	}
}
