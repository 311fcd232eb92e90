package collab

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// The real editing traces in ../testdata/traces (see its README): two
// sequential recordings and one of two people typing at once.

// tracePatch is one edit of a trace: delete Del code points at Pos, then
// insert Ins there. In JSON it is the array [pos, del, "ins"].
type tracePatch struct {
	Pos int
	Del int
	Ins string
}

// UnmarshalJSON reads the [pos, del, "ins"] form.
func (p *tracePatch) UnmarshalJSON(data []byte) error {
	var parts [3]json.RawMessage
	if err := json.Unmarshal(data, &parts); err != nil {
		return fmt.Errorf("patch %s: %w", data, err)
	}
	for i, dst := range []any{&p.Pos, &p.Del, &p.Ins} {
		if err := json.Unmarshal(parts[i], dst); err != nil {
			return fmt.Errorf("patch %s, part %d: %w", data, i, err)
		}
	}
	return nil
}

// sequentialTrace is a recording of one person editing: the patches of each
// transaction apply in order, each to the document the previous one left.
type sequentialTrace struct {
	StartContent string `json:"startContent"`
	EndContent   string `json:"endContent"`
	Txns         []struct {
		Patches []tracePatch `json:"patches"`
	} `json:"txns"`
}

// concurrentTrace is a recording of several agents editing at once. A
// transaction's patches apply to the document its agent saw: the merge of
// the transactions listed in Parents (indexes of earlier transactions; none
// for the empty document), plus the transaction's earlier patches.
type concurrentTrace struct {
	EndContent string `json:"endContent"`
	NumAgents  int    `json:"numAgents"`
	Txns       []struct {
		Parents []int        `json:"parents"`
		Agent   int          `json:"agent"`
		Patches []tracePatch `json:"patches"`
	} `json:"txns"`
}

// loadSequentialTrace reads ../testdata/traces/<name>.json.gz.
func loadSequentialTrace(tb testing.TB, name string) sequentialTrace {
	tb.Helper()
	var tr sequentialTrace
	loadTrace(tb, name, &tr)
	if len(tr.Txns) == 0 {
		tb.Fatalf("trace %s has no transactions", name)
	}
	return tr
}

// loadConcurrentTrace reads ../testdata/traces/<name>.json.gz.
func loadConcurrentTrace(tb testing.TB, name string) concurrentTrace {
	tb.Helper()
	var tr concurrentTrace
	loadTrace(tb, name, &tr)
	if len(tr.Txns) == 0 || tr.NumAgents < 1 {
		tb.Fatalf("trace %s has %d transactions of %d agents", name, len(tr.Txns), tr.NumAgents)
	}
	return tr
}

// loadTrace decodes the gzipped JSON trace name into v.
func loadTrace(tb testing.TB, name string, v any) {
	tb.Helper()
	path := filepath.Join("..", "testdata", "traces", name+".json.gz")
	f, err := os.Open(path)
	if err != nil {
		tb.Fatalf("open trace: %v", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatalf("read trace %s: %v", path, err)
	}
	if err := json.NewDecoder(zr).Decode(v); err != nil {
		tb.Fatalf("decode trace %s: %v", path, err)
	}
}

// patchOp returns the normalised op of a patch: [pos, {"d": del}, "ins"],
// leaving out the parts that are zero or empty.
func patchOp(pos, del int, ins string) Op {
	return Normalize(NewOp(Skip(pos), Delete(del), Insert(ins)))
}

// opsOf returns the ops of every patch of tr, in order.
func opsOf(tr sequentialTrace) []Op {
	var ops []Op
	for _, txn := range tr.Txns {
		for _, p := range txn.Patches {
			ops = append(ops, patchOp(p.Pos, p.Del, p.Ins))
		}
	}
	return ops
}

func TestReplaySequentialTraces(t *testing.T) {
	for _, name := range []string{"automerge-paper", "rustcode"} {
		t.Run(name, func(t *testing.T) {
			tr := loadSequentialTrace(t, name)
			for _, tc := range testShapes {
				d := newShapedDoc(tr.StartContent, tc.shape)
				for i, op := range opsOf(tr) {
					if err := d.Apply(op); err != nil {
						t.Fatalf("%s: edit %d: Apply(%v): %v", tc.name, i, op, err)
					}
				}
				if err := d.r.check(); err != nil {
					t.Fatalf("%s: invariant broken: %v", tc.name, err)
				}
				if got := d.String(); got != tr.EndContent {
					t.Fatalf("%s: replay ends with %d bytes, want endContent (%d bytes)", tc.name, len(got), len(tr.EndContent))
				}
			}
		})
	}
}

func TestLoadConcurrentTrace(t *testing.T) {
	tr := loadConcurrentTrace(t, "friendsforever")
	if tr.NumAgents != 2 || len(tr.Txns) != 26078 {
		t.Fatalf("friendsforever: %d agents, %d transactions; want 2, 26078", tr.NumAgents, len(tr.Txns))
	}
	first, last := tr.Txns[0], tr.Txns[len(tr.Txns)-1]
	if len(first.Parents) != 0 || len(last.Parents) == 0 || len(last.Patches) == 0 {
		t.Fatalf("first transaction has parents %v, last has parents %v and %d patches", first.Parents, last.Parents, len(last.Patches))
	}
	if p := tr.Txns[1].Patches[0]; p != (tracePatch{Pos: 1, Del: 0, Ins: " "}) {
		t.Fatalf("transaction 1 patch = %+v, want [1, 0, \" \"]", p)
	}
}

func TestPatchOp(t *testing.T) {
	for _, tc := range []struct {
		pos, del int
		ins      string
		want     Op
	}{
		{0, 0, "a", NewOp(Insert("a"))},
		{3, 0, "ab", NewOp(Skip(3), Insert("ab"))},
		{0, 2, "", NewOp(Delete(2))},
		{5, 2, "", NewOp(Skip(5), Delete(2))},
		{5, 2, "😀", NewOp(Skip(5), Delete(2), Insert("😀"))},
		{5, 0, "", Op{}},
	} {
		got := patchOp(tc.pos, tc.del, tc.ins)
		if !got.Equal(tc.want) {
			t.Errorf("patchOp(%d, %d, %q) = %v, want %v", tc.pos, tc.del, tc.ins, got, tc.want)
		}
		if err := got.Validate(); err != nil {
			t.Errorf("patchOp(%d, %d, %q) is not valid: %v", tc.pos, tc.del, tc.ins, err)
		}
	}
}
