package hvc

import (
	"context"

	"github.com/hvcsdk/hvc/internal/ops"
)

// SyncService resets a link's sync state (com.vmware.vcenter.hvc.links.sync,
// vSphere up to 8.0 GA).
type SyncService service

// Reset resets the sync state of a link.
//
// HTTP: POST /api/hvc/links/{link}/sync?action=reset (204) or legacy POST
// /rest/hvc/links/{link}/sync?action=reset (200). Declared errors:
// *NotFoundError, *UnauthorizedError, *GenericError.
func (s *SyncService) Reset(ctx context.Context, linkID string) error {
	return s.c().do(ctx, &call{op: ops.SyncReset, params: []string{linkID}})
}
