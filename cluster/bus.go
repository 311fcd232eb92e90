// Package cluster is how confpad replicas talk to each other beyond the pad
// log: presence (who is in which pad, their names, colours and cursors) and
// session updates (slide links, archived or live, deleted) travel on a Bus,
// and RemoteUsers keeps what one replica knows of the users of the others,
// dropping those of a replica that fell silent.
//
// The package imports no storage: MemoryBus connects Servers in one
// process, and cluster/redisbus is the Bus over Redis for real clusters.
// Ops never travel here; they go through the pad engine's Log and Feed.
package cluster

import (
	"context"

	"github.com/confpad/confpad/conference"
)

// Bus carries Messages between the replicas that serve one conference.
//
// A bus is lossy by design and needs no storage: every replica publishes
// its active users (those who typed, renamed or moved a cursor) and the
// count of all its connections in each pad every heartbeat interval, so a
// lost message is repaired by the next heartbeat, and the users of a
// replica that stopped publishing (it died) are dropped by the others
// after ExpiryBeats missed heartbeats (RemoteUsers). Heartbeats also carry
// a fingerprint of the pad's links and state (Message.Version), so a lost
// links or state message is repaired from the Catalog.
//
// Implementations must deliver every published message to every
// subscriber, on every replica, in the order each publisher published them
// (messages of different publishers may interleave). They may deliver a
// replica's own messages back to it; receivers skip messages whose Replica
// is their own. bustest.Run checks an implementation.
type Bus interface {
	// Publish sends m to every subscriber. It may fail or drop m when the
	// bus is unreachable; the sender does not retry (the next heartbeat
	// repairs presence).
	Publish(ctx context.Context, m Message) error
	// Subscribe calls fn with every message published from now on, until
	// cancel is called. fn does not block; calls to fn are sequential.
	Subscribe(fn func(Message)) (cancel func())
}

// Kinds of Message. KindJoin, KindLeave, KindUpdate and KindCursor are
// spelt as the websocket protocol's presence events they cause.
const (
	// KindUsers is a heartbeat: Users is the full list of the replica's
	// active users in Pad (readers who never acted are not listed), Count
	// the number of all its connections to Pad.
	KindUsers = "users"
	// KindCount reports a change of Count, the number of the replica's
	// connections to Pad, between heartbeats (at most once a second).
	KindCount = "count"
	// KindJoin, KindLeave, KindUpdate (name or colour) and KindCursor
	// report one active user's change at once; Users holds that one user.
	// A reader who acts for the first time joins.
	KindJoin   = "join"
	KindLeave  = "leave"
	KindUpdate = "update"
	KindCursor = "cursor"
	// KindLinks carries the pad's full list of slide links in Links.
	KindLinks = "links"
	// KindState carries the session's new State (conference.StateLive or
	// conference.StateArchived), or StateDeleted.
	KindState = "state"
	// KindSession says the session's editing policy or edit link changed:
	// receivers re-read the session from the Catalog (the secret does not
	// travel on the bus).
	KindSession = "session"
)

// StateDeleted is the State of a KindState message for a deleted session.
const StateDeleted = "deleted"

// Message is one message on a Bus. It is plain data that encodes to JSON,
// so a bus can send it as it is; its JSON form is what replicas of
// different versions exchange, so fields are only ever added.
type Message struct {
	// Replica is the publishing server's id (random per Server).
	Replica string `json:"replica"`
	// Pad is the pad (session id) the message is about.
	Pad string `json:"pad"`
	// Kind is one of the Kind constants.
	Kind  string `json:"kind"`
	Users []User `json:"users,omitempty"`
	// Count, on KindUsers and KindCount, is how many connections the
	// sender has to Pad, readers included.
	Count int               `json:"count,omitempty"`
	Links []conference.Link `json:"links,omitempty"`
	State string            `json:"state,omitempty"`
	// Version, on a heartbeat (KindUsers), fingerprints the pad's slide
	// links, state and editing access as the sender has them. A receiver that serves the
	// pad with a different version re-reads the session from the Catalog,
	// so a lost KindLinks or KindState message is repaired within a
	// heartbeat; no order between versions is implied.
	Version string `json:"version,omitempty"`
}

// User is one user in a pad.
type User struct {
	// Client is the user's public id (protocol.PublicID).
	Client string `json:"client"`
	Name   string `json:"name"`
	Color  string `json:"color"`
	// Sel is the user's selection [anchor, head] in code points at
	// revision Rev, or nil if unknown.
	Sel *[2]int `json:"sel,omitempty"`
	Rev int     `json:"rev"`
	// Active is when the user last typed, renamed or moved a cursor, in
	// Unix milliseconds: welcomes list the most recently active first.
	Active int64 `json:"active,omitempty"`
}
