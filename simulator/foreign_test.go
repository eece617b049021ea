package simulator_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc/simulator"
)

// TestForeignPSCCredentials: links create and delete with credentials log in
// to the foreign PSC, so wrong credentials fail as on vCenter (ERROR 500,
// the one declared error of both operations that fits; the link is neither
// created nor deleted), right ones pass; WithForeignPSCCredentials sets a
// PSC's credentials and the user name is compared without case.
func TestForeignPSCCredentials(t *testing.T) {
	t.Parallel()
	const otherPSC = "psc.other.example"
	sim := simulator.Run(t, simulator.WithVersion("8.0U1"),
		simulator.WithForeignPSC(otherPSC, simulator.DefaultForeignThumbprint),
		simulator.WithForeignPSCCredentials(otherPSC, "root@other.local", "0ther!pw"))
	w := newWire(t, sim)
	for _, f := range flavors {
		tok := w.admin(t, f)
		for i, tc := range []struct {
			name, host, user, pass string
			ok                     bool
		}{
			{"default PSC, default credentials", simulator.DefaultForeignPSC, simulator.DefaultForeignUser, simulator.DefaultForeignPassword, true},
			{"user name in another case", simulator.DefaultForeignPSC, strings.ToUpper(simulator.DefaultForeignUser), simulator.DefaultForeignPassword, true},
			{"wrong password", simulator.DefaultForeignPSC, simulator.DefaultForeignUser, "Wr0ng-pw!", false},
			{"password in another case", simulator.DefaultForeignPSC, simulator.DefaultForeignUser, strings.ToLower(simulator.DefaultForeignPassword), false},
			{"wrong user", simulator.DefaultForeignPSC, "u", simulator.DefaultForeignPassword, false},
			{"other PSC, its credentials", otherPSC, "root@other.local", "0ther!pw", true},
			{"other PSC, the default credentials", otherPSC, simulator.DefaultForeignUser, simulator.DefaultForeignPassword, false},
		} {
			s := spec(f.name + "-" + string(rune('a'+i)) + ".local")
			s["psc_hostname"], s["username"], s["password"] = tc.host, tc.user, tc.pass
			resp := w.do(t, request{method: http.MethodPost, path: f.prefix + "/hvc/links", token: tok, body: createBody(f, s)})
			if tc.ok {
				assert.Equal(t, f.created, resp.status, "%s %s: %s", f.name, tc.name, resp)
				continue
			}
			e := requireError(t, f, resp, http.StatusInternalServerError, "ERROR")
			require.NotEmpty(t, e.Messages, "%s %s", f.name, tc.name)
			assert.Equal(t, "com.vmware.vcenter.hvc.links.credentials.invalid", e.Messages[0].ID, "%s %s", f.name, tc.name)
			assert.Contains(t, e.Messages[0].DefaultMessage, tc.host, "%s %s", f.name, tc.name)
			assert.NotContains(t, string(resp.body), tc.pass, "%s %s: the password is echoed", f.name, tc.name)
		}
	}
	require.Len(t, sim.Links(), 6)

	// Delete with credentials logs in to the link's PSC too.
	f := apiFlavor
	tok := w.admin(t, f)
	link := sim.Links()[0]
	del := func(user, pass string) response {
		return w.do(t, request{method: http.MethodPost, path: f.prefix + "/hvc/links/" + link + "?action=delete", token: tok,
			body: map[string]any{"credentials": map[string]string{"user_name": user, "password": pass}}})
	}
	resp := del(simulator.DefaultForeignUser, "wrong")
	e := requireError(t, f, resp, http.StatusInternalServerError, "ERROR")
	assert.Equal(t, "com.vmware.vcenter.hvc.links.credentials.invalid", e.Messages[0].ID)
	assert.Contains(t, sim.Links(), link, "a refused delete deleted the link")
	resp = del(simulator.DefaultForeignUser, simulator.DefaultForeignPassword)
	assert.Equal(t, f.void, resp.status, "%s", resp)
	assert.NotContains(t, sim.Links(), link)
}

// TestWithForeignPSCCredentialsRejects: the option needs a known PSC, a user
// name and a password.
func TestWithForeignPSCCredentialsRejects(t *testing.T) {
	t.Parallel()
	for _, o := range []simulator.Option{
		simulator.WithForeignPSCCredentials("psc.unknown.example", "u", "p"),
		simulator.WithForeignPSCCredentials(simulator.DefaultForeignPSC, "", "p"),
		simulator.WithForeignPSCCredentials(simulator.DefaultForeignPSC, "u", ""),
	} {
		_, err := simulator.New(o)
		assert.Error(t, err)
	}
}
