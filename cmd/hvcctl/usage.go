package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"
)

// classifyUsage makes cobra's usage failures hvcctl's typed usage errors
// (exit 2), so nothing has to recognise them by their text. Every
// positional-argument check returns a usage error, and every group command
// (link, sync, admin, session, completion, and root itself) refuses an
// unknown subcommand, naming the close ones; a group below root given none
// is a usage error too, where cobra would print its help and exit 0. Root
// alone prints the help. Flag errors go through root's FlagErrorFunc.
func classifyUsage(c *cobra.Command) {
	if check := c.Args; check != nil {
		c.Args = func(cmd *cobra.Command, argv []string) error {
			if err := check(cmd, argv); err != nil {
				return usageErr(err)
			}
			return nil
		}
	}
	if c.HasSubCommands() && !c.Runnable() {
		c.SuggestionsMinimumDistance = 2 // cobra's own default, which SuggestionsFor does not apply
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(cmd *cobra.Command, argv []string) error {
			if len(argv) == 0 && !cmd.HasParent() {
				return cmd.Help()
			}
			var names []string
			for _, sub := range cmd.Commands() {
				if sub.IsAvailableCommand() {
					names = append(names, sub.Name())
				}
			}
			sort.Strings(names)
			see := fmt.Sprintf("see %q", cmd.CommandPath()+" --help")
			if len(argv) == 0 {
				return usageErr(fmt.Errorf("missing subcommand of %q: one of %s; %s", cmd.CommandPath(), strings.Join(names, ", "), see))
			}
			if close := cmd.SuggestionsFor(argv[0]); len(close) > 0 {
				see = "did you mean " + strings.Join(close, " or ") + "?"
			}
			return usageErr(fmt.Errorf("unknown command %q for %q: want one of %s; %s", argv[0], cmd.CommandPath(), strings.Join(names, ", "), see))
		}
	}
	for _, sub := range c.Commands() {
		classifyUsage(sub)
	}
}
