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
	complete(cmd *cobra.Command, argv []string) error
	validate() error
	run(ctx context.Context, c *hvc.Client) error
}

// runE is the RunE of a command made of o: complete, validate, and run
// with a client connected under the command's context.
func (a *app) runE(o options) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, argv []string) error {
		if err := o.complete(cmd, argv); err != nil {
			return err
		}
		if err := o.validate(); err != nil {
			return err
		}
		return a.withClient(cmd, o.run)
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
