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
