package provider

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/hvcsdk/hvc"
)

// Default timeouts of hvc_link: a create through the Cloud Gateway takes
// "approximately 2-3 minutes" (VMware's documentation).
const (
	linkCreateTimeout = 10 * time.Minute
	linkReadTimeout   = 2 * time.Minute
	linkDeleteTimeout = 10 * time.Minute
	// reconcileTimeout bounds the list that looks for a link whose create
	// reply was lost.
	reconcileTimeout = 30 * time.Second
)

func newLinkResource() resource.Resource { return &linkResource{} }

// linkResource is hvc_link.
type linkResource struct{ pd *providerData }

// linkModel is hvc_link's state and plan.
type linkModel struct {
	ID                    types.String   `tfsdk:"id"`
	PSCHostname           types.String   `tfsdk:"psc_hostname"`
	Port                  types.Int64    `tfsdk:"port"`
	DomainName            types.String   `tfsdk:"domain_name"`
	Username              types.String   `tfsdk:"username"`
	PasswordWO            types.String   `tfsdk:"password_wo"`
	SSLThumbprint         types.String   `tfsdk:"ssl_thumbprint"`
	SSLCertificate        types.String   `tfsdk:"ssl_certificate"`
	AdminGroups           types.Set      `tfsdk:"admin_groups"`
	DeleteWithCredentials types.Bool     `tfsdk:"delete_with_credentials"`
	DisplayName           types.String   `tfsdk:"display_name"`
	Timeouts              timeouts.Value `tfsdk:"timeouts"`
}

func (r *linkResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_link"
}

func (r *linkResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	trust := []validator.String{stringvalidator.ConflictsWith(path.MatchRoot("ssl_thumbprint"), path.MatchRoot("ssl_certificate"))}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The hybrid link of this (cloud) vCenter to an on-premises SSO domain. A vCenter " +
			"has at most one. vCenter reads back only a link's id and display name (the domain): the other " +
			"arguments are what the create was given, kept in state as written.\n\n" +
			"**Destroying it unlinks**, which logs out every active session of the vCenter and leaves the " +
			"identity sources and permissions the link brought behind. A link created through the Cloud " +
			"Gateway is unlinked with a plain delete; otherwise set `delete_with_credentials` (vSphere " +
			"8.0U1 and later) and the provider's `psc_username`/`psc_password`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "The link's id; the import id.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"psc_hostname": schema.StringAttribute{Required: true, MarkdownDescription: "The on-premises PSC " +
				"(or vCenter) to link to. Changing it replaces the link (except on the first plan after " +
				"an import, which fills it in); a change of case alone does not.",
				PlanModifiers: []planmodifier.String{replaceStringUnlessImported(true)}},
			"port": schema.Int64Attribute{Optional: true, MarkdownDescription: "Its HTTPS port (vCenter's " +
				"default 443). Changing it replaces the link, except on the first plan after an import.",
				Validators:    []validator.Int64{int64validator.Between(1, 65535)},
				PlanModifiers: []planmodifier.Int64{replaceInt64UnlessImported()}},
			"domain_name": schema.StringAttribute{Required: true, MarkdownDescription: "The SSO domain to link, " +
				"e.g. `vsphere.local`. Read back from the link's display name, case-insensitively; " +
				"changing it (other than in case) replaces the link.",
				PlanModifiers: []planmodifier.String{replaceStringUnlessImported(true)}},
			"username": schema.StringAttribute{Required: true, MarkdownDescription: "An administrator of the " +
				"domain, used by the create only."},
			"password_wo": schema.StringAttribute{Required: true, Sensitive: true, WriteOnly: true,
				MarkdownDescription: "Its password: write-only (Terraform 1.11 and later), so it is in " +
					"neither plan nor state. Used by the create only."},
			"ssl_thumbprint": schema.StringAttribute{Optional: true, Validators: trust, MarkdownDescription: "The " +
				"SHA-256 (or SHA-1) thumbprint of the certificate the PSC presents. Without it (or " +
				"`ssl_certificate`) the create fails and names the thumbprint the PSC presented. A new " +
				"value (a certificate rotation) is recorded and never replaces the link."},
			"ssl_certificate": schema.StringAttribute{Optional: true, Validators: trust, MarkdownDescription: "The " +
				"PEM certificate the PSC presents, instead of `ssl_thumbprint` (vSphere 9.0 and later). A " +
				"new value is recorded and never replaces the link."},
			"admin_groups": schema.SetAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Groups (`group@domain`) the create gives hvc administrator rights. " +
					"Used by the create only; manage the set afterwards with `hvc_administrators` or " +
					"`hvc_administrator`."},
			"delete_with_credentials": schema.BoolAttribute{Optional: true, Computed: true,
				Default: booldefault.StaticBool(false), MarkdownDescription: "Unlink with the foreign " +
					"PSC's credentials (the provider's `psc_username` and `psc_password`), vSphere 8.0U1 " +
					"and later; default false, a plain delete (the unlink to use for a link made through " +
					"the Cloud Gateway)."},
			"display_name": schema.StringAttribute{Computed: true, MarkdownDescription: "The link's display " +
				"name, as vCenter reports it.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Delete: true}),
		},
	}
}

func (r *linkResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.pd = configured(req.ProviderData, &resp.Diagnostics)
}

// spec is the create spec of a plan and the write-only password.
func (m linkModel) spec(ctx context.Context, password string) (hvc.LinkCreateSpec, diag.Diagnostics) {
	s := hvc.LinkCreateSpec{
		PSCHostname:    m.PSCHostname.ValueString(),
		DomainName:     m.DomainName.ValueString(),
		Username:       m.Username.ValueString(),
		Password:       password,
		SSLThumbprint:  m.SSLThumbprint.ValueString(),
		SSLCertificate: m.SSLCertificate.ValueString(),
	}
	if !m.Port.IsNull() {
		s.Port = strconv.FormatInt(m.Port.ValueInt64(), 10)
	}
	var diags diag.Diagnostics
	if !m.AdminGroups.IsNull() {
		diags = m.AdminGroups.ElementsAs(ctx, &s.AdminGroups, false)
	}
	return s, diags
}

func (r *linkResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan linkModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var password types.String // write-only: in the configuration only
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("password_wo"), &password)...)
	timeout, d := plan.Timeouts.Create(ctx, linkCreateTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	spec, d := plan.spec(ctx, password.ValueString())
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	r.pd.use(ctx, &resp.Diagnostics, func(ctx context.Context, c *hvc.Client) {
		id, err := c.Links.Create(ctx, spec)
		if err != nil {
			id = r.createFailed(ctx, c, spec, err, &resp.Diagnostics)
			if id == "" {
				return
			}
		}
		plan.ID = types.StringValue(id)
		plan.DisplayName = types.StringValue(spec.DomainName)
		if l, ok, err := findLink(ctx, c, func(l hvc.LinkSummary) bool { return l.Link == id }); err == nil && ok {
			plan.DisplayName = types.StringValue(l.DisplayName)
		}
		plan.PasswordWO = types.StringNull()
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	})
}

// createFailed explains a failed create, or reconciles one whose outcome
// is unknown (the reply was lost or the deadline passed: the link may
// exist) by listing with a fresh short context and adopting the link for
// the domain, with a warning. It returns the adopted id, or "".
func (r *linkResource) createFailed(ctx context.Context, c *hvc.Client, spec hvc.LinkCreateSpec, err error, diags *diag.Diagnostics) string {
	var peer *hvc.UnverifiedPeerError
	var exists *hvc.AlreadyExistsError
	switch {
	case errors.As(err, &peer):
		diags.AddAttributeError(path.Root("ssl_thumbprint"), "The PSC's certificate is not trusted", untrustedDetail(spec, peer, err))
	case spec.SSLCertificate != "" && errors.Is(err, hvc.ErrUnexpectedInput):
		diags.AddAttributeError(path.Root("ssl_certificate"), "ssl_certificate is not available on this vCenter",
			fmt.Sprintf("The create spec's ssl_certificate is new in vSphere 9.0 and later; this vCenter refused it. "+
				"Pass the certificate's ssl_thumbprint instead. %v", err))
	case errors.As(err, &exists):
		diags.AddAttributeError(path.Root("domain_name"), "A link to this domain already exists", existsDetail(ctx, c, spec.DomainName, err))
	case errors.Is(err, hvc.ErrOutcomeUnknown), errors.Is(err, context.DeadlineExceeded):
		l, ok, lerr := findLink(ctx, c, func(l hvc.LinkSummary) bool { return strings.EqualFold(l.DisplayName, spec.DomainName) })
		switch {
		case lerr != nil:
			diags.AddError("The link's create may have been applied",
				fmt.Sprintf("The create's reply was lost (%v), and the list that would find the link failed too (%v). "+
					"The link to %s may exist: look (hvcctl link ls, or the data source hvc_links) and import it "+
					"before applying again; the provider never sends a create twice.", err, lerr, spec.DomainName))
		case ok:
			diags.AddWarning("Adopted the link whose create reply was lost",
				fmt.Sprintf("The create's reply was lost (%v); a link to %s exists (%s, display name %q) and is "+
					"now in state. If it was there before this apply, it is adopted as if imported.",
					err, spec.DomainName, l.Link, l.DisplayName))
			return l.Link
		default:
			diags.AddError("The link's create failed with an unknown outcome",
				fmt.Sprintf("%v. No link to %s is listed, so the create was not applied (or is still being "+
					"applied by vCenter); check before applying again.", err, spec.DomainName))
		}
	default:
		addError(diags, "Cannot create the link", err)
	}
	return ""
}

// untrustedDetail names the thumbprint the PSC presented and how to pass it.
func untrustedDetail(spec hvc.LinkCreateSpec, peer *hvc.UnverifiedPeerError, err error) string {
	info, ierr := peer.CertificateInfo()
	if ierr != nil {
		return fmt.Sprintf("vCenter could not verify the certificate of %s and did not say which it presented (%v): %v",
			spec.PSCHostname, ierr, err)
	}
	given := "No ssl_thumbprint or ssl_certificate was given."
	if spec.SSLThumbprint != "" {
		given = fmt.Sprintf("The ssl_thumbprint given, %s, does not match it.", spec.SSLThumbprint)
	} else if spec.SSLCertificate != "" {
		given = "The ssl_certificate given does not match it."
	}
	how := fmt.Sprintf("ssl_thumbprint = %q", info.SSLThumbprint)
	if info.SSLCertificate != "" {
		how += " (or ssl_certificate with the PEM certificate vCenter reported)"
	}
	port := spec.Port
	if port == "" {
		port = "443"
	}
	return fmt.Sprintf("%s presented a certificate with the thumbprint %s. %s Check the thumbprint out of band "+
		"(from a machine you trust: openssl s_client -connect %s:%s </dev/null | openssl x509 -noout -fingerprint -sha256) "+
		"and set %s.", spec.PSCHostname, info.SSLThumbprint, given, spec.PSCHostname, port, how)
}

// existsDetail names the existing link's id and the import that adopts it.
func existsDetail(ctx context.Context, c *hvc.Client, domain string, err error) string {
	l, ok, lerr := findLink(ctx, c, func(l hvc.LinkSummary) bool { return strings.EqualFold(l.DisplayName, domain) })
	if lerr != nil || !ok {
		return fmt.Sprintf("%v. Find its id with hvcctl link ls (or the data source hvc_links) and import it: "+
			"terraform import <address of this resource> <link id>.", err)
	}
	return fmt.Sprintf("%v. It is %s (display name %q). To manage it with this resource, import it:\n\n"+
		"  terraform import <address of this resource> %s\n\nor add to the configuration\n\n"+
		"  import {\n    to = <address of this resource>\n    id = %q\n  }", err, l.Link, l.DisplayName, l.Link, l.Link)
}

// findLink lists the links under a fresh short context (the caller's may
// be done) and returns the first that match accepts.
func findLink(ctx context.Context, c *hvc.Client, match func(hvc.LinkSummary) bool) (hvc.LinkSummary, bool, error) {
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), reconcileTimeout)
	defer cancel()
	links, err := c.Links.List(lctx)
	if err != nil {
		return hvc.LinkSummary{}, false, err
	}
	for _, l := range links {
		if match(l) {
			return l, true, nil
		}
	}
	return hvc.LinkSummary{}, false, nil
}

func (r *linkResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state linkModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	timeout, d := state.Timeouts.Read(ctx, linkReadTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	r.pd.use(ctx, &resp.Diagnostics, func(ctx context.Context, c *hvc.Client) {
		links, err := c.Links.List(ctx)
		if err != nil {
			addError(&resp.Diagnostics, "Cannot list the links", err)
			return
		}
		for _, l := range links {
			if l.Link != state.ID.ValueString() {
				continue
			}
			state.DisplayName = types.StringValue(l.DisplayName)
			if !strings.EqualFold(state.DomainName.ValueString(), l.DisplayName) {
				state.DomainName = types.StringValue(l.DisplayName)
			}
			resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
			return
		}
		resp.State.RemoveResource(ctx) // vanished: the next plan creates it again
	})
}

func (r *linkResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state linkModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	imported := isImported(ctx, req.Private)
	if !imported && !plan.AdminGroups.Equal(state.AdminGroups) {
		resp.Diagnostics.AddAttributeWarning(path.Root("admin_groups"), "admin_groups changed only in state",
			"vCenter applies admin_groups when it creates a link and cannot change them on it: the new value "+
				"is recorded, vCenter's administrators are unchanged. Manage them with hvc_administrators or hvc_administrator.")
	}
	if !imported && !plan.Username.Equal(state.Username) {
		resp.Diagnostics.AddAttributeWarning(path.Root("username"), "username changed only in state",
			"The link's create is the only use of username; the new value is recorded, the link is unchanged.")
	}
	// Nothing here is readable or changeable on vCenter: record the
	// configuration (a certificate rotation, a value filled in after an
	// import) without replacing the link.
	plan.ID, plan.DisplayName, plan.PasswordWO = state.ID, state.DisplayName, types.StringNull()
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, importedKey, nil)...)
}

func (r *linkResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state linkModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	timeout, d := state.Timeouts.Delete(ctx, linkDeleteTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	withCreds := state.DeleteWithCredentials.ValueBool()
	var creds hvc.Credentials
	if withCreds {
		creds = hvc.Credentials{UserName: r.pd.settings.pscUser, Password: r.pd.settings.pscPass}
		if creds.UserName == "" || creds.Password == "" {
			resp.Diagnostics.AddAttributeError(path.Root("delete_with_credentials"), "No foreign PSC credentials",
				"delete_with_credentials is set, so the unlink needs the foreign PSC's administrator: set psc_username "+
					"and psc_password in the provider block (or HVC_PSC_USERNAME and HVC_PSC_PASSWORD / HVC_PSC_PASSWORD_FILE).")
			return
		}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	r.pd.use(ctx, &resp.Diagnostics, func(ctx context.Context, c *hvc.Client) {
		var err error
		if withCreds {
			err = c.Links.DeleteWithCredentials(ctx, state.ID.ValueString(), creds)
		} else {
			err = c.Links.Delete(ctx, state.ID.ValueString())
		}
		if err != nil && !errors.Is(err, hvc.ErrNotFound) {
			addError(&resp.Diagnostics, "Cannot unlink "+state.ID.ValueString(), err)
		}
	})
}

// ValidateConfig checks ssl_thumbprint and ssl_certificate before any
// plan, as the SDK would at create time.
func (r *linkResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var tp, cert types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("ssl_thumbprint"), &tp)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("ssl_certificate"), &cert)...)
	if !tp.IsNull() && !tp.IsUnknown() {
		if _, err := hvc.New("https://127.0.0.1", hvc.WithThumbprint(tp.ValueString())); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("ssl_thumbprint"), "Invalid ssl_thumbprint",
				"Want the certificate's SHA-256 (or SHA-1) fingerprint in hex, with or without colons: "+err.Error())
		}
	}
	if !cert.IsNull() && !cert.IsUnknown() {
		block, rest := pem.Decode([]byte(cert.ValueString()))
		ok := block != nil && block.Type == "CERTIFICATE" && len(bytes.TrimSpace(rest)) == 0
		if ok {
			_, err := x509.ParseCertificate(block.Bytes)
			ok = err == nil
		}
		if !ok {
			resp.Diagnostics.AddAttributeError(path.Root("ssl_certificate"), "Invalid ssl_certificate",
				"Want exactly one PEM CERTIFICATE block holding a valid X.509 certificate.")
		}
	}
}

// ModifyPlan warns at plan time when delete_with_credentials is set and
// the provider has no foreign PSC credentials for the destroy.
func (r *linkResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.pd == nil || req.Plan.Raw.IsNull() {
		return
	}
	var withCreds types.Bool
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("delete_with_credentials"), &withCreds)...)
	if withCreds.ValueBool() && (r.pd.settings.pscUser == "" || r.pd.settings.pscPass == "") {
		resp.Diagnostics.AddAttributeWarning(path.Root("delete_with_credentials"), "No foreign PSC credentials for the unlink",
			"delete_with_credentials is set but the provider has no psc_username and psc_password (nor HVC_PSC_USERNAME "+
				"and HVC_PSC_PASSWORD): destroying this link will fail until they are set.")
	}
}

func (r *linkResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if strings.TrimSpace(req.ID) == "" {
		resp.Diagnostics.AddError("Invalid import id", "The import id of hvc_link is the link's id (hvcctl link ls lists them).")
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("delete_with_credentials"), false)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, importedKey, []byte("true"))...)
}

var (
	_ resource.ResourceWithConfigure      = (*linkResource)(nil)
	_ resource.ResourceWithImportState    = (*linkResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*linkResource)(nil)
	_ resource.ResourceWithValidateConfig = (*linkResource)(nil)
)
