package main

import (
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
	var add bool
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
		RunE: func(cmd *cobra.Command, argv []string) error {
			var hostport string
			if len(argv) == 1 {
				t, err := conn.ParseTarget(argv[0])
				if err != nil {
					return usageErr(err)
				}
				hostport = t.HostPort
			} else {
				t, err := a.connector().Target(false)
				if err != nil {
					return fromConn(err)
				}
				hostport = t.HostPort
			}
			ctx, cancel := a.cmdContext(cmd)
			defer cancel()
			cert, err := conn.FetchCertificate(ctx, hostport)
			if err != nil {
				return err
			}
			tp := conn.Thumbprint(cert.Raw)
			kh := a.connector().KnownHosts()
			known, _, err := kh.Lookup(hostport, a.warnf)
			if err != nil && add {
				return usageErr(fmt.Errorf("nothing was added: %w", err))
			}
			if err != nil {
				return usageErr(err)
			}
			out := certOut{Host: hostport, Thumbprint: tp, Subject: cert.Subject.String(), Issuer: cert.Issuer.String(),
				NotBefore: timeOut{cert.NotBefore.UTC()}, NotAfter: timeOut{cert.NotAfter.UTC()}, Known: known != "" && hvc.SameThumbprint(known, tp),
				KnownHosts: a.g.knownHosts}
			if add {
				if a.g.thumbprint != "" && !hvc.SameThumbprint(a.g.thumbprint, tp) {
					return &cliError{code: exitTLS, err: fmt.Errorf("%s presents thumbprint %s, not %s; nothing was added", hostport, tp, a.g.thumbprint),
						data: map[string]string{"host": hostport, "thumbprint": tp, "expected_thumbprint": a.g.thumbprint}}
				}
				if a.g.knownHosts == "" {
					return usageErr(errors.New("no known-hosts file: set HVCCTL_HOME or pass --tls-known-hosts"))
				}
				if !out.Known {
					if err := kh.Add(ctx, hostport, tp); err != nil {
						var refused *conn.TrustFileError
						if errors.As(err, &refused) {
							return usageErr(fmt.Errorf("nothing was added: %w", err))
						}
						return fmt.Errorf("adding %s to %s: %w", hostport, a.g.knownHosts, err)
					}
					out.Added = true
				}
				out.Known = true
			}
			return a.emit(out, func(w io.Writer) {
				fmt.Fprintln(w, "HOST\tSHA-256 THUMBPRINT\tKNOWN")
				fmt.Fprintf(w, "%s\t%s\t%v\n", out.Host, out.Thumbprint, out.Known)
				if out.Added {
					fmt.Fprintf(w, "added %s to %s\n", out.Host, out.KnownHosts)
				}
			})
		},
	}
	cmd.Flags().BoolVar(&add, "add", false, "add the thumbprint to the known-hosts file")
	return cmd
}
