package httpapi

import (
	"context"
	"time"

	"github.com/confpad/confpad/cluster"
)

// The Server's side of the cluster.Bus: what it publishes, when it
// heartbeats, and what it does with other replicas' messages.

// publish queues m for the cluster.Bus without blocking; with no bus, or a
// full queue, m is dropped (heartbeats repair presence).
func (s *Server) publish(m cluster.Message) {
	if s.cfg.Bus == nil {
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
	send := func(m cluster.Message) {
		pctx, cancel := context.WithTimeout(context.Background(), s.cfg.PresenceInterval)
		defer cancel()
		if err := s.cfg.Bus.Publish(pctx, m); err != nil {
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

// heartbeatLoop publishes the active users and the count of connections
// of every pad with connections here each PresenceInterval, expires the users of silent replicas, and every
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
			s.publish(h.heartbeat())
			if beat%recheckEvery == 0 {
				s.refreshLater(h)
			}
		}
		s.deliver(s.remote.Expire(time.Now(), s.cfg.PresenceInterval))
	}
}

// receive handles a message from the bus.
func (s *Server) receive(m cluster.Message) {
	if m.Replica == s.replica {
		return
	}
	switch m.Kind {
	case cluster.KindLinks:
		if h := s.lookupHub(m.Pad); h != nil {
			h.setLinks(m.Links)
		}
	case cluster.KindState:
		s.stateChanged(m.Pad, m.State)
	case cluster.KindSession:
		if h := s.lookupHub(m.Pad); h != nil {
			s.refreshLater(h)
		}
	default: // presence: KindUsers, KindCount, KindJoin, ...
		s.deliver(s.remote.Apply(m, time.Now()))
		if m.Kind == cluster.KindUsers && m.Version != "" {
			s.checkVersion(m.Pad, m.Version)
		}
	}
}

// deliver hands presence events to the hubs of their pads.
func (s *Server) deliver(events []cluster.Event) {
	for _, e := range events {
		if h := s.lookupHub(e.Pad); h != nil {
			h.remote(e.Kind, e.User)
		}
	}
}
