package provider

import (
	"net/http"
	"regexp"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/hvcsdk/hvc/simulator"
)

// TestAccUserAgent: the provider's requests name it, its version, the
// terraform version and the SDK.
func TestAccUserAgent(t *testing.T) {
	needAcc(t)
	t.Parallel()
	sim := simulator.Run(t)
	var mu sync.Mutex
	var ua string
	_, err := sim.AddFault(simulator.Fault{Method: "GET", Path: "/api/hvc/links", Times: 1, Respond: func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		ua = r.UserAgent()
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("[]"))
	}})
	if err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config: providerBlock(sim, "") + "data \"hvc_links\" \"all\" {}\n",
			Check:  resource.TestCheckResourceAttr("data.hvc_links.all", "links.#", "0"),
		}},
	})
	mu.Lock()
	defer mu.Unlock()
	if !regexp.MustCompile(`^terraform-provider-hvc/test \(\+terraform 1\.\d+\.\d+\) hvc-go/\S+$`).MatchString(ua) {
		t.Errorf("User-Agent %q, want terraform-provider-hvc/test (+terraform X.Y.Z) hvc-go/V", ua)
	}
	checkSessions(t, sim)
}
