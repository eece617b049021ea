package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
)

// importedKey is the private-state key ImportState sets and the first
// apply after it clears: until then a value the import could not read
// back (psc_hostname, port) is being filled in, not changed.
const importedKey = "imported"

// privateGetter is what plan modifier requests offer of the private state.
type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

// isImported reports whether the resource was imported and not applied
// since.
func isImported(ctx context.Context, p privateGetter) bool {
	if p == nil {
		return false
	}
	b, _ := p.GetKey(ctx, importedKey)
	return string(b) == "true"
}

// replaceStringUnlessImported requires a replacement when a string changes,
// except when the prior value is null because the resource was just
// imported; with foldCase a change of case alone is no change (host and
// domain names).
func replaceStringUnlessImported(foldCase bool) planmodifier.String {
	desc := "Changing the value replaces the link, except on the first plan after an import, which fills it in."
	return stringplanmodifier.RequiresReplaceIf(func(ctx context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
		resp.RequiresReplace = stringNeedsReplace(req.StateValue.IsNull(), isImported(ctx, req.Private),
			req.StateValue.ValueString(), req.PlanValue.ValueString(), foldCase)
	}, desc, desc)
}

// stringNeedsReplace is the decision of replaceStringUnlessImported, for
// a value known to differ (RequiresReplaceIf checks that first).
func stringNeedsReplace(stateNull, imported bool, state, plan string, foldCase bool) bool {
	if stateNull && imported {
		return false
	}
	if foldCase && !stateNull && strings.EqualFold(state, plan) {
		return false
	}
	return true
}

// replaceInt64UnlessImported is replaceStringUnlessImported for the port.
func replaceInt64UnlessImported() planmodifier.Int64 {
	desc := "Changing the value replaces the link, except on the first plan after an import, which fills it in."
	return int64planmodifier.RequiresReplaceIf(func(ctx context.Context, req planmodifier.Int64Request, resp *int64planmodifier.RequiresReplaceIfFuncResponse) {
		resp.RequiresReplace = !(req.StateValue.IsNull() && isImported(ctx, req.Private))
	}, desc, desc)
}
