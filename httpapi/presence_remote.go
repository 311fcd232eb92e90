package httpapi

import (
	"context"
	"sync"
	"time"
)

// presenceExpiry is how many heartbeat intervals a replica's users stay
// listed without news from it.
const presenceExpiry = 3

// remoteUsers is what this replica knows about the users of other
// replicas, per pad, from the PresenceBus.
type remoteUsers struct {
	mu   sync.Mutex
	pads map[string]map[string]*remoteReplica // pad -> replica id -> users
}

type remoteReplica struct {
	users map[string]PresenceUser // by client id
	seen  time.Time
}

// presenceEvent is a change to tell a pad's local connections about.
type presenceEvent struct {
	pad   string
	event string
	user  PresenceUser
}

// users lists the remote users of pad.
func (r *remoteUsers) users(pad string) []PresenceUser {
	r.mu.Lock()
	defer r.mu.Unlock()
	var users []PresenceUser
	for _, rep := range r.pads[pad] {
		for _, u := range rep.users {
			users = append(users, u)
		}
	}
	return users
}

// apply records a presence message and returns the events it causes.
func (r *remoteUsers) apply(m PresenceMessage, now time.Time) []presenceEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pads == nil {
		r.pads = map[string]map[string]*remoteReplica{}
	}
	reps := r.pads[m.Pad]
	if reps == nil {
		reps = map[string]*remoteReplica{}
		r.pads[m.Pad] = reps
	}
	rep := reps[m.Replica]
	if rep == nil {
		rep = &remoteReplica{users: map[string]PresenceUser{}}
		reps[m.Replica] = rep
	}
	rep.seen = now
	var events []presenceEvent
	emit := func(event string, u PresenceUser) {
		events = append(events, presenceEvent{m.Pad, event, u})
	}
	switch m.Kind {
	case PresenceUsers:
		next := make(map[string]PresenceUser, len(m.Users))
		for _, u := range m.Users {
			next[u.Client] = u
			old, ok := rep.users[u.Client]
			switch {
			case !ok:
				emit(PresenceJoin, u)
			case old.Name != u.Name || old.Color != u.Color:
				emit(PresenceUpdate, u)
			}
		}
		for c, u := range rep.users {
			if _, ok := next[c]; !ok {
				emit(PresenceLeave, u)
			}
		}
		rep.users = next
	case PresenceJoin, PresenceUpdate, PresenceCursor:
		for _, u := range m.Users {
			rep.users[u.Client] = u
			emit(m.Kind, u)
		}
	case PresenceLeave:
		for _, u := range m.Users {
			delete(rep.users, u.Client)
			emit(PresenceLeave, u)
		}
	}
	if len(rep.users) == 0 {
		delete(reps, m.Replica)
		if len(reps) == 0 {
			delete(r.pads, m.Pad)
		}
	}
	return events
}

// expire drops the users of replicas not heard from since before
// deadline, and returns the leave events.
func (r *remoteUsers) expire(deadline time.Time) []presenceEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	var events []presenceEvent
	for pad, reps := range r.pads {
		for id, rep := range reps {
			if rep.seen.After(deadline) {
				continue
			}
			for _, u := range rep.users {
				events = append(events, presenceEvent{pad, PresenceLeave, u})
			}
			delete(reps, id)
		}
		if len(reps) == 0 {
			delete(r.pads, pad)
		}
	}
	return events
}

// publish queues m for the PresenceBus without blocking; with no bus, or a
// full queue, m is dropped (heartbeats repair presence).
func (s *Server) publish(m PresenceMessage) {
	if s.cfg.Presence == nil {
		return
	}
	m.Replica = s.replica
	select {
	case s.busOut <- m:
	default:
	}
}

// publishLoop sends queued messages to the bus, one at a time, in order,
// until ctx ends; then it sends what is still queued.
func (s *Server) publishLoop(ctx context.Context) {
	send := func(m PresenceMessage) {
		pctx, cancel := context.WithTimeout(context.Background(), s.cfg.PresenceInterval)
		defer cancel()
		if err := s.cfg.Presence.Publish(pctx, m); err != nil {
			s.log.Debug("presence publish failed", "err", err)
		}
	}
	for {
		select {
		case m := <-s.busOut:
			send(m)
		case <-ctx.Done():
			// Flush what is queued (the leaves of a shutdown) and stop.
			for {
				select {
				case m := <-s.busOut:
					send(m)
				default:
					return
				}
			}
		}
	}
}

// heartbeatLoop publishes the full user list of every pad with users here
// each PresenceInterval, expires the users of silent replicas, and every
// recheckEvery intervals re-reads the sessions served here.
func (s *Server) heartbeatLoop(ctx context.Context) {
	t := time.NewTicker(s.cfg.PresenceInterval)
	defer t.Stop()
	for beat := 1; ; beat++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s.hubsMu.RLock()
		hubs := make([]*hub, 0, len(s.hubs))
		for _, h := range s.hubs {
			hubs = append(hubs, h)
		}
		s.hubsMu.RUnlock()
		for _, h := range hubs {
			users, version := h.heartbeat()
			s.publish(PresenceMessage{Pad: h.pad, Kind: PresenceUsers, Users: users, Version: version})
			if beat%recheckEvery == 0 {
				s.refreshLater(h)
			}
		}
		deadline := time.Now().Add(-presenceExpiry * s.cfg.PresenceInterval)
		s.deliver(s.remote.expire(deadline))
	}
}

// receive handles a message from the bus.
func (s *Server) receive(m PresenceMessage) {
	if m.Replica == s.replica {
		return
	}
	switch m.Kind {
	case PresenceLinks:
		if h := s.lookupHub(m.Pad); h != nil {
			h.setLinks(m.Links)
		}
	case PresenceState:
		s.stateChanged(m.Pad, m.State)
	default:
		s.deliver(s.remote.apply(m, time.Now()))
		if m.Kind == PresenceUsers && m.Version != "" {
			s.checkVersion(m.Pad, m.Version)
		}
	}
}

// deliver hands presence events to the hubs of their pads.
func (s *Server) deliver(events []presenceEvent) {
	for _, e := range events {
		if h := s.lookupHub(e.pad); h != nil {
			h.remote(e.event, e.user)
		}
	}
}
