package hvc_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc"
	"github.com/hvcsdk/hvc/simulator"
)

// createBodies is a TLS front for a simulator that records the bodies of
// link creates.
type createBodies struct {
	mu     sync.Mutex
	bodies []map[string]any
}

func (cb *createBodies) front(t *testing.T, sim *simulator.Server) *httptest.Server {
	next := sim.Handler()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && (r.URL.Path == "/api/hvc/links" || r.URL.Path == "/rest/hvc/links") {
			b, _ := io.ReadAll(r.Body)
			var m map[string]any
			_ = json.Unmarshal(b, &m)
			if spec, ok := m["spec"].(map[string]any); ok {
				m = spec
			}
			cb.mu.Lock()
			cb.bodies = append(cb.bodies, m)
			cb.mu.Unlock()
			r.Body = io.NopCloser(bytes.NewReader(b))
		}
		next.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestCreateTrustingPinsCertificate: on vSphere 9.0, whose UNVERIFIED_PEER
// data carries the PSC's certificate, CreateTrusting hands it to trust and
// creates again pinned by that certificate (ssl_certificate), not by the
// deprecated thumbprint; before 9.0 it pins by thumbprint as before.
func TestCreateTrustingPinsCertificate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		version string
		cert    bool
	}{{"9.0", true}, {"8.0U1", false}} {
		for _, f := range []hvc.Flavor{hvc.FlavorAPI, hvc.FlavorREST} {
			t.Run(tc.version+"/"+f.String(), func(t *testing.T) {
				t.Parallel()
				sim := simulator.Run(t, simulator.WithVersion(tc.version))
				var cb createBodies
				front := cb.front(t, sim)
				c, err := hvc.New(front.URL, hvc.WithCredentials(simulator.DefaultAdminUser, simulator.DefaultAdminPassword),
					hvc.WithThumbprint(thumbprintOf(front.Certificate().Raw)), hvc.WithFlavor(f))
				require.NoError(t, err)

				var seen hvc.CertificateInfo
				id, err := c.Links.CreateTrusting(context.Background(), foreignSpec("remote.local"), func(ci hvc.CertificateInfo) (bool, error) {
					seen = ci
					return hvc.SameThumbprint(ci.SSLThumbprint, simulator.DefaultForeignThumbprint), nil
				})
				require.NoError(t, err)
				assert.NotEmpty(t, id)
				require.Len(t, cb.bodies, 2)
				pinned := cb.bodies[1]
				if tc.cert {
					assert.Equal(t, simulator.DefaultForeignCertificate, seen.SSLCertificate)
					assert.Equal(t, simulator.DefaultForeignCertificate, pinned["ssl_certificate"])
					assert.NotContains(t, pinned, "ssl_thumbprint")
				} else {
					assert.Empty(t, seen.SSLCertificate)
					assert.NotContains(t, pinned, "ssl_certificate")
					assert.True(t, hvc.SameThumbprint(simulator.DefaultForeignThumbprint, pinned["ssl_thumbprint"].(string)))
				}
			})
		}
	}
}

// TestSSLCertificateValidation: a spec's SSLCertificate must be one PEM
// certificate; anything else fails locally and nothing is sent. On 9.0 a
// valid one is sent and trusted; before 9.0 the server refuses the field.
func TestSSLCertificateValidation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, c := simClient(t, []simulator.Option{simulator.WithVersion("9.0")})
	require.NoError(t, c.Login(ctx))
	before := len(sim.Requests())
	for _, bad := range []string{"not a certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
		"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", simulator.DefaultForeignCertificate + simulator.DefaultForeignCertificate} {
		spec := foreignSpec("bad.local")
		spec.SSLCertificate = bad
		_, err := c.Links.Create(ctx, spec)
		require.ErrorIs(t, err, hvc.ErrInvalidArgument, "%q", bad)
		assert.Contains(t, err.Error(), "spec.ssl_certificate")
	}
	assert.Len(t, sim.Requests(), before, "local validation sends nothing")

	spec := foreignSpec("good.local")
	spec.SSLCertificate = simulator.DefaultForeignCertificate
	_, err := c.Links.Create(ctx, spec)
	require.NoError(t, err)

	_, old := simClient(t, []simulator.Option{simulator.WithVersion("8.0U3")})
	_, err = old.Links.Create(ctx, spec)
	require.ErrorIs(t, err, hvc.ErrUnexpectedInput, "8.0U3 has no ssl_certificate")
}

// thumbprintOf is the hex SHA-256 digest of a DER certificate.
func thumbprintOf(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// TestCreateTrustingCertificateMismatch: a server whose UNVERIFIED_PEER data
// pairs the known thumbprint with another certificate is refused before
// trust is asked, and nothing is created.
func TestCreateTrustingCertificateMismatch(t *testing.T) {
	t.Parallel()
	sim, c := simClient(t, []simulator.Option{simulator.WithVersion("9.0")}, hvc.WithFlavor(hvc.FlavorAPI))
	other := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: sim.Certificate().Raw}))
	data, err := json.Marshal(map[string]any{"error_type": "UNVERIFIED_PEER",
		"messages": []map[string]any{{"id": "x", "default_message": "unverified", "args": []string{}}},
		"data":     map[string]string{"ssl_thumbprint": simulator.DefaultForeignThumbprint, "ssl_certificate": other}})
	require.NoError(t, err)
	mustFault(t, sim, simulator.Fault{Method: http.MethodPost, Path: "/api/hvc/links", Status: 400, Body: data, Times: 1})
	asked := false
	_, err = c.Links.CreateTrusting(context.Background(), foreignSpec("remote.local"), func(hvc.CertificateInfo) (bool, error) {
		asked = true
		return true, nil
	})
	require.ErrorIs(t, err, hvc.ErrUnverifiedPeer)
	assert.Contains(t, err.Error(), "does not match ssl_thumbprint")
	assert.False(t, asked)
	assert.Empty(t, sim.Links())
}

func fullSpec() hvc.LinkCreateSpec {
	return hvc.LinkCreateSpec{
		PSCHostname:   "psc.remote.example",
		Port:          "8443",
		DomainName:    "remote.local",
		Username:      "administrator@remote.local",
		Password:      "Pa55-w0rd!",
		SSLThumbprint: mockThumbprint,
		AdminGroups:   []string{"admins@remote.local", "ops@remote.local"},
	}
}

const fullSpecJSON = `{"psc_hostname":"psc.remote.example","port":"8443","domain_name":"remote.local",
	"username":"administrator@remote.local","password":"Pa55-w0rd!",
	"ssl_thumbprint":"` + mockThumbprint + `","admin_groups":["admins@remote.local","ops@remote.local"]}`

func minimalSpec() hvc.LinkCreateSpec {
	return hvc.LinkCreateSpec{PSCHostname: "psc.remote.example", DomainName: "remote.local",
		Username: "administrator@remote.local", Password: "Pa55-w0rd!"}
}

// TestWireMinimalSpecOmitsOptionals checks member by member that unset
// optional fields are absent, not null or "".
func TestWireMinimalSpecOmitsOptionals(t *testing.T) {
	t.Parallel()
	for _, fl := range flavors {
		t.Run(fl.name, func(t *testing.T) {
			t.Parallel()
			m := newMockVC(t, jsonReply(map[bool]int{false: 201, true: 200}[fl.legacy],
				map[bool]string{false: `"l"`, true: `{"value":"l"}`}[fl.legacy]))
			c := m.Client(t, fl.flavor, hvc.WithSessionID(mockSession))
			_, err := c.Links.Create(context.Background(), minimalSpec())
			require.NoError(t, err)
			body := string(m.Requests()[0].Body)
			for _, k := range []string{"port", "ssl_thumbprint", "admin_groups", "ssl_certificate", "null"} {
				assert.NotContains(t, body, k)
			}
		})
	}
}

// TestWireCreateUnverifiedPeer checks the certificate data of UNVERIFIED_PEER
// in both envelopes, including the 9.0 PEM.
func TestWireCreateUnverifiedPeer(t *testing.T) {
	t.Parallel()
	const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
	cases := []struct {
		name string
		data string
		want hvc.CertificateInfo
	}{
		{"thumbprint", `{"ssl_thumbprint":"` + mockThumbprint + `"}`, hvc.CertificateInfo{SSLThumbprint: mockThumbprint}},
		{"thumbprint and certificate", `{"ssl_thumbprint":"` + mockThumbprint + `","ssl_certificate":"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"}`,
			hvc.CertificateInfo{SSLThumbprint: mockThumbprint, SSLCertificate: pem}},
		{"nested under a discriminator", `{"com.vmware.vcenter.hvc.links.certificate_info":{"ssl_thumbprint":"` + mockThumbprint + `"}}`,
			hvc.CertificateInfo{SSLThumbprint: mockThumbprint}},
	}
	for _, tc := range cases {
		for _, fl := range flavors {
			t.Run(tc.name+"/"+fl.name, func(t *testing.T) {
				t.Parallel()
				body := errorBody(envFor(fl.legacy), hvc.ErrorTypeUnverifiedPeer,
					`"messages":[{"id":"hvc.peer","default_message":"Unverified peer","args":[]}],"data":`+tc.data)
				m := newMockVC(t, jsonReply(400, body))
				c := m.Client(t, fl.flavor, hvc.WithSessionID(mockSession))
				spec := fullSpec()
				spec.SSLThumbprint = ""
				_, err := c.Links.Create(context.Background(), spec)
				var peer *hvc.UnverifiedPeerError
				require.ErrorAs(t, err, &peer)
				assert.ErrorIs(t, err, hvc.ErrUnverifiedPeer)
				assert.JSONEq(t, tc.data, string(peer.Data))
				info, ierr := peer.CertificateInfo()
				require.NoError(t, ierr)
				assert.Equal(t, tc.want, info)
				assert.True(t, hvc.SameThumbprint(strings.ReplaceAll(strings.ToLower(mockThumbprint), ":", ""), info.SSLThumbprint))
			})
		}
	}
	t.Run("no data", func(t *testing.T) {
		t.Parallel()
		m := newMockVC(t, jsonReply(400, `{"error_type":"UNVERIFIED_PEER","messages":[]}`))
		c := m.Client(t, hvc.FlavorAPI, hvc.WithSessionID(mockSession))
		_, err := c.Links.Create(context.Background(), minimalSpec())
		var peer *hvc.UnverifiedPeerError
		require.ErrorAs(t, err, &peer)
		_, ierr := peer.CertificateInfo()
		assert.Error(t, ierr)
	})
}

// TestWireCreateEmptyID: a success without a link id is a *DecodeError that
// names the operation as sent (flavor prefix and real status).
func TestWireCreateEmptyID(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		legacy bool
		status int
		body   string
	}{
		{"api", false, 201, `""`},
		{"rest", true, 200, `{"value":""}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := newMockVC(t, jsonReply(tc.status, tc.body))
			c := m.Client(t, map[bool]hvc.Flavor{false: hvc.FlavorAPI, true: hvc.FlavorREST}[tc.legacy], hvc.WithSessionID(mockSession))
			id, err := c.Links.Create(context.Background(), minimalSpec())
			assert.Empty(t, id)
			var de *hvc.DecodeError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, "POST", de.Method)
			assert.Equal(t, "/hvc/links", de.Path)
			assert.Equal(t, tc.status, de.StatusCode)
		})
	}
}

// TestWireCreateTrusting: UNVERIFIED_PEER, the callback sees the presented
// certificate, and the second create carries its thumbprint.
func TestWireCreateTrusting(t *testing.T) {
	t.Parallel()
	for _, fl := range flavors {
		for _, accept := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/accept=%v", fl.name, accept), func(t *testing.T) {
				t.Parallel()
				peer := errorBody(envFor(fl.legacy), hvc.ErrorTypeUnverifiedPeer,
					`"messages":[{"id":"p","default_message":"unverified","args":[]}],"data":{"ssl_thumbprint":"`+mockThumbprint+`"}`)
				ok := map[bool]string{false: `"link-7"`, true: `{"value":"link-7"}`}[fl.legacy]
				okStatus := map[bool]int{false: 201, true: 200}[fl.legacy]
				m := newMockVC(t, jsonReply(400, peer).Then(jsonReply(okStatus, ok)))
				c := m.Client(t, fl.flavor, hvc.WithSessionID(mockSession))
				var seen []hvc.CertificateInfo
				id, err := c.Links.CreateTrusting(context.Background(), minimalSpec(), func(ci hvc.CertificateInfo) (bool, error) {
					seen = append(seen, ci)
					return accept, nil
				})
				assert.Equal(t, []hvc.CertificateInfo{{SSLThumbprint: mockThumbprint}}, seen)
				reqs := m.Requests()
				if !accept {
					assert.ErrorIs(t, err, hvc.ErrUnverifiedPeer)
					assert.Empty(t, id)
					assert.Len(t, reqs, 1)
					return
				}
				require.NoError(t, err)
				assert.Equal(t, "link-7", id)
				require.Len(t, reqs, 2)
				want := `{"psc_hostname":"psc.remote.example","domain_name":"remote.local",
					"username":"administrator@remote.local","password":"Pa55-w0rd!","ssl_thumbprint":"` + mockThumbprint + `"}`
				if fl.legacy {
					want = `{"spec":` + want + `}`
				}
				assert.JSONEq(t, want, string(reqs[1].Body))
			})
		}
	}
}
