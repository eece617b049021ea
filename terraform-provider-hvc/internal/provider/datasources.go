package provider

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hvcsdk/hvc"
)

func newLinksDataSource() datasource.DataSource          { return &linksDataSource{} }
func newLinkDataSource() datasource.DataSource           { return &linkDataSource{} }
func newAdministratorsDataSource() datasource.DataSource { return &administratorsDataSource{} }
func newSyncProvidersDataSource() datasource.DataSource  { return &syncProvidersDataSource{} }

// dsBase holds the provider data every data source is configured with.
type dsBase struct{ pd *providerData }

func (d *dsBase) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.pd = configured(req.ProviderData, &resp.Diagnostics)
}

// linksDataSource is hvc_links.
type linksDataSource struct{ dsBase }

type linkSummaryModel struct {
	ID          types.String `tfsdk:"id"`
	DisplayName types.String `tfsdk:"display_name"`
}

type linksModel struct {
	Links []linkSummaryModel `tfsdk:"links"`
}

func (d *linksDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_links"
}

func (d *linksDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The hybrid links of this vCenter (at most one): id and display name, all vCenter reports.",
		Attributes: map[string]schema.Attribute{
			"links": schema.ListNestedAttribute{Computed: true, MarkdownDescription: "The links, in vCenter's order.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":           schema.StringAttribute{Computed: true, MarkdownDescription: "The link's id."},
					"display_name": schema.StringAttribute{Computed: true, MarkdownDescription: "Its display name (the linked domain)."},
				}}},
		},
	}
}

func (d *linksDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	d.pd.use(ctx, &resp.Diagnostics, func(ctx context.Context, c *hvc.Client) {
		links, err := c.Links.List(ctx)
		if err != nil {
			addError(&resp.Diagnostics, "Cannot list the links", err)
			return
		}
		m := linksModel{Links: []linkSummaryModel{}}
		for _, l := range links {
			m.Links = append(m.Links, linkSummaryModel{ID: types.StringValue(l.Link), DisplayName: types.StringValue(l.DisplayName)})
		}
		resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	})
}

// linkDataSource is hvc_link.
type linkDataSource struct{ dsBase }

type linkDSModel struct {
	ID            types.String `tfsdk:"id"`
	DomainName    types.String `tfsdk:"domain_name"`
	DisplayName   types.String `tfsdk:"display_name"`
	Health        types.String `tfsdk:"connection_health_status"`
	HealthMessage types.String `tfsdk:"health_status_message"`
}

func (d *linkDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_link"
}

func (d *linkDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "One hybrid link, by id or by domain, with its connection health (vSphere 8.0U1 and " +
			"later; on earlier releases the health is null and a warning says why).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Optional: true, Computed: true, MarkdownDescription: "The link's id; " +
				"one of `id` and `domain_name`."},
			"domain_name": schema.StringAttribute{Optional: true, MarkdownDescription: "The linked domain, " +
				"matched case-insensitively against the display name."},
			"display_name": schema.StringAttribute{Computed: true, MarkdownDescription: "The link's display name."},
			"connection_health_status": schema.StringAttribute{Computed: true,
				MarkdownDescription: "`HEALTHY` or `UNHEALTHY` (vSphere 8.0U1 and later)."},
			"health_status_message": schema.StringAttribute{Computed: true,
				MarkdownDescription: "vCenter's message about an unhealthy link."},
		},
	}
}

func (d *linkDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("domain_name"))}
}

func (d *linkDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m linkDSModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	d.pd.use(ctx, &resp.Diagnostics, func(ctx context.Context, c *hvc.Client) {
		links, err := c.Links.List(ctx)
		if err != nil {
			addError(&resp.Diagnostics, "Cannot list the links", err)
			return
		}
		var found *hvc.LinkSummary
		for i, l := range links {
			if (!m.ID.IsNull() && l.Link == m.ID.ValueString()) ||
				(!m.DomainName.IsNull() && strings.EqualFold(l.DisplayName, m.DomainName.ValueString())) {
				found = &links[i]
				break
			}
		}
		if found == nil {
			resp.Diagnostics.AddError("No such link", "vCenter lists no link with that id or domain.")
			return
		}
		m.ID, m.DisplayName = types.StringValue(found.Link), types.StringValue(found.DisplayName)
		m.Health, m.HealthMessage = types.StringNull(), types.StringNull()
		info, err := c.Links.Get(ctx, found.Link)
		var un *hvc.OperationUnavailableError
		switch {
		case errors.As(err, &un):
			resp.Diagnostics.AddWarning("Link health is not available on this vCenter",
				"This vCenter does not serve "+un.Op+", which "+un.Versions+" have; connection_health_status is null.")
		case err != nil:
			addError(&resp.Diagnostics, "Cannot read the link's health", err)
			return
		default:
			m.Health = types.StringValue(string(info.ConnectionHealthStatus))
			if info.HealthStatusMessage != nil {
				m.HealthMessage = types.StringValue(info.HealthStatusMessage.DefaultMessage)
			}
		}
		resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	})
}

// administratorsDataSource is hvc_administrators.
type administratorsDataSource struct{ dsBase }

type administratorsDSModel struct {
	Groups types.Set `tfsdk:"groups"`
}

func (d *administratorsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_administrators"
}

func (d *administratorsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The groups with hvc administrator rights on this vCenter.",
		Attributes: map[string]schema.Attribute{
			"groups": schema.SetAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "The groups."},
		},
	}
}

func (d *administratorsDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	d.pd.use(ctx, &resp.Diagnostics, func(ctx context.Context, c *hvc.Client) {
		got, err := c.Administrators.Get(ctx)
		if err != nil {
			addError(&resp.Diagnostics, "Cannot read the administrators", err)
			return
		}
		resp.Diagnostics.Append(resp.State.Set(ctx, &administratorsDSModel{Groups: setOf(got)})...)
	})
}

// syncProvidersDataSource is hvc_sync_providers.
type syncProvidersDataSource struct{ dsBase }

type syncProviderModel struct {
	ID           types.String `tfsdk:"id"`
	Status       types.String `tfsdk:"status"`
	LastSyncTime types.String `tfsdk:"last_sync_time"`
}

type syncProvidersModel struct {
	LinkID    types.String        `tfsdk:"link_id"`
	Providers []syncProviderModel `tfsdk:"providers"`
}

func (d *syncProvidersDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_sync_providers"
}

func (d *syncProvidersDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The sync providers of a link and their last sync (vSphere 6.7 to 8.0; later " +
			"releases have no sync providers and answer with an error that says so).",
		Attributes: map[string]schema.Attribute{
			"link_id": schema.StringAttribute{Required: true, MarkdownDescription: "The link's id."},
			"providers": schema.ListNestedAttribute{Computed: true, MarkdownDescription: "The providers.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":             schema.StringAttribute{Computed: true, MarkdownDescription: "The provider's id."},
					"status":         schema.StringAttribute{Computed: true, MarkdownDescription: "`SUCCEEDED`, `FAILED` or `NO_SYNC_FOUND`."},
					"last_sync_time": schema.StringAttribute{Computed: true, MarkdownDescription: "The last sync, RFC 3339; null before the first."},
				}}},
		},
	}
}

func (d *syncProvidersDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m syncProvidersModel
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("link_id"), &m.LinkID)...)
	if resp.Diagnostics.HasError() {
		return
	}
	d.pd.use(ctx, &resp.Diagnostics, func(ctx context.Context, c *hvc.Client) {
		link := m.LinkID.ValueString()
		list, err := c.SyncProviders.List(ctx, link)
		if err != nil {
			addError(&resp.Diagnostics, "Cannot list the sync providers of "+link, err)
			return
		}
		m.Providers = []syncProviderModel{}
		for _, p := range list {
			info, err := c.SyncProviders.Get(ctx, link, p.Provider)
			if err != nil {
				addError(&resp.Diagnostics, "Cannot read the sync provider "+p.Provider, err)
				return
			}
			pm := syncProviderModel{ID: types.StringValue(p.Provider), Status: types.StringValue(string(info.Status)),
				LastSyncTime: types.StringNull()}
			if info.LastSyncTime != nil {
				pm.LastSyncTime = types.StringValue(info.LastSyncTime.UTC().Format(time.RFC3339))
			}
			m.Providers = append(m.Providers, pm)
		}
		resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	})
}
