package hvc_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/hvcsdk/hvc"
	"github.com/hvcsdk/hvc/simulator"
)

// startSimulator starts a fake vCenter for the examples. Against a real
// vCenter, skip it and pass your endpoint, credentials and CA pool (or
// thumbprint) to hvc.New instead.
func startSimulator(opts ...simulator.Option) *simulator.Server {
	sim, err := simulator.New(opts...)
	if err != nil {
		log.Fatal(err)
	}
	if err := sim.Start(); err != nil {
		log.Fatal(err)
	}
	return sim
}

// remoteSpec is the link the examples create: the simulator's foreign PSC
// with its known thumbprint.
func remoteSpec() hvc.LinkCreateSpec {
	return hvc.LinkCreateSpec{
		PSCHostname:   simulator.DefaultForeignPSC,
		DomainName:    "remote.local",
		Username:      simulator.DefaultForeignUser,
		Password:      simulator.DefaultForeignPassword,
		SSLThumbprint: simulator.DefaultForeignThumbprint,
	}
}

// adminClient is hvc.New for the simulator's administrator, as in ExampleNew.
func adminClient(sim *simulator.Server) *hvc.Client {
	client, err := hvc.New(sim.URL(),
		hvc.WithCredentials(simulator.DefaultAdminUser, simulator.DefaultAdminPassword),
		hvc.WithRootCAs(sim.CertPool()))
	if err != nil {
		log.Fatal(err)
	}
	return client
}

// Create a client, log in explicitly (it would log in lazily on the first
// call otherwise) and see which API flavor the server speaks.
func ExampleNew() {
	sim := startSimulator()
	defer sim.Close()

	client, err := hvc.New(sim.URL(),
		hvc.WithCredentials(simulator.DefaultAdminUser, simulator.DefaultAdminPassword),
		hvc.WithRootCAs(sim.CertPool()), // or hvc.WithThumbprint(...) for a self-signed vCenter
		hvc.WithTimeout(30*time.Second),
	)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if err := client.Login(ctx); err != nil {
		log.Fatal(err)
	}
	defer client.Logout(ctx)

	fmt.Println("flavor:", client.Flavor())
	fmt.Println("has session:", client.SessionID() != "")
	// Output:
	// flavor: api
	// has session: true
}

// Against a pre-7.0U2 vCenter (no /api), FlavorAuto notices the 404 on
// /api/session and speaks the legacy /rest flavor from then on.
func ExampleNew_legacyServer() {
	sim := startSimulator(simulator.WithRESTOnly())
	defer sim.Close()

	client, err := hvc.New(sim.URL(),
		hvc.WithCredentials(simulator.DefaultAdminUser, simulator.DefaultAdminPassword),
		hvc.WithRootCAs(sim.CertPool()),
	)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	links, err := client.Links.List(ctx) // logs in lazily
	if err != nil {
		log.Fatal(err)
	}
	defer client.Logout(ctx)
	fmt.Println("flavor:", client.Flavor(), "links:", len(links))
	// Output:
	// flavor: rest links: 0
}

// Create a link to a foreign PSC whose thumbprint you already know.
func ExampleLinksService_Create() {
	sim := startSimulator()
	defer sim.Close()
	client := adminClient(sim)
	ctx := context.Background()
	defer client.Logout(ctx)

	linkID, err := client.Links.Create(ctx, hvc.LinkCreateSpec{
		PSCHostname:   simulator.DefaultForeignPSC,
		DomainName:    "remote.local",
		Username:      simulator.DefaultForeignUser,
		Password:      simulator.DefaultForeignPassword,
		SSLThumbprint: simulator.DefaultForeignThumbprint,
		AdminGroups:   []string{"LinkAdmins@remote.local"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("created", linkID)

	// The same domain again is a typed error carrying the server's message.
	_, err = client.Links.Create(ctx, remoteSpec())
	fmt.Println("again is ALREADY_EXISTS:", errors.Is(err, hvc.ErrAlreadyExists))
	// Output:
	// created link-1
	// again is ALREADY_EXISTS: true
}

// Trust on first use: create without a thumbprint, look at the certificate
// the foreign PSC presented and accept it only when it matches a value
// obtained out of band. Returning true without checking defeats the purpose
// of the check: anyone between vCenter and the PSC could present their own.
func ExampleLinksService_CreateTrusting() {
	sim := startSimulator()
	defer sim.Close()
	client := adminClient(sim)
	ctx := context.Background()
	defer client.Logout(ctx)

	// Obtained out of band, e.g. from the PSC's console.
	known := simulator.DefaultForeignThumbprint

	spec := remoteSpec()
	spec.SSLThumbprint = "" // unknown yet
	linkID, err := client.Links.CreateTrusting(ctx, spec, func(ci hvc.CertificateInfo) (bool, error) {
		fmt.Println("PSC presented the known thumbprint:", ci.SSLThumbprint == known)
		return ci.SSLThumbprint == known, nil
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("created", linkID)
	// Output:
	// PSC presented the known thumbprint: true
	// created link-1
}

// List the links, read one's health, and delete it. Links.Get needs vSphere
// 8.0U1 or later, so the simulator plays 8.0U1.
func ExampleLinksService_List() {
	sim := startSimulator(simulator.WithVersion("8.0U1"))
	defer sim.Close()
	client := adminClient(sim)
	ctx := context.Background()
	defer client.Logout(ctx)
	if _, err := client.Links.Create(ctx, remoteSpec()); err != nil {
		log.Fatal(err)
	}

	links, err := client.Links.List(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, l := range links {
		info, err := client.Links.Get(ctx, l.Link)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(l.Link, l.DisplayName, info.ConnectionHealthStatus)
		if err := client.Links.Delete(ctx, l.Link); err != nil {
			log.Fatal(err)
		}
	}

	// A deleted link is gone: errors.As gives the typed error and its details.
	_, err = client.Links.Get(ctx, links[0].Link)
	var notFound *hvc.NotFoundError
	if errors.As(err, &notFound) {
		fmt.Println("status", notFound.StatusCode, notFound.ErrorType)
	}
	// Output:
	// link-1 remote.local HEALTHY
	// status 404 NOT_FOUND
}

// Start a sync provider. Start only starts it; see StartAndWait to wait for
// the outcome. Released servers (vSphere 6.7–8.0, the releases with sync
// providers) take no credentials: pass nil.
func ExampleSyncProvidersService_Start() {
	sim := startSimulator(simulator.WithSyncDuration(time.Hour))
	defer sim.Close()
	client := adminClient(sim)
	ctx := context.Background()
	defer client.Logout(ctx)
	linkID, err := client.Links.Create(ctx, remoteSpec())
	if err != nil {
		log.Fatal(err)
	}

	providers, err := client.SyncProviders.List(ctx, linkID)
	if err != nil {
		log.Fatal(err)
	}
	err = client.SyncProviders.Start(ctx, linkID, providers[0].Provider, nil)
	if err != nil {
		log.Fatal(err)
	}
	// A second start while the first runs is RESOURCE_BUSY.
	err = client.SyncProviders.Start(ctx, linkID, providers[0].Provider, nil)
	fmt.Println("started", providers[0].Provider, "; again is busy:", errors.Is(err, hvc.ErrResourceBusy))
	// Output:
	// started identity ; again is busy: true
}

// Start a sync and print its progress until it completes.
func ExampleSyncProvidersService_StartAndWait() {
	// Step mode: every poll advances the sync one step, so the output is
	// deterministic. A real vCenter reports whatever it has reached.
	sim := startSimulator(simulator.WithSyncStepPerPoll())
	defer sim.Close()
	client := adminClient(sim)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	defer client.Logout(ctx)
	linkID, err := client.Links.Create(ctx, remoteSpec())
	if err != nil {
		log.Fatal(err)
	}

	info, err := client.SyncProviders.StartAndWait(ctx, linkID, "identity", nil, hvc.WaitOptions{
		PollInterval: 10 * time.Millisecond,
		OnProgress: func(p hvc.SyncProgress) {
			fmt.Printf("%-18s %3d/%d\n", p.Stage, p.CompletedWork, p.TotalWork)
		},
	})
	var failed *hvc.SyncFailedError
	switch {
	case errors.As(err, &failed):
		log.Fatalf("sync failed: %v", failed.Message)
	case err != nil:
		log.Fatal(err)
	}
	fmt.Println("status:", info.Status)
	// Output:
	// CHANGE_DETECTION     0/120
	// CHANGE_ENUMERATION  40/120
	// CHANGE_APPLICATION  80/120
	// COMPLETED          120/120
	// status: SUCCEEDED
}

// Tell "this server has no such operation" from "no such link": against a
// vCenter 8.0U1 (here the simulator playing one) the sync providers are
// gone, and deleting a link that does not exist is a plain NOT_FOUND.
func ExampleOperationUnavailableError() {
	sim := startSimulator(simulator.WithVersion("8.0U1"))
	defer sim.Close()
	client := adminClient(sim)
	ctx := context.Background()
	defer client.Logout(ctx)

	_, err := client.SyncProviders.List(ctx, "link-1")
	fmt.Println("unavailable:", errors.Is(err, hvc.ErrOperationUnavailable), "not found:", errors.Is(err, hvc.ErrNotFound))
	var ou *hvc.OperationUnavailableError
	if errors.As(err, &ou) {
		fmt.Println(ou.Op, "is in", ou.Versions)
	}

	err = client.Links.Delete(ctx, "link-404")
	fmt.Println("unavailable:", errors.Is(err, hvc.ErrOperationUnavailable), "not found:", errors.Is(err, hvc.ErrNotFound))
	// Output:
	// unavailable: true not found: false
	// SyncProviders.List is in vSphere 6.7–8.0
	// unavailable: false not found: true
}
