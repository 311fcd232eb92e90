package client

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/confpad/confpad/collab"
)

// slowDecode is what decodeServerMessage does without its fast path.
func slowDecode(data []byte) (serverMessage, error) {
	var m serverMessage
	err := json.Unmarshal(data, &m)
	return m, err
}

func TestDecodeFast(t *testing.T) {
	tests := []struct {
		name string
		data string
		fast bool // whether the fast path takes it
	}{
		{"op", `{"type":"op","rev":12,"op":[3,"x",{"d":2}],"author":"w1"}`, true},
		{"op with astral text", `{"type":"op","rev":1,"op":["😀🇫🇷"],"author":"ünï"}`, true},
		{"op holding the author field in text", `{"type":"op","rev":1,"op":["\",\"author\":\"x"],"author":"a"}`, true},
		{"empty author", `{"type":"op","rev":7,"op":[{"d":"ab"}],"author":""}`, true},
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

// TestOpMessageNeedsOp: an op message without an op is a protocol error;
// one with an empty op is an op like any other.
func TestOpMessageNeedsOp(t *testing.T) {
	for _, tt := range []struct {
		data string
		ok   bool
	}{
		{`{"type":"op","rev":1,"author":"a"}`, false},
		{`{"type":"op","rev":1,"op":[],"author":"a"}`, true},
		{`{"type":"op","rev":1,"op":["x"],"author":"a"}`, true},
	} {
		c := &Client{st: state{doc: collab.NewDoc("")}, synced: make(chan struct{})}
		close(c.synced)
		_, ev, err := c.handle([]byte(tt.data), time.Now())
		if tt.ok && (err != nil || ev.Kind != EventRemote) {
			t.Errorf("%s: event %+v, error %v; want a remote op", tt.data, ev, err)
		}
		if !tt.ok && !errors.Is(err, errProtocol) {
			t.Errorf("%s: error %v, want errProtocol", tt.data, err)
		}
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

// FuzzDecodeFast: whatever the fast path takes, encoding/json reads the
// same way.
func FuzzDecodeFast(f *testing.F) {
	for _, s := range []string{
		`{"type":"op","rev":12,"op":[3,"x",{"d":2}],"author":"w1"}`,
		`{"type":"op","rev":1,"op":["\",\"author\":\"x"],"author":"a"}`,
		`{"type":"ack","seq":3,"rev":40}`,
		`{"type":"op","rev":1,"op":[{"d":"\ud83d\ude00"}],"author":"é"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(checkSameAsJSON)
}
