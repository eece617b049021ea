package hvc_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvcsdk/hvc"
)

const fvcProviderPath = "/api/hvc/links/link-1/sync/providers/p1"

// fvcSession renders a provider Info (the /api form) with a current session.
func fvcSession(stage string, done, total int64, extra string) string {
	s := fmt.Sprintf(`{"stage":%q,"completed_work":%d,"total_work":%d,"start_time":"2024-05-01T10:00:00.000Z"`, stage, done, total)
	if stage == "COMPLETED" || stage == "FAILED" {
		s += `,"completion_time":"2024-05-01T10:05:00.000Z"`
	}
	return `{"status":"SUCCEEDED","polling_interval_in_seconds":60,"last_sync_time":"2024-05-01T09:00:00Z","current_session_info":` + s + extra + `}}`
}

func fvcMsg(id, text string) string {
	return fmt.Sprintf(`{"id":%q,"default_message":%q,"args":[]}`, id, text)
}

func fvcProgress(stage hvc.SyncStage, done, total int64) hvc.SyncProgress {
	return hvc.SyncProgress{LinkID: "link-1", ProviderID: "p1", Stage: stage, CompletedWork: done, TotalWork: total}
}

// TestWaitProgress: StartAndWait reports each distinct progress once, in
// order, through a full sync, in both flavors.
func TestWaitProgress(t *testing.T) {
	t.Parallel()
	script := []string{
		fvcSession("CHANGE_DETECTION", 0, 10, ""),
		fvcSession("CHANGE_DETECTION", 0, 10, ""),
		fvcSession("CHANGE_ENUMERATION", 2, 10, ""),
		fvcSession("CHANGE_ENUMERATION", 2, 10, ""),
		fvcSession("CHANGE_ENUMERATION", 2, 20, ""),
		fvcSession("CHANGE_APPLICATION", 5, 20, ""),
		fvcSession("CHANGE_APPLICATION", 12, 20, ""),
		fvcSession("CHANGE_APPLICATION", 12, 20, ""),
		fvcSession("COMPLETED", 20, 20, ""),
		fvcSession("CHANGE_DETECTION", 0, 1, ""), // must never be fetched
	}
	want := []hvc.SyncProgress{
		fvcProgress(hvc.SyncStageChangeDetection, 0, 10),
		fvcProgress(hvc.SyncStageChangeEnumeration, 2, 10),
		fvcProgress(hvc.SyncStageChangeEnumeration, 2, 20),
		fvcProgress(hvc.SyncStageChangeApplication, 5, 20),
		fvcProgress(hvc.SyncStageChangeApplication, 12, 20),
		fvcProgress(hvc.SyncStageCompleted, 20, 20),
	}
	for _, tt := range []struct {
		name  string
		noAPI bool
		start string
		get   string
	}{
		{"api", false, "/api/hvc/links/link-1/sync/providers/p1", "/api/hvc/links/link-1/sync/providers/p1"},
		{"rest", true, "/rest/hvc/links/link-1/sync/providers/p1", "/rest/hvc/links/link-1/sync/providers/p1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFVC(t, fvcConfig{noAPI: tt.noAPI, provider: script})
			c := f.client(t)
			ctx, cancel := context.WithTimeout(context.Background(), fvcHangGuard)
			defer cancel()

			var got []hvc.SyncProgress
			info, err := c.SyncProviders.StartAndWait(ctx, "link-1", "p1", nil, hvc.WaitOptions{
				PollInterval: time.Millisecond,
				OnProgress:   func(p hvc.SyncProgress) { got = append(got, p) },
			})
			require.NoError(t, err)
			assert.Equal(t, want, got)
			require.NotNil(t, info.CurrentSessionInfo)
			assert.Equal(t, hvc.SyncStageCompleted, info.CurrentSessionInfo.Stage)
			assert.NotNil(t, info.CurrentSessionInfo.CompletionTime)
			assert.Equal(t, hvc.SyncStatusSucceeded, info.Status)
			assert.Equal(t, 1, f.Hits(http.MethodPost, tt.start))
			assert.Equal(t, 9, f.Hits(http.MethodGet, tt.get), "polling stops at COMPLETED")
		})
	}
}

// TestWaitOutcomes: how Wait ends for each final provider state.
func TestWaitOutcomes(t *testing.T) {
	t.Parallel()
	failedMsg := fvcMsg("com.vmware.vcenter.hvc.sync.failed", "replication of roles failed")
	statusMsg := fvcMsg("com.vmware.vcenter.hvc.sync.status", "last sync failed: peer unreachable")
	tests := []struct {
		name     string
		script   []string
		wantGets int
		wantFail string // default_message of the *SyncFailedError, "" for success
	}{
		{name: "FAILED with exception", script: []string{
			fvcSession("CHANGE_DETECTION", 0, 5, ""),
			fvcSession("FAILED", 1, 5, `,"exception":`+failedMsg),
		}, wantGets: 2, wantFail: "replication of roles failed"},
		{name: "FAILED without exception uses status message", script: []string{
			`{"status":"FAILED","polling_interval_in_seconds":60,"status_message":` + statusMsg +
				`,"current_session_info":{"stage":"FAILED","completed_work":0,"total_work":5,"start_time":"2024-05-01T10:00:00Z"}}`,
		}, wantGets: 1, wantFail: "last sync failed: peer unreachable"},
		{name: "no session, status FAILED", script: []string{
			`{"status":"FAILED","polling_interval_in_seconds":60,"status_message":` + statusMsg + `}`,
		}, wantGets: 1, wantFail: "last sync failed: peer unreachable"},
		{name: "no session, SUCCEEDED", script: []string{
			`{"status":"SUCCEEDED","polling_interval_in_seconds":60,"last_sync_time":"2024-05-01T09:00:00Z"}`,
		}, wantGets: 1},
		{name: "no session, NO_SYNC_FOUND", script: []string{
			`{"status":"NO_SYNC_FOUND","polling_interval_in_seconds":60}`,
		}, wantGets: 1},
		{name: "WAITING then session gone", script: []string{
			fvcSession("WAITING", 0, 0, ""),
			fvcSession("CHANGE_APPLICATION", 3, 4, ""),
			`{"status":"SUCCEEDED","polling_interval_in_seconds":60}`,
		}, wantGets: 3},
		{name: "unknown stage keeps polling", script: []string{
			fvcSession("PAUSED_BY_A_NEWER_SERVER", 1, 4, ""),
			fvcSession("COMPLETED", 4, 4, ""),
		}, wantGets: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFVC(t, fvcConfig{provider: tt.script})
			c := f.client(t)
			ctx, cancel := context.WithTimeout(context.Background(), fvcHangGuard)
			defer cancel()

			info, err := c.SyncProviders.Wait(ctx, "link-1", "p1", hvc.WaitOptions{PollInterval: time.Millisecond})
			assert.Equal(t, tt.wantGets, f.Hits(http.MethodGet, fvcProviderPath))
			assert.Zero(t, f.Hits(http.MethodPost, fvcProviderPath), "Wait never starts a sync")
			if tt.wantFail == "" {
				require.NoError(t, err)
				return
			}
			var sf *hvc.SyncFailedError
			require.ErrorAs(t, err, &sf)
			require.NotNil(t, sf.Message)
			assert.Equal(t, tt.wantFail, sf.Message.DefaultMessage)
			assert.Equal(t, "link-1", sf.LinkID)
			assert.Equal(t, "p1", sf.ProviderID)
			assert.Contains(t, err.Error(), tt.wantFail)
			assert.Equal(t, info, sf.Info)
		})
	}
}

// TestWaitContext: Wait returns promptly once its context ends, whether it
// is polling or sleeping, with an error matching the context's; ended in
// its sleep, a *TransportError that names Wait (Op) and the polled path.
func TestWaitContext(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		interval time.Duration
		deadline bool
	}{
		{"deadline while polling fast", time.Millisecond, true},
		{"deadline while sleeping", time.Hour, true},
		{"cancel while sleeping", time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFVC(t, fvcConfig{provider: []string{fvcSession("CHANGE_DETECTION", 0, 10, "")}})
			c := f.client(t)
			require.NoError(t, c.Login(context.Background()))

			var ctx context.Context
			var cancel context.CancelFunc
			if tt.deadline {
				ctx, cancel = context.WithTimeout(context.Background(), 100*time.Millisecond)
			} else {
				ctx, cancel = context.WithCancel(context.Background())
			}
			defer cancel()
			seen := make(chan struct{}, 1)
			done := make(chan error, 1)
			go func() {
				_, err := c.SyncProviders.Wait(ctx, "link-1", "p1", hvc.WaitOptions{
					PollInterval: tt.interval,
					OnProgress: func(hvc.SyncProgress) {
						select {
						case seen <- struct{}{}:
						default:
						}
					},
				})
				done <- err
			}()
			if !tt.deadline {
				<-seen
				cancel()
			}
			select {
			case err := <-done:
				require.Error(t, err)
				if tt.deadline {
					assert.ErrorIs(t, err, context.DeadlineExceeded)
				} else {
					assert.ErrorIs(t, err, context.Canceled)
				}
				if tt.interval == time.Hour { // ended in Wait's own sleep: Wait names itself
					var te *hvc.TransportError
					require.ErrorAs(t, err, &te)
					assert.Equal(t, "SyncProviders.Wait", te.Op)
					assert.Equal(t, http.MethodGet, te.Method)
					assert.Equal(t, "/hvc/links/link-1/sync/providers/p1", te.Path)
				}
			case <-time.After(fvcHangGuard):
				t.Fatal("Wait kept going after its context ended")
			}
			if tt.interval == time.Hour {
				assert.Equal(t, 1, f.Hits(http.MethodGet, fvcProviderPath))
			}
		})
	}
}

// TestWaitResourceBusy: a sync already running fails StartAndWait with
// *ResourceBusyError unless JoinRunning, which waits for it instead; other
// start errors are returned either way.
func TestWaitResourceBusy(t *testing.T) {
	t.Parallel()
	busy := `{"error_type":"RESOURCE_BUSY","messages":[` + fvcMsg("com.vmware.vcenter.hvc.sync.running", "sync already running") + `]}`
	script := []string{
		fvcSession("CHANGE_ENUMERATION", 3, 8, ""),
		fvcSession("COMPLETED", 8, 8, ""),
	}
	tests := []struct {
		name        string
		status      int
		body        string
		join        bool
		wantErr     func(error) bool // errors.As check; nil for success
		wantGets    int
		wantUpdates int
	}{
		{name: "busy, default", status: 500, body: busy, wantErr: fvcIsA[*hvc.ResourceBusyError]},
		{name: "busy, join running", status: 500, body: busy, join: true, wantGets: 2, wantUpdates: 2},
		{name: "busy with 400, join running", status: 400, body: busy, join: true, wantGets: 2, wantUpdates: 2},
		{name: "not found, join running", status: 404, body: `{"error_type":"NOT_FOUND","messages":[]}`, join: true, wantErr: fvcIsA[*hvc.NotFoundError]},
		{name: "started, join running", join: true, wantGets: 2, wantUpdates: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFVC(t, fvcConfig{provider: script, startStatus: tt.status, startBody: tt.body})
			c := f.client(t)
			ctx, cancel := context.WithTimeout(context.Background(), fvcHangGuard)
			defer cancel()

			updates := 0
			info, err := c.SyncProviders.StartAndWait(ctx, "link-1", "p1", nil, hvc.WaitOptions{
				PollInterval: time.Millisecond,
				JoinRunning:  tt.join,
				OnProgress:   func(hvc.SyncProgress) { updates++ },
			})
			assert.Equal(t, 1, f.Hits(http.MethodPost, fvcProviderPath))
			assert.Equal(t, tt.wantGets, f.Hits(http.MethodGet, fvcProviderPath))
			assert.Equal(t, tt.wantUpdates, updates)
			if tt.wantErr != nil {
				require.True(t, tt.wantErr(err), "unexpected error %v", err)
				return
			}
			require.NoError(t, err)
			require.NotNil(t, info.CurrentSessionInfo)
			assert.Equal(t, hvc.SyncStageCompleted, info.CurrentSessionInfo.Stage)
		})
	}

	t.Run("errors.Is", func(t *testing.T) {
		t.Parallel()
		f := newFVC(t, fvcConfig{startStatus: 500, startBody: busy})
		c := f.client(t)
		_, err := c.SyncProviders.StartAndWait(context.Background(), "link-1", "p1", nil, hvc.WaitOptions{PollInterval: time.Millisecond})
		assert.ErrorIs(t, err, hvc.ErrResourceBusy)
		var rb *hvc.ResourceBusyError
		require.ErrorAs(t, err, &rb)
		assert.Equal(t, "sync already running", rb.Message())
	})
}

// TestWaitGetError: an error polling the provider ends Wait with that error.
func TestWaitGetError(t *testing.T) {
	t.Parallel()
	f := newFVC(t, fvcConfig{hook: fvcOn(http.MethodGet, fvcProviderPath, func(n int, w http.ResponseWriter) bool {
		if n == 1 {
			fvcAnswer(w, 200, nil, fvcSession("CHANGE_DETECTION", 0, 3, ""))
		} else {
			fvcAnswer(w, 404, nil, `{"error_type":"NOT_FOUND","messages":[]}`)
		}
		return true
	})})
	c := f.client(t)
	ctx, cancel := context.WithTimeout(context.Background(), fvcHangGuard)
	defer cancel()
	_, err := c.SyncProviders.Wait(ctx, "link-1", "p1", hvc.WaitOptions{PollInterval: time.Millisecond})
	var nf *hvc.NotFoundError
	require.ErrorAs(t, err, &nf)
	assert.Equal(t, 2, f.Hits(http.MethodGet, fvcProviderPath))
}

// TestStartAndWaitScrubsSyncPassword: a server echoing the sync credentials'
// password in its exception or status message does not leak it through the
// *SyncFailedError or the returned state.
func TestStartAndWaitScrubsSyncPassword(t *testing.T) {
	t.Parallel()
	const pw = "sync-Pa55!"
	echo := fvcMsg("com.vmware.vcenter.hvc.sync.failed", "login as admin with "+pw+" refused")
	for _, tt := range []struct {
		name   string
		script string
	}{
		{"exception", fvcSession("FAILED", 1, 5, `,"exception":`+echo)},
		{"status message", `{"status":"FAILED","polling_interval_in_seconds":60,"status_message":` + echo + `}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFVC(t, fvcConfig{provider: []string{tt.script}})
			c := f.client(t)
			ctx, cancel := context.WithTimeout(context.Background(), fvcHangGuard)
			defer cancel()
			info, err := c.SyncProviders.StartAndWait(ctx, "link-1", "p1",
				&hvc.Credentials{UserName: "admin", Password: pw}, hvc.WaitOptions{PollInterval: time.Millisecond})
			var sf *hvc.SyncFailedError
			require.ErrorAs(t, err, &sf)
			assert.Contains(t, err.Error(), "login as admin with [REDACTED] refused")
			for _, s := range []string{err.Error(), fmt.Sprintf("%+v %#v", sf.Message, sf.Info), fmt.Sprintf("%+v", info)} {
				assert.NotContains(t, s, pw)
			}
		})
	}
}
