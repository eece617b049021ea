// Command quickstart runs the whole hybrid-link flow with the hvc SDK.
//
// With no configuration it starts an embedded simulator and runs against it:
//
//	go run ./examples/quickstart
//
// The simulator plays vCenter 8.0 (simulatorVersion): the demo syncs a
// provider, and sync providers exist only up to 8.0 (8.0U1 removed them).
//
// Against a real vCenter (or a simulator started apart: `hvcctl sim > sim.env &`
// or `hvcsim > sim.env &`, then `. ./sim.env`; both serve until stopped, so
// `eval "$(hvcsim)"` would never return), set HVC_URL, HVC_USERNAME and
// HVC_PASSWORD, plus the foreign PSC: HVC_PSC_HOSTNAME, HVC_PSC_DOMAIN,
// HVC_PSC_USERNAME, HVC_PSC_PASSWORD and HVC_PSC_THUMBPRINT, the thumbprint
// you obtained out of band and expect the PSC to present. The vCenter's
// certificate is trusted as hvcctl trusts it: HVC_INSECURE=true skips the
// check, else HVC_THUMBPRINT pins it, else its "host:port thumbprint" line
// in the HVC_TLS_KNOWN_HOSTS file, else the CA certificates in the PEM file
// HVC_TLS_CA_CERTS, else the system roots.
package main

import (
	"bufio"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/hvcsdk/hvc"
	"github.com/hvcsdk/hvc/simulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// simulatorVersion is the vSphere release the embedded simulator plays: the
// newest that still has the sync providers this demo uses.
const simulatorVersion = "8.0"

// target is where the demo runs and what it knows about the foreign PSC.
type target struct {
	about     string // printed first: what the demo runs against
	url       string
	opts      []hvc.Option
	psc       hvc.LinkCreateSpec // without SSLThumbprint
	knownPSC  string             // the thumbprint we expect the PSC to present
	pollEvery time.Duration
}

func run(ctx context.Context, out io.Writer, getenv func(string) string) error {
	t, cleanup, err := configure(getenv)
	if err != nil {
		return err
	}
	defer cleanup()
	if t.about != "" {
		fmt.Fprintln(out, t.about)
	}

	client, err := hvc.New(t.url, t.opts...)
	if err != nil {
		return err
	}
	if err := client.Login(ctx); err != nil {
		return fmt.Errorf("login: %w", err)
	}
	fmt.Fprintf(out, "logged in to %s (flavor: %s)\n", t.url, client.Flavor())
	defer func() {
		if err := client.Logout(context.WithoutCancel(ctx)); err != nil {
			fmt.Fprintln(out, "logout:", err)
		} else {
			fmt.Fprintln(out, "logged out")
		}
	}()

	linkID, err := createLink(ctx, out, client, t)
	if err != nil {
		return err
	}
	defer func() {
		if err := client.Links.Delete(context.WithoutCancel(ctx), linkID); err != nil {
			fmt.Fprintln(out, "delete link:", err)
		} else {
			fmt.Fprintf(out, "deleted link %s\n", linkID)
		}
	}()

	links, err := client.Links.List(ctx)
	if err != nil {
		return err
	}
	for _, l := range links {
		fmt.Fprintf(out, "link %s -> %s\n", l.Link, l.DisplayName)
	}

	providers, err := client.SyncProviders.List(ctx, linkID)
	if errors.Is(err, hvc.ErrOperationUnavailable) {
		// A vCenter 8.0U1 or later: it has links but no sync providers.
		fmt.Fprintln(out, "skipping the sync:", err)
		return nil
	}
	if err != nil {
		return err
	}
	if len(providers) == 0 {
		return errors.New("the link has no sync providers")
	}
	p := providers[0].Provider
	fmt.Fprintf(out, "starting sync of provider %s\n", p)
	info, err := client.SyncProviders.StartAndWait(ctx, linkID, p, nil, hvc.WaitOptions{
		PollInterval: t.pollEvery,
		OnProgress: func(pr hvc.SyncProgress) {
			fmt.Fprintf(out, "  %-19s %d/%d\n", pr.Stage, pr.CompletedWork, pr.TotalWork)
		},
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "sync %s\n", info.Status)
	return nil
}

// createLink shows the trust-on-first-use idiom by hand: create without a
// thumbprint, read the presented one from the UNVERIFIED_PEER error, compare
// it with the known value, and only then retry with it.
func createLink(ctx context.Context, out io.Writer, client *hvc.Client, t target) (string, error) {
	id, err := client.Links.Create(ctx, t.psc)
	var peer *hvc.UnverifiedPeerError
	if !errors.As(err, &peer) {
		return id, err
	}
	cert, err := peer.CertificateInfo()
	if err != nil {
		return "", err
	}
	fmt.Fprintf(out, "foreign PSC %s presents certificate %s\n", t.psc.PSCHostname, cert.SSLThumbprint)
	if !hvc.SameThumbprint(cert.SSLThumbprint, t.knownPSC) {
		return "", fmt.Errorf("refusing to link: PSC thumbprint %s is not the expected %s", cert.SSLThumbprint, t.knownPSC)
	}
	fmt.Fprintln(out, "thumbprint matches the known value; creating the link with it")
	spec := t.psc
	spec.SSLThumbprint = cert.SSLThumbprint
	id, err = client.Links.Create(ctx, spec)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(out, "created link %s\n", id)
	return id, nil
}

// configure reads the real-vCenter settings, or starts the simulator.
func configure(getenv func(string) string) (target, func(), error) {
	if u := getenv("HVC_URL"); u != "" {
		t := target{
			url:  u,
			opts: []hvc.Option{hvc.WithCredentials(getenv("HVC_USERNAME"), getenv("HVC_PASSWORD"))},
			psc: hvc.LinkCreateSpec{
				PSCHostname: getenv("HVC_PSC_HOSTNAME"), DomainName: getenv("HVC_PSC_DOMAIN"),
				Username: getenv("HVC_PSC_USERNAME"), Password: getenv("HVC_PSC_PASSWORD"),
			},
			knownPSC:  getenv("HVC_PSC_THUMBPRINT"),
			pollEvery: 2 * time.Second,
		}
		trust, err := trustFromEnv(getenv, u)
		if err != nil {
			return target{}, nil, err
		}
		t.opts = append(t.opts, trust...)
		return t, func() {}, nil
	}
	sim, err := simulator.New(simulator.WithVersion(simulatorVersion), simulator.WithSyncDuration(1500*time.Millisecond))
	if err != nil {
		return target{}, nil, err
	}
	if err := sim.Start(); err != nil {
		return target{}, nil, err
	}
	return target{
		about: fmt.Sprintf("simulator playing vCenter %s (the demo syncs a provider; sync providers exist in vSphere 6.7–8.0)", sim.Version()),
		url:   sim.URL(),
		opts: []hvc.Option{
			hvc.WithCredentials(simulator.DefaultAdminUser, simulator.DefaultAdminPassword),
			hvc.WithRootCAs(sim.CertPool()),
		},
		psc: hvc.LinkCreateSpec{
			PSCHostname: simulator.DefaultForeignPSC, DomainName: "remote.local",
			Username: simulator.DefaultForeignUser, Password: simulator.DefaultForeignPassword,
		},
		knownPSC:  simulator.DefaultForeignThumbprint,
		pollEvery: 250 * time.Millisecond,
	}, func() { _ = sim.Close() }, nil
}

// trustFromEnv chooses how to trust the vCenter at rawURL, in hvcctl's
// order: HVC_INSECURE, HVC_THUMBPRINT, the HVC_TLS_KNOWN_HOSTS line for the
// host, HVC_TLS_CA_CERTS, or (no option) the system roots.
func trustFromEnv(getenv func(string) string, rawURL string) ([]hvc.Option, error) {
	if v := getenv("HVC_INSECURE"); v != "" {
		insecure, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("HVC_INSECURE: %q is not true or false", v)
		}
		if insecure {
			return []hvc.Option{hvc.WithInsecureSkipVerify()}, nil
		}
	}
	if tp := getenv("HVC_THUMBPRINT"); tp != "" {
		return []hvc.Option{hvc.WithThumbprint(tp)}, nil
	}
	if file := getenv("HVC_TLS_KNOWN_HOSTS"); file != "" {
		tp, err := knownHost(file, rawURL)
		if err != nil {
			return nil, fmt.Errorf("HVC_TLS_KNOWN_HOSTS: %w", err)
		}
		if tp != "" {
			return []hvc.Option{hvc.WithThumbprint(tp)}, nil
		}
	}
	if file := getenv("HVC_TLS_CA_CERTS"); file != "" {
		b, err := os.ReadFile(file) //nolint:gosec // G304: the user names the CA file
		if err != nil {
			return nil, fmt.Errorf("HVC_TLS_CA_CERTS: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(b) {
			return nil, fmt.Errorf("HVC_TLS_CA_CERTS: no PEM certificate in %s", file)
		}
		return []hvc.Option{hvc.WithRootCAs(pool)}, nil
	}
	return nil, nil
}

// knownHost returns the thumbprint a known-hosts file ("host:port
// thumbprint" lines, as hvcctl and govc write them; plain "host" for port
// 443) records for the server at rawURL, the last matching line winning, or
// "" when none does.
func knownHost(file, rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", err
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = "443"
	}
	keys := []string{net.JoinHostPort(host, port)}
	if port == "443" {
		keys = append(keys, host)
	}
	f, err := os.Open(file) //nolint:gosec // G304: the user names the known-hosts file
	if err != nil {
		return "", err
	}
	defer f.Close()
	var tp string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		for _, k := range keys {
			if strings.EqualFold(fields[0], k) {
				tp = fields[1]
			}
		}
	}
	return tp, sc.Err()
}
