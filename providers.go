package hvc

import (
	"context"
	"net/http"
)

// SyncProvidersService lists, inspects and starts a link's sync providers
// (com.vmware.vcenter.hvc.links.sync.providers, vSphere up to 8.0 GA).
type SyncProvidersService service

const providersTemplate = linksPath + "/{link}/sync/providers"

func providersPath(linkID string) string { return linksPath + "/" + escape(linkID) + "/sync/providers" }

func providerPath(linkID, providerID string) string {
	return linksPath + "/" + escape(linkID) + "/sync/providers/" + escape(providerID)
}

// List returns a link's sync providers.
//
// HTTP: GET /api/hvc/links/{link}/sync/providers or legacy GET
// /rest/hvc/links/{link}/sync/providers (200). Declared errors:
// *UnauthorizedError, *GenericError.
func (s *SyncProvidersService) List(ctx context.Context, linkID string) ([]ProviderSummary, error) {
	if err := checkID(http.MethodGet, providersTemplate, "link", linkID); err != nil {
		return nil, err
	}
	var out []ProviderSummary
	err := s.client.do(ctx, &call{method: http.MethodGet, path: providersPath(linkID), out: &out})
	return out, err
}

// Get returns a provider's sync state and the progress of its current sync
// session.
//
// HTTP: GET /api/hvc/links/{link}/sync/providers/{provider} or legacy GET
// /rest/hvc/links/{link}/sync/providers/{provider} (200). Declared errors:
// *NotFoundError, *UnauthorizedError, *GenericError.
func (s *SyncProvidersService) Get(ctx context.Context, linkID, providerID string) (ProviderInfo, error) {
	var out ProviderInfo
	if err := checkIDs(http.MethodGet, providersTemplate+"/{provider}", linkID, providerID); err != nil {
		return out, err
	}
	err := s.client.do(ctx, &call{method: http.MethodGet, path: providerPath(linkID, providerID), out: &out})
	return out, err
}

// Start starts a sync between the local and remote replicas of a provider.
// When creds is non-nil they are sent as {"credentials":{…}} to
// authenticate to the remote system; otherwise no body is sent.
//
// HTTP: POST /api/hvc/links/{link}/sync/providers/{provider}?action=start
// (204) or legacy POST /rest/…?action=start (200). Declared errors:
// *NotFoundError (link or provider), *UnauthorizedError,
// *ResourceBusyError (a sync is already running), *GenericError.
func (s *SyncProvidersService) Start(ctx context.Context, linkID, providerID string, creds *Credentials) error {
	const p = providersTemplate + "/{provider}?action=start"
	if err := checkIDs(http.MethodPost, p, linkID, providerID); err != nil {
		return err
	}
	op := &call{method: http.MethodPost, path: providerPath(linkID, providerID), query: "action=start"}
	if creds != nil {
		if err := creds.validate(http.MethodPost, p, "credentials"); err != nil {
			return err
		}
		op.body, op.secrets = credentialsBody{creds}, []string{creds.Password}
	}
	return s.client.do(ctx, op)
}

func checkIDs(method, path, linkID, providerID string) error {
	if err := checkID(method, path, "link", linkID); err != nil {
		return err
	}
	return checkID(method, path, "provider", providerID)
}
