package provider

import (
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/hvcsdk/hvc/simulator"
)

// TestAccProviderConfig: the schema refuses two trust settings at once,
// and bad settings fail before anything connects, naming the argument.
func TestAccProviderConfig(t *testing.T) {
	needAcc(t)
	t.Parallel()
	sim := simulator.Run(t)
	t.Cleanup(func() { // after the parallel subtests
		if n := sim.LoginCount(); n != 0 {
			t.Errorf("%d logins: a bad configuration must fail before anything logs in", n)
		}
	})
	for _, tc := range []struct{ name, extra, want string }{
		{"thumbprint and ca_file", `ca_file = "/nonexistent"`, `(?s)Invalid Attribute Combination.*ca_file`},
		{"thumbprint and insecure", `insecure = true`, `(?s)Invalid Attribute Combination.*insecure`},
		{"flavor", `flavor = "soap"`, `(?s)flavor.*auto.*api.*rest`},
		{"api_timeout", `api_timeout = "soon"`, `api_timeout "soon"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: factories(),
				Steps: []resource.TestStep{{
					Config:      providerBlock(sim, "  "+tc.extra) + "data \"hvc_links\" \"all\" {}\n",
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
	t.Run("ca_file", func(t *testing.T) {
		t.Parallel()
		sim := simulator.Run(t)
		ca := filepath.Join(t.TempDir(), "ca.pem")
		pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: sim.Certificate().Raw})
		if err := os.WriteFile(ca, pemBytes, 0o600); err != nil {
			t.Fatal(err)
		}
		cfg := fmt.Sprintf(`
provider "hvc" {
  url      = %q
  username = %q
  password = %q
  ca_file  = %q
}
data "hvc_links" "all" {}
`, sim.URL(), simulator.DefaultAdminUser, simulator.DefaultAdminPassword, ca)
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: factories(),
			Steps:                    []resource.TestStep{{Config: cfg, Check: resource.TestCheckResourceAttr("data.hvc_links.all", "links.#", "0")}},
		})
		checkSessions(t, sim)
	})
	t.Run("wrong vCenter thumbprint", func(t *testing.T) {
		t.Parallel()
		cfg := fmt.Sprintf(`
provider "hvc" {
  url        = %q
  username   = %q
  password   = %q
  thumbprint = %q
}
data "hvc_links" "all" {}
`, sim.URL(), simulator.DefaultAdminUser, simulator.DefaultAdminPassword, simulator.DefaultForeignThumbprint)
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: factories(),
			Steps:                    []resource.TestStep{{Config: cfg, ExpectError: regexp.MustCompile(`(?s)Cannot list the links.*certificate`)}},
		})
	})
}
