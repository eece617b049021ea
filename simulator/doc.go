// Package simulator is a fake vCenter that serves the hvc (Hybrid Linked
// Mode) REST API in both flavors, for tests of code that automates it.
//
// It behaves as one vSphere release at a time (WithVersion; default
// DefaultVersion, 8.0): the release decides which operations exist, whether
// /api is served and which fields the structures have, and everything the
// release lacks is answered as a real server answers an unknown URL. See
// docs/simulator.md for the profiles and their public sources.
//
// It speaks the wire format of a real vCenter, not of this module's client:
// the /api flavor (vSphere 7.0U2+) with raw bodies, 201 on create and 204 on
// void operations, and the legacy /rest flavor with {"value":...} wrapping and
// 200 everywhere; standard error envelopes of both kinds with the HTTP status
// of each error type; Basic-auth sessions carried in the
// vmware-api-session-id cookie or header (the cookie first); links, sync
// providers whose sessions move through their stages over time, and the
// administrators set. Links are created to known foreign PSCs only, which
// present a known certificate (UNVERIFIED_PEER until the create names it)
// and check their administrator's credentials (DefaultForeignUser and
// DefaultForeignPassword unless WithForeignPSCCredentials says otherwise).
//
// It also answers vAPI JSON-RPC 2.0 (POST /api with a JSON body), the
// transport VMware's own SDKs use, on every release: the session service and
// every hvc operation by its vAPI service and operation id, sharing
// sessions, links, faults and the request log with the REST flavors.
//
// A test starts one with Run, which stops it when the test ends:
//
//	sim := simulator.Run(t)
//	client, _ := hvc.New(sim.URL(),
//		hvc.WithCredentials(simulator.DefaultAdminUser, simulator.DefaultAdminPassword),
//		hvc.WithRootCAs(sim.CertPool()))
//
// The server uses TLS with a certificate generated at start-up (see
// Thumbprint and CertPool), keeps all state in memory, starts no goroutine
// per link or sync (progress is computed from the clock when asked), and is
// safe for concurrent clients. Faults (errors, latency, dropped connections,
// headers, custom answers, expiring sessions) can be injected per route,
// routes added or replaced with Handle, and every request is recorded for
// assertions. The package does not depend on the hvc client, so
// any HTTP client can be tested against it; cmd/hvcsim serves it as a
// process for test suites written in other languages.
package simulator
