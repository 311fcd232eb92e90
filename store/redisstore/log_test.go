package redisstore

import (
	"testing"

	"github.com/confpad/confpad/collab"
)

// TestParseSnapshotReply feeds the snapshot script's reply parser replies
// of every wrong shape: each is refused, none panics.
func TestParseSnapshotReply(t *testing.T) {
	tests := []struct {
		name  string
		reply []any
		want  collab.Snapshot
		ok    bool
	}{
		{"snapshot", []any{int64(7), "hello", nil, nil}, collab.Snapshot{Rev: 7, Text: "hello"}, true},
		{"with attribution", []any{int64(7), "hello", `[{"author":"a","length":5}]`, nil}, collab.Snapshot{Rev: 7, Text: "hello", Attribution: []collab.Run{{Author: "a", Len: 5}}}, true},
		{"with sum", []any{int64(7), "hello", nil, "4294967295"}, collab.Snapshot{Rev: 7, Text: "hello", Sum: 4294967295}, true},
		{"empty attribution", []any{int64(0), "", "[]", nil}, collab.Snapshot{Attribution: []collab.Run{}}, true},
		{"empty pad", []any{int64(0), "", nil, nil}, collab.Snapshot{}, true},
		{"nil", nil, collab.Snapshot{}, false},
		{"empty", []any{}, collab.Snapshot{}, false},
		{"rev only", []any{int64(7)}, collab.Snapshot{}, false},
		{"two values", []any{int64(7), "hello"}, collab.Snapshot{}, false},
		{"three values", []any{int64(7), "hello", nil}, collab.Snapshot{}, false},
		{"five values", []any{int64(7), "hello", nil, nil, "more"}, collab.Snapshot{}, false},
		{"rev as text", []any{"7", "hello", nil, nil}, collab.Snapshot{}, false},
		{"text as number", []any{int64(7), int64(1), nil, nil}, collab.Snapshot{}, false},
		{"nil text", []any{int64(7), nil, nil, nil}, collab.Snapshot{}, false},
		{"attribution as number", []any{int64(7), "hello", int64(3), nil}, collab.Snapshot{}, false},
		{"attribution not JSON", []any{int64(7), "hello", "[{", nil}, collab.Snapshot{}, false},
		{"sum as number", []any{int64(7), "hello", nil, int64(3)}, collab.Snapshot{}, false},
		{"sum not a number", []any{int64(7), "hello", nil, "x3"}, collab.Snapshot{}, false},
		{"sum too large", []any{int64(7), "hello", nil, "4294967296"}, collab.Snapshot{}, false},
		{"sum negative", []any{int64(7), "hello", nil, "-1"}, collab.Snapshot{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseSnapshotReply(tt.reply)
			if !got.Equal(tt.want) || ok != tt.ok {
				t.Errorf("parseSnapshotReply(%#v) = %+v, %v; want %+v, %v", tt.reply, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// TestReplyShape checks that an unexpected reply is described without its
// content.
func TestReplyShape(t *testing.T) {
	got := replyShape([]any{int64(7), "secret text", nil, []any{"a", "b"}})
	if want := "[int64, string of 11 bytes, <nil>, array of 2]"; got != want {
		t.Errorf("replyShape = %q, want %q", got, want)
	}
}

// TestParseRevisionReply feeds the revision script's reply parser replies
// of the right shape and of wrong ones: the wrong are refused, none
// panics.
func TestParseRevisionReply(t *testing.T) {
	recs := []any{`{"rev":101}`, `{"rev":102}`}
	tests := []struct {
		name  string
		reply []any
		head  int
		snap  collab.Snapshot
		recs  int
		ok    bool
	}{
		{"snapshot and records", []any{int64(150), int64(100), "text", "42", recs}, 150, collab.Snapshot{Rev: 100, Text: "text", Sum: 42}, 2, true},
		{"no sum", []any{int64(150), int64(100), "text", nil, recs}, 150, collab.Snapshot{Rev: 100, Text: "text"}, 2, true},
		{"no snapshot", []any{int64(3), int64(0), "", nil, []any{}}, 3, collab.Snapshot{}, 0, true},
		{"four values", []any{int64(150), int64(100), "text", recs}, 0, collab.Snapshot{}, 0, false},
		{"sum not a number", []any{int64(150), int64(100), "text", "x", recs}, 0, collab.Snapshot{}, 0, false},
		{"sum too large", []any{int64(150), int64(100), "text", "4294967296", recs}, 0, collab.Snapshot{}, 0, false},
		{"head as text", []any{"150", int64(100), "text", nil, recs}, 0, collab.Snapshot{}, 0, false},
		{"records not an array", []any{int64(150), int64(100), "text", nil, "r"}, 0, collab.Snapshot{}, 0, false},
		{"a record not a string", []any{int64(150), int64(100), "text", nil, []any{int64(1)}}, 0, collab.Snapshot{}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			head, snap, got, ok := parseRevisionReply(tt.reply)
			if ok != tt.ok || head != tt.head || !snap.Equal(tt.snap) || len(got) != tt.recs {
				t.Errorf("parseRevisionReply = head %d, %+v, %d records, %v; want %d, %+v, %d, %v", head, snap, len(got), ok, tt.head, tt.snap, tt.recs, tt.ok)
			}
		})
	}
}
