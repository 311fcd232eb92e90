package collab

import "testing"

// TestCheckpointCache checks the cache's bounds and its forgetting: the
// least recently used text goes first when the bytes run out, a text
// larger than the cache is not kept, a forgotten pad's texts are gone and
// a text read before a forget is not put back.
func TestCheckpointCache(t *testing.T) {
	c := newCheckpointCache(10)
	_, _, gen := c.get("a", 100)
	c.put("a", 100, "aaaa", gen)
	c.put("a", 200, "bbbb", gen)
	if _, ok, _ := c.get("a", 100); !ok { // now the most recently used
		t.Fatal("a/100 not kept")
	}
	c.put("b", 100, "cccc", gen) // 12 bytes: a/200 must go
	for _, tc := range []struct {
		pad  string
		rev  int
		kept bool
	}{{"a", 100, true}, {"a", 200, false}, {"b", 100, true}} {
		if text, ok, _ := c.get(tc.pad, tc.rev); ok != tc.kept || (ok && len(text) != 4) {
			t.Errorf("get(%s, %d) = %q, %v; want kept %v", tc.pad, tc.rev, text, ok, tc.kept)
		}
	}
	c.put("c", 100, "far too long", gen)
	if _, ok, _ := c.get("c", 100); ok || c.size > c.max {
		t.Errorf("a text larger than the cache was kept (size %d)", c.size)
	}
	_, _, before := c.get("a", 300)
	c.forget("a")
	if _, ok, _ := c.get("a", 100); ok {
		t.Error("a/100 kept after forget")
	}
	c.put("a", 300, "dd", before) // read before the forget
	if _, ok, _ := c.get("a", 300); ok {
		t.Error("a text read before a forget was put back")
	}
	if _, ok, _ := c.get("b", 100); !ok {
		t.Error("forget dropped another pad's text")
	}
}
