package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hvcsdk/hvc"
)

func (a *app) adminCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "admin", Short: "Manage the groups with hvc administrator rights"}
	cmd.AddCommand(
		a.adminChange("ls", "List the administrator groups", 0, 0, "no arguments", nil),
		a.adminChange("add GROUP", "Add an administrator group (group@domain)", 1, 1, "GROUP",
			func(ctx context.Context, c *hvc.Client, argv []string) error {
				return changeFailed(op(c.Administrators.Add(ctx, argv[0]), "add administrator group %s", argv[0]), "hvcctl admin ls")
			}),
		a.adminChange("rm GROUP", "Remove an administrator group", 1, 1, "GROUP",
			func(ctx context.Context, c *hvc.Client, argv []string) error {
				return changeFailed(op(c.Administrators.Remove(ctx, argv[0]), "remove administrator group %s", argv[0]), "hvcctl admin ls")
			}),
		a.adminSetCmd(),
	)
	return cmd
}

// adminChange builds an admin command that runs change (if any) and then
// prints the resulting groups.
func (a *app) adminChange(use, short string, min, max int, names string, change func(context.Context, *hvc.Client, []string) error) *cobra.Command {
	cmd := &cobra.Command{
		Use: use, Short: short, Args: args(min, max, names),
		RunE: func(cmd *cobra.Command, argv []string) error {
			return a.withClient(cmd, func(ctx context.Context, c *hvc.Client) error {
				if change != nil {
					if err := change(ctx, c, argv); err != nil {
						return err
					}
					return afterChange(a.printAdmins(ctx, c))
				}
				return a.printAdmins(ctx, c)
			})
		},
	}
	if use == "ls" {
		cmd.Aliases = []string{"list"}
	}
	return cmd
}

func (a *app) printAdmins(ctx context.Context, c *hvc.Client) error {
	groups, err := c.Administrators.Get(ctx)
	if err != nil {
		return op(err, "list administrator groups")
	}
	if groups == nil {
		groups = []string{}
	}
	out := adminsOut{GroupNames: groups}
	return a.emit(out, func(w io.Writer) {
		fmt.Fprintln(w, "GROUP")
		for _, g := range groups {
			fmt.Fprintln(w, cell(g))
		}
	})
}

func (a *app) adminSetCmd() *cobra.Command {
	var yes, none bool
	cmd := &cobra.Command{
		Use:   "set GROUP...",
		Short: "Replace the administrator groups with the given ones",
		Long: `Replace the administrator groups with the given ones (--none removes all).
Asks for confirmation on a terminal; pass --yes otherwise.`,
		Args: func(cmd *cobra.Command, argv []string) error {
			if none != (len(argv) == 0) {
				return usageErr(fmt.Errorf("%s: give one or more groups, or --none", cmd.CommandPath()))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, argv []string) error {
			return a.withClient(cmd, func(ctx context.Context, c *hvc.Client) error {
				q := "Replace the administrator groups with " + strings.Join(argv, ", ") + "?"
				if none {
					q = "Remove all administrator groups?"
				}
				if err := a.confirm(yes, q, "replace the administrator groups"); err != nil {
					return err
				}
				if err := c.Administrators.Set(ctx, argv); err != nil {
					return changeFailed(op(err, "set administrator groups"), "hvcctl admin ls")
				}
				return afterChange(a.printAdmins(ctx, c))
			})
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	cmd.Flags().BoolVar(&none, "none", false, "remove all administrator groups")
	return cmd
}

// afterChange marks a failure to list the groups after a change that was
// applied: the operator must not take the error for a failed change.
func afterChange(err error) error {
	if err == nil {
		return nil
	}
	return withHints(err, nil, "the change was applied; list the groups with: hvcctl admin ls")
}
