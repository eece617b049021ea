package hvc

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hvcsdk/hvc/internal/ops"
)

// DefaultPollInterval is a sensible explicit WaitOptions.PollInterval (it
// was Wait's fixed interval before Wait polled adaptively). With
// PollInterval left 0, Wait polls a tenth of the time waited so far, within
// [MinPollInterval, MaxPollInterval].
const DefaultPollInterval = 2 * time.Second

// The bounds of Wait's adaptive polling (WaitOptions.PollInterval 0): a
// sync that ends after d is seen at most max(MinPollInterval, d/10) late,
// and a long one costs one GET per MaxPollInterval at most.
const (
	MinPollInterval = 100 * time.Millisecond
	MaxPollInterval = 10 * time.Second
)

// WaitOptions tunes SyncProvidersService.Wait and StartAndWait.
type WaitOptions struct {
	// PollInterval is the time between two polls. Left 0, Wait polls
	// adaptively: a tenth of the time waited so far, within
	// [MinPollInterval, MaxPollInterval], so a short sync is seen promptly
	// and a long one costs few GETs.
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

// StartAndWait starts a provider's sync (see Start) and waits for it to end
// (see Wait). With opts.JoinRunning, a sync that is already running is
// waited for instead of failing with *ResourceBusyError.
// When creds is set, its password is scrubbed from the server messages the
// result and a *SyncFailedError carry.
func (s *SyncProvidersService) StartAndWait(ctx context.Context, linkID, providerID string, creds *Credentials, opts WaitOptions) (ProviderInfo, error) {
	if _, _, _, err := s.c().prepare(ctx, opStartAndWait, ops.SyncProvidersStart, []string{linkID, providerID}); err != nil {
		return ProviderInfo{}, err
	}
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
// soon as ctx is done, with an error that matches ctx's error (a
// *TransportError with Op "SyncProviders.Wait" when ctx ends between two
// polls).
func (s *SyncProvidersService) Wait(ctx context.Context, linkID, providerID string, opts WaitOptions) (ProviderInfo, error) {
	c := s.c()
	o, _, _, err := c.prepare(ctx, opWait, ops.SyncProvidersGet, []string{linkID, providerID})
	if err != nil {
		return ProviderInfo{}, err
	}
	now, sleep := time.Now, sleepCtx
	if c != nil && c.pollClock != nil {
		now, sleep = c.pollClock.now, c.pollClock.sleep
	}
	start := now()
	var last *SyncProgress
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
		if err := sleep(ctx, pollInterval(opts.PollInterval, now().Sub(start))); err != nil {
			return info, o.interrupted(fmt.Errorf("waiting for the sync to end: %w", err))
		}
	}
}

// pollInterval is the wait before the next poll: explicit when the caller
// set one, else a tenth of waited within [MinPollInterval, MaxPollInterval].
func pollInterval(explicit, waited time.Duration) time.Duration {
	if explicit > 0 {
		return explicit
	}
	return min(max(waited/10, MinPollInterval), MaxPollInterval)
}

// pollClock is the clock Wait reads and sleeps on; nil in Client means the
// real one. Tests replace it to run a long wait in no time.
type pollClock struct {
	now   func() time.Time
	sleep waitFunc
}
