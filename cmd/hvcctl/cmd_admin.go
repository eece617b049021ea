package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hvcsdk/hvc"
)

// builtinAdmins is vCenter's own administrators group; removing it from the
// hvc administrators takes hvc rights from every vCenter administrator who
// is in no other listed group.
const builtinAdmins = "Administrators@vsphere.local"

func (a *app) adminCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "admin", Short: "Manage the groups with hvc administrator rights"}
	rm := a.adminChange("rm GROUP", "Remove an administrator group (exit 4 if it is not one)", 1, 1, "GROUP",
		func(ctx context.Context, c *hvc.Client, argv []string) error {
			g := argv[0]
			groups, err := c.Administrators.Get(ctx)
			if err != nil {
				return op(err, "list administrator groups")
			}
			if !slices.Contains(groups, g) {
				return &cliError{code: exitNotFound, err: fmt.Errorf("remove administrator group %s: it is not an administrator group; nothing was removed", g),
					hints: []string{"the groups are: " + groupList(groups)}}
			}
			if strings.EqualFold(g, builtinAdmins) {
				a.warnBuiltinRemoved()
			}
			return changeFailed(op(c.Administrators.Remove(ctx, g), "remove administrator group %s", g), "hvcctl admin ls")
		})
	rm.ValidArgsFunction = a.completeGroups
	cmd.AddCommand(
		a.adminChange("ls", "List the administrator groups", 0, 0, "no arguments", nil),
		a.adminChange("add GROUP", "Add an administrator group (group@domain)", 1, 1, "GROUP",
			func(ctx context.Context, c *hvc.Client, argv []string) error {
				return changeFailed(op(c.Administrators.Add(ctx, argv[0]), "add administrator group %s", argv[0]), "hvcctl admin ls")
			}),
		rm,
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
It shows the groups it adds and removes, warns when it removes
Administrators@vsphere.local, and asks for confirmation on a terminal; pass
--yes otherwise.`,
		Args: func(cmd *cobra.Command, argv []string) error {
			switch {
			case none && len(argv) > 0:
				return usageErr(fmt.Errorf("admin set: conflicting arguments: --none and the groups %s; give one or the other", strings.Join(argv, ", ")))
			case !none && len(argv) == 0:
				return usageErr(errors.New("admin set: give one or more groups, or --none to remove all"))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, argv []string) error {
			return a.withClient(cmd, func(ctx context.Context, c *hvc.Client) error {
				current, err := c.Administrators.Get(ctx)
				if err != nil {
					return op(err, "list administrator groups")
				}
				var added, removed []string
				for _, g := range argv {
					if !slices.Contains(current, g) && !slices.Contains(added, g) {
						added = append(added, g)
					}
				}
				for _, g := range current {
					if !slices.Contains(argv, g) {
						removed = append(removed, g)
					}
				}
				for _, g := range removed {
					if strings.EqualFold(g, builtinAdmins) {
						a.warnBuiltinRemoved()
					}
				}
				q := fmt.Sprintf("Set the administrator groups to %s (adding %s; removing %s)?", groupList(argv), groupList(added), groupList(removed))
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

// warnBuiltinRemoved warns, also under --yes, that a change removes
// vCenter's own administrators group.
func (a *app) warnBuiltinRemoved() {
	a.warnf("this removes %s: vCenter administrators in no other listed group lose their hvc administrator rights", builtinAdmins)
}

// groupList names groups for a message; "none" for no group.
func groupList(groups []string) string {
	if len(groups) == 0 {
		return "none"
	}
	return strings.Join(groups, ", ")
}

// afterChange marks a failure to list the groups after a change that was
// applied: the operator must not take the error for a failed change.
func afterChange(err error) error {
	if err == nil {
		return nil
	}
	return withHints(err, nil, "the change was applied; list the groups with: hvcctl admin ls")
}
