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
	users map[string]User // by client id
	seen  time.Time
}

// Event is a change in a pad's users to tell the pad's local connections
// about: Kind is KindJoin, KindLeave, KindUpdate or KindCursor.
type Event struct {
	Pad  string
	Kind string
	User User
}

// Users lists the remote users of pad, in no particular order.
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

// Apply records a presence message (KindUsers, KindJoin, KindLeave,
// KindUpdate or KindCursor) received at now and returns the events it
// causes: a heartbeat is compared with what the sender listed before, so
// users it no longer lists leave and renamed ones are updated. Other kinds
// only mark the sender as alive.
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
	if len(rep.users) == 0 {
		delete(reps, m.Replica)
		if len(reps) == 0 {
			delete(r.pads, m.Pad)
		}
	}
	return events
}

// Expire drops the users of replicas not heard from for ExpiryBeats
// heartbeat intervals before now, and returns their leave events.
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
			delete(reps, id)
		}
		if len(reps) == 0 {
			delete(r.pads, pad)
		}
	}
	return events
}
