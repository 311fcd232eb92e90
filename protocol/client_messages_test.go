package protocol

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/confpad/confpad/collab"
)

func TestParseClientMessage(t *testing.T) {
	const secret = "0b6c1c1e-4d5e-4d1a"
	public := PublicID(DomainClient, secret)
	cases := []struct {
		in   string
		code string // "" for a valid message
		want ClientMessage
	}{
		{`{"type":"join","client":"` + secret + `","name":" Ada ","color":"#3366FF"}`, "", ClientMessage{Type: "join", Client: public, Author: public, Name: "Ada", Color: "#3366ff", Since: -1}},
		{`{"type":"join","client":"` + secret + `","since":7}`, "", ClientMessage{Type: "join", Client: public, Author: public, Name: DefaultName, Color: DefaultColor(public), Since: 7}},
		{`{"type":"join","client":"` + secret + `","since":null}`, "", ClientMessage{Type: "join", Client: public, Author: public, Name: DefaultName, Color: DefaultColor(public), Since: -1}},
		{`{"type":"join","client":"has space in it, 16+ chars"}`, BadMessage, ClientMessage{}},
		{`{"type":"join","client":"c-1"}`, BadMessage, ClientMessage{}},                             // guessable
		{`{"type":"join","client":"0123456789abcde"}`, BadMessage, ClientMessage{}},                 // 15: too short
		{`{"type":"join","client":"` + strings.Repeat("x", 65) + `"}`, BadMessage, ClientMessage{}}, // too long
		{`{"type":"join","client":"` + secret + `","since":-2}`, BadMessage, ClientMessage{}},
		{`{"type":"join","client":"` + secret + `","author":"0123456789abcdef_-XY"}`, "", ClientMessage{Type: "join", Client: public, Author: PublicID(DomainAuthor, "0123456789abcdef_-XY"), Name: DefaultName, Color: DefaultColor(public), Since: -1}},
		{`{"type":"join","client":"` + secret + `","author":"short"}`, BadMessage, ClientMessage{}},
		{`{"type":"join","client":"` + secret + `","author":"0123456789abcdef 0123"}`, BadMessage, ClientMessage{}},
		{`{"type":"join","client":"` + secret + `","author":7}`, BadMessage, ClientMessage{}},
		{`{"type":"join","client":"` + secret + `","edit":"Edit_secret-0123456789abcdefghij"}`, "", ClientMessage{Type: "join", Client: public, Author: public, Name: DefaultName, Color: DefaultColor(public), Since: -1, Edit: "Edit_secret-0123456789abcdefghij"}},
		{`{"type":"join","client":"` + secret + `","edit":"short"}`, BadMessage, ClientMessage{}},
		{`{"type":"join","client":"` + secret + `","edit":"not a secret: has spaces"}`, BadMessage, ClientMessage{}},
		{`{"type":"join","client":"` + secret + `","edit":7}`, BadMessage, ClientMessage{}},
		{`{"type":"op","rev":3,"seq":4,"op":[2,"x"]}`, "", ClientMessage{Type: "op", Rev: 3, Seq: 4, Op: collab.NewOp(collab.Skip(2), collab.Insert("x"))}},
		{`{"type":"op","rev":3,"seq":4,"op":null}`, BadOp, ClientMessage{}},
		{`{"type":"op","rev":3,"seq":4}`, BadMessage, ClientMessage{}},
		{`{"type":"op","rev":1.5,"seq":4,"op":["x"]}`, BadMessage, ClientMessage{}},
		{`{"type":"cursor","rev":2,"sel":[1,3]}`, "", ClientMessage{Type: "cursor", Rev: 2, Sel: [2]int{1, 3}}},
		{`{"type":"cursor","rev":2,"sel":[1]}`, "", ClientMessage{Type: "cursor", Rev: 2, Sel: [2]int{1, 0}}},
		{`{"type":"rename","name":"Bo"}`, "", ClientMessage{Type: "rename", Name: "Bo"}},
		{`{"type":"rename"}`, BadMessage, ClientMessage{}},
		{`{"type":"rename","name":"a\u0007"}`, BadMessage, ClientMessage{}},
		{`{"type":"rename","name":"Ada\u202egnp.exe"}`, BadMessage, ClientMessage{}},                // bidi override
		{`{"type":"rename","name":"A\u200bda"}`, BadMessage, ClientMessage{}},                       // zero-width space
		{`{"type":"rename","name":"Z\u0336\u0336\u0336\u0336\u0336"}`, BadMessage, ClientMessage{}}, // combining flood
		{`{"type":"rename","name":"👩\u200d💻"}`, "", ClientMessage{Type: "rename", Name: "👩\u200d💻"}},
		{`{"type":"cursor","rev":2,"sel":[2147483647,0]}`, "", ClientMessage{Type: "cursor", Rev: 2, Sel: [2]int{2147483647, 0}}},
		{`{"type":"cursor","rev":2,"sel":[2147483648,0]}`, BadMessage, ClientMessage{}}, // would wrap for others
		{`{"type":"cursor","rev":2,"sel":[0,9223372036854775807]}`, BadMessage, ClientMessage{}},
		{`{"type":7}`, BadMessage, ClientMessage{}},
		{`  `, BadMessage, ClientMessage{}},
		{`null`, BadMessage, ClientMessage{}},
		{`{"type":"JOIN"}`, UnknownType, ClientMessage{}},
	}
	for _, tc := range cases {
		got, _, err := ParseClientMessage([]byte(tc.in), 1000)
		switch {
		case tc.code == "" && err != nil:
			t.Errorf("%s: %v", tc.in, err)
		case tc.code != "" && (err == nil || err.Code != tc.code):
			t.Errorf("%s: error %v, want code %s", tc.in, err, tc.code)
		case tc.code == "" && !sameMessage(got, tc.want):
			t.Errorf("%s: got %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func sameMessage(a, b ClientMessage) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// FuzzParseClientMessage: the parser never panics, reports a known code for
// what it rejects, and what it accepts is well-formed.
func FuzzParseClientMessage(f *testing.F) {
	for _, seed := range []string{
		`{"type":"join","client":"0b6c1c1e-4d5e-4d1a-9c51-3f9a1e0b7a10","name":"Ada","color":"#3366ff","since":12}`,
		`{"type":"join","client":"0b6c1c1e-4d5e-4d1a-9c51-3f9a1e0b7a10","edit":"qL8m0Zc3r2V9x1YtE6wB4nHk7JpS5dAaFgUoIiCvXe0"}`,
		`{"type":"op","rev":4,"seq":9,"op":[3,"😀",{"d":2},"x"]}`,
		`{"type":"cursor","rev":4,"sel":[2,9]}`,
		`{"type":"rename","name":"Grace","color":"#ff0000"}`,
		`{"type":"op","rev":0,"seq":1,"op":["\ud83d\ude00"]}`,
		"{\"type\":\"op\",\"rev\":0,\"seq\":1,\"op\":[\"\xff\"]}",
	} {
		f.Add([]byte(seed))
	}
	known := map[string]bool{BadMessage: true, UnknownType: true, BadOp: true, TooLarge: true}
	f.Fuzz(func(t *testing.T, data []byte) {
		msg, _, err := ParseClientMessage(data, 1<<10)
		if err != nil {
			if !known[err.Code] || err.Message == "" || !utf8.ValidString(err.Message) {
				t.Fatalf("bad error %#v", err)
			}
			return
		}
		switch msg.Type {
		case "join":
			if len(msg.Client) != PublicIDLen || !colorPattern.MatchString(msg.Color) || msg.Since < -1 {
				t.Fatalf("accepted a bad join %+v", msg)
			}
		case "op":
			if err := msg.Op.Validate(); err != nil || msg.Rev < 0 || msg.Seq < 0 {
				t.Fatalf("accepted a bad op %+v: %v", msg, err)
			}
			if n := msg.Op.InsertLen() + msg.Op.DeleteLen(); n > 1<<10 {
				t.Fatalf("accepted an op of %d code points over the limit", n)
			}
		case "cursor":
			if msg.Rev < 0 || msg.Sel[0] < 0 || msg.Sel[1] < 0 || msg.Sel[0] > MaxPosition || msg.Sel[1] > MaxPosition {
				t.Fatalf("accepted a bad cursor %+v", msg)
			}
		case "rename":
			if utf8.RuneCountInString(msg.Name) > MaxNameLen || msg.Color != "" && !colorPattern.MatchString(msg.Color) {
				t.Fatalf("accepted a bad rename %+v", msg)
			}
		default:
			t.Fatalf("accepted type %q", msg.Type)
		}
	})
}
