package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/conference"
)

// Error codes of the websocket protocol, sent as
// {"type":"error","code":...}. The engine's codes (bad_op, rev_ahead,
// too_large, unavailable) come from package collab.
const (
	codeBadMessage  = "bad_message"
	codeUnknownType = "unknown_type"
	codeNotJoined   = "not_joined"
	codeBadOp       = collab.CodeBadOp
	codeRevAhead    = collab.CodeRevAhead
	codeTooLarge    = collab.CodeTooLarge
	codeReadOnly    = collab.CodeReadOnly
	codeUnknownPad  = "unknown_pad"
	codeUnavailable = collab.CodeUnavailable
	codeInternal    = "internal"
)

// codeRateLimited labels, in the errors metric, connections closed for
// sending too many frames; the client learns it from the close reason.
const codeRateLimited = "rate_limited"

// Limits on the fields of client messages.
const (
	maxClientIDLen = 64
	maxNameLen     = 50
	defaultName    = "Anonymous"
)

var (
	clientIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	colorPattern    = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
)

// protoError is an error to report to the client in an error message.
type protoError struct {
	Code    string
	Message string
}

func (e *protoError) Error() string { return e.Code + ": " + e.Message }

func protoErrorf(code, format string, args ...any) *protoError {
	return &protoError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// clientMessage is one parsed and validated client message. Which fields
// are set depends on Type.
type clientMessage struct {
	Type string
	// join
	Client string
	Since  int // -1: no since, join with a snapshot
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
	Name   *string         `json:"name"`
	Color  *string         `json:"color"`
	Since  *int            `json:"since"`
	Rev    *int            `json:"rev"`
	Seq    *int            `json:"seq"`
	Op     json.RawMessage `json:"op"`
	Sel    *[2]int         `json:"sel"`
}

// parseClientMessage parses one text frame from a client. maxOpLen bounds
// the code points an op inserts plus deletes. The returned error is a
// *protoError with the code to send back; seq is the message's "seq" when
// it could be read (-1 otherwise), for the error's "ref".
func parseClientMessage(data []byte, maxOpLen int) (msg clientMessage, seq int, err *protoError) {
	seq = -1
	if !utf8.Valid(data) {
		return msg, seq, protoErrorf(codeBadMessage, "message is not valid UTF-8")
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return msg, seq, protoErrorf(codeBadMessage, "message must be a JSON object")
	}
	var raw rawClientMessage
	jerr := json.Unmarshal(data, &raw) // fills what it can even on a type error
	if raw.Seq != nil {
		seq = *raw.Seq
	}
	if jerr != nil {
		return msg, seq, protoErrorf(codeBadMessage, "malformed JSON: %s", jsonProblem(jerr))
	}
	msg.Type = raw.Type
	switch raw.Type {
	case "":
		return msg, seq, protoErrorf(codeBadMessage, `message has no "type"`)
	case "join":
		err = parseJoin(&raw, &msg)
	case "op":
		err = parseOp(&raw, &msg, maxOpLen)
	case "cursor":
		err = parseCursor(&raw, &msg)
	case "rename":
		err = parseRename(&raw, &msg)
	default:
		return msg, seq, protoErrorf(codeUnknownType, "unknown message type %q", truncate(raw.Type, 40))
	}
	return msg, seq, err
}

func parseJoin(raw *rawClientMessage, msg *clientMessage) *protoError {
	if raw.Client == nil {
		return protoErrorf(codeBadMessage, `join needs "client", a unique id such as a UUID`)
	}
	if !clientIDPattern.MatchString(*raw.Client) {
		return protoErrorf(codeBadMessage, `"client" must be 1 to %d characters of A-Z, a-z, 0-9, '-' and '_'`, maxClientIDLen)
	}
	msg.Client = *raw.Client
	msg.Since = -1
	if raw.Since != nil {
		if *raw.Since < 0 {
			return protoErrorf(codeBadMessage, `"since" must be a revision >= 0`)
		}
		msg.Since = *raw.Since
	}
	if err := parseIdentity(raw, msg); err != nil {
		return err
	}
	if msg.Name == "" {
		msg.Name = defaultName
	}
	if msg.Color == "" {
		msg.Color = defaultColor(msg.Client)
	}
	return nil
}

func parseRename(raw *rawClientMessage, msg *clientMessage) *protoError {
	if raw.Name == nil && raw.Color == nil {
		return protoErrorf(codeBadMessage, `rename needs "name" or "color"`)
	}
	return parseIdentity(raw, msg)
}

// parseIdentity reads the optional name and color of a join or rename.
func parseIdentity(raw *rawClientMessage, msg *clientMessage) *protoError {
	if raw.Name != nil {
		name := strings.TrimSpace(*raw.Name)
		if utf8.RuneCountInString(name) > maxNameLen {
			return protoErrorf(codeBadMessage, `"name" is longer than %d characters`, maxNameLen)
		}
		if strings.IndexFunc(name, unicode.IsControl) >= 0 {
			return protoErrorf(codeBadMessage, `"name" contains a control character`)
		}
		msg.Name = name
	}
	if raw.Color != nil {
		if !colorPattern.MatchString(*raw.Color) {
			return protoErrorf(codeBadMessage, `"color" must look like #3366ff`)
		}
		msg.Color = strings.ToLower(*raw.Color)
	}
	return nil
}

func parseOp(raw *rawClientMessage, msg *clientMessage, maxOpLen int) *protoError {
	switch {
	case raw.Rev == nil || *raw.Rev < 0:
		return protoErrorf(codeBadMessage, `op needs "rev", the revision it is based on (>= 0)`)
	case raw.Seq == nil || *raw.Seq < 0:
		return protoErrorf(codeBadMessage, `op needs "seq", its sequence number (>= 0)`)
	case raw.Op == nil:
		return protoErrorf(codeBadMessage, `op needs "op", an array of components`)
	}
	msg.Rev, msg.Seq = *raw.Rev, *raw.Seq
	op, err := collab.ParseOpLimit(raw.Op, maxOpLen)
	if errors.Is(err, collab.ErrOpTooLarge) {
		return protoErrorf(codeTooLarge, "%v", err)
	}
	if err != nil {
		return protoErrorf(codeBadOp, "%v", err)
	}
	msg.Op = op
	return nil
}

func parseCursor(raw *rawClientMessage, msg *clientMessage) *protoError {
	switch {
	case raw.Rev == nil || *raw.Rev < 0:
		return protoErrorf(codeBadMessage, `cursor needs "rev", the revision of the selection (>= 0)`)
	case raw.Sel == nil:
		return protoErrorf(codeBadMessage, `cursor needs "sel": [anchor, head]`)
	case raw.Sel[0] < 0 || raw.Sel[1] < 0:
		return protoErrorf(codeBadMessage, `"sel" positions must be >= 0`)
	}
	msg.Rev, msg.Sel = *raw.Rev, *raw.Sel
	return nil
}

// jsonProblem describes a JSON decoding error without Go type names.
func jsonProblem(err error) string {
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

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// defaultColor picks a stable colour for a client that sent none.
func defaultColor(client string) string {
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

// Server-to-client messages. Each broadcast is encoded once and the same
// bytes go to every connection.

// wireUser is a user as clients see it.
type wireUser struct {
	Client string  `json:"client"`
	Name   string  `json:"name"`
	Color  string  `json:"color"`
	Sel    *[2]int `json:"sel"`
}

type welcomeMessage struct {
	Type     string     `json:"type"`
	Pad      string     `json:"pad"`
	Rev      int        `json:"rev"`
	Text     *string    `json:"text,omitempty"`
	Users    []wireUser `json:"users"`
	Links    []linkJSON `json:"links"`
	ReadOnly bool       `json:"readOnly"`
	You      string     `json:"you"`
}

type presenceMessage struct {
	Type  string   `json:"type"`
	Event string   `json:"event"`
	User  wireUser `json:"user"`
	Rev   int      `json:"rev"`
}

type linksMessage struct {
	Type  string     `json:"type"`
	Links []linkJSON `json:"links"`
}

type errorMessage struct {
	Type    string `json:"type"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Ref     *int   `json:"ref,omitempty"`
}

// linkJSON is a slide link as the API and the protocol show it.
type linkJSON = conference.Link

// mustJSON encodes a message built from plain data; it cannot fail.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("httpapi: encoding %T: %v", v, err))
	}
	return b
}

// encodeOp encodes {"type":"op","rev":R,"op":[...],"author":"c"}.
func encodeOp(r collab.Record) []byte {
	b := make([]byte, 0, 64+len(r.Client)+8*r.Op.Len())
	b = append(b, `{"type":"op","rev":`...)
	b = strconv.AppendInt(b, int64(r.Rev), 10)
	b = append(b, `,"op":`...)
	b, err := r.Op.AppendJSON(b)
	if err != nil {
		panic(fmt.Sprintf("httpapi: encoding op %d: %v", r.Rev, err))
	}
	b = append(b, `,"author":`...)
	b = append(b, mustJSON(r.Client)...)
	return append(b, '}')
}

// encodeAck encodes {"type":"ack","seq":S,"rev":R}.
func encodeAck(seq, rev int) []byte {
	b := make([]byte, 0, 40)
	b = append(b, `{"type":"ack","seq":`...)
	b = strconv.AppendInt(b, int64(seq), 10)
	b = append(b, `,"rev":`...)
	b = strconv.AppendInt(b, int64(rev), 10)
	return append(b, '}')
}

func encodeError(code, message string, ref int) []byte {
	m := errorMessage{Type: "error", Code: code, Message: message}
	if ref >= 0 {
		m.Ref = &ref
	}
	return mustJSON(m)
}

func encodeLinks(links []conference.Link) []byte {
	return mustJSON(linksMessage{Type: "links", Links: nonNilLinks(links)})
}
