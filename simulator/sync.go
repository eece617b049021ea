package simulator

import (
	"net/http"
)

// lookup returns a link's provider, or NOT_FOUND naming what is missing.
// The caller holds s.mu.
func (s *Server) lookup(linkID, providerID string) (*link, *provider, *stdError) {
	l, ok := s.links[linkID]
	if !ok {
		return nil, nil, errNotFound("link", linkID)
	}
	if providerID == "" {
		return l, nil, nil
	}
	p, ok := l.providers[providerID]
	if !ok {
		return nil, nil, errNotFound("provider", providerID)
	}
	return l, p, nil
}

func (s *Server) listProviders(w http.ResponseWriter, f flavor, linkID string) {
	s.mu.Lock()
	l, _, e := s.lookup(linkID, "")
	var out []map[string]string
	if e == nil {
		out = make([]map[string]string, 0, len(l.order))
		for _, id := range l.order {
			out = append(out, map[string]string{"provider": id})
		}
	}
	s.mu.Unlock()
	if e != nil {
		writeError(w, f, e)
		return
	}
	writeResult(w, f, false, out)
}

// getProvider answers providers get, advancing a running sync first.
func (s *Server) getProvider(w http.ResponseWriter, f flavor, linkID, providerID string) {
	s.mu.Lock()
	_, p, e := s.lookup(linkID, providerID)
	var info map[string]any
	if e == nil {
		s.refresh(p, s.now(), true)
		info = providerInfo(f, p)
	}
	s.mu.Unlock()
	if e != nil {
		writeError(w, f, e)
		return
	}
	writeResult(w, f, false, info)
}

// pollingInterval is the provider's automatic sync interval.
const pollingInterval = 30

func providerInfo(f flavor, p *provider) map[string]any {
	info := map[string]any{"status": p.status, "polling_interval_in_seconds": pollingInterval}
	if p.lastSync != nil {
		info["last_sync_time"] = formatTime(*p.lastSync)
	}
	if p.statusMsg != nil {
		info["status_message"] = messageJSON(f, *p.statusMsg)
	}
	if r := p.run; r != nil {
		si := map[string]any{
			"stage": r.stage, "completed_work": r.completed, "total_work": r.total,
			"start_time": formatTime(r.start),
		}
		if r.end != nil {
			si["completion_time"] = formatTime(*r.end)
		}
		if r.exception != nil {
			si["exception"] = messageJSON(f, *r.exception)
		}
		info["current_session_info"] = si
	}
	return info
}

// startSync handles providers start. The operation has no body parameter
// in any release (the released 6.7–8.0 bindings take only link and
// provider); the {"credentials": …} body of a 7.0 development build is
// therefore a set field the operation input does not define, which vAPI
// answers 400 UNEXPECTED_INPUT. An empty body, {} and {"credentials":null}
// pass.
func (s *Server) startSync(w http.ResponseWriter, r *http.Request, f flavor, linkID, providerID string) {
	var body struct{}
	_, e := decodeInput(r, &body, operationInput)
	if e != nil {
		writeError(w, f, e)
		return
	}
	s.mu.Lock()
	_, p, e := s.lookup(linkID, providerID)
	if e == nil {
		now := s.now()
		s.refresh(p, now, false)
		if p.running() {
			e = newError("RESOURCE_BUSY", "com.vmware.vcenter.hvc.sync.running",
				"A sync of provider "+providerID+" is already running.", providerID).withParam("provider", providerID)
		} else {
			p.run = &syncRun{start: now, fails: s.cfg.failing[providerID], stage: syncStages[0], total: syncTotalWork}
			s.refresh(p, now, false)
		}
	}
	s.mu.Unlock()
	if e != nil {
		writeError(w, f, e)
		return
	}
	writeResult(w, f, false, nil)
}

// resetSync handles sync reset: every provider of the link forgets its
// sync history. It has no body parameter.
func (s *Server) resetSync(w http.ResponseWriter, r *http.Request, f flavor, linkID string) {
	var body struct{}
	if _, e := decodeInput(r, &body, operationInput); e != nil {
		writeError(w, f, e)
		return
	}
	s.mu.Lock()
	l, _, e := s.lookup(linkID, "")
	if e == nil {
		for _, id := range l.order {
			l.providers[id] = &provider{id: id, status: "NO_SYNC_FOUND"}
		}
	}
	s.mu.Unlock()
	if e != nil {
		writeError(w, f, e)
		return
	}
	writeResult(w, f, false, nil)
}
