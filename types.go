package hvc

import (
	"fmt"
	"log/slog"

	"github.com/hvcsdk/hvc/internal/redact"
)

// LinkCreateSpec describes a new hybrid link (com.vmware.vcenter.hvc.links.create_spec).
// Its Password never appears in %v, %+v, %#v or slog output.
type LinkCreateSpec struct {
	// PSCHostname is the foreign PSC's host name. Required.
	PSCHostname string `json:"psc_hostname"`
	// Port is the foreign PSC's HTTPS port as a decimal string; "" means 443.
	Port string `json:"port,omitempty"`
	// DomainName is the foreign SSO domain. Required; it becomes the link's
	// display name.
	DomainName string `json:"domain_name"`
	// Username is an administrator of the foreign PSC. Required.
	Username string `json:"username"`
	// Password is Username's password. Required.
	Password string `json:"password"`
	// SSLThumbprint is the expected thumbprint of the PSC's certificate. When
	// empty the server answers UNVERIFIED_PEER with the presented thumbprint;
	// see LinksService.CreateTrusting.
	SSLThumbprint string `json:"ssl_thumbprint,omitempty"`
	// SSLCertificate is the expected certificate of the PSC, one PEM
	// CERTIFICATE block (vSphere 9.0+, which deprecates SSLThumbprint).
	// Older servers refuse the field (*UnexpectedInputError); leave it empty
	// for them. CreateTrusting fills it when the server reports the
	// certificate.
	SSLCertificate string `json:"ssl_certificate,omitempty"`
	// AdminGroups are groups given administrator access; nil sets none.
	AdminGroups []string `json:"admin_groups,omitempty"`
}

type plainCreateSpec LinkCreateSpec

func (s LinkCreateSpec) masked() plainCreateSpec {
	p := plainCreateSpec(s)
	if p.Password != "" {
		p.Password = redact.Mask
	}
	return p
}

// String formats the spec with its password redacted.
func (s LinkCreateSpec) String() string { return fmt.Sprintf("%+v", s.masked()) }

// GoString formats the spec for %#v with its password redacted.
func (s LinkCreateSpec) GoString() string {
	return "hvc.LinkCreateSpec" + fmt.Sprintf("%#v", s.masked())[len("hvc.plainCreateSpec"):]
}

// LogValue makes slog record the spec with its password redacted.
func (s LinkCreateSpec) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("psc_hostname", s.PSCHostname),
		slog.String("port", s.Port),
		slog.String("domain_name", s.DomainName),
		slog.String("username", s.Username),
		slog.String("password", redact.Mask),
		slog.String("ssl_thumbprint", s.SSLThumbprint),
		slog.Bool("ssl_certificate", s.SSLCertificate != ""),
		slog.Any("admin_groups", s.AdminGroups),
	)
}

// Credentials authenticate to the foreign system (links.credentials and
// providers.credentials). Its Password never appears in %v, %+v, %#v or
// slog output.
type Credentials struct {
	UserName string `json:"user_name"`
	Password string `json:"password"`
}

// String formats the credentials with the password redacted.
func (c Credentials) String() string {
	return "{UserName:" + c.UserName + " Password:" + redact.Mask + "}"
}

// GoString formats the credentials for %#v with the password redacted.
func (c Credentials) GoString() string {
	return fmt.Sprintf("hvc.Credentials{UserName:%q, Password:%q}", c.UserName, redact.Mask)
}

// LogValue makes slog record the credentials with the password redacted.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("user_name", c.UserName), slog.String("password", redact.Mask))
}

// LinkSummary is one entry of LinksService.List (links.summary).
type LinkSummary struct {
	// Link is the link's identifier.
	Link string `json:"link"`
	// DisplayName is the foreign domain name given at creation.
	DisplayName string `json:"display_name"`
}

// HealthStatus is a link's connection health. Values a newer server adds
// decode as is.
type HealthStatus string

// Connection health values of LinkInfo.
const (
	HealthStatusHealthy   HealthStatus = "HEALTHY"
	HealthStatusUnhealthy HealthStatus = "UNHEALTHY"
)

// LinkInfo is the state of one link (links.info, vSphere 8.0U1+).
type LinkInfo struct {
	// ConnectionHealthStatus is "" when the server does not report it.
	ConnectionHealthStatus HealthStatus `json:"connection_health_status,omitempty"`
	// HealthStatusMessage explains an UNHEALTHY status; nil otherwise.
	HealthStatusMessage *LocalizableMessage `json:"health_status_message,omitempty"`
}
