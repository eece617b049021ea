package hvc

import (
	"context"

	"github.com/hvcsdk/hvc/internal/ops"
)

// SyncProvidersService lists, inspects and starts a link's sync providers
// (com.vmware.vcenter.hvc.links.sync.providers, vSphere up to 8.0 GA).
type SyncProvidersService service

// List returns a link's sync providers.
//
// HTTP: GET /api/hvc/links/{link}/sync/providers or legacy GET
// /rest/hvc/links/{link}/sync/providers (200). Declared errors:
// *UnauthorizedError, *GenericError.
func (s *SyncProvidersService) List(ctx context.Context, linkID string) ([]ProviderSummary, error) {
	var out []ProviderSummary
	err := s.c().do(ctx, &call{op: ops.SyncProvidersList, params: []string{linkID}, out: &out})
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
	err := s.c().do(ctx, &call{op: ops.SyncProvidersGet, params: []string{linkID, providerID}, out: &out})
	return out, err
}

// Start starts a sync between the local and remote replicas of a provider.
// When creds is non-nil they are sent as {"credentials":{…}} to
// authenticate to the remote system; otherwise no body is sent. Only a 7.0
// development build documented that body: released servers (6.7–8.0) have
// no body parameter and answer *UnexpectedInputError, so pass nil to them.
//
// HTTP: POST /api/hvc/links/{link}/sync/providers/{provider}?action=start
// (204) or legacy POST /rest/…?action=start (200). Declared errors:
// *NotFoundError (link or provider), *UnauthorizedError,
// *ResourceBusyError (a sync is already running), *GenericError.
func (s *SyncProvidersService) Start(ctx context.Context, linkID, providerID string, creds *Credentials) error {
	cl := &call{op: ops.SyncProvidersStart, params: []string{linkID, providerID}}
	if creds != nil {
		if err := creds.validate(ops.SyncProvidersStart, "credentials"); err != nil {
			return err
		}
		cl.body, cl.secrets = credentialsBody{creds}, []string{creds.Password}
	}
	return s.c().do(ctx, cl)
}
