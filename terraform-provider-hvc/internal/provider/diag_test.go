package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/hvcsdk/hvc"
	"github.com/hvcsdk/hvc/simulator"
)

// TestCreateFailedWarnsOnAdoption: the lost-reply reconciliation's
// warning and error say what happened (terraform-plugin-testing does not
// show warnings, so this runs createFailed itself, against the simulator).
func TestCreateFailedWarnsOnAdoption(t *testing.T) {
	t.Parallel()
	sim := simulator.Run(t)
	spec := hvc.LinkCreateSpec{PSCHostname: simulator.DefaultForeignPSC, DomainName: "FOREIGN.local",
		Username: simulator.DefaultForeignUser, Password: simulator.DefaultForeignPassword}
	lost := fmt.Errorf("hvc: POST /api/hvc/links: %w", hvc.ErrOutcomeUnknown)
	err := withSDK(sim, func(ctx context.Context, c *hvc.Client) error {
		var r linkResource
		var none diag.Diagnostics
		if id := r.createFailed(ctx, c, spec, lost, &none); id != "" || none.ErrorsCount() != 1 ||
			!strings.Contains(none.Errors()[0].Detail(), "No link to FOREIGN.local is listed") {
			return fmt.Errorf("no link: id %q, diagnostics %v", id, none)
		}
		id := createLink(t, sim)
		var adopted diag.Diagnostics
		got := r.createFailed(ctx, c, spec, lost, &adopted)
		if got != id || adopted.HasError() || adopted.WarningsCount() != 1 ||
			adopted.Warnings()[0].Summary() != "Adopted the link whose create reply was lost" ||
			!strings.Contains(adopted.Warnings()[0].Detail(), id) {
			return fmt.Errorf("adopted: id %q (want %s), diagnostics %v", got, id, adopted)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestAdministratorsWarnsWhenEmpty: an empty groups set warns.
func TestAdministratorsWarnsWhenEmpty(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := &administratorsResource{}
	var sr resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sr)
	typ := sr.Schema.Type().TerraformType(ctx)
	setType := tftypes.Set{ElementType: tftypes.String}
	for _, tc := range []struct {
		name   string
		groups []tftypes.Value
		warn   bool
	}{
		{"empty", []tftypes.Value{}, true},
		{"one", []tftypes.Value{tftypes.NewValue(tftypes.String, "a@b")}, false},
	} {
		raw := tftypes.NewValue(typ, map[string]tftypes.Value{
			"id":             tftypes.NewValue(tftypes.String, nil),
			"groups":         tftypes.NewValue(setType, tc.groups),
			"restore_groups": tftypes.NewValue(setType, nil),
		})
		var resp resource.ValidateConfigResponse
		r.ValidateConfig(ctx, resource.ValidateConfigRequest{Config: tfsdk.Config{Schema: sr.Schema, Raw: raw}}, &resp)
		if got := resp.Diagnostics.WarningsCount() == 1; got != tc.warn || resp.Diagnostics.HasError() {
			t.Errorf("%s: diagnostics %v, want a warning: %v", tc.name, resp.Diagnostics, tc.warn)
		}
	}
}
