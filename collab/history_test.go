package collab

import (
	"reflect"
	"strings"
	"testing"
)

// revs returns the revisions of recs.
func revs(recs []Record) []int {
	out := []int{}
	for _, r := range recs {
		out = append(out, r.Rev)
	}
	return out
}

func recordsFrom(first, n int) []Record {
	var recs []Record
	for rev := first; rev < first+n; rev++ {
		recs = append(recs, Record{Rev: rev, Op: NewOp(Insert("x"))})
	}
	return recs
}

func TestHistory(t *testing.T) {
	h := NewHistory(10, 3, 0)
	if n := h.Append(recordsFrom(11, 2)...); n != 2 || h.Head() != 12 || h.First() != 10 {
		t.Fatalf("after 2 appends: added %d, head %d, first %d", n, h.Head(), h.First())
	}
	if n := h.Append(recordsFrom(14, 1)...); n != 0 || h.Head() != 12 {
		t.Fatalf("a record after a gap was added (%d), head %d", n, h.Head())
	}
	h.Append(recordsFrom(13, 4)...) // 6 records: 11..16, not over 2*keep
	if h.First() != 10 {
		t.Fatalf("trimmed at 2*keep records: first %d", h.First())
	}
	h.Append(recordsFrom(17, 1)...) // 7 > 2*keep: down to keep
	if h.First() != 14 || h.Head() != 17 {
		t.Fatalf("after trimming: first %d, head %d; want 14, 17", h.First(), h.Head())
	}
	tests := []struct {
		base int
		want []int // nil: not available
	}{
		{13, nil},
		{14, []int{15, 16, 17}},
		{16, []int{17}},
		{17, []int{}},
		{18, nil},
	}
	for _, tt := range tests {
		recs, ok := h.After(tt.base)
		if ok != (tt.want != nil) || ok && !reflect.DeepEqual(revs(recs), tt.want) {
			t.Errorf("After(%d) = %v, %v; want %v", tt.base, revs(recs), ok, tt.want)
		}
	}
	for rev, ok := range map[int]bool{14: false, 15: true, 17: true, 18: false} {
		if r, got := h.At(rev); got != ok || ok && r.Rev != rev {
			t.Errorf("At(%d) = %d, %v; want ok %v", rev, r.Rev, got, ok)
		}
	}
	h.Reset(40)
	if _, ok := h.After(17); ok || h.Head() != 40 || h.First() != 40 {
		t.Errorf("after Reset(40): head %d, first %d", h.Head(), h.First())
	}
}

// TestHistoryMoveSelection: a selection moves through exactly the records
// after its revision.
func TestHistoryMoveSelection(t *testing.T) {
	h := NewHistory(0, 0, 0)
	h.Append(
		Record{Rev: 1, Op: NewOp(Insert("ab"))},          // "ab"
		Record{Rev: 2, Op: NewOp(Skip(1), Insert("XY"))}, // "aXYb"
		Record{Rev: 3, Op: NewOp(Delete(1))},             // "XYb"
	)
	tests := []struct {
		sel  [2]int
		rev  int
		want [2]int
		ok   bool
	}{
		{[2]int{2, 2}, 1, [2]int{3, 3}, true},
		{[2]int{0, 1}, 2, [2]int{0, 0}, true},
		{[2]int{1, 1}, 3, [2]int{1, 1}, true},
		{[2]int{0, 0}, 4, [2]int{0, 0}, false},
		{[2]int{0, 0}, -1, [2]int{0, 0}, false},
	}
	for _, tt := range tests {
		got, ok := h.MoveSelection(tt.sel, tt.rev)
		if got != tt.want || ok != tt.ok {
			t.Errorf("MoveSelection(%v, %d) = %v, %v; want %v, %v", tt.sel, tt.rev, got, ok, tt.want, tt.ok)
		}
	}
}

// TestHistoryBoundedByBytes (issue 12, defect 2): large records are kept
// by their size, not only by their number: the history never holds more
// than twice its byte bound, and after a trim at most the bound, always
// the newest records, contiguous up to the head.
func TestHistoryBoundedByBytes(t *testing.T) {
	const keepBytes = 1 << 20
	big := NewOp(Insert(strings.Repeat("x", 200_000))) // a 200 kB paste
	h := NewHistory(0, 1000, keepBytes)
	for rev := 1; rev <= 100; rev++ {
		h.Append(Record{Rev: rev, Op: big})
		if h.Bytes() > 2*keepBytes {
			t.Fatalf("at revision %d the history holds %d bytes, over twice %d", rev, h.Bytes(), keepBytes)
		}
		if recs, ok := h.After(h.First()); !ok || len(recs) != h.Head()-h.First() || recs[len(recs)-1].Rev != rev {
			t.Fatalf("at revision %d the records kept are not contiguous up to the head", rev)
		}
	}
	if n := h.Head() - h.First(); n < 4 || n > 10 {
		t.Errorf("%d records of 200 kB kept under a 1 MiB bound, want 4 to 10", n)
	}
	sum := 0
	recs, _ := h.After(h.First())
	for _, r := range recs {
		sum += Size(r)
	}
	if sum != h.Bytes() {
		t.Errorf("Bytes() = %d, the records' sizes add up to %d", h.Bytes(), sum)
	}
	// Small records are bounded by number as before.
	small := NewHistory(0, 10, keepBytes)
	for rev := 1; rev <= 100; rev++ {
		small.Append(Record{Rev: rev, Op: NewOp(Insert("x"))})
	}
	if n := small.Head() - small.First(); n < 10 || n > 20 {
		t.Errorf("%d small records kept with keep 10, want 10 to 20", n)
	}
}
