package provider

import (
	"context"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hvcsdk/hvc"
)

// administratorsID is the id, and the import id, of hvc_administrators:
// there is one set per vCenter.
const administratorsID = "administrators"

// mixWarning is the warning both administrator resources carry.
const mixWarning = "Do not manage one vCenter's administrators with both `hvc_administrators` and " +
	"`hvc_administrator`: the authoritative `hvc_administrators` removes every group the other adds, " +
	"and each plan would undo the other's apply."

func newAdministratorsResource() resource.Resource { return &administratorsResource{} }

// administratorsResource is hvc_administrators, authoritative for the set.
type administratorsResource struct{ pd *providerData }

type administratorsModel struct {
	ID            types.String `tfsdk:"id"`
	Groups        types.Set    `tfsdk:"groups"`
	RestoreGroups types.Set    `tfsdk:"restore_groups"`
}

func (r *administratorsResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_administrators"
}

func (r *administratorsResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The whole set of groups with hvc administrator rights on this vCenter " +
			"(authoritative: groups not listed are removed). One per vCenter; import id `administrators`.\n\n" +
			"The resource remembers the set it found when it was created or imported (`restore_groups`) and " +
			"restores that set when destroyed, rather than leaving the vCenter without administrators.\n\n" + mixWarning,
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "Always `administrators`.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"groups": schema.SetAttribute{Required: true, ElementType: types.StringType,
				MarkdownDescription: "The groups, `group@domain`. An empty set removes every group (a warning says so)."},
			"restore_groups": schema.SetAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "The set found at create or import, which destroy restores.",
				PlanModifiers:       []planmodifier.Set{setplanmodifier.UseStateForUnknown()}},
		},
	}
}

func (r *administratorsResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.pd = configured(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig warns when the configuration removes every group.
func (r *administratorsResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var groups types.Set
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("groups"), &groups)...)
	if !groups.IsNull() && !groups.IsUnknown() && len(groups.Elements()) == 0 {
		resp.Diagnostics.AddAttributeWarning(path.Root("groups"), "Every administrator group will be removed",
			"groups is empty: applying removes every group with hvc administrator rights from the vCenter.")
	}
}

func (r *administratorsResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan administratorsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	groups := stringsOf(ctx, plan.Groups, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	r.pd.use(ctx, &resp.Diagnostics, func(ctx context.Context, c *hvc.Client) {
		found, err := c.Administrators.Get(ctx)
		if err != nil {
			addError(&resp.Diagnostics, "Cannot read the administrators", err)
			return
		}
		if err := c.Administrators.Set(ctx, groups); err != nil {
			addError(&resp.Diagnostics, "Cannot set the administrators", err)
			return
		}
		plan.ID = types.StringValue(administratorsID)
		plan.RestoreGroups = setOf(found)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	})
}

func (r *administratorsResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state administratorsModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	known := stringsOf(ctx, state.Groups, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	r.pd.use(ctx, &resp.Diagnostics, func(ctx context.Context, c *hvc.Client) {
		got, err := c.Administrators.Get(ctx)
		if err != nil {
			addError(&resp.Diagnostics, "Cannot read the administrators", err)
			return
		}
		state.ID = types.StringValue(administratorsID)
		state.Groups = setOf(keepSpelling(got, known))
		if state.RestoreGroups.IsNull() { // just imported: what destroy restores
			state.RestoreGroups = setOf(got)
		}
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	})
}

func (r *administratorsResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state administratorsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	groups := stringsOf(ctx, plan.Groups, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	r.pd.use(ctx, &resp.Diagnostics, func(ctx context.Context, c *hvc.Client) {
		if err := c.Administrators.Set(ctx, groups); err != nil {
			addError(&resp.Diagnostics, "Cannot set the administrators", err)
			return
		}
		plan.ID, plan.RestoreGroups = state.ID, state.RestoreGroups
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	})
}

func (r *administratorsResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state administratorsModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	restore := stringsOf(ctx, state.RestoreGroups, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	r.pd.use(ctx, &resp.Diagnostics, func(ctx context.Context, c *hvc.Client) {
		if err := c.Administrators.Set(ctx, restore); err != nil {
			addError(&resp.Diagnostics, "Cannot restore the administrators found at create", err)
		}
	})
}

func (r *administratorsResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if req.ID != administratorsID {
		resp.Diagnostics.AddError("Invalid import id",
			"hvc_administrators is one set per vCenter; its import id is \"administrators\", not "+strconvQuote(req.ID)+".")
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), administratorsID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("groups"), types.SetValueMust(types.StringType, nil))...)
}

// stringsOf reads a set of strings (nil for a null set).
func stringsOf(ctx context.Context, s types.Set, diags *diag.Diagnostics) []string {
	if s.IsNull() || s.IsUnknown() {
		return nil
	}
	var out []string
	diags.Append(s.ElementsAs(ctx, &out, false)...)
	return out
}

// setOf makes a set of strings, sorted.
func setOf(v []string) types.Set {
	sorted := append([]string(nil), v...)
	sort.Strings(sorted)
	elems := make([]attr.Value, 0, len(sorted))
	for _, s := range sorted {
		elems = append(elems, types.StringValue(s))
	}
	return types.SetValueMust(types.StringType, elems)
}

// keepSpelling returns got with each name spelled as in known when the two
// differ only in case (vCenter may report a group in another case).
func keepSpelling(got, known []string) []string {
	out := make([]string, 0, len(got))
	for _, g := range got {
		for _, k := range known {
			if strings.EqualFold(g, k) {
				g = k
				break
			}
		}
		out = append(out, g)
	}
	return out
}

var (
	_ resource.ResourceWithImportState    = (*administratorsResource)(nil)
	_ resource.ResourceWithValidateConfig = (*administratorsResource)(nil)
)
