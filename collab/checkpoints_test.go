package collab

import (
	"slices"
	"testing"
)

// TestCheckpointCache checks the cache's bounds and its forgetting: the
// least recently used text goes first when the bytes run out, a text
// larger than the cache is not kept, a forgotten pad's texts are gone and
// a text read before a forget is not put back.
func TestCheckpointCache(t *testing.T) {
	c := newCheckpointCache(10)
	_, _, _, gen := c.get("a", 100)
	c.put("a", 100, "aaaa", gen)
	c.put("a", 200, "bbbb", gen)
	if _, _, ok, _ := c.get("a", 100); !ok { // now the most recently used
		t.Fatal("a/100 not kept")
	}
	c.put("b", 100, "cccc", gen) // 12 bytes: a/200 must go
	for _, tc := range []struct {
		pad  string
		rev  int
		kept bool
	}{{"a", 100, true}, {"a", 200, false}, {"b", 100, true}} {
		if text, _, ok, _ := c.get(tc.pad, tc.rev); ok != tc.kept || (ok && len(text) != 4) {
			t.Errorf("get(%s, %d) = %q, %v; want kept %v", tc.pad, tc.rev, text, ok, tc.kept)
		}
	}
	c.put("c", 100, "far too long", gen)
	if _, _, ok, _ := c.get("c", 100); ok || c.size > c.max {
		t.Errorf("a text larger than the cache was kept (size %d)", c.size)
	}
	_, _, _, before := c.get("a", 300)
	c.forget("a")
	if _, _, ok, _ := c.get("a", 100); ok {
		t.Error("a/100 kept after forget")
	}
	c.put("a", 300, "dd", before) // read before the forget
	if _, _, ok, _ := c.get("a", 300); ok {
		t.Error("a text read before a forget was put back")
	}
	if _, _, ok, _ := c.get("b", 100); !ok {
		t.Error("forget dropped another pad's text")
	}
}

// TestCheckpointCacheOps checks the ops kept beside a checkpoint: extend
// keeps those past the ones kept and they read back equal, an op handed
// out stays as it was while more are kept, the ops count against the
// bytes, and nothing is kept beside a checkpoint that is not kept or for
// a read from before a forget.
func TestCheckpointCacheOps(t *testing.T) {
	ops := []Op{NewOp(Insert("a")), NewOp(Skip(1), Insert("bç")), NewOp(Delete(2)), NewOp(Skip(2), DeleteText("😀"), Insert("xyz"))}
	size := func(ops []Op) int {
		var p packedOps
		p.append(ops)
		return p.bytes()
	}
	c := newCheckpointCache(1000)
	_, _, _, gen := c.get("a", 100)
	c.extend("a", 100, ops[:1], gen)
	if _, kept, ok, _ := c.get("a", 100); ok || kept.len() != 0 {
		t.Fatalf("ops kept beside a checkpoint that is not kept: %d, %v", kept.len(), ok)
	}
	c.put("a", 100, "text", gen)
	c.extend("a", 100, ops[:2], gen)
	_, kept, _, _ := c.get("a", 100)
	first := kept.ops(2)
	c.extend("a", 100, ops[:1], gen) // fewer than kept: nothing changes
	c.extend("a", 100, ops, gen)
	if _, kept, _, _ := c.get("a", 100); kept.len() != len(ops) || !slices.EqualFunc(kept.ops(len(ops)), ops, Op.Equal) {
		t.Errorf("kept %v, want %v", kept.ops(kept.len()), ops)
	}
	if !slices.EqualFunc(first, ops[:2], Op.Equal) {
		t.Errorf("ops handed out changed to %v", first)
	}
	if want := len("text") + size(ops); c.size != want {
		t.Errorf("size %d, want %d (the text and every op once)", c.size, want)
	}
	_, _, _, before := c.get("b", 100)
	c.put("b", 100, "other", before)
	c.forget("b")
	c.extend("a", 100, append(slices.Clone(ops), NewOp(Insert("late"))), before)
	if _, kept, _, _ := c.get("a", 100); kept.len() != len(ops) {
		t.Errorf("ops read before a forget were kept: %d ops", kept.len())
	}
	small := newCheckpointCache(len("text") + size(ops[:2]))
	small.put("a", 100, "text", gen)
	small.put("a", 200, "t200", gen)
	small.extend("a", 100, ops[:2], gen) // a/200 must go for them
	if _, _, ok, _ := small.get("a", 200); ok || small.size > small.max {
		t.Errorf("ops did not count against the bytes (size %d of %d)", small.size, small.max)
	}
}

// TestCheckpointCacheAttribution checks the attributions kept beside
// checkpoints: they read back equal, an entry that holds an attribution
// alone is no checkpoint text for get, a text put later joins it, they
// count against the bytes, and a forget drops them.
func TestCheckpointCacheAttribution(t *testing.T) {
	runs := []Run{{Author: "ann", Len: 3}, {Author: "bob", Len: 1}, {Author: "ann", Len: 7}}
	c := newCheckpointCache(1000)
	_, _, gen := c.attribution("p", 100)
	c.putAttribution("p", 100, runs, gen)
	if got, ok, _ := c.attribution("p", 100); !ok || !slices.Equal(got, runs) {
		t.Fatalf("attribution = %v, %v; want %v", got, ok, runs)
	}
	if _, _, ok, _ := c.get("p", 100); ok {
		t.Fatal("an entry holding an attribution alone passed for a checkpoint's text")
	}
	c.put("p", 100, "text", gen)
	if text, _, ok, _ := c.get("p", 100); !ok || text != "text" {
		t.Fatalf("get after put = %q, %v", text, ok)
	}
	packed, _ := packRuns(runs)
	if want := len("text") + packed.bytes(); c.size != want {
		t.Errorf("size %d, want %d", c.size, want)
	}
	small := newCheckpointCache(packed.bytes())
	small.putAttribution("p", 100, runs, gen)
	small.putAttribution("p", 200, runs, gen) // p/100 must go
	if _, ok, _ := small.attribution("p", 100); ok || small.size > small.max {
		t.Errorf("attributions did not count against the bytes (size %d of %d)", small.size, small.max)
	}
	c.forget("p")
	if _, ok, _ := c.attribution("p", 100); ok {
		t.Error("attribution kept after forget")
	}
	c.putAttribution("p", 100, runs, gen) // computed before the forget
	if _, ok, _ := c.attribution("p", 100); ok {
		t.Error("an attribution computed before a forget was put back")
	}
}
