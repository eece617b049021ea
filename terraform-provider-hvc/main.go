// Command terraform-provider-hvc is the Terraform provider for vCenter's
// Hybrid Linked Mode (hvc) API: hybrid links and their administrators as
// code. Terraform starts it; run it with -debug to attach a debugger.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/hvcsdk/hvc/terraform-provider-hvc/internal/provider"
)

// version is the provider's release, set at build time with
// -ldflags "-X main.version=1.2.3".
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "start the provider for a debugger (prints TF_REATTACH_PROVIDERS)")
	flag.Parse()
	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: provider.Address,
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}
