package httpapi

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/confpad/confpad/protocol"
)

// TestBadInputGetsItsError sends every kind of bad message on a joined
// connection: each gets an error with its code, nothing is applied, and
// the connection and the pad keep working for everyone.
func TestBadInputGetsItsError(t *testing.T) {
	ts := newTestServer(t, Config{MaxFrameBytes: 4096, MaxDocLen: 1000})
	c, other := dial(t, ts, "main"), dial(t, ts, "main")
	rev := c.join("bad", -1).Rev
	other.join("other", -1)
	rev = c.op(rev, 1, `["abc"]`)
	other.readType("op")

	cases := []struct {
		name   string
		frame  string
		binary bool
		code   string
		ref    int // -1: no ref
	}{
		{"invalid UTF-8", "{\"type\":\"op\xff\"}", false, protocol.BadMessage, -1},
		{"malformed JSON", `{"type":"op",`, false, protocol.BadMessage, -1},
		{"not an object", `[1,2,3]`, false, protocol.BadMessage, -1},
		{"no type", `{"rev":1}`, false, protocol.BadMessage, -1},
		{"unknown type", `{"type":"dance"}`, false, protocol.UnknownType, -1},
		{"binary frame", `{"type":"cursor","rev":0,"sel":[0,0]}`, true, protocol.BadMessage, -1},
		{"join twice", `{"type":"join","client":"bad"}`, false, protocol.BadMessage, -1},
		{"op without seq", `{"type":"op","rev":1,"op":["x"]}`, false, protocol.BadMessage, -1},
		{"op wrong field type", `{"type":"op","rev":"1","seq":2,"op":["x"]}`, false, protocol.BadMessage, 2},
		{"op not an array", `{"type":"op","rev":1,"seq":2,"op":{"d":1}}`, false, protocol.BadOp, 2},
		{"zero skip", `{"type":"op","rev":1,"seq":2,"op":[0,"x"]}`, false, protocol.BadOp, 2},
		{"empty insert", `{"type":"op","rev":1,"seq":2,"op":[""]}`, false, protocol.BadOp, 2},
		{"lone surrogate", `{"type":"op","rev":1,"seq":2,"op":["\ud800"]}`, false, protocol.BadOp, 2},
		{"skip past the end", `{"type":"op","rev":1,"seq":2,"op":[10,"x"]}`, false, protocol.BadOp, 2},
		{"delete past the end", `{"type":"op","rev":1,"seq":2,"op":[{"d":4}]}`, false, protocol.BadOp, 2},
		{"rev ahead of head", `{"type":"op","rev":99,"seq":2,"op":["x"]}`, false, protocol.RevAhead, 2},
		{"pad over its size limit", `{"type":"op","rev":1,"seq":2,"op":["` + strings.Repeat("y", 1000) + `"]}`, false, codeTooLarge, 2},
		{"oversized frame", `{"type":"op","rev":1,"seq":2,"op":["` + strings.Repeat("z", 5000) + `"]}`, false, codeTooLarge, -1},
		{"cursor without sel", `{"type":"cursor","rev":1}`, false, protocol.BadMessage, -1},
		{"negative cursor", `{"type":"cursor","rev":1,"sel":[-1,0]}`, false, protocol.BadMessage, -1},
		{"cursor rev ahead", `{"type":"cursor","rev":50,"sel":[0,0]}`, false, protocol.RevAhead, -1},
		{"bad colour", `{"type":"rename","color":"red"}`, false, protocol.BadMessage, -1},
		{"long name", `{"type":"rename","name":"` + strings.Repeat("n", 51) + `"}`, false, protocol.BadMessage, -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			typ := websocket.MessageText
			if tc.binary {
				typ = websocket.MessageBinary
			}
			if err := c.conn.Write(c.ctx, typ, []byte(tc.frame)); err != nil {
				t.Fatal(err)
			}
			m := c.read()
			if m.Type != "error" || m.Code != tc.code {
				t.Fatalf("got %+v, want error %s", m, tc.code)
			}
			if m.Message == "" {
				t.Error("error without a message")
			}
			switch {
			case tc.ref < 0 && m.Ref != nil:
				t.Errorf("ref %d, want none", *m.Ref)
			case tc.ref >= 0 && (m.Ref == nil || *m.Ref != tc.ref):
				t.Errorf("ref %v, want %d", m.Ref, tc.ref)
			}
		})
	}
	// Nothing was applied, and the connection and the pad still work.
	if got := ts.text(t, "main"); got != "abc" {
		t.Fatalf("text is %q after bad input, want %q", got, "abc")
	}
	rev = c.op(rev, 2, `[3,"d"]`)
	if m := other.readType("op"); m.Rev != rev || string(m.Op) != `[3,"d"]` {
		t.Errorf("other client got %+v, want the op at rev %d", m, rev)
	}
}

// TestBadInputBeforeJoin covers what a connection may not do before or
// instead of a valid join.
func TestBadInputBeforeJoin(t *testing.T) {
	ts := newTestServer(t, Config{})

	t.Run("op before join", func(t *testing.T) {
		c := dial(t, ts, "main")
		c.sendRaw(`{"type":"op","rev":0,"seq":1,"op":["x"]}`)
		if m := c.read(); m.Code != protocol.NotJoined || m.Ref == nil || *m.Ref != 1 {
			t.Fatalf("got %+v, want not_joined with ref 1", m)
		}
		c.join("late", -1) // the connection is still usable
	})
	t.Run("join without client", func(t *testing.T) {
		c := dial(t, ts, "main")
		c.sendRaw(`{"type":"join","name":"x"}`)
		if m := c.read(); m.Code != protocol.BadMessage {
			t.Fatalf("got %+v, want bad_message", m)
		}
	})
	t.Run("since ahead of head", func(t *testing.T) {
		c := dial(t, ts, "main")
		c.sendRaw(`{"type":"join","client":"` + secretOf("c1") + `","since":42}`)
		if m := c.read(); m.Code != protocol.RevAhead {
			t.Fatalf("got %+v, want rev_ahead", m)
		}
		c.join("c1", 0) // a good join still works
	})
	t.Run("unknown pad", func(t *testing.T) {
		c := dial(t, ts, "nope")
		if m := c.read(); m.Code != protocol.UnknownPad {
			t.Fatalf("got %+v, want unknown_pad", m)
		}
		_, err := c.tryRead()
		var ce websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != protocol.StatusUnknownPad {
			t.Fatalf("connection ended with %v, want close code %d", err, protocol.StatusUnknownPad)
		}
	})
	t.Run("op on an archived pad", func(t *testing.T) {
		c := dial(t, ts, "old")
		w := c.join("reader", -1)
		if !w.ReadOnly {
			t.Fatalf("welcome of an archived pad: %+v", w)
		}
		c.sendRaw(`{"type":"op","rev":0,"seq":1,"op":["x"]}`)
		if m := c.read(); m.Code != protocol.ReadOnly || m.Ref == nil || *m.Ref != 1 {
			t.Fatalf("got %+v, want read_only with ref 1", m)
		}
		if got := ts.text(t, "old"); got != "" {
			t.Fatalf("archived pad changed to %q", got)
		}
	})
}

// TestFloodingClientIsCut: a client sending renames faster than the
// message limit is closed with a policy violation after its burst; the
// others got at most that burst of presence updates and keep editing.
func TestFloodingClientIsCut(t *testing.T) {
	const burst = 20
	ts := newTestServer(t, Config{MessageRate: 5, MessageBurst: burst})
	flood, other := dial(t, ts, "main"), dial(t, ts, "main")
	flood.join("flood", -1)
	rev := other.join("other", -1).Rev
	var err error
	for i := 0; err == nil && i < 10*burst; i++ {
		err = flood.conn.Write(flood.ctx, websocket.MessageText, []byte(`{"type":"rename","name":"n`+strconv.Itoa(i)+`"}`))
	}
	if err == nil {
		err = flood.readUntilClosed()
	}
	if s := websocket.CloseStatus(err); s != websocket.StatusPolicyViolation {
		t.Fatalf("flooding client closed with %v, want policy violation", err)
	}
	if n := counterValue(ts.srv.metrics.errors.WithLabelValues(codeRateLimited)); n != 1 {
		t.Errorf("rate_limited count %v, want 1", n)
	}
	// The other client sees at most the burst of renames, then the leave,
	// and its pad still works.
	renames := 0
	for {
		m := other.readType("presence")
		if m.Event == "leave" {
			break
		}
		renames++
	}
	if renames > burst {
		t.Errorf("other client got %d renames, want at most %d", renames, burst)
	}
	if got := other.op(rev, 1, `["still here"]`); got != rev+1 {
		t.Errorf("op after the flood got rev %d, want %d", got, rev+1)
	}
}
