package provider

import (
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/hvcsdk/hvc/simulator"
)

// TestAccLinkLostReply: the create is applied but its reply is lost; the
// provider lists with a fresh context, adopts the link for the domain with
// a warning, and sends no second create.
func TestAccLinkLostReply(t *testing.T) {
	needAcc(t)
	t.Parallel()
	sim := simulator.Run(t)
	// The create is applied, then the connection closes without a reply.
	if _, err := sim.AddFault(simulator.Fault{Method: "POST", Path: "/hvc/links", DropAfterApply: true, Times: 1}); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config:          providerBlock(sim, "") + linkBlock(thumbprintArg),
			ConfigVariables: linkVars(),
			Check:           resource.TestCheckResourceAttr("hvc_link.this", "id", "link-1"),
		}},
	})
	// The one create is recorded with status 0: applied, reply dropped.
	var statuses []int
	for _, r := range sim.Requests() {
		if r.Method == "POST" && (r.Path == "/api/hvc/links" || r.Path == "/rest/hvc/links") {
			statuses = append(statuses, r.Status)
		}
	}
	if !slices.Equal(statuses, []int{0}) {
		t.Errorf("create requests recorded with statuses %v, want [0]: exactly one create, its reply dropped", statuses)
	}
	checkSessions(t, sim)
}

// TestAccLinkCreateTimeout: the create outlives its timeout and was not
// applied; the provider's list finds no link and says the outcome is
// unknown rather than creating again.
func TestAccLinkCreateTimeout(t *testing.T) {
	needAcc(t)
	t.Parallel()
	sim := simulator.Run(t)
	if _, err := sim.AddFault(simulator.Fault{Method: "POST", Path: "/hvc/links", Times: 1, Latency: time.Minute}); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config:          providerBlock(sim, "") + linkBlock(thumbprintArg+"  timeouts {\n    create = \"1s\"\n  }\n"),
			ConfigVariables: linkVars(),
			ExpectError:     regexp.MustCompile(`(?s)unknown outcome.*No link to foreign\.local is listed`),
		}},
	})
	if l := sim.Links(); len(l) != 0 {
		t.Errorf("links %v after a create that timed out", l)
	}
	checkSessions(t, sim)
}
