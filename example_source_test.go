package hvc_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"sync/atomic"

	"github.com/hvcsdk/hvc"
	"github.com/hvcsdk/hvc/simulator"
)

// tokenLogin stands for a tool that already authenticates to vCenter its
// own way and can hand out a session id. Here it is a plain POST
// /api/session; with govmomi (kept out of this module's dependencies) it
// would be a SAML token login:
//
//	rc := rest.NewClient(vimClient) // github.com/vmware/govmomi/vapi/rest
//	if err := rc.LoginByToken(rc.WithSigner(ctx, signer)); err != nil {
//		return "", err
//	}
//	return rc.SessionID(), nil
func tokenLogin(ctx context.Context, sim *simulator.Server) (string, error) {
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: sim.CertPool()}}}
	defer hc.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sim.URL()+"/api/session", nil)
	if err != nil {
		return "", err
	}
	req.SetBasicAuth(simulator.DefaultAdminUser, simulator.DefaultAdminPassword)
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return "", fmt.Errorf("token login: %s", resp.Status)
	}
	var id string
	err = json.NewDecoder(resp.Body).Decode(&id)
	return id, err
}

// Let another tool supply the session: the client calls the source for its
// first session and again, once for all goroutines, when the session
// expires; it never holds a password.
func ExampleWithSessionSource() {
	sim := startSimulator()
	defer sim.Close()

	var logins atomic.Int64
	source := func(ctx context.Context) (string, error) {
		logins.Add(1)
		return tokenLogin(ctx, sim)
	}
	client, err := hvc.New(sim.URL(), hvc.WithSessionSource(source), hvc.WithRootCAs(sim.CertPool()))
	if err != nil {
		log.Fatal(err)
	}
	defer client.CloseIdleConnections()
	ctx := context.Background()

	links, err := client.Links.List(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("links:", len(links), "source calls:", logins.Load())

	sim.ExpireSessions() // the session times out on the server
	if _, err := client.Links.List(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println("source calls after expiry:", logins.Load())
	// Output:
	// links: 0 source calls: 1
	// source calls after expiry: 2
}
