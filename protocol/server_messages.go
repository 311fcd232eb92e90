package protocol

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/conference"
)

// User is a person in a pad, as welcome and presence messages show them.
type User struct {
	// Client is the user's public id (PublicID), never its secret.
	Client string `json:"client"`
	// Name and Color are how the user is shown ("Ada", "#3366ff").
	Name  string `json:"name"`
	Color string `json:"color"`
	// Sel is the user's selection [anchor, head] in code points at the
	// revision of the message that carries it, or nil if unknown.
	Sel *[2]int `json:"sel"`
}

// MaxWelcomeUsers bounds the users a welcome lists: the most recently
// active ones.
const MaxWelcomeUsers = 100

// WelcomeMessage answers a join. Text is nil after a join with since.
type WelcomeMessage struct {
	Type string  `json:"type"`
	Pad  string  `json:"pad"`
	Rev  int     `json:"rev"`
	Text *string `json:"text,omitempty"`
	// Users are the active users (who typed, renamed or moved a cursor),
	// at most MaxWelcomeUsers, the most recently active first.
	Users []User `json:"users"`
	// People counts everyone connected to the pad, readers included.
	People int               `json:"people"`
	Links  []conference.Link `json:"links"`
	// ReadOnly is set by EncodeWelcome: Mode is not ModeEdit.
	ReadOnly bool `json:"readOnly"`
	// Mode is what the connection may do: ModeEdit ("" is the same),
	// ModeView or ModeArchived.
	Mode string `json:"mode"`
	You  string `json:"you"`
}

// Modes of a welcome: what the joined connection may do.
const (
	// ModeEdit: the connection may send ops, cursors and renames.
	ModeEdit = "edit"
	// ModeView: the session's policy needs its edit link, and the join
	// had no valid edit secret; ops, cursors and renames get read_only.
	ModeView = "view"
	// ModeArchived: the session is archived; ops get read_only.
	ModeArchived = "archived"
)

// presenceMessage reports a user's join, leave, update or cursor.
type presenceMessage struct {
	Type  string `json:"type"`
	Event string `json:"event"`
	User  User   `json:"user"`
	Rev   int    `json:"rev"`
}

type peopleMessage struct {
	Type   string `json:"type"`
	People int    `json:"people"`
}

type linksMessage struct {
	Type  string            `json:"type"`
	Links []conference.Link `json:"links"`
}

type errorMessage struct {
	Type    string `json:"type"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Ref     *int   `json:"ref,omitempty"`
}

// mustJSON encodes a message built from plain data; it cannot fail.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("protocol: encoding %T: %v", v, err))
	}
	return b
}

// EncodeWelcome encodes w (its Type is set here). Nil Users or Links are
// sent as empty lists.
func EncodeWelcome(w WelcomeMessage) []byte {
	w.Type = TypeWelcome
	if w.Mode == "" {
		w.Mode = ModeEdit
	}
	w.ReadOnly = w.Mode != ModeEdit
	if w.Users == nil {
		w.Users = []User{}
	}
	w.Links = nonNilLinks(w.Links)
	return mustJSON(w)
}

// EncodePresence encodes a presence event ("join", "leave", "update" or
// "cursor") of u at revision rev.
func EncodePresence(event string, u User, rev int) []byte {
	return mustJSON(presenceMessage{Type: TypePresence, Event: event, User: u, Rev: rev})
}

// EncodePeople encodes the count of everyone connected to a pad.
func EncodePeople(n int) []byte {
	return mustJSON(peopleMessage{Type: TypePeople, People: n})
}

// EncodeLinks encodes the pad's full list of slide links.
func EncodeLinks(links []conference.Link) []byte {
	return mustJSON(linksMessage{Type: TypeLinks, Links: nonNilLinks(links)})
}

// EncodeError encodes an error message; ref is the seq of the op it is
// about, or -1 for none.
func EncodeError(code, message string, ref int) []byte {
	m := errorMessage{Type: TypeError, Code: code, Message: message}
	if ref >= 0 {
		m.Ref = &ref
	}
	return mustJSON(m)
}

func nonNilLinks(links []conference.Link) []conference.Link {
	if links == nil {
		return []conference.Link{}
	}
	return links
}

// The exact forms in which EncodeOp and EncodeAck write op broadcasts and
// acks, which decodeFast reads.
var (
	opPrefix    = []byte(`{"type":"op","rev":`)
	opField     = []byte(`,"op":`)
	byField     = []byte(`,"by":`)
	byOpen      = []byte(`,"by":"`) // byField and the author id's quote
	authorField = []byte(`,"author":`)
	authorOpen  = []byte(`,"author":"`) // authorField and the author's quote
	runsField   = []byte(`,"runs":`)
	ackPrefix   = []byte(`{"type":"ack","seq":`)
	revField    = []byte(`,"rev":`)
)

// EncodeOp encodes {"type":"op","rev":R,"op":[...],"by":"a","author":"c"},
// the broadcast of a committed record (by: its public author id, author:
// its client id), faster than encoding/json. A record with Runs gets them
// as a last field, "runs":[{"author":"x","length":N},...].
func EncodeOp(r collab.Record) []byte {
	b := make([]byte, 0, 72+len(r.Client)+len(r.Author)+8*r.Op.Len())
	b = append(b, opPrefix...)
	b = strconv.AppendInt(b, int64(r.Rev), 10)
	b = append(b, opField...)
	b, err := r.Op.AppendJSON(b)
	if err != nil {
		panic(fmt.Sprintf("protocol: encoding op %d: %v", r.Rev, err))
	}
	b = append(b, byField...)
	b = append(b, mustJSON(r.Author)...)
	b = append(b, authorField...)
	b = append(b, mustJSON(r.Client)...)
	if r.Runs != nil {
		b = append(b, runsField...)
		b = append(b, mustJSON(r.Runs)...)
	}
	return append(b, '}')
}

// EncodeAck encodes {"type":"ack","seq":S,"rev":R}.
func EncodeAck(seq, rev int) []byte {
	b := make([]byte, 0, 40)
	b = append(b, ackPrefix...)
	b = strconv.AppendInt(b, int64(seq), 10)
	b = append(b, revField...)
	b = strconv.AppendInt(b, int64(rev), 10)
	return append(b, '}')
}

// ServerMessage is any server message, as a client reads it: the fields a
// client acts on. Which are set depends on Type.
type ServerMessage struct {
	Type string `json:"type"`
	// welcome, ack, op, presence
	Rev int `json:"rev"`
	// welcome (its pad, links and "you" are not read)
	Text     *string `json:"text"`
	Users    []User  `json:"users"`
	ReadOnly bool    `json:"readOnly"`
	Mode     string  `json:"mode"`
	// welcome and people
	People int `json:"people"`
	// ack
	Seq int `json:"seq"`
	// op
	Op     MaybeOp      `json:"op"`
	By     string       `json:"by"`
	Author string       `json:"author"`
	Runs   []collab.Run `json:"runs"`
	// presence
	Event string `json:"event"`
	User  User   `json:"user"`
	// error
	Code    string `json:"code"`
	Message string `json:"message"`
	Ref     *int   `json:"ref"`
}

// MaybeOp is the op of a server message, and whether the message has one:
// an op message without an op breaks the protocol, one with an empty op
// does not.
type MaybeOp struct {
	Op      collab.Op
	Present bool
}

// UnmarshalJSON reads the op as collab.ParseOp does.
func (f *MaybeOp) UnmarshalJSON(data []byte) error {
	if err := f.Op.UnmarshalJSON(data); err != nil {
		return err
	}
	f.Present = true
	return nil
}

// DecodeServerMessage parses one frame from the server. An op message's op
// is validated by collab.ParseOp. Op broadcasts and acks in exactly the
// form EncodeOp and EncodeAck write take a fast path that gives the same
// result as encoding/json for a fraction of its cost.
func DecodeServerMessage(data []byte) (ServerMessage, error) {
	if m, ok := decodeFast(data); ok {
		return m, nil
	}
	var m ServerMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("malformed server message: %w", err)
	}
	return m, nil
}

// decodeFast decodes op broadcasts and acks in exactly the form EncodeOp
// and EncodeAck write them. It gives the same result as encoding/json or
// ok false, and then encoding/json reads the message.
func decodeFast(data []byte) (m ServerMessage, ok bool) {
	switch {
	case bytes.HasPrefix(data, opPrefix):
		m.Type = TypeOp
		rest, ok := cutCount(data[len(opPrefix):], &m.Rev)
		if !ok || !bytes.HasPrefix(rest, opField) || !bytes.HasSuffix(rest, []byte(`"}`)) {
			return m, false
		}
		rest = rest[len(opField) : len(rest)-2]
		// A raw `,"author":"` cannot occur inside the op, whose strings
		// escape their quotes: its last occurrence starts the author.
		i := bytes.LastIndex(rest, authorOpen)
		if i < 0 {
			return m, false
		}
		author := rest[i+len(authorOpen):]
		// Nor can a raw `,"by":"`: the last before the author starts the
		// author id, which ends in the quote before the author.
		j := bytes.LastIndex(rest[:i], byOpen)
		if j < 0 || !plainString(author) || rest[i-1] != '"' {
			return m, false
		}
		by := rest[j+len(byOpen) : i-1]
		if !plainString(by) {
			return m, false
		}
		op, err := collab.ParseOp(rest[:j])
		if err != nil {
			return m, false
		}
		m.Op, m.By, m.Author = MaybeOp{Op: op, Present: true}, string(by), string(author)
		return m, true
	case bytes.HasPrefix(data, ackPrefix):
		m.Type = TypeAck
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
