package httpapi

import (
	"context"
	"encoding/binary"
	"errors"
	"hash/fnv"
	"strconv"

	"github.com/confpad/confpad/cluster"
	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/protocol"
)

// Session updates (slide links, archived or live, deleted, who may
// edit) reach the
// pad's editors on every replica: the replica that changed the Catalog
// applies the change to its own connections and publishes it on the
// cluster.Bus once; the others apply it when it arrives. If that message
// is lost, the heartbeats repair it: each carries the sender's version of
// the pad's links and state, and a replica whose version differs re-reads
// the session from the Catalog. A deleted session has no replica left to
// heartbeat it, so besides, every recheckEvery heartbeats each replica
// re-reads the sessions it serves.

// recheckEvery is how many heartbeat intervals pass between two re-reads
// of the sessions a replica serves.
const recheckEvery = 15

// linksChanged pushes a pad's links to its editors on every replica.
func (s *Server) linksChanged(pad string, links []conference.Link) {
	if h := s.lookupHub(pad); h != nil {
		h.setLinks(links)
	}
	s.publish(cluster.Message{Pad: pad, Kind: cluster.KindLinks, Links: links})
}

// changeState applies a session's new state ("live", "archived", or
// cluster.StateDeleted) here and on every replica.
func (s *Server) changeState(pad, state string) {
	s.stateChanged(pad, state)
	s.publish(cluster.Message{Pad: pad, Kind: cluster.KindState, State: state})
}

// stateChanged closes the pad's connections so that clients reconnect
// and learn the new state from the welcome; a deleted pad's clients are
// told not to come back, and the pad is unloaded.
func (s *Server) stateChanged(pad, state string) {
	h := s.lookupHub(pad)
	if state == cluster.StateDeleted {
		if h != nil {
			h.closeAll(protocol.CloseDeleted)
		}
		s.engine.Evict(pad)
		return
	}
	if h != nil && h.setArchived(state == conference.StateArchived) {
		h.closeAll(protocol.CloseStateChanged(state))
	}
}

// sessionVersion fingerprints a pad's links, state and access (accessKey)
// for heartbeats: equal links (by id, title, URL and time added, to the
// millisecond), state and access give equal versions.
func sessionVersion(archived bool, access string, links []conference.Link) string {
	h := fnv.New64a()
	if archived {
		h.Write([]byte{1})
	} else {
		h.Write([]byte{0})
	}
	h.Write([]byte(access))
	h.Write([]byte{0})
	var ms [8]byte
	for _, l := range links {
		for _, f := range []string{l.ID, l.Title, l.URL} {
			h.Write([]byte(f))
			h.Write([]byte{0})
		}
		binary.BigEndian.PutUint64(ms[:], uint64(l.Added.UnixMilli()))
		h.Write(ms[:])
	}
	return strconv.FormatUint(h.Sum64(), 16)
}

// checkVersion handles the session version in another replica's
// heartbeat for pad: if this replica serves the pad with another version,
// it re-reads the session.
func (s *Server) checkVersion(pad, version string) {
	h := s.lookupHub(pad)
	if h == nil {
		return
	}
	h.mu.Lock()
	same := h.version == version
	h.mu.Unlock()
	if !same {
		s.refreshLater(h)
	}
}

// refreshLater re-reads h's session in the background (the bus must not
// block), unless a re-read of it is running or the server is shutting
// down.
func (s *Server) refreshLater(h *hub) {
	if !h.refreshing.CompareAndSwap(false, true) {
		return
	}
	s.busMu.Lock()
	defer s.busMu.Unlock()
	if s.busStopped {
		h.refreshing.Store(false)
		return
	}
	s.busWG.Add(1)
	go func() {
		defer s.busWG.Done()
		defer h.refreshing.Store(false)
		s.refresh(s.busCtx, h.pad)
	}()
}

// refresh re-reads pad's session from the Catalog and applies its state
// and links to the pad's connections here. Whichever replica had the
// stale version is repaired: the one that was current finds nothing to
// change. (A links message that overtakes the read may be undone by it;
// the next heartbeat repairs that too.)
func (s *Server) refresh(ctx context.Context, pad string) {
	sess, err := s.cfg.Catalog.Session(ctx, pad)
	switch {
	case errors.Is(err, conference.ErrNotFound):
		s.stateChanged(pad, cluster.StateDeleted)
	case err != nil:
		if ctx.Err() == nil {
			s.log.Warn("re-reading a session after a heartbeat", "pad", pad, "err", err)
		}
	default:
		s.stateChanged(pad, sess.State)
		s.accessChanged(sess)
		if h := s.lookupHub(pad); h != nil {
			h.setLinks(sess.Links)
		}
	}
}
