package hvc

import (
	"context"
	"encoding/json"
	"time"

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

// ProviderSummary is one entry of SyncProvidersService.List.
type ProviderSummary struct {
	// Provider is the sync provider's identifier.
	Provider string `json:"provider"`
}

// SyncStatus is the result of a provider's last sync. Values a newer server
// adds decode as is.
type SyncStatus string

// Sync status values of ProviderInfo.
const (
	SyncStatusSucceeded   SyncStatus = "SUCCEEDED"
	SyncStatusFailed      SyncStatus = "FAILED"
	SyncStatusNoSyncFound SyncStatus = "NO_SYNC_FOUND"
)

// SyncStage is the stage of a sync session. Values a newer server adds
// decode as is.
type SyncStage string

// Sync session stages, in the order a successful session passes them.
const (
	SyncStageWaiting           SyncStage = "WAITING"
	SyncStageChangeDetection   SyncStage = "CHANGE_DETECTION"
	SyncStageChangeEnumeration SyncStage = "CHANGE_ENUMERATION"
	SyncStageChangeApplication SyncStage = "CHANGE_APPLICATION"
	SyncStageCompleted         SyncStage = "COMPLETED"
	SyncStageFailed            SyncStage = "FAILED"
)

// Done reports whether the stage is final (COMPLETED or FAILED).
func (s SyncStage) Done() bool { return s == SyncStageCompleted || s == SyncStageFailed }

// ProviderInfo is a sync provider's state (links.sync.providers.info).
type ProviderInfo struct {
	// LastSyncTime is nil when no sync was found.
	LastSyncTime *time.Time
	// Status is the result of the last sync.
	Status SyncStatus
	// PollingIntervalInSeconds is the provider's regular sync interval.
	PollingIntervalInSeconds int64
	// CurrentSessionInfo is nil when no forced sync session is outstanding.
	CurrentSessionInfo *SyncSessionInfo
	// StatusMessage explains a FAILED status; nil otherwise.
	StatusMessage *LocalizableMessage
}

// SyncSessionInfo is the progress of a sync session (providers.session_info).
type SyncSessionInfo struct {
	Stage         SyncStage
	CompletedWork int64
	TotalWork     int64
	StartTime     time.Time
	// CompletionTime is set once Stage is COMPLETED or FAILED.
	CompletionTime *time.Time
	// Exception is the failure, set when Stage is FAILED.
	Exception *LocalizableMessage
}

type wireSessionInfo struct {
	Stage          SyncStage           `json:"stage"`
	CompletedWork  int64               `json:"completed_work"`
	TotalWork      int64               `json:"total_work"`
	StartTime      *Time               `json:"start_time"`
	CompletionTime *Time               `json:"completion_time"`
	Exception      *LocalizableMessage `json:"exception"`
}

// UnmarshalJSON decodes the wire form with tolerant time parsing.
func (s *SyncSessionInfo) UnmarshalJSON(b []byte) error {
	var w wireSessionInfo
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*s = SyncSessionInfo{Stage: w.Stage, CompletedWork: w.CompletedWork, TotalWork: w.TotalWork,
		CompletionTime: w.CompletionTime.ptr(), Exception: w.Exception}
	if t := w.StartTime.ptr(); t != nil {
		s.StartTime = *t
	}
	return nil
}

// UnmarshalJSON decodes the wire form with tolerant time parsing.
func (p *ProviderInfo) UnmarshalJSON(b []byte) error {
	var w struct {
		LastSyncTime             *Time               `json:"last_sync_time"`
		Status                   SyncStatus          `json:"status"`
		PollingIntervalInSeconds int64               `json:"polling_interval_in_seconds"`
		CurrentSessionInfo       *SyncSessionInfo    `json:"current_session_info"`
		StatusMessage            *LocalizableMessage `json:"status_message"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*p = ProviderInfo{LastSyncTime: w.LastSyncTime.ptr(), Status: w.Status,
		PollingIntervalInSeconds: w.PollingIntervalInSeconds,
		CurrentSessionInfo:       w.CurrentSessionInfo, StatusMessage: w.StatusMessage}
	return nil
}

// SyncProgress is one observation of a running sync.
type SyncProgress struct {
	LinkID, ProviderID string
	Stage              SyncStage
	CompletedWork      int64
	TotalWork          int64
}
