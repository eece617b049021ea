package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/hvcsdk/hvc"
	"github.com/hvcsdk/hvc/simulator"
)

// initialAdmins is the simulator's administrator set at start.
var initialAdmins = []string{"Administrators@vsphere.local"}

// adminsAre checks sim's administrator set.
func adminsAre(sim *simulator.Server, want ...string) func(*terraform.State) error {
	return func(*terraform.State) error {
		var got []string
		err := withSDK(sim, func(ctx context.Context, c *hvc.Client) (err error) {
			got, err = c.Administrators.Get(ctx)
			return err
		})
		if err != nil {
			return err
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			return fmt.Errorf("administrators %v, want %v", got, want)
		}
		return nil
	}
}

func administratorsBlock(groups ...string) string {
	q := ""
	for i, g := range groups {
		if i > 0 {
			q += ", "
		}
		q += fmt.Sprintf("%q", g)
	}
	return fmt.Sprintf("\nresource \"hvc_administrators\" \"all\" {\n  groups = [%s]\n}\n", q)
}

// TestAccAdministrators sets the whole set, imports it, empties it, and
// on destroy restores the set it found.
func TestAccAdministrators(t *testing.T) {
	needAcc(t)
	t.Parallel()
	sim := simulator.Run(t)
	both := []string{"Administrators@vsphere.local", "CloudAdmins@foreign.local"}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             adminsAre(sim, initialAdmins...),
		Steps: []resource.TestStep{
			{
				Config: providerBlock(sim, "") + administratorsBlock(both...),
				Check: resource.ComposeAggregateTestCheckFunc(
					adminsAre(sim, both...),
					resource.TestCheckResourceAttr("hvc_administrators.all", "id", "administrators"),
					resource.TestCheckTypeSetElemAttr("hvc_administrators.all", "restore_groups.*", initialAdmins[0]),
					resource.TestCheckResourceAttr("hvc_administrators.all", "restore_groups.#", "1"),
				),
			},
			{
				ResourceName:      "hvc_administrators.all",
				ImportState:       true,
				ImportStateId:     "administrators",
				ImportStateVerify: true,
				// An import remembers the set it finds, not the set found at create.
				ImportStateVerifyIgnore: []string{"restore_groups"},
			},
			{
				ResourceName:  "hvc_administrators.all",
				ImportState:   true,
				ImportStateId: "everything",
				ExpectError:   regexp.MustCompile(`import id is "administrators"`),
			},
			{
				Config: providerBlock(sim, "") + administratorsBlock(),
				Check:  adminsAre(sim),
			},
		},
	})
	checkSessions(t, sim)
}

// TestAccAdministratorsImport adopts the set as it is: the plan after the
// import changes nothing until the configuration does, and destroy
// restores the set found at import.
func TestAccAdministratorsImport(t *testing.T) {
	needAcc(t)
	t.Parallel()
	sim := simulator.Run(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             adminsAre(sim, initialAdmins...),
		Steps: []resource.TestStep{
			{
				Config:             providerBlock(sim, "") + administratorsBlock(initialAdmins...),
				ResourceName:       "hvc_administrators.all",
				ImportState:        true,
				ImportStateId:      "administrators",
				ImportStatePersist: true,
			},
			{
				Config:           providerBlock(sim, "") + administratorsBlock(initialAdmins...),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				Config: providerBlock(sim, "") + administratorsBlock("Other@foreign.local"),
				Check:  adminsAre(sim, "Other@foreign.local"),
			},
		},
	})
	checkSessions(t, sim)
}

// TestAccAdministrator adds one group, imports it by name, and removes
// only it on destroy.
func TestAccAdministrator(t *testing.T) {
	needAcc(t)
	t.Parallel()
	sim := simulator.Run(t)
	const g = "CloudAdmins@foreign.local"
	cfg := providerBlock(sim, "") + fmt.Sprintf("\nresource \"hvc_administrator\" \"cloud\" {\n  group_name = %q\n}\n", g)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		CheckDestroy:             adminsAre(sim, initialAdmins...),
		Steps: []resource.TestStep{
			{Config: cfg, Check: resource.ComposeAggregateTestCheckFunc(
				adminsAre(sim, append([]string{g}, initialAdmins...)...),
				resource.TestCheckResourceAttr("hvc_administrator.cloud", "id", g),
			)},
			{ResourceName: "hvc_administrator.cloud", ImportState: true, ImportStateId: g, ImportStateVerify: true},
			{
				// Removed outside terraform: the refresh drops it, the apply adds it again.
				PreConfig: func() {
					if err := withSDK(sim, func(ctx context.Context, c *hvc.Client) error { return c.Administrators.Remove(ctx, g) }); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("hvc_administrator.cloud", plancheck.ResourceActionCreate),
				}},
				Check: adminsAre(sim, append([]string{g}, initialAdmins...)...),
			},
		},
	})
	checkSessions(t, sim)
}

// TestAccDataSources reads the links, one link with its health, the
// administrators and the sync providers, on the releases that have them;
// an operation a release lacks is an error naming the releases that have it.
func TestAccDataSources(t *testing.T) {
	needAcc(t)
	t.Parallel()
	t.Run("8.0U1", func(t *testing.T) {
		t.Parallel()
		sim := simulator.Run(t, simulator.WithVersion("8.0U1"))
		id := createLink(t, sim)
		sim.SetLinkHealth(id, false, "The PSC does not answer.")
		cfg := providerBlock(sim, "") + fmt.Sprintf(`
data "hvc_links" "all" {}
data "hvc_link" "one" {
  domain_name = %q
}
data "hvc_administrators" "all" {}
`, "FOREIGN.local")
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: factories(),
			Steps: []resource.TestStep{
				{Config: cfg, Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("data.hvc_links.all", "links.#", "1"),
					resource.TestCheckResourceAttr("data.hvc_links.all", "links.0.id", id),
					resource.TestCheckResourceAttr("data.hvc_links.all", "links.0.display_name", simulator.DefaultForeignDomain),
					resource.TestCheckResourceAttr("data.hvc_link.one", "id", id),
					resource.TestCheckResourceAttr("data.hvc_link.one", "connection_health_status", "UNHEALTHY"),
					resource.TestCheckResourceAttr("data.hvc_link.one", "health_status_message", "The PSC does not answer."),
					resource.TestCheckTypeSetElemAttr("data.hvc_administrators.all", "groups.*", initialAdmins[0]),
				)},
				{
					Config:      providerBlock(sim, "") + fmt.Sprintf("data \"hvc_sync_providers\" \"p\" {\n  link_id = %q\n}\n", id),
					ExpectError: regexp.MustCompile(`(?s)not available on this vCenter.*vSphere 6\.7.8\.0`),
				},
			},
		})
		checkSessions(t, sim)
	})
	t.Run("8.0", func(t *testing.T) {
		t.Parallel()
		sim := simulator.Run(t, simulator.WithVersion("8.0"))
		id := createLink(t, sim)
		cfg := providerBlock(sim, "") + fmt.Sprintf(`
data "hvc_link" "one" {
  id = %q
}
data "hvc_sync_providers" "p" {
  link_id = %q
}
`, id, id)
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: factories(),
			Steps: []resource.TestStep{{Config: cfg, Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("data.hvc_link.one", "display_name", simulator.DefaultForeignDomain),
				resource.TestCheckNoResourceAttr("data.hvc_link.one", "connection_health_status"),
				resource.TestCheckResourceAttr("data.hvc_sync_providers.p", "providers.#", fmt.Sprint(len(simulator.DefaultProviders))),
				resource.TestCheckResourceAttr("data.hvc_sync_providers.p", "providers.0.id", simulator.DefaultProviders[0]),
				resource.TestCheckResourceAttr("data.hvc_sync_providers.p", "providers.0.status", "NO_SYNC_FOUND"),
			)}},
		})
		checkSessions(t, sim)
	})
}
