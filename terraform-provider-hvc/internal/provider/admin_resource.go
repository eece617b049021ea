package provider

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hvcsdk/hvc"
)

func newAdministratorResource() resource.Resource { return &administratorResource{} }

// administratorResource is hvc_administrator: one group of the set.
type administratorResource struct{ pd *providerData }

type administratorModel struct {
	ID        types.String `tfsdk:"id"`
	GroupName types.String `tfsdk:"group_name"`
}

func (r *administratorResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_administrator"
}

func (r *administratorResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "One group with hvc administrator rights on this vCenter; other groups are left " +
			"alone. Import id: the group name.\n\n" + mixWarning,
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "The group name.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"group_name": schema.StringAttribute{Required: true, MarkdownDescription: "The group, `group@domain`. " +
				"Changing it replaces the resource.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()}},
		},
	}
}

func (r *administratorResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.pd = configured(req.ProviderData, &resp.Diagnostics)
}

func (r *administratorResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan administratorModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.pd.use(ctx, &resp.Diagnostics, func(ctx context.Context, c *hvc.Client) {
		if err := c.Administrators.Add(ctx, plan.GroupName.ValueString()); err != nil {
			addError(&resp.Diagnostics, "Cannot add the administrator group", err)
			return
		}
		plan.ID = plan.GroupName
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	})
}

func (r *administratorResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state administratorModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.pd.use(ctx, &resp.Diagnostics, func(ctx context.Context, c *hvc.Client) {
		got, err := c.Administrators.Get(ctx)
		if err != nil {
			addError(&resp.Diagnostics, "Cannot read the administrators", err)
			return
		}
		for _, g := range got {
			if strings.EqualFold(g, state.ID.ValueString()) {
				if state.GroupName.IsNull() { // just imported
					state.GroupName = types.StringValue(g)
				}
				resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
				return
			}
		}
		resp.State.RemoveResource(ctx)
	})
}

// Update is never called: group_name replaces.
func (r *administratorResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.Diagnostics.Append(resp.State.Set(ctx, req.Plan.Raw)...)
}

func (r *administratorResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state administratorModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.pd.use(ctx, &resp.Diagnostics, func(ctx context.Context, c *hvc.Client) {
		if err := c.Administrators.Remove(ctx, state.GroupName.ValueString()); err != nil && !errors.Is(err, hvc.ErrNotFound) {
			addError(&resp.Diagnostics, "Cannot remove the administrator group", err)
		}
	})
}

func (r *administratorResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if strings.TrimSpace(req.ID) == "" {
		resp.Diagnostics.AddError("Invalid import id", "The import id of hvc_administrator is the group name, group@domain.")
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
}

// strconvQuote quotes a user's value for a message.
func strconvQuote(s string) string { return strconv.Quote(s) }

var _ resource.ResourceWithImportState = (*administratorResource)(nil)
