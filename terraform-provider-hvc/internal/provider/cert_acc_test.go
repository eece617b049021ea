package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/hvcsdk/hvc/simulator"
)

// TestAccLinkCertificate: on 9.0 a link trusts the PSC by its PEM
// certificate, and a move to a thumbprint (a rotation) is an in-place
// update, never a replacement; before 9.0 the field is refused.
func TestAccLinkCertificate(t *testing.T) {
	needAcc(t)
	t.Parallel()
	certArg := fmt.Sprintf("  ssl_certificate = %q\n", simulator.DefaultForeignCertificate)
	t.Run("9.0", func(t *testing.T) {
		t.Parallel()
		sim := simulator.Run(t, simulator.WithVersion("9.0"))
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: factories(),
			Steps: []resource.TestStep{
				{
					Config: providerBlock(sim, "") + linkBlock(certArg), ConfigVariables: linkVars(),
					Check: resource.TestCheckResourceAttr("hvc_link.this", "id", "link-1"),
				},
				{
					Config: providerBlock(sim, "") + linkBlock(thumbprintArg), ConfigVariables: linkVars(),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("hvc_link.this", plancheck.ResourceActionUpdate),
					}},
					Check: resource.TestCheckResourceAttr("hvc_link.this", "id", "link-1"),
				},
			},
		})
		checkSessions(t, sim)
	})
	t.Run("8.0U1", func(t *testing.T) {
		t.Parallel()
		sim := simulator.Run(t, simulator.WithVersion("8.0U1"))
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: factories(),
			Steps: []resource.TestStep{{
				Config: providerBlock(sim, "") + linkBlock(certArg), ConfigVariables: linkVars(),
				ExpectError: regexp.MustCompile(`(?s)ssl_certificate is not available on this vCenter.*vSphere 9\.0 and\s+later`),
			}},
		})
		checkSessions(t, sim)
	})
}
