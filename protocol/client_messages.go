package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/conference"
)

// Message types. Clients send TypeJoin, TypeOp, TypeCursor and TypeRename;
// the server sends TypeWelcome, TypeAck, TypeOp, TypePresence,
// TypePeople, TypeLinks and TypeError.
const (
	TypeJoin     = "join"
	TypeOp       = "op"
	TypeCursor   = "cursor"
	TypeRename   = "rename"
	TypeWelcome  = "welcome"
	TypeAck      = "ack"
	TypePresence = "presence"
	TypePeople   = "people"
	TypeLinks    = "links"
	TypeError    = "error"
)

// Limits and defaults of the fields of client messages.
const (
	// MaxNameLen bounds a name, in code points.
	MaxNameLen = 50
	// DefaultName is the name of a join without one.
	DefaultName = "Anonymous"
	// MaxPosition bounds a cursor position: the largest count of an op
	// (collab.MaxCount), so that moving a position through ops can never
	// overflow. Positions past the end of the document are clamped by
	// whoever shows them.
	MaxPosition = collab.MaxCount
)

var (
	colorPattern = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
)

// JoinMessage is the first message on every connection, as a client sends
// it.
type JoinMessage struct {
	Type string `json:"type"`
	// Client is the client's secret id (ValidSecret); others see its
	// PublicID.
	Client string `json:"client"`
	Name   string `json:"name,omitempty"`
	Color  string `json:"color,omitempty"`
	// Since, when set, resumes from that revision instead of a snapshot.
	Since *int `json:"since,omitempty"`
	// Author is the browser's author secret, kept across visits; the
	// server shows others only PublicID(DomainAuthor, Author).
	Author string `json:"author,omitempty"`
	// Edit is the secret of the session's edit link (ValidSecret), sent
	// by those who opened the pad through it.
	Edit string `json:"edit,omitempty"`
}

// OpMessage is a client's op based on revision Rev, as a client sends it.
type OpMessage struct {
	Type string    `json:"type"`
	Rev  int       `json:"rev"`
	Seq  int       `json:"seq"`
	Op   collab.Op `json:"op"`
}

// CursorMessage is a client's selection at revision Rev, as a client
// sends it.
type CursorMessage struct {
	Type string `json:"type"`
	Rev  int    `json:"rev"`
	Sel  [2]int `json:"sel"`
}

// Error is a refusal to report to the client in an error message.
type Error struct {
	Code    string
	Message string
}

// Error returns the code and the message.
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns an *Error with code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ClientMessage is one parsed and checked client message. Which fields
// are set depends on Type.
type ClientMessage struct {
	Type string
	// join: Client is the public id (PublicID in DomainClient) of the
	// secret the join sent; the secret itself is not kept.
	Client string
	Since  int // -1: no since, join with a snapshot
	// Author is the public author id of a join (see PublicID), never the
	// secret it was derived from.
	Author string
	// Edit is the edit-link secret the join sent, "" if none: the server
	// compares it with the session's (conference.Session.CanEdit).
	Edit string
	// join and rename
	Name  string
	Color string
	// op and cursor
	Rev int
	// op
	Seq int
	Op  collab.Op
	// cursor
	Sel [2]int
}

// rawClientMessage is the JSON shape of every client message.
type rawClientMessage struct {
	Type   string          `json:"type"`
	Client *string         `json:"client"`
	Author *string         `json:"author"`
	Name   *string         `json:"name"`
	Color  *string         `json:"color"`
	Since  *int            `json:"since"`
	Edit   *string         `json:"edit"`
	Rev    *int            `json:"rev"`
	Seq    *int            `json:"seq"`
	Op     json.RawMessage `json:"op"`
	Sel    *[2]int         `json:"sel"`
}

// ParseClientMessage parses and checks one text frame from a client.
// maxOpLen bounds the code points an op inserts plus deletes. The error
// carries the code to send back; seq is the message's "seq" when it could
// be read (-1 otherwise), for the error's "ref".
func ParseClientMessage(data []byte, maxOpLen int) (msg ClientMessage, seq int, err *Error) {
	seq = -1
	if !utf8.Valid(data) {
		return msg, seq, Errorf(BadMessage, "message is not valid UTF-8")
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return msg, seq, Errorf(BadMessage, "message must be a JSON object")
	}
	var raw rawClientMessage
	jerr := json.Unmarshal(data, &raw) // fills what it can even on a type error
	if raw.Seq != nil {
		seq = *raw.Seq
	}
	if jerr != nil {
		return msg, seq, Errorf(BadMessage, "malformed JSON: %s", JSONProblem(jerr))
	}
	msg.Type = raw.Type
	switch raw.Type {
	case "":
		return msg, seq, Errorf(BadMessage, `message has no "type"`)
	case TypeJoin:
		err = parseJoin(&raw, &msg)
	case TypeOp:
		err = parseOp(&raw, &msg, maxOpLen)
	case TypeCursor:
		err = parseCursor(&raw, &msg)
	case TypeRename:
		err = parseRename(&raw, &msg)
	default:
		return msg, seq, Errorf(UnknownType, "unknown message type %q", Truncate(raw.Type, 40))
	}
	return msg, seq, err
}

func parseJoin(raw *rawClientMessage, msg *ClientMessage) *Error {
	if raw.Client == nil {
		return Errorf(BadMessage, `join needs "client", a secret id such as a random UUID`)
	}
	if !ValidSecret(*raw.Client) {
		return Errorf(BadMessage, `"client" must be a secret of %d to %d characters of A-Z, a-z, 0-9, '-' and '_', such as a random UUID`, MinSecretLen, MaxSecretLen)
	}
	msg.Client = PublicID(DomainClient, *raw.Client)
	if err := parseAuthor(raw, msg); err != nil {
		return err
	}
	msg.Since = -1
	if raw.Since != nil {
		if *raw.Since < 0 {
			return Errorf(BadMessage, `"since" must be a revision >= 0`)
		}
		msg.Since = *raw.Since
	}
	if raw.Edit != nil {
		if !ValidSecret(*raw.Edit) {
			return Errorf(BadMessage, `"edit" must be the secret of an edit link: %d to %d characters of A-Z, a-z, 0-9, '-' and '_'`, MinSecretLen, MaxSecretLen)
		}
		msg.Edit = *raw.Edit
	}
	if err := parseIdentity(raw, msg); err != nil {
		return err
	}
	if msg.Name == "" {
		msg.Name = DefaultName
	}
	if msg.Color == "" {
		msg.Color = DefaultColor(msg.Client)
	}
	return nil
}

func parseRename(raw *rawClientMessage, msg *ClientMessage) *Error {
	if raw.Name == nil && raw.Color == nil {
		return Errorf(BadMessage, `rename needs "name" or "color"`)
	}
	return parseIdentity(raw, msg)
}

// CleanName returns a display name with surrounding space trimmed, or an
// error saying why it is not acceptable (conference.TextProblem: too long,
// control, bidi or invisible characters, combining floods). Names given at
// join, at rename and in imported files pass the same check.
func CleanName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if problem := conference.TextProblem(name, MaxNameLen, false); problem != "" {
		return "", errors.New(problem)
	}
	return name, nil
}

// parseIdentity reads the optional name and color of a join or rename.
func parseIdentity(raw *rawClientMessage, msg *ClientMessage) *Error {
	if raw.Name != nil {
		name, err := CleanName(*raw.Name)
		if err != nil {
			return Errorf(BadMessage, `"name" %s`, err.Error())
		}
		msg.Name = name
	}
	if raw.Color != nil {
		color, err := CleanColor(*raw.Color)
		if err != nil {
			return Errorf(BadMessage, `"color" %s`, err.Error())
		}
		msg.Color = color
	}
	return nil
}

func parseOp(raw *rawClientMessage, msg *ClientMessage, maxOpLen int) *Error {
	switch {
	case raw.Rev == nil || *raw.Rev < 0:
		return Errorf(BadMessage, `op needs "rev", the revision it is based on (>= 0)`)
	case raw.Seq == nil || *raw.Seq < 0:
		return Errorf(BadMessage, `op needs "seq", its sequence number (>= 0)`)
	case raw.Op == nil:
		return Errorf(BadMessage, `op needs "op", an array of components`)
	}
	msg.Rev, msg.Seq = *raw.Rev, *raw.Seq
	op, err := collab.ParseOpLimit(raw.Op, maxOpLen)
	if errors.Is(err, collab.ErrOpTooLarge) {
		return Errorf(TooLarge, "%v", err)
	}
	if err != nil {
		return Errorf(BadOp, "%v", err)
	}
	msg.Op = op
	return nil
}

func parseCursor(raw *rawClientMessage, msg *ClientMessage) *Error {
	switch {
	case raw.Rev == nil || *raw.Rev < 0:
		return Errorf(BadMessage, `cursor needs "rev", the revision of the selection (>= 0)`)
	case raw.Sel == nil:
		return Errorf(BadMessage, `cursor needs "sel": [anchor, head]`)
	case raw.Sel[0] < 0 || raw.Sel[1] < 0 || raw.Sel[0] > MaxPosition || raw.Sel[1] > MaxPosition:
		return Errorf(BadMessage, `"sel" positions must be 0 to %d`, MaxPosition)
	}
	msg.Rev, msg.Sel = *raw.Rev, *raw.Sel
	return nil
}

// JSONProblem describes a JSON decoding error for the client that sent
// the JSON, without Go type names.
func JSONProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %q has the wrong type", te.Field)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%v at byte %d", se, se.Offset)
	}
	return err.Error()
}

// Truncate shortens s to n code points, marking a cut with "…", so that
// an error message never echoes a long value a client sent.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// DefaultColor is the colour of a client that sent none: one of a small
// palette, the same for the same public id.
func DefaultColor(client string) string {
	palette := [...]string{"#3366ff", "#e6550d", "#31a354", "#756bb1", "#d62728", "#17becf", "#bcbd22", "#8c564b"}
	h := 0
	for i := 0; i < len(client); i++ {
		h = h*31 + int(client[i])
	}
	if h < 0 {
		h = -h
	}
	return palette[h%len(palette)]
}
