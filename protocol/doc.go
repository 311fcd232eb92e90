// Package protocol is confpad's websocket protocol, v1, in one place: the
// messages clients and the server exchange, how each side encodes and
// decodes them, the error codes and the close codes, each with what a
// client does about it. docs/protocol.md describes the same protocol for
// people; a test holds its code tables to this package.
//
// One JSON object travels per text frame. Clients send join, op, cursor
// and rename (ParseClientMessage reads and checks them on the server);
// the server sends welcome, ack, op, presence, links and error
// (DecodeServerMessage reads them on a client). The two messages that are
// nearly all of a pad's traffic, op broadcasts and acks, have hand-written
// encoders (EncodeOp, EncodeAck) and a matching fast decoder; both are
// tested against each other and against encoding/json.
package protocol
