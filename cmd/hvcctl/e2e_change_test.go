package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/hvcsdk/hvc/simulator"
)

// applyThenStall makes the next request matching f be applied by the
// simulator and then get no reply: the returned channel is closed once the
// change is applied, and the connection is closed when the client goes
// away. It is a vCenter that did the work and whose reply was lost.
func applyThenStall(t *testing.T, sim *simulator.Server, f simulator.Fault) <-chan struct{} {
	t.Helper()
	applied := make(chan struct{})
	f.Times = 1
	f.Respond = func(w http.ResponseWriter, r *http.Request) {
		sim.Handler().ServeHTTP(httptest.NewRecorder(), r) // the fault is used up: this is the real route
		close(applied)
		select {
		case <-r.Context().Done():
		case <-time.After(20 * time.Second):
		}
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
			}
		}
	}
	if _, err := sim.AddFault(f); err != nil {
		t.Fatal(err)
	}
	return applied
}

// signalWhen runs hvcctl with args, sends sig once ready is closed, and
// returns what it wrote and its exit code.
func signalWhen(t *testing.T, e env, ready <-chan struct{}, sig os.Signal, args ...string) result {
	t.Helper()
	return runHvcctl(t, e, "", func(p *os.Process) {
		select {
		case <-ready:
		case <-time.After(20 * time.Second):
			t.Errorf("hvcctl %s: the request never reached the simulator", strings.Join(args, " "))
		}
		if err := p.Signal(sig); err != nil {
			t.Error(err)
		}
	}, args...)
}

// TestInterruptedChangeReportsOutcomeUnknown: a change interrupted
// (SIGINT, SIGTERM), timed out or left without a reply after its request
// reached the server exits 8 and names the command that shows whether it
// was applied; an interrupt before the change was sent stays exit 130.
func TestInterruptedChangeReportsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	t.Run("SIGINT during link create", func(t *testing.T) {
		t.Parallel()
		sim, e := startSim(t)
		applied := applyThenStall(t, sim, simulator.Fault{Method: "POST", Path: "/hvc/links"})
		r := signalWhen(t, e, applied, syscall.SIGINT, "link", "create")
		if r.code != exitOutcomeUnknown || !strings.Contains(r.stderr, "create link to "+simulator.DefaultForeignPSC+": outcome unknown: the request was sent and interrupted") ||
			!strings.Contains(r.stderr, "hvcctl: check with: hvcctl link ls\n") {
			t.Errorf("exit %d, stderr %q", r.code, r.stderr)
		}
		// The link was created, as the message allows.
		if ls := mustRun(t, e, 0, "link", "ls"); !strings.Contains(ls.stdout, "link-1") {
			t.Errorf("link ls: %q", ls.stdout)
		}
	})
	t.Run("SIGTERM during admin set, -o json", func(t *testing.T) {
		t.Parallel()
		sim, e := startSim(t)
		applied := applyThenStall(t, sim, simulator.Fault{Method: "PUT", Path: "/hvc/management/administrators"})
		r := signalWhen(t, e, applied, syscall.SIGTERM, "admin", "set", builtinAdmins, "Ops@vsphere.local", "--yes", "-o", "json")
		var je struct {
			Error jsonErrorBody `json:"error"`
		}
		if err := json.Unmarshal([]byte(r.stderr), &je); err != nil {
			t.Fatalf("%v: %q", err, r.stderr)
		}
		if r.code != exitOutcomeUnknown || je.Error.ExitCode != exitOutcomeUnknown || je.Error.ErrorType != "OUTCOME_UNKNOWN" ||
			je.Error.Data["check"] != "hvcctl admin ls" || je.Error.Operation != "set administrator groups" {
			t.Errorf("exit %d, error %+v", r.code, je.Error)
		}
	})
	t.Run("--timeout during link rm", func(t *testing.T) {
		t.Parallel()
		sim, e := startSim(t)
		mustRun(t, e, 0, "link", "create")
		applyThenStall(t, sim, simulator.Fault{Method: "DELETE", Path: "/hvc/links/*"})
		r := mustRun(t, e, exitOutcomeUnknown, "link", "rm", "link-1", "--yes", "--timeout", "2s")
		if !strings.Contains(r.stderr, "delete link link-1: outcome unknown: the request was sent and timed out") {
			t.Errorf("stderr %q", r.stderr)
		}
	})
	t.Run("lost reply of sync start", func(t *testing.T) {
		t.Parallel()
		sim, e := startSim(t)
		mustRun(t, e, 0, "link", "create")
		if _, err := sim.AddFault(simulator.Fault{Method: "POST", Path: "/hvc/links/*/sync/providers/*", Action: "start", Drop: true, Times: 1}); err != nil {
			t.Fatal(err)
		}
		r := mustRun(t, e, exitOutcomeUnknown, "sync", "start", "link-1", "identity")
		if !strings.Contains(r.stderr, "outcome unknown: the request was sent and the connection failed before the reply came") ||
			!strings.Contains(r.stderr, "check with: hvcctl sync get link-1 identity") {
			t.Errorf("stderr %q", r.stderr)
		}
	})
	t.Run("SIGINT while start --wait polls", func(t *testing.T) {
		t.Parallel()
		sim, e := startSim(t, simulator.WithSyncDuration(time.Minute))
		mustRun(t, e, 0, "link", "create")
		polled := applyThenStall(t, sim, simulator.Fault{Method: "GET", Path: "/hvc/links/*/sync/providers/identity"})
		r := signalWhen(t, e, polled, syscall.SIGINT, "sync", "start", "link-1", "identity", "--wait", "--poll-interval", "10ms")
		if r.code != exitInterrupted || !strings.Contains(r.stderr, "stopped waiting; the sync goes on on the server") ||
			strings.Contains(r.stderr, "not sent") || strings.Contains(r.stderr, "outcome unknown") {
			t.Errorf("exit %d, stderr %q", r.code, r.stderr)
		}
	})
	t.Run("SIGINT during the login before a create", func(t *testing.T) {
		t.Parallel()
		sim, e := startSim(t)
		arrived := make(chan struct{})
		if _, err := sim.AddFault(simulator.Fault{Method: "POST", Path: "/api/session", Times: 1, Respond: func(w http.ResponseWriter, r *http.Request) {
			close(arrived)
			<-r.Context().Done()
		}}); err != nil {
			t.Fatal(err)
		}
		r := signalWhen(t, e, arrived, syscall.SIGINT, "link", "create")
		// With a session cache the login runs before the command (under
		// the cache's lock), so the interrupt reaches no change at all.
		if r.code != exitInterrupted || strings.Contains(r.stderr, "outcome unknown") || !strings.Contains(r.stderr, "interrupted") {
			t.Errorf("exit %d, stderr %q", r.code, r.stderr)
		}
		if ls := mustRun(t, e, 0, "link", "ls"); strings.Contains(ls.stdout, "link-1") {
			t.Errorf("a link was created: %q", ls.stdout)
		}
	})
}

// TestSyncStartChecksProvidersAndReportsEach: sync start checks every
// provider before it starts any (with and without --wait), reports each
// provider's result with its error, hints "sync wait" when a sync is
// busy, and --join waits for a running sync instead of failing busy.
func TestSyncStartChecksProvidersAndReportsEach(t *testing.T) {
	t.Parallel()
	_, e := startSim(t, simulator.WithSyncStepPerPoll())
	mustRun(t, e, 0, "link", "create")
	idle := func() {
		t.Helper()
		for _, prov := range []string{"identity", "authorization"} {
			r := mustRun(t, e, 0, "sync", "get", "link-1", prov, "-o", "json")
			if !strings.Contains(r.stdout, `"current_session_info": null`) {
				t.Fatalf("the sync of %s was started: %s", prov, r.stdout)
			}
		}
	}
	for _, wait := range [][]string{nil, {"--wait", "--poll-interval", "10ms"}} {
		r := mustRun(t, e, exitNotFound, append([]string{"sync", "start", "link-1", "identity", "nosuch", "authorization"}, wait...)...)
		if !strings.Contains(r.stderr, "link link-1 has no sync provider nosuch; no sync was started") ||
			!strings.Contains(r.stderr, "its providers: identity, authorization") || r.stdout != "" {
			t.Errorf("%v: stdout %q, stderr %q", wait, r.stdout, r.stderr)
		}
		idle()
	}
	mustRun(t, e, 0, "sync", "start", "link-1", "identity")
	busyHint := "wait for the running sync with: hvcctl sync wait link-1 identity"

	// --wait: identity is busy, authorization runs to its end; its final
	// state is printed all the same.
	r := mustRun(t, e, exitBusy, "sync", "start", "link-1", "identity", "authorization", "--wait", "--poll-interval", "10ms", "-o", "json")
	var states []providerOut
	if err := json.Unmarshal([]byte(r.stdout), &states); err != nil || len(states) != 1 || states[0].Provider != "authorization" || states[0].Status != "SUCCEEDED" {
		t.Errorf("stdout %q (%v)", r.stdout, err)
	}
	if !strings.Contains(r.stderr, busyHint) {
		t.Errorf("stderr %q", r.stderr)
	}

	// Without --wait: one result per provider, with the error of the busy one.
	r = mustRun(t, e, exitBusy, "sync", "start", "link-1", "identity", "authorization", "-o", "json")
	var started []syncStartedOut
	if err := json.Unmarshal([]byte(r.stdout), &started); err != nil || len(started) != 2 {
		t.Fatalf("stdout %q (%v)", r.stdout, err)
	}
	if started[0].Started || started[0].Error == nil || !strings.Contains(*started[0].Error, "RESOURCE_BUSY") ||
		!started[1].Started || started[1].Error != nil {
		t.Errorf("results %+v", started)
	}
	if !strings.Contains(r.stderr, busyHint) {
		t.Errorf("stderr %q", r.stderr)
	}

	// --join waits for the running sync.
	r = mustRun(t, e, 0, "sync", "start", "link-1", "identity", "--join", "--poll-interval", "10ms")
	if !strings.Contains(r.stdout, "SUCCEEDED") {
		t.Errorf("--join: stdout %q", r.stdout)
	}
	mustRun(t, e, exitUsage, "sync", "start", "link-1", "identity", "identity")
}

// TestForcedFlavorSameAnswerWithAndWithoutCache: on a vCenter without the
// /api flavor (7.0U1), --flavor api gives the same answer (exit 2 and the
// hint) whether or not a /rest session is cached, and the cached session
// still serves the commands that do not force the flavor.
func TestForcedFlavorSameAnswerWithAndWithoutCache(t *testing.T) {
	t.Parallel()
	sim, e := startSim(t, simulator.WithVersion("7.0U1"))
	uncached := mustRun(t, e, exitUsage, "link", "ls", "--flavor", "api", "--persist-session=false")
	mustRun(t, e, 0, "link", "ls") // caches a /rest session
	cached := mustRun(t, e, exitUsage, "link", "ls", "--flavor", "api")
	// The same error and hint; only the first line's context differs (with
	// a cache the login runs before the command, as "log in as USER").
	detail := func(s string) string { _, rest, _ := strings.Cut(s, "NOT_FOUND"); return rest }
	if detail(cached.stderr) != detail(uncached.stderr) || !strings.Contains(cached.stderr, "use --flavor auto or --flavor rest") {
		t.Errorf("with the cache: %q\nwithout: %q", cached.stderr, uncached.stderr)
	}
	logins := sim.LoginCount()
	mustRun(t, e, 0, "link", "ls")
	if sim.LoginCount() != logins {
		t.Error("the cached /rest session was dropped")
	}
}

// TestAdminAndPSCPasswordAnswers: a wrong foreign PSC password is exit 3
// with what to check; admin rm of an absent group says so (exit 4) and
// removes nothing; admin set warns when it removes
// Administrators@vsphere.local, also with --yes; groups and --none
// together are named as conflicting, with one "hvcctl:" prefix.
func TestAdminAndPSCPasswordAnswers(t *testing.T) {
	t.Parallel()
	t.Run("foreign PSC password", func(t *testing.T) {
		t.Parallel()
		_, e := startSim(t, simulator.WithVersion("8.0U1"))
		wrongPSC := e.with("HVC_PSC_PASSWORD", "wrong-password")
		r := mustRun(t, wrongPSC, exitAuth, "link", "create")
		if !strings.Contains(r.stderr, "check the foreign PSC user (--psc-user, HVC_PSC_USERNAME) and its password (HVC_PSC_PASSWORD") {
			t.Errorf("link create: stderr %q", r.stderr)
		}
		mustRun(t, e, 0, "link", "create")
		r = mustRun(t, wrongPSC, exitAuth, "link", "rm", "link-1", "--yes", "--psc-user", "administrator@foreign.local")
		if !strings.Contains(r.stderr, "check the foreign PSC user (--psc-user) and its password") {
			t.Errorf("link rm: stderr %q", r.stderr)
		}
	})
	t.Run("admin", func(t *testing.T) {
		t.Parallel()
		sim, e := startSim(t)
		before := len(sim.Requests())
		r := mustRun(t, e, exitUsage, "admin", "add", "nodomain")
		if n := len(sim.Requests()) - before; n != 0 || !strings.Contains(r.stderr, `group "nodomain": a group name has the form group@domain`) {
			t.Errorf("admin add nodomain: %d requests, stderr %q", n, r.stderr)
		}
		r = mustRun(t, e, exitNotFound, "admin", "rm", "Nobody@vsphere.local")
		if !strings.Contains(r.stderr, "hvcctl: remove administrator group Nobody@vsphere.local: it is not an administrator group; nothing was removed\n") ||
			!strings.Contains(r.stderr, "the groups are: "+builtinAdmins) {
			t.Errorf("admin rm: stderr %q", r.stderr)
		}
		r = mustRun(t, e, 0, "admin", "set", "Ops@vsphere.local", "--yes")
		if !strings.Contains(r.stderr, "hvcctl: warning: this removes "+builtinAdmins) {
			t.Errorf("admin set: stderr %q", r.stderr)
		}
		r = mustRun(t, e, exitUsage, "admin", "set", "Ops@vsphere.local", "--none")
		if r.stderr != "hvcctl: admin set: conflicting arguments: --none and the groups Ops@vsphere.local; give one or the other\n" {
			t.Errorf("admin set --none: stderr %q", r.stderr)
		}
	})
}

// TestCompletionOfEnumsAndGroups: -o, --flavor, sim --vcenter-version and
// admin rm GROUP complete their values (the groups from the server), and
// no argument completes to file names.
func TestCompletionOfEnumsAndGroups(t *testing.T) {
	t.Parallel()
	_, e := startSim(t)
	noFiles := ":" + strconv.Itoa(int(cobra.ShellCompDirectiveNoFileComp)) + "\n"
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"link", "ls", "-o", ""}, "table\njson\nyaml\n" + noFiles},
		{[]string{"admin", "ls", "--flavor", ""}, "auto\napi\nrest\n" + noFiles},
		{[]string{"sim", "--vcenter-version", ""}, strings.Join(simulator.Versions(), "\n") + "\n" + noFiles},
		{[]string{"admin", "rm", ""}, "Administrators@vsphere.local\n" + noFiles},
		{[]string{"admin", "add", ""}, noFiles},
		{[]string{"link", "ls", ""}, noFiles},
	}
	for _, c := range cases {
		r := mustRun(t, e, 0, append([]string{"__complete"}, c.args...)...)
		if !strings.HasPrefix(r.stdout, c.want) {
			t.Errorf("complete %q: %q, want %q", c.args, r.stdout, c.want)
		}
	}
}
