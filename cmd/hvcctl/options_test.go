package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hvcsdk/hvc"
	"github.com/hvcsdk/hvc/simulator"
)

// testApp is an app whose streams are buffers and whose environment is
// empty, for unit tests of the options types; output is -o's value.
func testApp(output string) (a *app, stdout, stderr *bytes.Buffer) {
	stdout, stderr = &bytes.Buffer{}, &bytes.Buffer{}
	a = &app{stdin: strings.NewReader(""), stdout: stdout, stderr: stderr,
		lookupEnv: func(string) (string, bool) { return "", false }, ctx: context.Background()}
	a.stdinReader = bufio.NewReader(a.stdin)
	a.g.output = output
	return a, stdout, stderr
}

// simClient is a client of sim, as administrator.
func simClient(t *testing.T, sim *simulator.Server) *hvc.Client {
	t.Helper()
	c, err := hvc.New(sim.URL(), hvc.WithCredentials(simulator.DefaultAdminUser, simulator.DefaultAdminPassword), hvc.WithRootCAs(sim.CertPool()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// groupsOf returns the administrator groups on the server.
func groupsOf(t *testing.T, c *hvc.Client) []string {
	t.Helper()
	g, err := c.Administrators.Get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestAdminOptions runs admin add, rm and set in-process: what validate
// refuses is never sent, rm of an absent group is exit 4 and changes
// nothing, set warns before it removes Administrators@vsphere.local and
// refuses without a terminal or --yes.
func TestAdminOptions(t *testing.T) {
	t.Parallel()
	for _, o := range []options{
		&adminOptions{verb: "add", group: "nodomain"},
		&adminOptions{verb: "rm", group: "@vsphere.local"},
		&adminSetOptions{groups: []string{"Ops@vsphere.local", "ops"}},
		&adminSetOptions{groups: []string{"Ops@vsphere.local"}, none: true},
		&adminSetOptions{},
	} {
		if err := o.validate(); exitCode(err) != exitUsage {
			t.Errorf("%+v: validate: %v", o, err)
		}
	}
	sim := simulator.Run(t)
	c := simClient(t, sim)
	ctx := context.Background()

	a, stdout, _ := testApp("json")
	err := (&adminOptions{app: a, verb: "rm", group: "Nobody@vsphere.local"}).run(ctx, c)
	if exitCode(err) != exitNotFound || stdout.Len() != 0 || !strings.Contains(err.Error(), "not an administrator group") {
		t.Errorf("rm absent: %v, stdout %q", err, stdout)
	}

	a, _, stderr := testApp("table")
	err = (&adminSetOptions{app: a, groups: []string{"Ops@vsphere.local"}}).run(ctx, c)
	if exitCode(err) != exitUsage || !strings.Contains(stderr.String(), "warning: this removes "+builtinAdmins) {
		t.Errorf("set without --yes: %v, stderr %q", err, stderr)
	}
	if g := groupsOf(t, c); len(g) != 1 || g[0] != builtinAdmins {
		t.Errorf("groups after a refused set: %v", g)
	}

	a, stdout, _ = testApp("json")
	if err := (&adminSetOptions{app: a, groups: []string{builtinAdmins, "Ops@vsphere.local"}, yes: true}).run(ctx, c); err != nil {
		t.Fatal(err)
	}
	var out adminsOut
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil || len(out.GroupNames) != 2 {
		t.Errorf("set: %q (%v)", stdout, err)
	}
}

// simLink creates a link on sim through c and returns its id.
func simLink(t *testing.T, c *hvc.Client) string {
	t.Helper()
	id, err := c.Links.Create(context.Background(), hvc.LinkCreateSpec{PSCHostname: simulator.DefaultForeignPSC,
		DomainName: simulator.DefaultForeignDomain, Username: simulator.DefaultForeignUser,
		Password: simulator.DefaultForeignPassword, SSLThumbprint: simulator.DefaultForeignThumbprint})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestSyncStartOptions runs sync start in-process: validate refuses a
// provider named twice and a non-positive poll interval; an unknown
// provider starts nothing; a busy provider is reported next to the one
// that started; join waits for the running sync.
func TestSyncStartOptions(t *testing.T) {
	t.Parallel()
	poll := waitFlags{poll: 10 * time.Millisecond}
	for _, o := range []*syncStartOptions{
		{providers: []string{"identity", "identity"}, wf: poll},
		{providers: []string{"identity"}},
	} {
		if err := o.validate(); exitCode(err) != exitUsage {
			t.Errorf("%+v: validate: %v", o, err)
		}
	}
	sim := simulator.Run(t, simulator.WithSyncStepPerPoll())
	c := simClient(t, sim)
	link := simLink(t, c)
	ctx := context.Background()
	running := func(prov string) bool {
		t.Helper()
		info, err := c.SyncProviders.Get(ctx, link, prov)
		if err != nil {
			t.Fatal(err)
		}
		return info.CurrentSessionInfo != nil
	}

	for _, wait := range []bool{false, true} {
		a, stdout, _ := testApp("json")
		err := (&syncStartOptions{app: a, link: link, providers: []string{"identity", "nosuch"}, wait: wait, wf: poll}).run(ctx, c)
		if exitCode(err) != exitNotFound || stdout.Len() != 0 || running("identity") {
			t.Errorf("wait %v: %v, stdout %q, identity running %v", wait, err, stdout, running("identity"))
		}
	}

	a, _, _ := testApp("json")
	if err := (&syncStartOptions{app: a, link: link, providers: []string{"identity"}, wf: poll}).run(ctx, c); err != nil {
		t.Fatal(err)
	}
	a, stdout, _ := testApp("json")
	err := (&syncStartOptions{app: a, link: link, providers: []string{"identity", "authorization"}, wf: poll}).run(ctx, c)
	var out []syncStartedOut
	if jerr := json.Unmarshal(stdout.Bytes(), &out); exitCode(err) != exitBusy || jerr != nil || len(out) != 2 ||
		out[0].Started || out[0].Error == nil || !out[1].Started {
		t.Errorf("busy: %v, stdout %q", err, stdout)
	}

	a, stdout, _ = testApp("json")
	if err := (&syncStartOptions{app: a, link: link, providers: []string{"identity"}, wait: true, join: true, wf: poll}).run(ctx, c); err != nil {
		t.Fatalf("join: %v", err)
	}
	var states []providerOut
	if err := json.Unmarshal(stdout.Bytes(), &states); err != nil || len(states) != 1 || states[0].Status != "SUCCEEDED" {
		t.Errorf("join: stdout %q (%v)", stdout, err)
	}
}

// TestLinkOptions runs the link commands in-process: validate refuses
// missing or malformed PSC settings before any I/O, and whole command
// lines run through the app's streams and environment against an
// in-process simulator, without the binary.
func TestLinkOptions(t *testing.T) {
	t.Parallel()
	full := pscFlags{host: "psc.example", domain: "d.local", user: "u@d.local"}
	cases := []struct {
		psc  pscFlags
		want string
	}{
		{pscFlags{}, "link create needs --psc-host [HVC_PSC_HOSTNAME], --psc-domain [HVC_PSC_DOMAIN], --psc-user [HVC_PSC_USERNAME]"},
		{pscFlags{host: full.host, domain: full.domain, user: full.user, port: "0"}, `--psc-port "0": not a port number`},
		{pscFlags{host: full.host, domain: full.domain, user: full.user, thumbprint: "AB:CD"}, `HVC_PSC_THUMBPRINT="AB:CD": not a certificate thumbprint`},
	}
	for _, c := range cases {
		err := (&linkCreateOptions{psc: c.psc}).validate()
		if exitCode(err) != exitUsage || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.psc, err, c.want)
		}
	}
	if err := (&linkCreateOptions{psc: full}).validate(); err != nil {
		t.Errorf("complete settings: %v", err)
	}

	sim, e := startSim(t)
	r := runInProcess(t, e, "", "link", "create", "-o", "json")
	if r.code != exitOK || !strings.Contains(r.stdout, `"link": "link-1"`) {
		t.Fatalf("link create: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runInProcess(t, e.with("HVC_PSC_PASSWORD", "wrong-password"), "", "link", "create", "--psc-domain", "two.local")
	if r.code != exitAuth || !strings.Contains(r.stderr, "check the foreign PSC user") {
		t.Errorf("wrong PSC password: exit %d, stderr %q", r.code, r.stderr)
	}
	r = runInProcess(t, e, "", "link", "rm", "link-1")
	if r.code != exitUsage || !strings.Contains(r.stderr, "pass --yes") {
		t.Errorf("link rm without a terminal: exit %d, stderr %q", r.code, r.stderr)
	}
	a, out, _ := testApp("json")
	if err := (&linkReadOptions{app: a}).run(context.Background(), simClient(t, sim)); err != nil || !strings.Contains(out.String(), `"display_name": "foreign.local"`) {
		t.Errorf("link ls: %v, stdout %q", err, out)
	}
}

// TestSyncStartKeepsEveryProvidersAnswer: when one provider is busy and
// the start of the next is interrupted after it reached the server, the
// joined error still exits 8 (outcome unknown) and reports both hints.
func TestSyncStartKeepsEveryProvidersAnswer(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t, simulator.WithSyncStepPerPoll())
	c := simClient(t, sim)
	link := simLink(t, c)
	if err := c.SyncProviders.Start(context.Background(), link, "identity", nil); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	applied := applyThenStall(t, sim, simulator.Fault{Method: "POST", Path: "/hvc/links/*/sync/providers/authorization", Action: "start"})
	go func() {
		<-applied
		cancel()
	}()
	a, _, _ := testApp("table")
	err := (&syncStartOptions{app: a, link: link, providers: []string{"identity", "authorization"}, wf: waitFlags{poll: time.Millisecond}}).run(ctx, c)
	hints := strings.Join(describe(err).Hints, "\n")
	if exitCode(err) != exitOutcomeUnknown || !strings.Contains(hints, "hvcctl sync wait "+link+" identity") ||
		!strings.Contains(hints, "check with: hvcctl sync get "+link+" authorization") {
		t.Errorf("exit %d, hints %q, err %v", exitCode(err), hints, err)
	}
}
