package client

import (
	"time"

	"github.com/confpad/confpad/collab"
)

// EventKind says what an Event reports.
type EventKind int

const (
	// EventWelcome: the client joined (Resumed false) or resumed (Resumed
	// true) at revision Rev; Users lists the active users of the pad (who
	// typed, renamed or moved a cursor; at most 100) and People counts
	// everyone connected, readers included.
	EventWelcome EventKind = iota + 1
	// EventRemote: another client's op, committed as revision Rev by
	// Author, was applied to the local text. Op is the op as the server
	// sent it (based on revision Rev-1).
	EventRemote
	// EventAck: the local op with sequence number Seq is revision Rev. It
	// carries Edits Edit calls; Latency is the time from when it was first
	// sent to this ack, across reconnects.
	EventAck
	// EventPresence: an active user joined (a reader typed, renamed or
	// moved a cursor for the first time), left, was renamed or moved their
	// cursor (Presence says which: "join", "leave", "update", "cursor";
	// User says who, with the selection for "cursor").
	EventPresence
	// EventLinks: the pad's slide links changed; Raw is the message.
	EventLinks
	// EventError: the server sent an error message (Code, Message; Seq is
	// the seq of the op it refers to, or -1).
	EventError
	// EventDisconnected: the connection was lost (Err says why). With
	// Options.AutoReconnect the client is already trying to resume.
	EventDisconnected
	// EventPeople: the count of everyone connected to the pad changed to
	// People (sent at most once a second).
	EventPeople
)

// String returns the kind's name, as in "remote".
func (k EventKind) String() string {
	switch k {
	case EventWelcome:
		return "welcome"
	case EventRemote:
		return "remote"
	case EventAck:
		return "ack"
	case EventPresence:
		return "presence"
	case EventLinks:
		return "links"
	case EventError:
		return "error"
	case EventDisconnected:
		return "disconnected"
	case EventPeople:
		return "people"
	}
	return "unknown"
}

// Event is something that happened to a Client, delivered to
// Options.OnEvent. Which fields are set depends on Kind.
type Event struct {
	Kind EventKind
	// Time is when the message that caused the event arrived (read off the
	// connection, before decoding).
	Time time.Time
	// Rev is the revision of a welcome, remote op, ack or presence.
	Rev int
	// Seq is the seq of an ack, or of the op an error refers to (-1 for
	// none).
	Seq int
	// Author is a remote op's author: its public id (Client.ID).
	Author string
	// By is a remote op's public author id (protocol.PublicID).
	By string
	// Runs, for a remote op whose inserted characters have several
	// authors (an import), say who wrote them, in order (collab.Record.Runs).
	Runs []collab.Run
	// Op is a remote op as received.
	Op collab.Op
	// Edits is how many Edit calls an acknowledged op carries.
	Edits int
	// Latency is an ack's round trip from the op's first send.
	Latency time.Duration
	// Resumed tells a welcome after Reconnect from a first join.
	Resumed bool
	// Users are the pad's active users in a welcome.
	Users []User
	// People counts everyone connected to the pad, in a welcome or
	// EventPeople.
	People int
	// Presence and User describe a presence event.
	Presence string
	User     User
	// Code and Message are an error message's.
	Code    string
	Message string
	// Err is why the connection was lost.
	Err error
	// Raw is the server message itself (nil for EventDisconnected). It is
	// not reused; an OnEvent function may keep it.
	Raw []byte
}
