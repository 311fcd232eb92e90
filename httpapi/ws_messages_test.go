package httpapi

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/confpad/confpad/collab"
)

func TestParseClientMessage(t *testing.T) {
	cases := []struct {
		in   string
		code string // "" for a valid message
		want clientMessage
	}{
		{`{"type":"join","client":"c-1","name":" Ada ","color":"#3366FF"}`, "", clientMessage{Type: "join", Client: "c-1", Name: "Ada", Color: "#3366ff", Since: -1}},
		{`{"type":"join","client":"c-1","since":7}`, "", clientMessage{Type: "join", Client: "c-1", Name: defaultName, Color: defaultColor("c-1"), Since: 7}},
		{`{"type":"join","client":"c-1","since":null}`, "", clientMessage{Type: "join", Client: "c-1", Name: defaultName, Color: defaultColor("c-1"), Since: -1}},
		{`{"type":"join","client":"has space"}`, codeBadMessage, clientMessage{}},
		{`{"type":"join","client":"c","since":-2}`, codeBadMessage, clientMessage{}},
		{`{"type":"op","rev":3,"seq":4,"op":[2,"x"]}`, "", clientMessage{Type: "op", Rev: 3, Seq: 4, Op: collab.NewOp(collab.Skip(2), collab.Insert("x"))}},
		{`{"type":"op","rev":3,"seq":4,"op":null}`, codeBadOp, clientMessage{}},
		{`{"type":"op","rev":3,"seq":4}`, codeBadMessage, clientMessage{}},
		{`{"type":"op","rev":1.5,"seq":4,"op":["x"]}`, codeBadMessage, clientMessage{}},
		{`{"type":"cursor","rev":2,"sel":[1,3]}`, "", clientMessage{Type: "cursor", Rev: 2, Sel: [2]int{1, 3}}},
		{`{"type":"cursor","rev":2,"sel":[1]}`, "", clientMessage{Type: "cursor", Rev: 2, Sel: [2]int{1, 0}}},
		{`{"type":"rename","name":"Bo"}`, "", clientMessage{Type: "rename", Name: "Bo"}},
		{`{"type":"rename"}`, codeBadMessage, clientMessage{}},
		{`{"type":"rename","name":"a\u0007"}`, codeBadMessage, clientMessage{}},
		{`{"type":7}`, codeBadMessage, clientMessage{}},
		{`  `, codeBadMessage, clientMessage{}},
		{`null`, codeBadMessage, clientMessage{}},
		{`{"type":"JOIN"}`, codeUnknownType, clientMessage{}},
	}
	for _, tc := range cases {
		got, _, err := parseClientMessage([]byte(tc.in), 1000)
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

func sameMessage(a, b clientMessage) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// FuzzParseClientMessage: the parser never panics, reports a known code for
// what it rejects, and what it accepts is well-formed.
func FuzzParseClientMessage(f *testing.F) {
	for _, seed := range []string{
		`{"type":"join","client":"0b6c1c1e-4d5e-4d1a-9c51-3f9a1e0b7a10","name":"Ada","color":"#3366ff","since":12}`,
		`{"type":"op","rev":4,"seq":9,"op":[3,"😀",{"d":2},"x"]}`,
		`{"type":"cursor","rev":4,"sel":[2,9]}`,
		`{"type":"rename","name":"Grace","color":"#ff0000"}`,
		`{"type":"op","rev":0,"seq":1,"op":["\ud83d\ude00"]}`,
		"{\"type\":\"op\",\"rev\":0,\"seq\":1,\"op\":[\"\xff\"]}",
	} {
		f.Add([]byte(seed))
	}
	known := map[string]bool{codeBadMessage: true, codeUnknownType: true, codeBadOp: true, codeTooLarge: true}
	f.Fuzz(func(t *testing.T, data []byte) {
		msg, _, err := parseClientMessage(data, 1<<10)
		if err != nil {
			if !known[err.Code] || err.Message == "" || !utf8.ValidString(err.Message) {
				t.Fatalf("bad error %#v", err)
			}
			return
		}
		switch msg.Type {
		case "join":
			if !clientIDPattern.MatchString(msg.Client) || !colorPattern.MatchString(msg.Color) || msg.Since < -1 {
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
			if msg.Rev < 0 || msg.Sel[0] < 0 || msg.Sel[1] < 0 {
				t.Fatalf("accepted a bad cursor %+v", msg)
			}
		case "rename":
			if utf8.RuneCountInString(msg.Name) > maxNameLen || msg.Color != "" && !colorPattern.MatchString(msg.Color) {
				t.Fatalf("accepted a bad rename %+v", msg)
			}
		default:
			t.Fatalf("accepted type %q", msg.Type)
		}
	})
}
