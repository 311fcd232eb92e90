package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/confpad/confpad/collab"
)

// The wire messages of protocol v1 (docs/protocol.md). One JSON object per
// text frame.

// joinMessage is the first message on every connection.
type joinMessage struct {
	Type   string `json:"type"`
	Client string `json:"client"`
	Name   string `json:"name,omitempty"`
	Color  string `json:"color,omitempty"`
	// Since, when set, resumes from that revision instead of a snapshot.
	Since *int `json:"since,omitempty"`
}

// opMessage sends a local op based on revision Rev.
type opMessage struct {
	Type string    `json:"type"`
	Rev  int       `json:"rev"`
	Seq  int       `json:"seq"`
	Op   collab.Op `json:"op"`
}

// cursorMessage sends the local selection at revision Rev.
type cursorMessage struct {
	Type string `json:"type"`
	Rev  int    `json:"rev"`
	Sel  [2]int `json:"sel"`
}

// User is a person in a pad, as welcome and presence messages show them.
type User struct {
	// Client is the user's client id.
	Client string `json:"client"`
	// Name and Color are how the user is shown ("Ada", "#3366ff").
	Name  string `json:"name"`
	Color string `json:"color"`
	// Sel is the user's selection [anchor, head] in code points at the
	// revision of the message that carries it, or nil if unknown.
	Sel *[2]int `json:"sel"`
}

// serverMessage is every server message; which fields are set depends on
// Type.
type serverMessage struct {
	Type string `json:"type"`
	// welcome, ack, op, presence
	Rev int `json:"rev"`
	// welcome (its pad, links and "you" are not used)
	Text     *string `json:"text"`
	Users    []User  `json:"users"`
	ReadOnly bool    `json:"readOnly"`
	// ack
	Seq int `json:"seq"`
	// op
	Op     serverOp `json:"op"`
	Author string   `json:"author"`
	// presence
	Event string `json:"event"`
	User  User   `json:"user"`
	// error
	Code    string `json:"code"`
	Message string `json:"message"`
	Ref     *int   `json:"ref"`
}

// serverOp is the op of a server message, and whether the message has one:
// an op message without an op is an error, one with an empty op is not.
type serverOp struct {
	op      collab.Op
	present bool
}

// UnmarshalJSON reads the op as collab.ParseOp does.
func (f *serverOp) UnmarshalJSON(data []byte) error {
	if err := f.op.UnmarshalJSON(data); err != nil {
		return err
	}
	f.present = true
	return nil
}

// decodeServerMessage parses one frame from the server. An op message's
// op is validated by collab.ParseOp.
func decodeServerMessage(data []byte) (serverMessage, error) {
	if m, ok := decodeFast(data); ok {
		return m, nil
	}
	var m serverMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("client: malformed server message: %w", err)
	}
	return m, nil
}

// encode marshals a client message; the messages here hold only plain data
// and valid ops, so an error means a bug and is returned as is.
func encode(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("client: encode %T: %w", v, err)
	}
	return b, nil
}

// The exact forms in which the server writes op broadcasts and acks
// (httpapi's encodeOp and encodeAck).
var (
	opPrefix    = []byte(`{"type":"op","rev":`)
	opField     = []byte(`,"op":`)
	authorField = []byte(`,"author":"`)
	ackPrefix   = []byte(`{"type":"ack","seq":`)
	revField    = []byte(`,"rev":`)
)

// decodeFast decodes the two messages that are nearly all of a pad's
// traffic, op broadcasts and acks, when they come in exactly the form the
// server writes them, for a fraction of what encoding/json costs. It gives
// the same result as encoding/json or ok false, and then encoding/json
// reads the message.
func decodeFast(data []byte) (m serverMessage, ok bool) {
	switch {
	case bytes.HasPrefix(data, opPrefix):
		m.Type = "op"
		rest, ok := cutCount(data[len(opPrefix):], &m.Rev)
		if !ok || !bytes.HasPrefix(rest, opField) || !bytes.HasSuffix(rest, []byte(`"}`)) {
			return m, false
		}
		rest = rest[len(opField) : len(rest)-2]
		// A raw `,"author":"` cannot occur inside the op, whose strings
		// escape their quotes: its last occurrence starts the author.
		i := bytes.LastIndex(rest, authorField)
		if i < 0 {
			return m, false
		}
		author := rest[i+len(authorField):]
		if !plainString(author) {
			return m, false
		}
		op, err := collab.ParseOp(rest[:i])
		if err != nil {
			return m, false
		}
		m.Op, m.Author = serverOp{op: op, present: true}, string(author)
		return m, true
	case bytes.HasPrefix(data, ackPrefix):
		m.Type = "ack"
		rest, ok := cutCount(data[len(ackPrefix):], &m.Seq)
		if !ok || !bytes.HasPrefix(rest, revField) {
			return m, false
		}
		rest, ok = cutCount(rest[len(revField):], &m.Rev)
		return m, ok && string(rest) == "}"
	}
	return m, false
}

// cutCount reads a JSON number that is a non-negative integer of at most
// nine digits into *n and returns what follows it.
func cutCount(data []byte, n *int) (rest []byte, ok bool) {
	end := 0
	for end < len(data) && end < 10 && data[end] >= '0' && data[end] <= '9' {
		end++
	}
	if end == 0 || end > 9 || (data[0] == '0' && end > 1) {
		return nil, false
	}
	v, err := strconv.Atoi(string(data[:end]))
	*n = v
	return data[end:], err == nil
}

// plainString reports whether b, the inside of a JSON string, needs no
// decoding: valid UTF-8 without quotes, backslashes or control characters.
func plainString(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c == '"' || c == '\\' {
			return false
		}
	}
	return utf8.Valid(b)
}
