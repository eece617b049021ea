package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/hvcsdk/hvc"
)

// progress shows the syncs being waited for on stderr.
type progress interface {
	update(hvc.SyncProgress)
	done(provider string, info hvc.ProviderInfo, err error)
	stop()
}

func (a *app) newProgress(ctx context.Context, link string, providers []string) progress {
	if a.bars {
		return newBars(ctx, a.stderr, providers)
	}
	return &lines{link: link, w: a.stderr, now: time.Now}
}

// lines writes one timestamped line per change, for logs and pipes.
type lines struct {
	link string
	mu   sync.Mutex
	w    io.Writer
	now  func() time.Time
}

func (l *lines) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "%s "+format+"\n", append([]any{l.now().UTC().Format(time.RFC3339)}, args...)...)
}

func (l *lines) update(p hvc.SyncProgress) {
	l.printf("%s/%s: %s %d/%d", p.LinkID, p.ProviderID, clean(string(p.Stage)), p.CompletedWork, p.TotalWork)
}

func (l *lines) done(provider string, info hvc.ProviderInfo, err error) {
	// A failed sync ends like a successful one; its message is reported
	// once, at the end, with the other errors (as are all other errors).
	var sf *hvc.SyncFailedError
	switch {
	case errors.As(err, &sf):
		l.printf("%s/%s: sync ended: FAILED", l.link, provider)
	case err == nil:
		l.printf("%s/%s: sync ended: %s", l.link, provider, clean(string(info.Status)))
	}
}

func (l *lines) stop() {}

// bars draws a live progress bar per provider: stage, completed/total work
// and elapsed time.
type bars struct {
	p    *mpb.Progress
	mu   sync.Mutex
	bars map[string]*bar
}

type bar struct {
	b     *mpb.Bar
	stage string
}

func newBars(ctx context.Context, w io.Writer, providers []string) *bars {
	bs := &bars{p: mpb.NewWithContext(ctx, mpb.WithOutput(w), mpb.WithWidth(32), mpb.WithRefreshRate(150*time.Millisecond)),
		bars: map[string]*bar{}}
	width := 0
	for _, p := range providers {
		width = max(width, len(p))
	}
	for _, prov := range providers {
		st := &bar{stage: "WAITING"}
		st.b = bs.p.New(0, mpb.BarStyle(),
			mpb.PrependDecorators(
				decor.Name(prov, decor.WC{W: width + 1, C: decor.DindentRight}),
				decor.Any(func(decor.Statistics) string {
					bs.mu.Lock()
					defer bs.mu.Unlock()
					return st.stage
				}, decor.WC{W: 19, C: decor.DindentRight}),
			),
			mpb.AppendDecorators(
				decor.CountersNoUnit("%d/%d", decor.WC{W: 10}),
				decor.Elapsed(decor.ET_STYLE_GO, decor.WC{W: 8}),
			))
		bs.bars[prov] = st
	}
	return bs
}

func (bs *bars) update(p hvc.SyncProgress) {
	bs.mu.Lock()
	st := bs.bars[p.ProviderID]
	if st == nil {
		bs.mu.Unlock()
		return
	}
	st.stage = clean(string(p.Stage))
	bs.mu.Unlock()
	st.b.SetTotal(max(p.TotalWork, 1), false)
	st.b.SetCurrent(p.CompletedWork)
}

func (bs *bars) done(provider string, info hvc.ProviderInfo, err error) {
	bs.mu.Lock()
	st := bs.bars[provider]
	if st != nil {
		if s := info.CurrentSessionInfo; s != nil {
			st.stage = clean(string(s.Stage))
		} else if info.Status != "" {
			st.stage = clean(string(info.Status))
		}
	}
	bs.mu.Unlock()
	if st == nil {
		return
	}
	if err != nil {
		st.b.Abort(false)
		return
	}
	st.b.SetTotal(-1, true)
}

func (bs *bars) stop() {
	for _, st := range bs.bars {
		if !st.b.Completed() {
			st.b.Abort(false)
		}
	}
	bs.p.Wait()
}
