package client

import (
	"encoding/json"
	"fmt"

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
	// welcome
	Pad      string  `json:"pad"`
	Text     *string `json:"text"`
	Users    []User  `json:"users"`
	ReadOnly bool    `json:"readOnly"`
	You      string  `json:"you"`
	// ack
	Seq int `json:"seq"`
	// op
	Op     collab.Op `json:"op"`
	Author string    `json:"author"`
	// presence
	Event string `json:"event"`
	User  User   `json:"user"`
	// error
	Code    string `json:"code"`
	Message string `json:"message"`
	Ref     *int   `json:"ref"`
}

// decodeServerMessage parses one frame from the server. An op message's
// op is validated by collab.ParseOp.
func decodeServerMessage(data []byte) (serverMessage, error) {
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
