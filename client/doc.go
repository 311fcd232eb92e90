// Package client is a Go client for confpad's websocket protocol: it joins a
// pad, keeps a local copy of its text in step with the server through
// operational transformation, and resumes after a dropped connection
// without losing or doubling an edit.
//
// # The state machine
//
// A Client is always in one of three states, as in ot.js and ShareDB:
//
//   - in sync: every local edit has been acknowledged;
//   - one op in flight: an op was sent and its ack has not arrived;
//   - in flight plus a buffer: edits made meanwhile are composed (with
//     collab.Compose) into one buffered op, sent when the ack comes.
//
// An incoming remote op r is transformed against the unacknowledged ops
// before it is applied to the local text: each unacknowledged op u becomes
// Transform(u, r, Right) and r becomes Transform(r, u, Left). This is the
// mirror of the server, which transforms an incoming op against history
// with side Right, so every client and the server reach the same text.
//
// # Resuming
//
// When the connection drops, Reconnect (or the automatic reconnect loop of
// Options.AutoReconnect) joins again with "since" set to the last revision
// the client saw. The server replays what the client missed, with acks in
// place of the client's own ops, and a welcome; then the client resends
// its in-flight op with the same seq and base revision as the first time.
// The server deduplicates by (public id, seq), so an op that was committed
// before the drop is acknowledged again, never applied twice; the client
// ignores acks for seqs it is not waiting for.
//
// # Events
//
// Options.OnEvent receives what arrives from the server (remote ops with
// their arrival time, acks with their round-trip latency, presence, links,
// errors) and connection changes. The load tool cmd/confpad-load measures
// fan-out latency with it.
//
// The local text is a collab.Doc, so an edit or a remote op costs time in
// the size of the op, not of the pad.
package client
