package cluster

import (
	"sync"
	"time"
)

// ExpiryBeats is how many heartbeat intervals a replica's users stay
// listed without news from it.
const ExpiryBeats = 3

// RemoteUsers is what one replica knows about the users of the other
// replicas, per pad, from the Messages it receives. Its zero value is
// empty and ready; it is safe for concurrent use.
type RemoteUsers struct {
	mu   sync.Mutex
	pads map[string]map[string]*remoteReplica // pad -> replica id -> users
}

type remoteReplica struct {
	users map[string]User // active users, by client id
	count int             // connections, readers included
	seen  time.Time
}

// Event is a change in a pad's users to tell the pad's local connections
// about: Kind is KindJoin, KindLeave, KindUpdate or KindCursor, or
// KindCount when the pad's count of remote connections changed (User is
// then empty).
type Event struct {
	Pad  string
	Kind string
	User User
}

// Count is how many connections the other replicas have to pad.
func (r *RemoteUsers) Count(pad string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, rep := range r.pads[pad] {
		n += rep.count
	}
	return n
}

// Users lists the remote active users of pad, in no particular order.
func (r *RemoteUsers) Users(pad string) []User {
	r.mu.Lock()
	defer r.mu.Unlock()
	var users []User
	for _, rep := range r.pads[pad] {
		for _, u := range rep.users {
			users = append(users, u)
		}
	}
	return users
}

// Apply records a presence message (KindUsers, KindCount, KindJoin,
// KindLeave, KindUpdate or KindCursor) received at now and returns the
// events it causes: a heartbeat is compared with what the sender listed
// before, so users it no longer lists leave and renamed ones are updated;
// a heartbeat or KindCount with a new Count gives a KindCount event. Other
// kinds only mark the sender as alive.
func (r *RemoteUsers) Apply(m Message, now time.Time) []Event {
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
		rep = &remoteReplica{users: map[string]User{}}
		reps[m.Replica] = rep
	}
	rep.seen = now
	var events []Event
	emit := func(kind string, u User) {
		events = append(events, Event{m.Pad, kind, u})
	}
	if (m.Kind == KindUsers || m.Kind == KindCount) && m.Count != rep.count {
		rep.count = m.Count
		emit(KindCount, User{})
	}
	switch m.Kind {
	case KindUsers:
		next := make(map[string]User, len(m.Users))
		for _, u := range m.Users {
			next[u.Client] = u
			old, ok := rep.users[u.Client]
			switch {
			case !ok:
				emit(KindJoin, u)
			case old.Name != u.Name || old.Color != u.Color:
				emit(KindUpdate, u)
			}
		}
		for c, u := range rep.users {
			if _, ok := next[c]; !ok {
				emit(KindLeave, u)
			}
		}
		rep.users = next
	case KindJoin, KindUpdate, KindCursor:
		for _, u := range m.Users {
			rep.users[u.Client] = u
			emit(m.Kind, u)
		}
	case KindLeave:
		for _, u := range m.Users {
			delete(rep.users, u.Client)
			emit(KindLeave, u)
		}
	}
	if len(rep.users) == 0 && rep.count == 0 {
		delete(reps, m.Replica)
		if len(reps) == 0 {
			delete(r.pads, m.Pad)
		}
	}
	return events
}

// Expire drops the users of replicas not heard from for ExpiryBeats
// heartbeat intervals before now, and returns their leave events (and a
// KindCount event for each pad whose count changed).
func (r *RemoteUsers) Expire(now time.Time, interval time.Duration) []Event {
	deadline := now.Add(-ExpiryBeats * interval)
	r.mu.Lock()
	defer r.mu.Unlock()
	var events []Event
	for pad, reps := range r.pads {
		for id, rep := range reps {
			if rep.seen.After(deadline) {
				continue
			}
			for _, u := range rep.users {
				events = append(events, Event{pad, KindLeave, u})
			}
			if rep.count != 0 {
				events = append(events, Event{Pad: pad, Kind: KindCount})
			}
			delete(reps, id)
		}
		if len(reps) == 0 {
			delete(r.pads, pad)
		}
	}
	return events
}
