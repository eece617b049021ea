package provider

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/hvcsdk/hvc"
	"github.com/hvcsdk/hvc/simulator"
)

// TestAccLink creates a link, reads it, imports it, checks that the
// password is in no state file and no plan, and destroys it.
func TestAccLink(t *testing.T) {
	needAcc(t)
	t.Parallel()
	sim := simulator.Run(t)
	cfg := providerBlock(sim, "") + linkBlock(thumbprintArg)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy: func(*terraform.State) error {
			if l := sim.Links(); len(l) != 0 {
				return fmt.Errorf("links left after destroy: %v", l)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config:          cfg,
				ConfigVariables: linkVars(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("hvc_link.this", plancheck.ResourceActionCreate),
					noSecretInPlan{simulator.DefaultForeignPassword},
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("hvc_link.this", "id", "link-1"),
					resource.TestCheckResourceAttr("hvc_link.this", "display_name", simulator.DefaultForeignDomain),
					resource.TestCheckNoResourceAttr("hvc_link.this", "password_wo"),
					func(*terraform.State) error {
						if l := sim.Links(); len(l) != 1 || l[0] != "link-1" {
							return fmt.Errorf("simulator links %v, want [link-1]", l)
						}
						return nil
					},
					func(*terraform.State) error {
						return noSecretInStateFiles(simulator.DefaultForeignPassword, "link-1")()
					},
				),
			},
			{
				ResourceName:      "hvc_link.this",
				ConfigVariables:   linkVars(),
				ImportState:       true,
				ImportStateVerify: true,
				// vCenter reads back only the id and the display name.
				ImportStateVerifyIgnore: []string{"psc_hostname", "username", "ssl_thumbprint", "password_wo"},
			},
		},
	})
	checkSessions(t, sim)
}

// TestAccLinkImport imports a link made outside terraform: the first plan
// fills in what vCenter cannot read back by an in-place update, not a
// replacement, and the plan after it is empty.
func TestAccLinkImport(t *testing.T) {
	needAcc(t)
	t.Parallel()
	sim := simulator.Run(t)
	id := createLink(t, sim)
	cfg := providerBlock(sim, "") + linkBlock(thumbprintArg+"  port = 443\n")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{
				Config:             cfg,
				ConfigVariables:    linkVars(),
				ResourceName:       "hvc_link.this",
				ImportState:        true,
				ImportStateId:      id,
				ImportStatePersist: true,
				ImportStateCheck: func(s []*terraform.InstanceState) error {
					if len(s) != 1 || s[0].Attributes["domain_name"] != simulator.DefaultForeignDomain {
						return fmt.Errorf("imported state %v, want domain_name %s", s, simulator.DefaultForeignDomain)
					}
					return nil
				},
			},
			{
				Config:          cfg,
				ConfigVariables: linkVars(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("hvc_link.this", plancheck.ResourceActionUpdate),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: resource.TestCheckResourceAttr("hvc_link.this", "id", id),
			},
			{
				// Now a new port is a change: it replaces.
				Config:          providerBlock(sim, "") + linkBlock(thumbprintArg+"  port = 8443\n"),
				ConfigVariables: linkVars(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("hvc_link.this", plancheck.ResourceActionReplace),
				}},
				Check: resource.TestCheckResourceAttr("hvc_link.this", "id", "link-2"),
			},
		},
	})
	checkSessions(t, sim)
}

// TestAccLinkAlreadyExists: a create for a domain already linked fails
// with the import command naming the existing link.
func TestAccLinkAlreadyExists(t *testing.T) {
	needAcc(t)
	t.Parallel()
	sim := simulator.Run(t)
	id := createLink(t, sim)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config:          providerBlock(sim, "") + linkBlock(thumbprintArg),
			ConfigVariables: linkVars(),
			ExpectError:     regexp.MustCompile(`(?s)already exists.*terraform import <address of this resource> ` + id),
		}},
	})
	checkSessions(t, sim)
}

// TestAccLinkThumbprint: without a thumbprint, or with a wrong one, the
// create fails naming the thumbprint the PSC presented.
func TestAccLinkThumbprint(t *testing.T) {
	needAcc(t)
	t.Parallel()
	wrong := "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99"
	for _, tc := range []struct {
		name, extra, want string
	}{
		{"none", "", `(?s)presented a certificate with the thumbprint\s+` + regexp.QuoteMeta(simulator.DefaultForeignThumbprint) + `.*No ssl_thumbprint.*ssl_thumbprint\s+=`},
		{"wrong", fmt.Sprintf("  ssl_thumbprint = %q\n", wrong), `(?s)` + regexp.QuoteMeta(simulator.DefaultForeignThumbprint) + `.*does\s+not\s+match`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sim := simulator.Run(t)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: factories(),
				Steps: []resource.TestStep{{
					Config:          providerBlock(sim, "") + linkBlock(tc.extra),
					ConfigVariables: linkVars(),
					ExpectError:     regexp.MustCompile(tc.want),
				}},
			})
			if l := sim.Links(); len(l) != 0 {
				t.Errorf("links %v after a failed create", l)
			}
			checkSessions(t, sim)
		})
	}
}

// TestAccLinkDeleteWithCredentials: on 8.0 the unlink with credentials is
// not served and the destroy says which releases have it; on 8.0U1 it
// unlinks with the provider's PSC credentials.
func TestAccLinkDeleteWithCredentials(t *testing.T) {
	needAcc(t)
	t.Parallel()
	t.Run("8.0", func(t *testing.T) {
		t.Parallel()
		sim := simulator.Run(t, simulator.WithVersion("8.0"))
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: factories(),
			Steps: []resource.TestStep{
				{Config: providerBlock(sim, pscCredentials) + linkBlock(thumbprintArg+"  delete_with_credentials = true\n"), ConfigVariables: linkVars()},
				{
					Config:          providerBlock(sim, pscCredentials) + linkBlock(thumbprintArg+"  delete_with_credentials = true\n"),
					ConfigVariables: linkVars(),
					Destroy:         true,
					ExpectError:     regexp.MustCompile(`(?s)not available on this vCenter.*vSphere\s+8\.0U1–9\.0`),
				},
				// A plain delete is what 8.0 has.
				{Config: providerBlock(sim, pscCredentials) + linkBlock(thumbprintArg), ConfigVariables: linkVars()},
			},
		})
		if l := sim.Links(); len(l) != 0 {
			t.Errorf("links left: %v", l)
		}
		checkSessions(t, sim)
	})
	t.Run("8.0U1", func(t *testing.T) {
		t.Parallel()
		sim := simulator.Run(t, simulator.WithVersion("8.0U1"))
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: factories(),
			Steps: []resource.TestStep{
				{Config: providerBlock(sim, pscCredentials) + linkBlock(thumbprintArg+"  delete_with_credentials = true\n"), ConfigVariables: linkVars()},
			},
		})
		if l := sim.Links(); len(l) != 0 {
			t.Errorf("links left: %v", l)
		}
		found := false
		for _, r := range sim.Requests() {
			found = found || (r.Method == "POST" && r.Path == "/api/hvc/links/link-1" && r.RawQuery == "action=delete" && r.Status == 204)
		}
		if !found {
			t.Error("the destroy sent no delete_with_credentials request")
		}
		checkSessions(t, sim)
	})
}

// TestAccLinkVanished: a link deleted outside terraform is dropped from
// state by the refresh, and the next apply creates it again.
func TestAccLinkVanished(t *testing.T) {
	needAcc(t)
	t.Parallel()
	sim := simulator.Run(t)
	cfg := providerBlock(sim, "") + linkBlock(thumbprintArg)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{Config: cfg, Check: resource.TestCheckResourceAttr("hvc_link.this", "id", "link-1"), ConfigVariables: linkVars()},
			{
				PreConfig: func() {
					if err := withSDK(sim, func(ctx context.Context, c *hvc.Client) error { return c.Links.Delete(ctx, "link-1") }); err != nil {
						t.Fatal(err)
					}
				},
				Config:          cfg,
				ConfigVariables: linkVars(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("hvc_link.this", plancheck.ResourceActionCreate),
				}},
				Check: resource.TestCheckResourceAttr("hvc_link.this", "id", "link-2"),
			},
		},
	})
	checkSessions(t, sim)
}

// TestAccLinkDeleteGone: a destroy whose link vanished after the refresh
// saw it (here: the refresh is answered from a stale list) succeeds on
// vCenter's NOT_FOUND.
func TestAccLinkDeleteGone(t *testing.T) {
	needAcc(t)
	t.Parallel()
	sim := simulator.Run(t)
	cfg := providerBlock(sim, "") + linkBlock(thumbprintArg)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{Config: cfg, ConfigVariables: linkVars()},
			{
				PreConfig: func() {
					if err := withSDK(sim, func(ctx context.Context, c *hvc.Client) error { return c.Links.Delete(ctx, "link-1") }); err != nil {
						t.Fatal(err)
					}
					stale := simulator.Fault{Method: "GET", Path: "/api/hvc/links", Times: 1, Respond: func(w http.ResponseWriter, _ *http.Request) {
						w.Header().Set("Content-Type", "application/json")
						_, _ = w.Write([]byte(`[{"link":"link-1","display_name":"foreign.local"}]`))
					}}
					if _, err := sim.AddFault(stale); err != nil {
						t.Fatal(err)
					}
				},
				Config:          cfg,
				ConfigVariables: linkVars(),
				Destroy:         true,
			},
		},
	})
	found := false
	for _, r := range sim.Requests() {
		found = found || (r.Method == "DELETE" && r.Path == "/api/hvc/links/link-1" && r.Status == http.StatusNotFound)
	}
	if !found {
		t.Error("the destroy sent no DELETE that vCenter answered NOT_FOUND: the test did not reach the not-found path")
	}
	checkSessions(t, sim)
}

// TestAccLinkDomainCase: domain_name is compared with the display name
// case-insensitively: a change of case updates in place, another domain
// replaces the link.
func TestAccLinkDomainCase(t *testing.T) {
	needAcc(t)
	t.Parallel()
	sim := simulator.Run(t)
	withDomain := func(d string) string {
		return providerBlock(sim, "") + strings.Replace(linkBlock(thumbprintArg),
			fmt.Sprintf("domain_name  = %q", simulator.DefaultForeignDomain), fmt.Sprintf("domain_name  = %q", d), 1)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{Config: withDomain(simulator.DefaultForeignDomain), ConfigVariables: linkVars()},
			{
				Config: withDomain("FOREIGN.Local"), ConfigVariables: linkVars(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("hvc_link.this", plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("hvc_link.this", "id", "link-1"),
					resource.TestCheckResourceAttr("hvc_link.this", "domain_name", "FOREIGN.Local"),
					resource.TestCheckResourceAttr("hvc_link.this", "display_name", simulator.DefaultForeignDomain),
				),
			},
			{
				Config: withDomain("other.local"), ConfigVariables: linkVars(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("hvc_link.this", plancheck.ResourceActionReplace),
				}},
				Check: resource.TestCheckResourceAttr("hvc_link.this", "display_name", "other.local"),
			},
		},
	})
	checkSessions(t, sim)
}

// TestAccLinkImportBlock: a config-driven import (an import block) plans an
// in-place update that fills in what vCenter cannot read back, not a
// replacement, and the plan after its apply is empty.
func TestAccLinkImportBlock(t *testing.T) {
	needAcc(t)
	t.Parallel()
	sim := simulator.Run(t)
	id := createLink(t, sim)
	cfg := providerBlock(sim, "") + linkBlock(thumbprintArg) + fmt.Sprintf("\nimport {\n  to = hvc_link.this\n  id = %q\n}\n", id)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config: cfg, ConfigVariables: linkVars(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("hvc_link.this", plancheck.ResourceActionUpdate),
			}},
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("hvc_link.this", "id", id),
				resource.TestCheckResourceAttr("hvc_link.this", "psc_hostname", simulator.DefaultForeignPSC),
			),
		}},
	})
	if l := sim.Links(); len(l) != 0 {
		t.Errorf("links left after destroy: %v", l)
	}
	checkSessions(t, sim)
}

// TestAccLinkValidate: a malformed ssl_thumbprint or ssl_certificate fails
// at plan, before anything is created.
func TestAccLinkValidate(t *testing.T) {
	needAcc(t)
	t.Parallel()
	sim := simulator.Run(t)
	for _, tc := range []struct{ name, extra, want string }{
		{"thumbprint", "  ssl_thumbprint = \"not-hex\"\n", `Invalid ssl_thumbprint`},
		{"certificate", "  ssl_certificate = \"-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----\\n\"\n", `Invalid ssl_certificate`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: factories(),
				Steps: []resource.TestStep{{
					Config: providerBlock(sim, "") + linkBlock(tc.extra), ConfigVariables: linkVars(),
					PlanOnly: true, ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
	t.Cleanup(func() {
		if n := sim.LoginCount(); n != 0 {
			t.Errorf("%d logins: validation must fail before anything connects", n)
		}
	})
}
