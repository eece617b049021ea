// Package provider implements the hvc Terraform provider: the provider
// block, the hvc_link, hvc_administrators and hvc_administrator resources
// and the hvc_links, hvc_link, hvc_administrators and hvc_sync_providers
// data sources, on the public hvc SDK.
package provider

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hvcsdk/hvc"
)

// Address is the provider's source address.
const Address = "registry.terraform.io/hvcsdk/hvc"

// New returns the factory of the provider at version (the User-Agent
// names it).
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &hvcProvider{version: version, lookup: os.LookupEnv} }
}

// hvcProvider is the provider; lookup reads the environment (a seam for
// tests).
type hvcProvider struct {
	version string
	lookup  lookupFunc
}

// providerModel is the provider block.
type providerModel struct {
	URL         types.String `tfsdk:"url"`
	Username    types.String `tfsdk:"username"`
	Password    types.String `tfsdk:"password"`
	Thumbprint  types.String `tfsdk:"thumbprint"`
	CAFile      types.String `tfsdk:"ca_file"`
	Insecure    types.Bool   `tfsdk:"insecure"`
	Flavor      types.String `tfsdk:"flavor"`
	APITimeout  types.String `tfsdk:"api_timeout"`
	PSCUsername types.String `tfsdk:"psc_username"`
	PSCPassword types.String `tfsdk:"psc_password"`
}

// Metadata names the provider's type.
func (p *hvcProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "hvc"
	resp.Version = p.version
}

// Schema describes the provider block.
func (p *hvcProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	trust := []validator.String{stringvalidator.ConflictsWith(
		path.MatchRoot("thumbprint"), path.MatchRoot("ca_file"), path.MatchRoot("insecure"))}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages vCenter's Hybrid Linked Mode (hvc): the link of a cloud vCenter to an " +
			"on-premises SSO domain, and the groups with hvc administrator rights.\n\n" +
			"Every argument may be left out and taken from the environment, in the precedence hvcctl uses: " +
			"the argument, then its `HVC_*` variable, then the `GOVC_*` variable of the same suffix, so the " +
			"exports of `hvcctl sim` (or a govc environment) configure the provider as they are.\n\n" +
			"Sessions: the provider logs in when an operation needs vCenter and logs the session out as soon " +
			"as no operation is using it, so no session is left open when a terraform command ends.",
		Attributes: map[string]schema.Attribute{
			"url": schema.StringAttribute{Optional: true, MarkdownDescription: "The vCenter: `host`, `host:port` " +
				"or `https://host[:port][/sdk]`. Default `HVC_URL`, then `GOVC_URL` (which alone may carry " +
				"`user:password@`)."},
			"username": schema.StringAttribute{Optional: true, MarkdownDescription: "vCenter user. Default " +
				"`HVC_USERNAME`, then `GOVC_USERNAME`, then the user of the URL."},
			"password": schema.StringAttribute{Optional: true, Sensitive: true, MarkdownDescription: "vCenter " +
				"password. Default the file `HVC_PASSWORD_FILE` names or `HVC_PASSWORD` (not both), then " +
				"`GOVC_PASSWORD`, then the password of the URL."},
			"thumbprint": schema.StringAttribute{Optional: true, Validators: trust, MarkdownDescription: "Pin " +
				"the vCenter certificate by its SHA-256 (or SHA-1) thumbprint. One of `thumbprint`, `ca_file` " +
				"and `insecure`; when none is set: `HVC_INSECURE`, `HVC_THUMBPRINT`, the host's entry in the " +
				"known-hosts file (`HVC_TLS_KNOWN_HOSTS`, default `$HVCCTL_HOME/known_hosts`), " +
				"`HVC_TLS_CA_CERTS`, then the system roots."},
			"ca_file": schema.StringAttribute{Optional: true, Validators: trust, MarkdownDescription: "PEM file " +
				"of the CA certificates to verify vCenter against. Default `HVC_TLS_CA_CERTS`, then " +
				"`GOVC_TLS_CA_CERTS` (after the pins above)."},
			"insecure": schema.BoolAttribute{Optional: true, MarkdownDescription: "Skip certificate " +
				"verification (a warning says so). Default `HVC_INSECURE`, then `GOVC_INSECURE`."},
			"flavor": schema.StringAttribute{Optional: true,
				Validators:          []validator.String{stringvalidator.OneOfCaseInsensitive("auto", "api", "rest")},
				MarkdownDescription: "`auto` (default), `api` (vSphere 7.0U2+) or `rest` (the legacy API). Default `HVC_FLAVOR`."},
			"api_timeout": schema.StringAttribute{Optional: true, MarkdownDescription: "Longest wait for one API " +
				"request, as a duration (`90s`, `10m`). Default `HVC_API_TIMEOUT`, then `0`: no cap per " +
				"request, so the operation's own bound decides — `hvc_link`'s `timeouts` (a create through " +
				"the Cloud Gateway takes 2–3 minutes; the default allows 10), 2 minutes for the other " +
				"resources and the data sources."},
			"psc_username": schema.StringAttribute{Optional: true, MarkdownDescription: "Administrator of the " +
				"foreign PSC, for the unlink of an `hvc_link` with `delete_with_credentials`. Default `HVC_PSC_USERNAME`."},
			"psc_password": schema.StringAttribute{Optional: true, Sensitive: true, MarkdownDescription: "Its " +
				"password. Default the file `HVC_PSC_PASSWORD_FILE` names or `HVC_PSC_PASSWORD` (not both)."},
		},
	}
}

// providerData is what Configure hands the resources and data sources.
type providerData struct {
	sessions *sessions
	settings settings
}

// Configure resolves the settings and prepares the client; it logs in
// nowhere (the first operation does).
func (p *hvcProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	for _, v := range []types.String{m.URL, m.Username, m.Password, m.Thumbprint, m.CAFile, m.Flavor, m.APITimeout, m.PSCUsername, m.PSCPassword} {
		if v.IsUnknown() {
			resp.Diagnostics.AddError("Provider configuration is not known yet",
				"An argument of the hvc provider depends on a value known only after apply; the provider "+
					"needs its connection settings to plan. Set it from a variable or a value known at plan time.")
			return
		}
	}
	s, err := resolve(m.raw(), p.lookup)
	if err != nil {
		resp.Diagnostics.AddError("Invalid hvc provider configuration", err.Error())
		return
	}
	if s.trustDesc == "insecure" || s.trustDesc == "insecure (HVC_INSECURE)" {
		resp.Diagnostics.AddWarning("Certificate verification is disabled",
			fmt.Sprintf("The certificate of %s is not verified (%s); anyone on the path can read the "+
				"credentials. Prefer thumbprint or ca_file.", s.hostport, s.trustDesc))
	}
	ua := fmt.Sprintf("terraform-provider-hvc/%s (+terraform %s) %s", p.version, req.TerraformVersion, hvc.DefaultUserAgent)
	opts := append([]hvc.Option{
		hvc.WithCredentials(s.username, s.password),
		hvc.WithUserAgent(ua),
		hvc.WithTimeout(s.apiTimeout),
	}, s.trust...)
	if s.flavor != hvc.FlavorAuto {
		opts = append(opts, hvc.WithFlavor(s.flavor))
	}
	// Build one client now so that a bad option fails at configure time.
	if _, err := hvc.New(s.endpoint, opts...); err != nil {
		resp.Diagnostics.AddError("Invalid hvc provider configuration", err.Error())
		return
	}
	pd := &providerData{settings: s, sessions: &sessions{newClient: func() (*hvc.Client, error) {
		return hvc.New(s.endpoint, opts...)
	}}}
	resp.ResourceData, resp.DataSourceData = pd, pd
}

func (m providerModel) raw() rawConfig {
	str := func(v types.String) *string {
		if v.IsNull() {
			return nil
		}
		s := v.ValueString()
		return &s
	}
	rc := rawConfig{URL: str(m.URL), Username: str(m.Username), Password: str(m.Password),
		Thumbprint: str(m.Thumbprint), CAFile: str(m.CAFile), Flavor: str(m.Flavor),
		APITimeout: str(m.APITimeout), PSCUsername: str(m.PSCUsername), PSCPassword: str(m.PSCPassword)}
	if !m.Insecure.IsNull() {
		b := m.Insecure.ValueBool()
		rc.Insecure = &b
	}
	return rc
}

// Resources lists the resource types.
func (p *hvcProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{newLinkResource, newAdministratorsResource, newAdministratorResource}
}

// DataSources lists the data source types.
func (p *hvcProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{newLinksDataSource, newLinkDataSource,
		newAdministratorsDataSource, newSyncProvidersDataSource}
}

// defaultOpTimeout bounds an operation that has no timeouts block of its
// own (the administrator resources, the data sources), since api_timeout
// puts no cap on a request by default.
const defaultOpTimeout = 2 * time.Minute

// use runs fn with a client of the provider's sessions and ends the
// session when no other operation uses it; a failed logout is a warning.
// fn's context is ctx, bounded by defaultOpTimeout when ctx has no
// deadline (a resource with timeouts sets one before calling use).
func (pd *providerData) use(ctx context.Context, diags *diag.Diagnostics, fn func(context.Context, *hvc.Client)) {
	if pd == nil {
		diags.AddError("Provider not configured", "The hvc provider was not configured before this operation.")
		return
	}
	c, err := pd.sessions.acquire()
	if err != nil {
		diags.AddError("Cannot create the hvc client", err.Error())
		return
	}
	defer func() {
		if err := pd.sessions.release(ctx); err != nil {
			diags.AddWarning("Logout from vCenter failed", "The session may stay open until vCenter times it out: "+err.Error())
		}
	}()
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultOpTimeout)
		defer cancel()
	}
	fn(ctx, c)
}

// configured reads the provider data a resource or data source is given.
func configured(data any, diags *diag.Diagnostics) *providerData {
	if data == nil {
		return nil // ValidateResourceConfig and the like run unconfigured
	}
	pd, ok := data.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("Expected *providerData, got %T.", data))
		return nil
	}
	return pd
}
