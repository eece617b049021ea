package hvc_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"

	"github.com/hvcsdk/hvc"
)

// Call an endpoint the SDK has no method for with Client.Do: it logs in,
// adds the flavor prefix, unwraps /rest's {"value":…} and returns the same
// typed errors as the generated methods. Here the simulator is taught a
// made-up version endpoint with Server.Handle.
func ExampleClient_Do() {
	sim := startSimulator()
	defer sim.Close()
	err := sim.Handle("GET /api/hvc/version", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"version":"9.0.0","build":"24321653"}`)
	}))
	if err != nil {
		log.Fatal(err)
	}

	client := adminClient(sim)
	ctx := context.Background()
	var v struct {
		Version string `json:"version"`
		Build   string `json:"build"`
	}
	if err := client.Do(ctx, http.MethodGet, "/hvc/version", nil, &v); err != nil {
		log.Fatal(err)
	}
	fmt.Println(v.Version, v.Build)

	err = client.Do(ctx, http.MethodGet, "/hvc/links/no-such-link", nil, nil)
	fmt.Println(errors.Is(err, hvc.ErrNotFound))
	// Output:
	// 9.0.0 24321653
	// true
}

// End the client's session when the embedding process stops, so the
// vCenter does not keep it until it times out.
func ExampleClient_Close() {
	sim := startSimulator()
	defer sim.Close()

	client := adminClient(sim)
	ctx := context.Background()
	if _, err := client.Links.List(ctx); err != nil { // logs in lazily
		log.Fatal(err)
	}
	fmt.Println("sessions:", sim.SessionCount())

	if err := client.Close(ctx); err != nil {
		log.Println("logout:", err) // the process is stopping anyway
	}
	fmt.Println("sessions:", sim.SessionCount())
	// Output:
	// sessions: 1
	// sessions: 0
}
