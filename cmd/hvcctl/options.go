package main

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hvcsdk/hvc"
)

// options is a command as kubectl writes one (XOptions with Complete,
// Validate and Run): complete fills it from the command line and the
// environment, validate checks it without any I/O, and run does the work
// with a connected client. Each options type embeds the *app it runs in,
// whose streams, environment and output format tests replace; unit tests
// build one and call run with a client of their own.
type options interface {
	checked
	run(ctx context.Context, c *hvc.Client) error
}

// localOptions is a command that does its own connecting, or none (the
// session commands, cert): complete and validate as for options, then run
// with the command's context alone; unit tests give its app a
// conn.Connector of their own.
type localOptions interface {
	checked
	run(ctx context.Context) error
}

// checked is the part every options type shares: complete, then validate.
type checked interface {
	complete(cmd *cobra.Command, argv []string) error
	validate() error
}

// prepare completes and validates o.
func prepare(o checked, cmd *cobra.Command, argv []string) error {
	if err := o.complete(cmd, argv); err != nil {
		return err
	}
	return o.validate()
}

// runE is the RunE of a command made of o: complete, validate, and run
// with a client connected under the command's context.
func (a *app) runE(o options) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, argv []string) error {
		if err := prepare(o, cmd, argv); err != nil {
			return err
		}
		return a.withClient(cmd, o.run)
	}
}

// runLocal is the RunE of a command made of o: complete, validate, and run
// under the command's context (bounded by --timeout).
func (a *app) runLocal(o localOptions) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, argv []string) error {
		if err := prepare(o, cmd, argv); err != nil {
			return err
		}
		ctx, cancel := a.cmdContext(cmd)
		defer cancel()
		return o.run(ctx)
	}
}

// flagsOf is cmd's flags, or none for options a unit test built itself.
func flagsOf(cmd *cobra.Command) *pflag.FlagSet {
	if cmd == nil {
		return pflag.NewFlagSet("", pflag.ContinueOnError)
	}
	return cmd.Flags()
}

// pscCredentials reads the foreign PSC's credentials when --psc-user is
// given (p.user), nil otherwise; only then does it look at cmd's flags.
func (a *app) pscCredentials(cmd *cobra.Command, p *pscFlags) (*hvc.Credentials, error) {
	if p.user == "" {
		return nil, nil
	}
	return a.optionalPSCCredentials(cmd, p)
}
