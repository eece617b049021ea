package hvc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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

// DefaultPollInterval is how often Wait polls when WaitOptions leaves it 0.
const DefaultPollInterval = 2 * time.Second

// WaitOptions tunes SyncProvidersService.Wait and StartAndWait.
type WaitOptions struct {
	// PollInterval is the time between two polls (default 2 s).
	PollInterval time.Duration
	// OnProgress, when set, is called from the waiting goroutine with the
	// first progress seen and then on every change of stage or work.
	OnProgress func(SyncProgress)
	// JoinRunning makes StartAndWait treat RESOURCE_BUSY from Start ("a sync
	// is already running") as success and wait for the running sync instead.
	// It is off by default because the running sync may have been started
	// with other credentials or before changes the caller wants synced.
	JoinRunning bool
}

// SyncProgress is one observation of a running sync.
type SyncProgress struct {
	LinkID, ProviderID string
	Stage              SyncStage
	CompletedWork      int64
	TotalWork          int64
}

// SyncFailedError reports a sync session that ended in stage FAILED (or a
// provider whose status is FAILED once no session is outstanding). Message
// is the server's exception (or status message).
type SyncFailedError struct {
	LinkID, ProviderID string
	Message            *LocalizableMessage
	// Info is the provider state that showed the failure.
	Info ProviderInfo
}

// Error names the link and provider and quotes the server's message.
func (e *SyncFailedError) Error() string {
	var b strings.Builder
	b.WriteString("hvc: sync of provider " + e.ProviderID + " on link " + e.LinkID + " failed")
	if e.Message != nil {
		b.WriteString(": ")
		writeServerText(&b, e.Message.text())
	}
	return b.String()
}

// StartAndWait starts a provider's sync (see Start) and waits for it to end
// (see Wait). With opts.JoinRunning, a sync that is already running is
// waited for instead of failing with *ResourceBusyError.
// When creds is set, its password is scrubbed from the server messages the
// result and a *SyncFailedError carry.
func (s *SyncProvidersService) StartAndWait(ctx context.Context, linkID, providerID string, creds *Credentials, opts WaitOptions) (ProviderInfo, error) {
	err := s.Start(ctx, linkID, providerID, creds)
	if err != nil && !(opts.JoinRunning && errors.Is(err, ErrResourceBusy)) {
		return ProviderInfo{}, err
	}
	info, err := s.Wait(ctx, linkID, providerID, opts)
	if creds != nil && creds.Password != "" {
		// A server echoing the sync password in its exception or status
		// message must not leak it. Wait's *SyncFailedError points at the
		// very messages info holds, so scrubbing info covers the error too.
		secrets := []string{creds.Password}
		scrubMessage(info.StatusMessage, secrets)
		if si := info.CurrentSessionInfo; si != nil {
			scrubMessage(si.Exception, secrets)
		}
	}
	return info, err
}

// Wait polls a provider (GET …/sync/providers/{provider}) until its current
// sync session reaches COMPLETED or FAILED, or until no session is
// outstanding any more, and returns the final state. A failed sync returns
// *SyncFailedError carrying the server's exception message. Wait returns as
// soon as ctx is done, with an error that matches ctx's error.
func (s *SyncProvidersService) Wait(ctx context.Context, linkID, providerID string, opts WaitOptions) (ProviderInfo, error) {
	interval := opts.PollInterval
	if interval <= 0 {
		interval = DefaultPollInterval
	}
	var last *SyncProgress
	var timer *time.Timer
	for {
		info, err := s.Get(ctx, linkID, providerID)
		if err != nil {
			return info, err
		}
		sess := info.CurrentSessionInfo
		if sess != nil && opts.OnProgress != nil {
			p := SyncProgress{LinkID: linkID, ProviderID: providerID, Stage: sess.Stage,
				CompletedWork: sess.CompletedWork, TotalWork: sess.TotalWork}
			if last == nil || *last != p {
				last = &p
				opts.OnProgress(p)
			}
		}
		switch {
		case sess == nil && info.Status == SyncStatusFailed:
			return info, &SyncFailedError{LinkID: linkID, ProviderID: providerID, Message: info.StatusMessage, Info: info}
		case sess == nil:
			return info, nil
		case sess.Stage == SyncStageFailed:
			msg := sess.Exception
			if msg == nil {
				msg = info.StatusMessage
			}
			return info, &SyncFailedError{LinkID: linkID, ProviderID: providerID, Message: msg, Info: info}
		case sess.Stage == SyncStageCompleted:
			return info, nil
		}
		if timer == nil {
			timer = time.NewTimer(interval)
			defer timer.Stop()
		} else {
			timer.Reset(interval)
		}
		select {
		case <-ctx.Done():
			return info, fmt.Errorf("hvc: waiting for the sync of provider %s on link %s: %w", providerID, linkID, context.Cause(ctx))
		case <-timer.C:
		}
	}
}
