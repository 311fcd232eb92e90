package authors

import (
	"testing"
	"time"
)

func TestMerge(t *testing.T) {
	t1 := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	t2 := t1.Add(time.Hour)
	tests := []struct {
		name string
		a, b Author
		want Author
	}{
		{"into nothing", Author{ID: "x"}, Author{ID: "x", Name: "Ada", Color: "#123456", First: t1, Last: t1, Ops: 1}, Author{ID: "x", Name: "Ada", Color: "#123456", First: t1, Last: t1, Ops: 1}},
		{"a rename keeps the edits", Author{ID: "x", Name: "Ada", Color: "#123456", First: t1, Last: t1, Ops: 1}, Author{ID: "x", Name: "Ada L."}, Author{ID: "x", Name: "Ada L.", Color: "#123456", First: t1, Last: t1, Ops: 1}},
		{"later edits widen the range", Author{ID: "x", First: t1, Last: t1, Ops: 1}, Author{ID: "x", First: t2, Last: t2, Ops: 3}, Author{ID: "x", First: t1, Last: t2, Ops: 4}},
		{"earlier edits widen the range", Author{ID: "x", First: t2, Last: t2, Ops: 1}, Author{ID: "x", First: t1, Last: t1, Ops: 1}, Author{ID: "x", First: t1, Last: t2, Ops: 2}},
	}
	for _, tt := range tests {
		if got := Merge(tt.a, tt.b); got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
}
