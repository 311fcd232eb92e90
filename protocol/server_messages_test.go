package protocol

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/confpad/confpad/collab"
)

// slowDecode is what DecodeServerMessage does without its fast path.
func slowDecode(data []byte) (ServerMessage, error) {
	var m ServerMessage
	err := json.Unmarshal(data, &m)
	return m, err
}

func TestDecodeFast(t *testing.T) {
	tests := []struct {
		name string
		data string
		fast bool // whether the fast path takes it
	}{
		{"op", `{"type":"op","rev":12,"op":[3,"x",{"d":2}],"by":"A1","author":"w1"}`, true},
		{"op with astral text", `{"type":"op","rev":1,"op":["😀🇫🇷"],"by":"ö","author":"ünï"}`, true},
		{"op holding the author field in text", `{"type":"op","rev":1,"op":["\",\"author\":\"x"],"by":"b","author":"a"}`, true},
		{"op holding the by field in text", `{"type":"op","rev":1,"op":["\",\"by\":\"x"],"by":"b","author":"a"}`, true},
		{"empty author", `{"type":"op","rev":7,"op":[{"d":"ab"}],"by":"","author":""}`, true},
		{"no by", `{"type":"op","rev":7,"op":[{"d":"ab"}],"author":"a"}`, false},
		{"escaped by", `{"type":"op","rev":1,"op":["x"],"by":"\"","author":"a"}`, false},
		{"ack", `{"type":"ack","seq":3,"rev":40}`, true},
		{"ack at zero", `{"type":"ack","seq":0,"rev":0}`, true},
		{"escaped author", `{"type":"op","rev":1,"op":["x"],"author":"a\u00e9"}`, false},
		{"spaces", `{"type": "op","rev":1,"op":["x"],"author":"a"}`, false},
		{"other field order", `{"type":"ack","rev":4,"seq":3}`, false},
		{"leading zero", `{"type":"ack","seq":03,"rev":4}`, false},
		{"negative", `{"type":"ack","seq":-3,"rev":4}`, false},
		{"huge rev", `{"type":"op","rev":12345678901234567890,"op":["x"],"author":"a"}`, false},
		{"trailing bytes", `{"type":"ack","seq":3,"rev":4}x`, false},
		{"bad op", `{"type":"op","rev":1,"op":[0],"author":"a"}`, false},
		{"null op", `{"type":"op","rev":1,"op":null,"author":"a"}`, false},
		{"extra field", `{"type":"op","rev":1,"op":["x"],"author":"a","x":1}`, false},
		{"runs", `{"type":"op","rev":1,"op":["xy"],"by":"i","author":"a","runs":[{"author":"p","length":2}]}`, false},
		{"welcome", `{"type":"welcome","rev":0,"text":""}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ok := decodeFast([]byte(tt.data))
			if ok != tt.fast {
				t.Fatalf("fast path took it: %v, want %v", ok, tt.fast)
			}
			checkSameAsJSON(t, []byte(tt.data))
			if ok && m.Type == "" {
				t.Errorf("fast path gave no type: %+v", m)
			}
		})
	}
}

// checkSameAsJSON fails if the fast path takes data and encoding/json
// reads it differently or not at all.
func checkSameAsJSON(t *testing.T, data []byte) {
	t.Helper()
	fast, ok := decodeFast(data)
	if !ok {
		return
	}
	slow, err := slowDecode(data)
	if err != nil {
		t.Fatalf("fast path took %q, which encoding/json rejects: %v", data, err)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("%q:\nfast %+v\njson %+v", data, fast, slow)
	}
}

// FuzzDecodeServerMessage: the decoder of the server's messages never
// panics, and whatever the fast path takes, encoding/json reads the same
// way.
func FuzzDecodeServerMessage(f *testing.F) {
	for _, s := range []string{
		`{"type":"op","rev":12,"op":[3,"x",{"d":2}],"author":"w1"}`,
		`{"type":"op","rev":1,"op":["\",\"author\":\"x"],"author":"a"}`,
		`{"type":"ack","seq":3,"rev":40}`,
		`{"type":"op","rev":1,"op":[{"d":"\ud83d\ude00"}],"author":"é"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSameAsJSON(t, data)
		if m, err := DecodeServerMessage(data); err == nil && m.Op.Present {
			if err := m.Op.Op.Validate(); err != nil {
				t.Fatalf("decoded an invalid op from %q: %v", data, err)
			}
		}
	})
}

// TestEncodersMatchDecoder: what EncodeOp and EncodeAck write is what
// encoding/json writes for the same message, byte for byte, and the fast
// decoder takes it and reads back what was encoded.
func TestEncodersMatchDecoder(t *testing.T) {
	ops := []collab.Op{
		{},
		collab.NewOp(collab.Insert("x")),
		collab.NewOp(collab.Skip(3), collab.Insert("é😀\"x\\\n"), collab.Delete(2)),
		collab.NewOp(collab.Skip(1), collab.DeleteText("🇫🇷")),
	}
	for i, op := range ops {
		for j, author := range []string{"c1", "", "0b6c1c1e-4d5e-4d1a-9c51-3f9a1e0b7a10"} {
			by := []string{"Qm3xk5T0aFh8-Ld2WnA7pw", "", `,"by":"x`}[j]
			r := collab.Record{Rev: 100000*i + 7, Op: op, Client: author, Author: by, Seq: 3}
			got := EncodeOp(r)
			want, err := json.Marshal(struct {
				Type   string    `json:"type"`
				Rev    int       `json:"rev"`
				Op     collab.Op `json:"op"`
				By     string    `json:"by"`
				Author string    `json:"author"`
			}{TypeOp, r.Rev, op, by, author})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("EncodeOp wrote %s, encoding/json %s", got, want)
			}
			m, ok := decodeFast(got)
			if by == `,"by":"x` { // escaped: encoding/json reads it
				ok = true
				m, _ = DecodeServerMessage(got)
			}
			if !ok || m.Type != TypeOp || m.Rev != r.Rev || m.By != by || m.Author != author || !m.Op.Present || !m.Op.Op.Equal(op) {
				t.Errorf("%s decodes as %+v (fast path %v)", got, m, ok)
			}
			checkSameAsJSON(t, got)
		}
	}
	// An import's record: its runs come last, read by encoding/json.
	runs := []collab.Run{{Author: "Qm3xk5T0aFh8-Ld2WnA7pw", Len: 2}, {Author: "import", Len: 1}}
	r := collab.Record{Rev: 9, Op: collab.NewOp(collab.Skip(1), collab.Insert("é😀\n")), Client: "i", Author: "import", Runs: runs}
	got := EncodeOp(r)
	want := `{"type":"op","rev":9,"op":[1,"é😀\n"],"by":"import","author":"i","runs":[{"author":"Qm3xk5T0aFh8-Ld2WnA7pw","length":2},{"author":"import","length":1}]}`
	if string(got) != want {
		t.Errorf("EncodeOp wrote %s, want %s", got, want)
	}
	if m, err := DecodeServerMessage(got); err != nil || !reflect.DeepEqual(m.Runs, runs) || m.By != "import" || !m.Op.Op.Equal(r.Op) {
		t.Errorf("%s decodes as %+v (%v)", got, m, err)
	}
	for _, sr := range [][2]int{{0, 0}, {1, 2}, {999999999, 123456789}} {
		got := EncodeAck(sr[0], sr[1])
		want := fmt.Sprintf(`{"type":"ack","seq":%d,"rev":%d}`, sr[0], sr[1])
		if string(got) != want {
			t.Errorf("EncodeAck wrote %s, want %s", got, want)
		}
		m, ok := decodeFast(got)
		if !ok || m.Type != TypeAck || m.Seq != sr[0] || m.Rev != sr[1] {
			t.Errorf("%s decodes as %+v (fast path %v)", got, m, ok)
		}
		checkSameAsJSON(t, got)
	}
}

// TestEncodedMessagesDecode: every other server message reads back through
// DecodeServerMessage with the fields a client acts on.
func TestEncodedMessagesDecode(t *testing.T) {
	text := "# Notes\n"
	sel := [2]int{1, 4}
	ada := User{Client: "ada", Name: "Ada", Color: "#3366ff", Sel: &sel}
	ref := 4
	tests := []struct {
		frame []byte
		want  ServerMessage
	}{
		{EncodeWelcome(WelcomeMessage{Pad: "p", Rev: 3, Text: &text, Users: []User{ada}, People: 1200, Mode: ModeArchived, You: "ada"}),
			ServerMessage{Type: TypeWelcome, Rev: 3, Text: &text, Users: []User{ada}, People: 1200, ReadOnly: true, Mode: ModeArchived}},
		{EncodeWelcome(WelcomeMessage{Pad: "p", Rev: 3, Mode: ModeView}),
			ServerMessage{Type: TypeWelcome, Rev: 3, Users: []User{}, ReadOnly: true, Mode: ModeView}},
		{EncodePeople(10000), ServerMessage{Type: TypePeople, People: 10000}},
		{EncodeWelcome(WelcomeMessage{Pad: "p", Rev: 3}), ServerMessage{Type: TypeWelcome, Rev: 3, Users: []User{}, Mode: ModeEdit}},
		{EncodePresence("cursor", ada, 9), ServerMessage{Type: TypePresence, Event: "cursor", User: ada, Rev: 9}},
		{EncodeLinks(nil), ServerMessage{Type: TypeLinks}},
		{EncodeError(RevAhead, "too far", ref), ServerMessage{Type: TypeError, Code: RevAhead, Message: "too far", Ref: &ref}},
		{EncodeError(BadMessage, "no", -1), ServerMessage{Type: TypeError, Code: BadMessage, Message: "no"}},
	}
	for _, tt := range tests {
		got, err := DecodeServerMessage(tt.frame)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s decodes as %+v, %v; want %+v", tt.frame, got, err, tt.want)
		}
	}
	if got := string(EncodeLinks(nil)); got != `{"type":"links","links":[]}` {
		t.Errorf("EncodeLinks(nil) = %s", got)
	}
}
