package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/hvcsdk/hvc"

	"github.com/hvcsdk/hvc/cmd/hvcctl/internal/conn"
)

// certOut describes a server certificate (cert).
type certOut struct {
	Host       string  `json:"host"`
	Thumbprint string  `json:"thumbprint"`
	Subject    string  `json:"subject"`
	Issuer     string  `json:"issuer"`
	NotBefore  timeOut `json:"not_before"`
	NotAfter   timeOut `json:"not_after"`
	Known      bool    `json:"known"`
	Added      bool    `json:"added"`
	KnownHosts string  `json:"known_hosts"`
}

func (a *app) certCmd() *cobra.Command {
	o := &certOptions{app: a}
	cmd := &cobra.Command{
		Use:   "cert [HOST[:PORT]]",
		Short: "Print a server's SHA-256 certificate thumbprint; --add trusts it",
		Long: `Connect to HOST[:PORT] (default: the vCenter of HVC_URL) and print the
SHA-256 thumbprint of the certificate it presents, like
"govc about.cert -thumbprint". The certificate is not verified: compare
the thumbprint with the one the vCenter administrator gave you.

--add records it in the known-hosts file ($HVCCTL_HOME/known_hosts by
default, "host:port thumbprint" lines); with --thumbprint, only if the
server presents exactly that certificate.`,
		Example: `  hvcctl cert vcenter.example
  hvcctl cert vcenter.example --add --thumbprint 3F:0A:...`,
		Args: args(0, 1, "[HOST[:PORT]]"),
		RunE: a.runLocal(o),
	}
	cmd.Flags().BoolVar(&o.add, "add", false, "add the thumbprint to the known-hosts file")
	return cmd
}

// certOptions is cert: the server to ask (the argument, else the vCenter
// of the settings), and with add, the known-hosts file to record its
// thumbprint in, only if it is the expected one (--thumbprint) when one
// is given.
type certOptions struct {
	*app
	add      bool
	hostport string
	kh       conn.KnownHosts
	expected string // --thumbprint [HVC_THUMBPRINT]
}

func (o *certOptions) complete(_ *cobra.Command, argv []string) error {
	var t conn.Target
	var err error
	if len(argv) == 1 {
		if t, err = conn.ParseTarget(argv[0]); err != nil {
			return usageErr(err)
		}
	} else if t, err = o.connector().Target(false); err != nil {
		return fromConn(err)
	}
	o.hostport = t.HostPort
	o.kh = o.connector().KnownHosts()
	o.expected = o.connector().Settings.Thumbprint
	return nil
}

func (o *certOptions) validate() error {
	if o.add && o.kh.File == "" {
		return usageErr(errors.New("no known-hosts file: set HVCCTL_HOME or pass --tls-known-hosts"))
	}
	return nil
}

func (o *certOptions) run(ctx context.Context) error {
	cert, err := conn.FetchCertificate(ctx, o.hostport)
	if err != nil {
		return err
	}
	tp := conn.Thumbprint(cert.Raw)
	known, _, err := o.kh.Lookup(o.hostport, o.warnf)
	if err != nil && o.add {
		return usageErr(fmt.Errorf("nothing was added: %w", err))
	}
	if err != nil {
		return usageErr(err)
	}
	out := certOut{Host: o.hostport, Thumbprint: tp, Subject: cert.Subject.String(), Issuer: cert.Issuer.String(),
		NotBefore: timeOut{cert.NotBefore.UTC()}, NotAfter: timeOut{cert.NotAfter.UTC()}, Known: known != "" && hvc.SameThumbprint(known, tp),
		KnownHosts: o.kh.File}
	if o.add {
		if err := o.record(ctx, tp, out.Known); err != nil {
			return err
		}
		out.Added, out.Known = !out.Known, true
	}
	return o.emit(out, func(w io.Writer) {
		fmt.Fprintln(w, "HOST\tSHA-256 THUMBPRINT\tKNOWN")
		fmt.Fprintf(w, "%s\t%s\t%v\n", out.Host, out.Thumbprint, out.Known)
		if out.Added {
			fmt.Fprintf(w, "added %s to %s\n", out.Host, out.KnownHosts)
		}
	})
}

// record adds the thumbprint tp the server presented to the known-hosts
// file, unless it is there already (known); it refuses one that is not
// the expected thumbprint.
func (o *certOptions) record(ctx context.Context, tp string, known bool) error {
	if o.expected != "" && !hvc.SameThumbprint(o.expected, tp) {
		return &cliError{code: exitTLS, err: fmt.Errorf("%s presents thumbprint %s, not %s; nothing was added", o.hostport, tp, o.expected),
			data: map[string]string{"host": o.hostport, "thumbprint": tp, "expected_thumbprint": o.expected}}
	}
	if known {
		return nil
	}
	if err := o.kh.Add(ctx, o.hostport, tp); err != nil {
		var refused *conn.TrustFileError
		if errors.As(err, &refused) {
			return usageErr(fmt.Errorf("nothing was added: %w", err))
		}
		return fmt.Errorf("adding %s to %s: %w", o.hostport, o.kh.File, err)
	}
	return nil
}
