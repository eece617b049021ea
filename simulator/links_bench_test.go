package simulator_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hvcsdk/hvc/simulator"
)

// seedLinks creates n links through the server's handler in process
// (setup only: what is measured goes over HTTP).
func seedLinks(b *testing.B, sim *simulator.Server, n int) {
	b.Helper()
	h := sim.Handler()
	login := httptest.NewRequest(http.MethodPost, "/api/session", nil)
	login.SetBasicAuth(simulator.DefaultAdminUser, simulator.DefaultAdminPassword)
	login.Header.Set("vmware-use-header-authn", "true")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, login)
	var tok string
	if err := json.Unmarshal(rec.Body.Bytes(), &tok); err != nil {
		b.Fatalf("login: %v: %s", err, rec.Body)
	}
	for i := range n {
		body, _ := json.Marshal(spec("seed" + strconv.Itoa(i) + ".local"))
		req := httptest.NewRequest(http.MethodPost, "/api/hvc/links", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("vmware-api-session-id", tok)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			b.Fatalf("seed %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	sim.ResetRequests()
}

// BenchmarkLinkCreate measures links create over HTTP with no link yet and
// with 50,000: the time per create must not grow with the number of links
// (the domain is looked up in an index, not by a scan under the lock).
func BenchmarkLinkCreate(b *testing.B) {
	for _, existing := range []int{0, 50_000} {
		b.Run("links="+strconv.Itoa(existing), func(b *testing.B) {
			sim := simulator.Run(b, simulator.WithPlainHTTP())
			seedLinks(b, sim, existing)
			w := newWire(b, sim)
			tok := w.admin(b, apiFlavor)
			b.ResetTimer()
			for i := range b.N {
				resp := w.do(b, request{method: http.MethodPost, path: "/api/hvc/links", token: tok, body: spec("b" + strconv.Itoa(i) + ".local")})
				if resp.status != http.StatusCreated {
					b.Fatalf("create %d: %s", i, resp)
				}
			}
		})
	}
}

// TestLinkDomainIndex: the domain index stays in step with the links. A
// domain equal to an existing one without regard to case (Unicode simple
// folding, as strings.EqualFold: "K" and the Kelvin sign, "s" and "ſ") is
// ALREADY_EXISTS; once the link is deleted, or after Reset, the domain can
// be linked again.
func TestLinkDomainIndex(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t)
	w := newWire(t, sim)
	f := apiFlavor
	tok := w.admin(t, f)
	create := func(domain string) response {
		return w.do(t, request{method: http.MethodPost, path: "/api/hvc/links", token: tok, body: spec(domain)})
	}
	id := w.createLink(t, f, tok, "Kelvins.local")
	for _, same := range []string{"kelvins.local", "KELVINS.LOCAL", "\u212Aelvins.local", "kelvin\u017F.local"} {
		e := requireError(t, f, create(same), 400, "ALREADY_EXISTS")
		assert.Equal(t, "Kelvins.local", params(t, f, e.Messages[0])["domain_name"], "%q", same)
	}
	other := w.createLink(t, f, tok, "kelvin.local")
	requireVoid(t, f, w.do(t, request{method: http.MethodDelete, path: "/api/hvc/links/" + id, token: tok}))
	again := w.createLink(t, f, tok, "KELVINS.local")
	requireError(t, f, create("kelvin.LOCAL"), 400, "ALREADY_EXISTS")
	assert.Equal(t, []string{other, again}, sim.Links())
	sim.Reset()
	tok = w.admin(t, f)
	w.createLink(t, f, tok, "kelvins.local")
	w.createLink(t, f, tok, "kelvin.local")
}
