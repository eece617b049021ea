package simulator_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc/simulator"
)

// TestCookieBeforeHeader checks that the session cookie vCenter sets at
// login is looked at before the vmware-api-session-id header, as the vAPI
// REST handler does: a live cookie wins over a bad header, and a dead cookie
// is not rescued by a good header.
func TestCookieBeforeHeader(t *testing.T) {
	t.Parallel()
	for _, f := range flavors {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			sim := simulator.Run(t)
			w := newWire(t, sim)
			resp := w.do(t, request{method: http.MethodPost, path: f.sessionPath,
				user: simulator.DefaultAdminUser, pass: simulator.DefaultAdminPassword})
			require.Equal(t, f.created, resp.status, "%s", resp)
			var cookie *http.Cookie
			for _, c := range (&http.Response{Header: resp.header}).Cookies() {
				if c.Name == "vmware-api-session-id" {
					cookie = c
				}
			}
			require.NotNil(t, cookie, "login set no session cookie")
			good := cookie.Value
			const bad = "0123456789abcdef0123456789abcdef"
			list := func(cookieVal, headerVal string) response {
				return w.do(t, request{method: http.MethodGet, path: f.prefix + "/hvc/links", token: headerVal,
					header: map[string]string{"Cookie": "vmware-api-session-id=" + cookieVal}})
			}
			assert.Equal(t, http.StatusOK, list(good, bad).status, "a live cookie must win over a bad header")
			requireError(t, f, list(bad, good), http.StatusUnauthorized, "UNAUTHENTICATED")
		})
	}
}
