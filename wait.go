package hvc

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

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
