package simulator

import (
	"sort"
	"time"
)

// link is a hybrid link to a foreign PSC.
type link struct {
	id          string
	domain      string
	psc         string
	adminGroups []string
	healthy     bool
	healthMsg   string
	providers   map[string]*provider
	order       []string // provider ids in creation order
}

// provider is one sync provider of a link and its last or current session.
type provider struct {
	id        string
	lastSync  *time.Time
	status    string // SUCCEEDED, FAILED, NO_SYNC_FOUND
	statusMsg *message
	run       *syncRun
}

// syncRun is a forced sync session. Its stage is derived when read: from
// the clock (duration mode) or from the number of reads (step mode), so no
// goroutine drives it.
type syncRun struct {
	start     time.Time
	reads     int
	fails     bool
	settled   bool // stage COMPLETED or FAILED reached and applied to the provider
	stage     string
	completed int64
	total     int64
	end       *time.Time
	exception *message
}

// syncTotalWork is the total work of every simulated sync.
const syncTotalWork = 120

// stages of a sync, in order, before it settles.
var syncStages = []string{"CHANGE_DETECTION", "CHANGE_ENUMERATION", "CHANGE_APPLICATION"}

// advance brings a run up to date. progress is the fraction of the sync done
// (1 or more means finished).
func (p *provider) advance(progress float64, now time.Time) {
	r := p.run
	if r == nil || r.settled {
		return
	}
	progress = max(progress, 0)
	if r.fails && progress >= 2.0/3 {
		r.settled, r.stage = true, "FAILED"
		r.completed = int64(float64(syncTotalWork) * 2 / 3)
		r.end = &now
		r.exception = &message{id: "com.vmware.vcenter.hvc.sync.provider.failed",
			text: "Sync of provider " + p.id + " failed: the foreign PSC rejected the change set.", args: []string{p.id},
			params: []param{{"provider", p.id}}}
		p.status = "FAILED"
		p.statusMsg = r.exception
		return
	}
	if progress >= 1 {
		r.settled, r.stage, r.completed = true, "COMPLETED", syncTotalWork
		r.end = &now
		p.status, p.statusMsg, p.lastSync = "SUCCEEDED", nil, &now
		return
	}
	i := int(progress * 3)
	r.stage = syncStages[i]
	r.completed = int64(progress * syncTotalWork)
}

// refresh updates a provider's run for a read at now.
func (s *Server) refresh(p *provider, now time.Time, read bool) {
	r := p.run
	if r == nil || r.settled {
		return
	}
	switch {
	case s.cfg.stepPerPoll:
		if read {
			r.reads++
		}
		// read 1 → detection, 2 → enumeration, 3 → application, 4 → completed.
		p.advance(float64(r.reads-1)/3, now)
	case s.cfg.syncDuration <= 0:
		p.advance(1, now)
	default:
		p.advance(float64(now.Sub(r.start))/float64(s.cfg.syncDuration), now)
	}
}

func (p *provider) running() bool { return p.run != nil && !p.run.settled }

// sortedLinks returns the links ordered by id creation order.
func (s *Server) sortedLinks() []*link {
	out := make([]*link, 0, len(s.links))
	for _, l := range s.links {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return s.linkSeq[out[i].id] < s.linkSeq[out[j].id] })
	return out
}
