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
	ls := &cobra.Command{Use: "ls", Aliases: []string{"list"}, Short: "List the administrator groups",
		Args: args(0, 0, "no arguments"), RunE: a.runE(&adminOptions{app: a})}
	add := &cobra.Command{Use: "add GROUP", Short: "Add an administrator group (group@domain)",
		Args: args(1, 1, "GROUP"), RunE: a.runE(&adminOptions{app: a, verb: "add"})}
	rm := &cobra.Command{Use: "rm GROUP", Short: "Remove an administrator group (exit 4 if it is not one)",
		Args: args(1, 1, "GROUP"), RunE: a.runE(&adminOptions{app: a, verb: "rm"}), ValidArgsFunction: a.completeGroups}
	cmd.AddCommand(ls, add, rm, a.adminSetCmd())
	return cmd
}

// adminOptions is admin ls, add and rm: the change (verb "add" or "rm";
// "" lists) of one group, then the resulting groups on stdout.
type adminOptions struct {
	*app
	verb  string
	group string
}

func (o *adminOptions) complete(_ *cobra.Command, argv []string) error {
	if len(argv) > 0 {
		o.group = argv[0]
	}
	return nil
}

func (o *adminOptions) validate() error {
	if o.verb == "" {
		return nil
	}
	return checkGroupName(o.group)
}

func (o *adminOptions) run(ctx context.Context, c *hvc.Client) error {
	switch o.verb {
	case "add":
		if err := c.Administrators.Add(ctx, o.group); err != nil {
			return changeFailed(op(err, "add administrator group %s", o.group), "hvcctl admin ls")
		}
	case "rm":
		groups, err := c.Administrators.Get(ctx)
		if err != nil {
			return op(err, "list administrator groups")
		}
		if !slices.Contains(groups, o.group) {
			return &cliError{code: exitNotFound, err: op(errors.New("it is not an administrator group; nothing was removed"), "remove administrator group %s", o.group),
				hints: []string{"the groups are: " + groupList(groups)}}
		}
		if strings.EqualFold(o.group, builtinAdmins) {
			o.warnBuiltinRemoved()
		}
		if err := c.Administrators.Remove(ctx, o.group); err != nil {
			return changeFailed(op(err, "remove administrator group %s", o.group), "hvcctl admin ls")
		}
	default:
		return o.printAdmins(ctx, c)
	}
	return afterChange(o.printAdmins(ctx, c))
}

// checkGroupName refuses a group name vCenter would refuse, before anything
// is sent: it has the form group@domain.
func checkGroupName(g string) error {
	if i := strings.IndexByte(g, '@'); i <= 0 || i == len(g)-1 {
		return usageErr(fmt.Errorf("group %q: a group name has the form group@domain", g))
	}
	return nil
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

// adminSetOptions is admin set: the groups to have (none with --none),
// confirmed on a terminal unless yes.
type adminSetOptions struct {
	*app
	groups    []string
	none, yes bool
}

func (a *app) adminSetCmd() *cobra.Command {
	o := &adminSetOptions{app: a}
	cmd := &cobra.Command{
		Use:   "set GROUP...",
		Short: "Replace the administrator groups with the given ones",
		Long: `Replace the administrator groups with the given ones (--none removes all).
It shows the groups it adds and removes, warns when it removes
Administrators@vsphere.local, and asks for confirmation on a terminal; pass
--yes otherwise.`,
		Args: cobra.ArbitraryArgs,
		RunE: a.runE(o),
	}
	cmd.Flags().BoolVarP(&o.yes, "yes", "y", false, "do not ask for confirmation")
	cmd.Flags().BoolVar(&o.none, "none", false, "remove all administrator groups")
	return cmd
}

func (o *adminSetOptions) complete(_ *cobra.Command, argv []string) error {
	o.groups = argv
	return nil
}

func (o *adminSetOptions) validate() error {
	switch {
	case o.none && len(o.groups) > 0:
		return usageErr(fmt.Errorf("admin set: conflicting arguments: --none and the groups %s; give one or the other", strings.Join(o.groups, ", ")))
	case !o.none && len(o.groups) == 0:
		return usageErr(fmt.Errorf("admin set: give one or more groups, or --none to remove all"))
	}
	for _, g := range o.groups {
		if err := checkGroupName(g); err != nil {
			return err
		}
	}
	return nil
}

func (o *adminSetOptions) run(ctx context.Context, c *hvc.Client) error {
	current, err := c.Administrators.Get(ctx)
	if err != nil {
		return op(err, "list administrator groups")
	}
	var added, removed []string
	for _, g := range o.groups {
		if !slices.Contains(current, g) && !slices.Contains(added, g) {
			added = append(added, g)
		}
	}
	for _, g := range current {
		if !slices.Contains(o.groups, g) {
			removed = append(removed, g)
		}
	}
	if slices.ContainsFunc(removed, func(g string) bool { return strings.EqualFold(g, builtinAdmins) }) {
		o.warnBuiltinRemoved()
	}
	q := fmt.Sprintf("Set the administrator groups to %s (adding %s; removing %s)?", groupList(o.groups), groupList(added), groupList(removed))
	if err := o.confirm(o.yes, q, "replace the administrator groups"); err != nil {
		return err
	}
	if err := c.Administrators.Set(ctx, o.groups); err != nil {
		return changeFailed(op(err, "set administrator groups"), "hvcctl admin ls")
	}
	return afterChange(o.printAdmins(ctx, c))
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
