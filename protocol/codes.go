package protocol

import (
	"github.com/coder/websocket"

	"github.com/confpad/confpad/collab"
)

// Policy is what a client does after an error message or a close: the
// same for every client, so that the browser editor and the Go client
// (package client) behave alike.
type Policy int

const (
	// Retry: the refusal is temporary. Send the same thing again after a
	// backoff: the same op with the same seq, or, after a close, a join
	// with "since" (a resume).
	Retry Policy = iota + 1
	// Resync: the client's state can no longer be placed in the pad's
	// history. Its pending edits cannot be committed: load the pad afresh
	// (join without "since"). The editor drops its pending edits, says so
	// and reloads; a Go client, whose owner holds its document and edits,
	// stops instead and reports ErrNoResume, and its owner dials again.
	Resync
	// Stop: trying again cannot help (the pad is gone, another connection
	// took over, the client sent what the protocol forbids): do not retry
	// that message or reconnect; tell the user.
	Stop
)

// String returns the policy's name as docs/protocol.md writes it.
func (p Policy) String() string {
	switch p {
	case Retry:
		return "retry"
	case Resync:
		return "resync"
	case Stop:
		return "stop"
	}
	return "unknown"
}

// Error codes, sent as {"type":"error","code":...}. The engine's codes
// (bad_op, rev_ahead, rev_too_old, too_large, quota_exceeded, unavailable)
// are defined by package
// collab, which reports them, and are the same strings here.
const (
	// BadMessage: not UTF-8, not a JSON object, malformed JSON, a binary
	// frame, a missing or mistyped field, a second join.
	BadMessage = "bad_message"
	// UnknownType: "type" is not one of join, op, cursor, rename.
	UnknownType = "unknown_type"
	// NotJoined: a message other than join before the join succeeded.
	NotJoined = "not_joined"
	// BadOp: the op is malformed or does not fit the document.
	BadOp = collab.CodeBadOp
	// RevAhead: the op's rev, or the join's since, is after the head.
	RevAhead = collab.CodeRevAhead
	// RevTooOld: the op's or the cursor's rev is older than the pad's
	// recent revisions, which the server keeps to place them.
	RevTooOld = collab.CodeRevTooOld
	// TooLarge: the frame, the op or the pad after it is over a limit.
	TooLarge = collab.CodeTooLarge
	// QuotaExceeded: the pad's stored history has reached its quota; no
	// op is committed to it any more.
	QuotaExceeded = collab.CodeQuotaExceeded
	// ReadOnly: an op on an archived session.
	ReadOnly = collab.CodeReadOnly
	// UnknownPad: the pad does not exist; the connection is then closed
	// with CloseUnknownPad.
	UnknownPad = "unknown_pad"
	// Unavailable: storage or Redis is unreachable, the pad is reloading,
	// or the server is shutting down.
	Unavailable = collab.CodeUnavailable
	// Internal: a server bug.
	Internal = "internal"
)

// ErrorCode is an error code with what a client does about it.
type ErrorCode struct {
	Code   string
	Policy Policy
}

// ErrorCodes lists every error code the server sends, as docs/protocol.md
// does. An op refused with bad_op, rev_ahead, too_large or read_only will
// never be committed, so the edits pending behind it cannot be either: the
// client resyncs (quota_exceeded too: the pad then takes no edits until an
// operator acts) (and the welcome then says whether the pad is read-only).
//
// RevAhead is Resync, also after a refused resume (a join with "since").
// A replica that is behind the revision a client names reads the log
// before it answers (collab.Engine.Join), so rev_ahead means the log
// itself lacks revisions the client saw: the store lost acknowledged ops,
// as with CloseHistoryChanged. Retrying would wait until other clients'
// new ops bring the head up to the client's revision and then resume on a
// history that is not the one the client holds, diverging without a word;
// loading afresh is the only correct answer.
//
// RevTooOld is Resync too, for a cursor as for an op: it names a revision
// the client holds, so far behind the head that the server does not keep
// what would move it there.
var ErrorCodes = []ErrorCode{
	{BadMessage, Stop},
	{UnknownType, Stop},
	{NotJoined, Stop},
	{BadOp, Resync},
	{RevAhead, Resync},
	{RevTooOld, Resync},
	{TooLarge, Resync},
	{QuotaExceeded, Resync},
	{ReadOnly, Resync},
	{UnknownPad, Stop},
	{Unavailable, Retry},
	{Internal, Retry},
}

// ErrorPolicy returns what a client does about an error with code; false
// for a code the protocol does not define (a newer server's: treat it as
// Stop).
func ErrorPolicy(code string) (Policy, bool) {
	for _, e := range ErrorCodes {
		if e.Code == code {
			return e.Policy, true
		}
	}
	return Stop, false
}

// Close codes the server uses besides the standard ones (1000 normal,
// 1001 going away, 1002 protocol error, 1008 policy violation, 1009
// message too big).
const (
	// StatusUnknownPad: the pad does not exist or was deleted.
	StatusUnknownPad websocket.StatusCode = 4404
	// StatusReplaced: another connection joined with the same client id.
	StatusReplaced websocket.StatusCode = 4409
	// StatusHistoryChanged: the pad's history was rewritten under the
	// connection (the store lost acknowledged ops and another replica
	// committed others at their revisions).
	StatusHistoryChanged websocket.StatusCode = 4410
)

// CloseCode is a close code with what a client does after it.
type CloseCode struct {
	Code   websocket.StatusCode
	Policy Policy
}

// CloseCodes lists every close code the server uses, as docs/protocol.md
// does. A close without a code (the connection dropped) is Retry.
var CloseCodes = []CloseCode{
	{websocket.StatusNormalClosure, Retry},
	{websocket.StatusGoingAway, Retry},
	{websocket.StatusProtocolError, Retry},
	{websocket.StatusPolicyViolation, Retry},
	{websocket.StatusMessageTooBig, Retry},
	{StatusUnknownPad, Stop},
	{StatusReplaced, Stop},
	{StatusHistoryChanged, Resync},
}

// ClosePolicy returns what a client does after a close with code; Retry
// for a code the server does not use (a dropped connection, a proxy's).
func ClosePolicy(code websocket.StatusCode) Policy {
	for _, c := range CloseCodes {
		if c.Code == code {
			return c.Policy
		}
	}
	return Retry
}

// Close is one reason the server closes a connection: its code and the
// reason sent with it.
type Close struct {
	Code   websocket.StatusCode
	Reason string
}

// Policy returns what a client does after c.
func (c Close) Policy() Policy { return ClosePolicy(c.Code) }

// The closes the server makes.
var (
	// CloseNormal: the client left, or its connection failed.
	CloseNormal = Close{websocket.StatusNormalClosure, ""}
	// CloseRestarting: a graceful shutdown.
	CloseRestarting = Close{websocket.StatusGoingAway, "server restarting, reconnect"}
	// CloseUnavailable: the session could not be read at join.
	CloseUnavailable = Close{websocket.StatusGoingAway, "storage unavailable; reconnect"}
	// CloseIdle: nothing received for the idle timeout.
	CloseIdle = Close{websocket.StatusGoingAway, "idle timeout"}
	// CloseKeepalive: a ping got no pong in time.
	CloseKeepalive = Close{websocket.StatusGoingAway, "keepalive timeout"}
	// CloseTooSlow: the client did not take its messages in time.
	CloseTooSlow = Close{websocket.StatusPolicyViolation, "too slow; resume with since"}
	// CloseTooMany: the client sent frames faster than the rate limit.
	CloseTooMany = Close{websocket.StatusPolicyViolation, "too many messages; slow down"}
	// CloseNoJoin: no join within the join timeout.
	CloseNoJoin = Close{websocket.StatusPolicyViolation, "no join message"}
	// CloseTooBig: a frame far over the size limit.
	CloseTooBig = Close{websocket.StatusMessageTooBig, "frame far over the size limit"}
	// CloseUnknownPad: a join on a pad that does not exist.
	CloseUnknownPad = Close{StatusUnknownPad, "unknown pad"}
	// CloseDeleted: the session was deleted.
	CloseDeleted = Close{StatusUnknownPad, "session deleted"}
	// CloseReplaced: a newer connection joined with the same client id.
	CloseReplaced = Close{StatusReplaced, "replaced by a newer connection with the same client id"}
	// CloseHistoryChanged: the pad's history changed under the connection.
	CloseHistoryChanged = Close{StatusHistoryChanged, "the pad's history changed; load it again"}
)

// CloseStateChanged is the close of an admin's change of the session's
// state to state ("live" or "archived"): reconnect, and the next welcome
// says whether the pad is read-only.
func CloseStateChanged(state string) Close {
	return Close{websocket.StatusGoingAway, "session is now " + state + "; reconnect"}
}

// CloseAccessChanged closes the connections whose right to edit an
// admin's change of the session's editing policy or edit link changed:
// reconnect, and the next welcome says the mode.
var CloseAccessChanged = Close{websocket.StatusGoingAway, "edit access changed; reconnect"}
