package main

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hvcsdk/hvc"

	"github.com/hvcsdk/hvc/cmd/hvcctl/internal/conn"
)

// pscFlags are the foreign PSC's connection flags, defaulting from HVC_PSC_*.
type pscFlags struct {
	host, domain, user, port, thumbprint, certFile, passwordFile string
	passwordStdin                                                bool
}

// addPSCUser adds --psc-user and the PSC password flags.
func addPSCPassword(cmd *cobra.Command, p *pscFlags) {
	cmd.Flags().StringVar(&p.passwordFile, "psc-password-file", "", "read the foreign PSC password from this file [HVC_PSC_PASSWORD_FILE]")
	cmd.Flags().BoolVar(&p.passwordStdin, "psc-password-stdin", false, "read the foreign PSC password from the first line of stdin")
}

// resolvePSC applies the HVC_PSC_* defaults to the flags the command line
// did not set.
func (a *app) resolvePSC(cmd *cobra.Command, p *pscFlags, all bool) {
	ds := []envDefault{{"psc-password-file", "HVC_PSC_PASSWORD_FILE", &p.passwordFile}}
	if all {
		ds = append(ds, []envDefault{
			{"psc-host", "HVC_PSC_HOSTNAME", &p.host},
			{"psc-domain", "HVC_PSC_DOMAIN", &p.domain},
			{"psc-user", "HVC_PSC_USERNAME", &p.user},
			{"psc-port", "HVC_PSC_PORT", &p.port},
			{"psc-thumbprint", "HVC_PSC_THUMBPRINT", &p.thumbprint},
		}...)
	}
	applyEnv(cmd.Flags(), a.lookupEnv, ds)
}

// pscPassword returns the foreign PSC's password from --psc-password-stdin,
// --psc-password-file/HVC_PSC_PASSWORD_FILE, HVC_PSC_PASSWORD or a prompt.
// optionalPSCCredentials returns the foreign PSC's credentials when
// --psc-user is given (operations that take them are then sent with them),
// reading the password from its sources; nil otherwise.
func (a *app) optionalPSCCredentials(cmd *cobra.Command, p *pscFlags) (*hvc.Credentials, error) {
	a.resolvePSC(cmd, p, false)
	if p.user == "" {
		return nil, nil
	}
	pw, err := a.pscPassword(cmd, p)
	if err != nil {
		return nil, err
	}
	return &hvc.Credentials{UserName: p.user, Password: pw}, nil
}

func (a *app) pscPassword(cmd *cobra.Command, p *pscFlags) (string, error) {
	if p.passwordStdin && a.g.passwordStdin {
		return "", usageErr(errors.New("--password-stdin and --psc-password-stdin cannot both read stdin; use a _FILE variable for one of them"))
	}
	envPW, _ := a.lookupEnv("HVC_PSC_PASSWORD")
	src := conn.PasswordSource{File: p.passwordFile, FileFromFlag: changed(cmd.Flags(), "psc-password-file"),
		FileVar: "HVC_PSC_PASSWORD_FILE", Env: envPW, EnvVar: "HVC_PSC_PASSWORD"}
	if p.passwordStdin {
		src.Stdin = "--psc-password-stdin"
	}
	pw, err := src.Get(a.stdinReader, prompter{a}, fmt.Sprintf("Password for %s on the foreign PSC: ", p.user),
		fmt.Errorf("no password for the foreign PSC user %s and no terminal to prompt on", p.user),
		"set HVC_PSC_PASSWORD or HVC_PSC_PASSWORD_FILE, or pass --psc-password-stdin")
	return pw, fromConn(err)
}

func (a *app) linkCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "link", Short: "Create, list, inspect and delete hybrid links"}
	cmd.AddCommand(a.linkCreateCmd(), a.linkLsCmd(), a.linkGetCmd(), a.linkRmCmd())
	return cmd
}

func (a *app) linkCreateCmd() *cobra.Command {
	o := &linkCreateOptions{app: a}
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a hybrid link to a foreign PSC",
		Long: `Create a hybrid link to a foreign PSC.

Without --psc-thumbprint or --psc-certificate, hvcctl shows the certificate
the PSC presented and asks whether to trust it (on a terminal only; without
one it fails with the thumbprint and the flag to pass). Compare it with the
value the PSC's administrator gave you.`,
		Example: `  hvcctl link create --psc-host psc.example --psc-domain example.local \
    --psc-user administrator@example.local --psc-thumbprint AA:BB:...`,
		Args: args(0, 0, "no arguments"),
		RunE: a.runE(o),
	}
	p := &o.psc
	f := cmd.Flags()
	f.StringVar(&p.host, "psc-host", "", "foreign PSC host name [HVC_PSC_HOSTNAME]")
	f.StringVar(&p.domain, "psc-domain", "", "foreign SSO domain; becomes the link's name [HVC_PSC_DOMAIN]")
	f.StringVar(&p.user, "psc-user", "", "administrator of the foreign PSC [HVC_PSC_USERNAME]")
	f.StringVar(&p.port, "psc-port", "", "foreign PSC HTTPS port (default 443) [HVC_PSC_PORT]")
	f.StringVar(&p.thumbprint, "psc-thumbprint", "", "expected SHA-256 thumbprint of the PSC certificate [HVC_PSC_THUMBPRINT]")
	f.StringVar(&p.certFile, "psc-certificate", "", "PEM file of the PSC certificate to expect (sent as ssl_certificate, vSphere 9.0+)")
	f.StringArrayVar(&o.groups, "admin-group", nil, "group to give administrator access (repeatable)")
	addPSCPassword(cmd, p)
	return cmd
}

// linkCreateOptions is link create: the foreign PSC (flags, then the
// HVC_PSC_* variables), the certificate to expect and the admin groups.
type linkCreateOptions struct {
	*app
	cmd    *cobra.Command // where the PSC flags were given
	psc    pscFlags
	groups []string
	// certPEM and certTP are --psc-certificate's content and its
	// thumbprint.
	certPEM, certTP string
}

func (o *linkCreateOptions) complete(cmd *cobra.Command, _ []string) error {
	o.cmd = cmd
	o.resolvePSC(cmd, &o.psc, true)
	if o.psc.certFile != "" {
		var err error
		if o.certPEM, o.certTP, err = readCertFile(o.psc.certFile); err != nil {
			return usageErr(err)
		}
	}
	return nil
}

func (o *linkCreateOptions) validate() error {
	p := o.psc
	var missing []string
	for _, m := range []struct{ v, name string }{{p.host, "--psc-host [HVC_PSC_HOSTNAME]"}, {p.domain, "--psc-domain [HVC_PSC_DOMAIN]"}, {p.user, "--psc-user [HVC_PSC_USERNAME]"}} {
		if m.v == "" {
			missing = append(missing, m.name)
		}
	}
	if len(missing) > 0 {
		return usageErr(fmt.Errorf("link create needs %s", strings.Join(missing, ", ")))
	}
	if p.port != "" {
		if n, err := strconv.Atoi(p.port); err != nil || n < 1 || n > 65535 {
			return usageErr(fmt.Errorf("--psc-port %q: not a port number", p.port))
		}
	}
	if p.thumbprint != "" && p.certFile != "" && changed(flagsOf(o.cmd), "psc-thumbprint") {
		return usageErr(errors.New("--psc-thumbprint and --psc-certificate exclude each other"))
	}
	if p.certFile == "" {
		return checkThumbprint(flagsOf(o.cmd), "psc-thumbprint", "HVC_PSC_THUMBPRINT", p.thumbprint)
	}
	return nil
}

func (o *linkCreateOptions) run(ctx context.Context, c *hvc.Client) error {
	p := o.psc
	tp := p.thumbprint
	if o.certPEM != "" {
		tp = ""
	}
	pw, err := o.pscPassword(o.cmd, &o.psc)
	if err != nil {
		return err
	}
	spec := hvc.LinkCreateSpec{PSCHostname: p.host, Port: p.port, DomainName: p.domain, Username: p.user,
		Password: pw, SSLThumbprint: tp, SSLCertificate: o.certPEM, AdminGroups: o.groups}
	var id string
	if tp == "" && o.certPEM == "" && o.canPrompt() {
		id, err = c.Links.CreateTrusting(ctx, spec, func(info hvc.CertificateInfo) (bool, error) {
			return o.askTrust(p.host, info)
		})
	} else {
		id, err = c.Links.Create(ctx, spec)
	}
	var peer *hvc.UnverifiedPeerError
	if errors.As(err, &peer) {
		sent := tp
		if o.certTP != "" {
			sent = o.certTP
		}
		port := p.port
		if port == "" {
			port = "443"
		}
		return o.explainPeer(err, peer, p.host, net.JoinHostPort(p.host, port), sent)
	}
	if o.certPEM != "" && errors.Is(err, hvc.ErrUnexpectedInput) {
		return withHints(op(err, "create link to %s", p.host), nil,
			"this vCenter predates ssl_certificate (vSphere 9.0); pass --psc-thumbprint "+o.certTP+" instead (the certificate's SHA-256 thumbprint)")
	}
	if err != nil {
		return pscAuthFailed(changeFailed(op(err, "create link to %s", p.host), "hvcctl link ls"), "--psc-user, HVC_PSC_USERNAME")
	}
	out := linkOut{Link: id, DisplayName: p.domain}
	return o.emit(out, func(w io.Writer) {
		fmt.Fprintln(w, "LINK\tDISPLAY NAME")
		fmt.Fprintf(w, "%s\t%s\n", cell(out.Link), cell(out.DisplayName))
	})
}

// readCertFile reads a PEM certificate for ssl_certificate (vSphere 9.0+)
// and returns it with its SHA-256 thumbprint, for messages and for older
// releases, which only take ssl_thumbprint.
func readCertFile(path string) (pemText, tp string, err error) {
	b, err := os.ReadFile(path) //nolint:gosec // G304: the operator names the file to read
	if err != nil {
		return "", "", fmt.Errorf("--psc-certificate: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "CERTIFICATE" {
		return "", "", fmt.Errorf("--psc-certificate: %s holds no PEM CERTIFICATE", path)
	}
	cert, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		return "", "", fmt.Errorf("--psc-certificate: %w", err)
	}
	return string(pem.EncodeToMemory(blk)), conn.Thumbprint(cert.Raw), nil
}

// askTrust shows the certificate the foreign PSC presented and asks y/N.
func (a *app) askTrust(host string, info hvc.CertificateInfo) (bool, error) {
	fmt.Fprintf(a.stderr, "The foreign PSC %s presented a certificate with SHA-256 thumbprint\n  %s\n", host, clean(info.SSLThumbprint))
	if blk, _ := pem.Decode([]byte(info.SSLCertificate)); blk != nil {
		if cert, err := x509.ParseCertificate(blk.Bytes); err == nil {
			fmt.Fprintf(a.stderr, "  subject %s\n  issuer  %s\n  valid   %s to %s\n", clean(cert.Subject.String()), clean(cert.Issuer.String()),
				cert.NotBefore.UTC().Format("2006-01-02"), cert.NotAfter.UTC().Format("2006-01-02"))
		}
	}
	fmt.Fprint(a.stderr, "Compare it with the thumbprint the PSC's administrator gave you. Trust it and create the link? [y/N] ")
	line, err := a.readAnswer()
	if err != nil {
		return false, err
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

// explainPeer reports an untrusted foreign PSC certificate (exit 60).
// hostport is host:port of the PSC, for the -o json data.
func (a *app) explainPeer(err error, peer *hvc.UnverifiedPeerError, host, hostport, sent string) error {
	info, ierr := peer.CertificateInfo()
	if ierr != nil {
		return op(err, "create link to %s", host)
	}
	tp := clean(info.SSLThumbprint)
	var msg error
	var hints []string
	switch {
	case sent != "":
		msg = fmt.Errorf("create link to %s: the PSC presented thumbprint %s, not the expected %s", host, tp, sent)
		hints = []string{"check the PSC certificate with its administrator; this may be an attack"}
	case a.canPrompt():
		msg = fmt.Errorf("create link to %s: certificate %s not trusted; nothing was created", host, tp)
	default:
		msg = fmt.Errorf("create link to %s: the PSC's certificate is not trusted; its SHA-256 thumbprint is %s", host, tp)
		hints = []string{"no terminal to ask on: check the thumbprint with the PSC's administrator, then pass --psc-thumbprint " + tp}
	}
	// The same data keys as an untrusted vCenter certificate (explainTLS).
	data := map[string]string{"host": hostport, "thumbprint": tp}
	if sent != "" {
		data["expected_thumbprint"] = sent
	}
	return &cliError{code: exitTLS, err: msg, hints: hints, data: data}
}

func (a *app) linkLsCmd() *cobra.Command {
	return &cobra.Command{
		Use: "ls", Aliases: []string{"list"}, Short: "List hybrid links",
		Args: args(0, 0, "no arguments"),
		RunE: a.runE(&linkReadOptions{app: a}),
	}
}

func (a *app) linkGetCmd() *cobra.Command {
	return &cobra.Command{
		ValidArgsFunction: a.completeLinks(false),
		Use:               "get LINK", Short: "Show a link's connection health (vSphere 8.0U1+)",
		Args: args(1, 1, "LINK"),
		RunE: a.runE(&linkReadOptions{app: a, one: true}),
	}
}

// linkReadOptions is link ls and, when one is set, link get of link.
type linkReadOptions struct {
	*app
	one  bool
	link string
}

func (o *linkReadOptions) complete(_ *cobra.Command, argv []string) error {
	if o.one {
		o.link = argv[0]
	}
	return nil
}

func (o *linkReadOptions) validate() error { return nil }

func (o *linkReadOptions) run(ctx context.Context, c *hvc.Client) error {
	if !o.one {
		links, err := c.Links.List(ctx)
		if err != nil {
			return op(err, "list links")
		}
		out := make([]linkOut, 0, len(links))
		for _, l := range links {
			out = append(out, linkOut{Link: l.Link, DisplayName: l.DisplayName})
		}
		return o.emit(out, func(w io.Writer) {
			fmt.Fprintln(w, "LINK\tDISPLAY NAME")
			for _, l := range out {
				fmt.Fprintf(w, "%s\t%s\n", cell(l.Link), cell(l.DisplayName))
			}
		})
	}
	info, err := c.Links.Get(ctx, o.link)
	if err != nil {
		return op(err, "get link %s", o.link)
	}
	out := linkInfoOut{Link: o.link, HealthStatusMessage: message(info.HealthStatusMessage)}
	if info.ConnectionHealthStatus != "" {
		s := string(info.ConnectionHealthStatus)
		out.ConnectionHealthStatus = &s
	}
	return o.emit(out, func(w io.Writer) {
		fmt.Fprintln(w, "LINK\tHEALTH\tMESSAGE")
		health, msg := "-", "-"
		if out.ConnectionHealthStatus != nil {
			health = cell(*out.ConnectionHealthStatus)
		}
		if out.HealthStatusMessage != nil {
			msg = cell(out.HealthStatusMessage.DefaultMessage)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\n", cell(out.Link), health, msg)
	})
}

func (a *app) linkRmCmd() *cobra.Command {
	o := &linkRmOptions{app: a}
	cmd := &cobra.Command{
		ValidArgsFunction: a.completeLinks(false),
		Use:               "rm LINK", Aliases: []string{"delete"}, Short: "Delete a hybrid link",
		Long: `Delete a hybrid link. With --psc-user, hvcctl deletes it with the foreign
PSC's credentials so the foreign side is cleaned up too (vSphere 8.0U1+);
the password comes from HVC_PSC_PASSWORD, HVC_PSC_PASSWORD_FILE,
--psc-password-stdin or the prompt. --psc-user does not default from
HVC_PSC_USERNAME here: sending credentials changes the operation.

Asks for confirmation on a terminal; pass --yes otherwise.`,
		Args: args(1, 1, "LINK"),
		RunE: a.runE(o),
	}
	cmd.Flags().StringVar(&o.psc.user, "psc-user", "", "delete with this foreign PSC user's credentials")
	cmd.Flags().BoolVarP(&o.yes, "yes", "y", false, "do not ask for confirmation")
	addPSCPassword(cmd, &o.psc)
	return cmd
}

// linkRmOptions is link rm of link, with the foreign PSC's credentials
// when psc.user is set, confirmed on a terminal unless yes.
type linkRmOptions struct {
	*app
	cmd  *cobra.Command // where the PSC password flags were given
	link string
	psc  pscFlags
	yes  bool
}

func (o *linkRmOptions) complete(cmd *cobra.Command, argv []string) error {
	o.cmd, o.link = cmd, argv[0]
	return nil
}

func (o *linkRmOptions) validate() error { return nil }

func (o *linkRmOptions) run(ctx context.Context, c *hvc.Client) error {
	creds, err := o.pscCredentials(o.cmd, &o.psc)
	if err != nil {
		return err
	}
	if err := o.confirm(o.yes, "Delete link "+o.link+"?", "delete link "+o.link); err != nil {
		return err
	}
	if creds != nil {
		err = c.Links.DeleteWithCredentials(ctx, o.link, *creds)
	} else {
		err = c.Links.Delete(ctx, o.link)
	}
	if err != nil && creds != nil && isUnavailable(err) {
		return withHints(op(err, "delete link %s", o.link), nil, "this vCenter deletes links without the foreign PSC's credentials: run it without --psc-user")
	}
	if err != nil {
		return pscAuthFailed(changeFailed(op(err, "delete link %s", o.link), "hvcctl link ls"), "--psc-user")
	}
	out := linkDeletedOut{Link: o.link, Deleted: true}
	return o.emit(out, func(w io.Writer) { fmt.Fprintf(w, "deleted link %s\n", o.link) })
}

// msgPSCCredentialsInvalid is the message id of a link create or delete
// with credentials whose foreign PSC refused the user name or password
// (vCenter answers ERROR; see docs/simulator.md).
const msgPSCCredentialsInvalid = "com.vmware.vcenter.hvc.links.credentials.invalid" //nolint:gosec // G101: a message id, not a credential

// pscAuthFailed makes a refusal of the foreign PSC's credentials an
// authentication error (exit 3) saying where the user (userFrom) and the
// password come from.
func pscAuthFailed(err error, userFrom string) error {
	var std *hvc.StdError
	if !errors.As(err, &std) {
		return err
	}
	for _, m := range std.Messages {
		if m.ID == msgPSCCredentialsInvalid {
			return authErr(err, "check the foreign PSC user ("+userFrom+") and its password (HVC_PSC_PASSWORD, HVC_PSC_PASSWORD_FILE, --psc-password-stdin)")
		}
	}
	return err
}
