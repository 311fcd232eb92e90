package collab

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// Shapes the rope is tested with: tiny ones make a few hundred characters
// span several levels, so every split, merge and redistribution runs.
var testShapes = []struct {
	name  string
	shape ropeShape
}{
	{"tiny", ropeShape{leafMax: 32, fanMax: 3}},
	{"small", ropeShape{leafMax: 40, fanMax: 4}},
	{"default", defaultShape},
}

// newShapedDoc is NewDoc with the node sizes of shape.
func newShapedDoc(text string, shape ropeShape) *Doc {
	return &Doc{r: newRope(text, shape)}
}

// check verifies every invariant of the rope (see rope.go) and returns the
// first violation.
func (r *rope) check() error {
	if r.height < 1 || r.root == nil {
		return fmt.Errorf("height %d, root %p", r.height, r.root)
	}
	if r.height > 1 && r.root.n < 2 {
		return fmt.Errorf("root above height 1 has %d children", r.root.n)
	}
	chars, err := r.checkNode(r.root, r.height, true)
	if err != nil {
		return err
	}
	if chars != r.chars {
		return fmt.Errorf("rope counts %d code points, its tree holds %d", r.chars, chars)
	}
	return nil
}

// checkNode verifies the subtree x at height h and returns its code points.
func (r *rope) checkNode(x *node, h int, root bool) (int, error) {
	s := r.shape
	if x.n < 1 || x.n > s.fanMax || (!root && x.n < s.fanMin()) {
		return 0, fmt.Errorf("branch at height %d has %d children (min %d, max %d)", h, x.n, s.fanMin(), s.fanMax)
	}
	for i := x.n; i <= fanCap; i++ {
		if x.kids[i] != nil || x.leaves[i] != nil {
			return 0, fmt.Errorf("branch at height %d keeps a reference in unused slot %d", h, i)
		}
	}
	total := 0
	for i := range x.n {
		var got int
		if h > 1 {
			if x.leaves[i] != nil || x.kids[i] == nil {
				return 0, fmt.Errorf("branch at height %d: child %d is not a branch", h, i)
			}
			var err error
			if got, err = r.checkNode(x.kids[i], h-1, false); err != nil {
				return 0, err
			}
		} else {
			leaf := x.leaves[i]
			if x.kids[i] != nil {
				return 0, fmt.Errorf("leaf %d has a branch too", i)
			}
			only := root && x.n == 1
			switch {
			case !utf8.Valid(leaf):
				return 0, fmt.Errorf("leaf %q is not valid UTF-8", leaf)
			case len(leaf) > s.leafMax || cap(leaf) != s.leafMax:
				return 0, fmt.Errorf("leaf has %d bytes, capacity %d (max %d)", len(leaf), cap(leaf), s.leafMax)
			case !only && len(leaf) < s.leafMin():
				return 0, fmt.Errorf("leaf %q has fewer than %d bytes", leaf, s.leafMin())
			}
			got = utf8.RuneCount(leaf)
		}
		if got != x.chars[i] {
			return 0, fmt.Errorf("branch at height %d counts %d code points in child %d, which holds %d", h, x.chars[i], i, got)
		}
		total += got
	}
	return total, nil
}

// mustCheck fails the test if d's rope breaks an invariant or its text is
// not want.
func mustCheck(t *testing.T, d *Doc, want []rune) {
	t.Helper()
	if err := d.r.check(); err != nil {
		t.Fatalf("invariant broken: %v", err)
	}
	if got := d.String(); got != string(want) {
		t.Fatalf("text = %q, want %q", got, string(want))
	}
	if d.Len() != len(want) {
		t.Fatalf("Len() = %d, want %d", d.Len(), len(want))
	}
}

// docPieces are what random text is made of: ASCII, CRLF, a precomposed and a
// combining accent, CJK, an astral emoji, a flag (two astral code points)
// and a ZWJ sequence.
var docPieces = []string{"a", "b", "Z", " ", "\n", "\r\n", "é", "e\u0301", "漢", "😀", "🇫🇷", "👩\u200d💻", "x"}

// randomDocText returns text of about n docPieces.
func randomDocText(rng *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		b.WriteString(docPieces[rng.IntN(len(docPieces))])
	}
	return b.String()
}

// randomDocOp returns a valid normalised op on a document of n code points:
// a single edit, mostly, or a walk over the document mixing components.
func randomDocOp(rng *rand.Rand, n int, maxText int) Op {
	var op []Component
	add := func(c Component) {
		if c.Skip() > 0 && len(op) > 0 && op[len(op)-1].Skip() > 0 {
			op[len(op)-1] = Skip(op[len(op)-1].Skip() + c.Skip())
			return
		}
		op = append(op, c)
	}
	pos := 0
	for steps := 1 + rng.IntN(6); steps > 0; steps-- {
		switch rng.IntN(3) {
		case 0:
			if pos < n {
				k := 1 + rng.IntN(n-pos)
				add(Skip(k))
				pos += k
			}
		case 1:
			add(Insert(randomDocText(rng, 1+rng.IntN(maxText))))
		case 2:
			if pos < n {
				k := 1 + rng.IntN(min(n-pos, maxText))
				if rng.IntN(4) == 0 {
					k = n - pos // to the end, across many leaves
				}
				add(Delete(k))
				pos += k
			}
		}
	}
	if len(op) > 0 && op[len(op)-1].Skip() > 0 {
		op = op[:len(op)-1]
	}
	return NewOp(op...)
}

// applyToRunes is the oracle: a plain []rune implementation of Apply for
// valid ops.
func applyToRunes(doc []rune, op Op) []rune {
	out := make([]rune, 0, len(doc))
	for _, c := range op.All() {
		switch {
		case c.Skip() > 0:
			out = append(out, doc[:c.Skip()]...)
			doc = doc[c.Skip():]
		case c.Insert() != "":
			out = append(out, []rune(c.Insert())...)
		default:
			doc = doc[c.Delete():]
		}
	}
	return append(out, doc...)
}

func TestRopeRandomEditsMatchRunes(t *testing.T) {
	for _, tc := range testShapes {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(tc.shape.leafMax)))
			for round := range 8 {
				start := []rune(randomDocText(rng, rng.IntN(300)))
				d := newShapedDoc(string(start), tc.shape)
				want := start
				mustCheck(t, d, want)
				for i := range 300 {
					op := randomDocOp(rng, len(want), 1+rng.IntN(80))
					if err := d.Apply(op); err != nil {
						t.Fatalf("round %d edit %d: Apply(%v): %v", round, i, op, err)
					}
					want = applyToRunes(want, op)
					mustCheck(t, d, want)
				}
			}
		})
	}
}

func TestRopeBuildsEverySize(t *testing.T) {
	for _, tc := range testShapes {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(2, 0))
			for _, n := range []int{0, 1, 7, 8, 9, 31, 32, 33, 100, 1000, 5000} {
				want := []rune(randomDocText(rng, n))
				mustCheck(t, newShapedDoc(string(want), tc.shape), want)
			}
		})
	}
}

func TestRopeGrowsAndShrinksEveryLevel(t *testing.T) {
	// Typing a long text one character at a time, then deleting it from
	// the front, the middle and the back, builds and tears down every
	// level of a tiny tree.
	shape := testShapes[0].shape
	text := []rune(randomDocText(rand.New(rand.NewPCG(3, 0)), 600))
	for _, tc := range []struct {
		name string
		at   func(n int) int // where to delete in a document of n
	}{
		{"front", func(int) int { return 0 }},
		{"middle", func(n int) int { return n / 2 }},
		{"back", func(n int) int { return n - 1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newShapedDoc("", shape)
			var want []rune
			for i, c := range text {
				pos := i / 2 // type in the middle so both halves grow
				if err := d.Apply(patchOp(pos, 0, string(c))); err != nil {
					t.Fatal(err)
				}
				want = append(want[:pos], append([]rune{c}, want[pos:]...)...)
				mustCheck(t, d, want)
			}
			if d.r.height < 4 {
				t.Fatalf("height %d after %d characters: too shallow to exercise the tree", d.r.height, len(text))
			}
			for len(want) > 0 {
				pos := tc.at(len(want))
				if err := d.Apply(patchOp(pos, 1, "")); err != nil {
					t.Fatal(err)
				}
				want = append(want[:pos], want[pos+1:]...)
				mustCheck(t, d, want)
			}
			if d.r.height != 1 {
				t.Fatalf("empty document has height %d", d.r.height)
			}
		})
	}
}

func TestRopeChunksSliceAnyRange(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 0))
	for _, tc := range testShapes {
		text := []rune(randomDocText(rng, 400))
		d := newShapedDoc(string(text), tc.shape)
		for range 500 {
			start := rng.IntN(len(text) + 1)
			end := start + rng.IntN(len(text)-start+1)
			got, err := d.Slice(start, end)
			if err != nil || got != string(text[start:end]) {
				t.Fatalf("%s: Slice(%d, %d) = %q, %v; want %q", tc.name, start, end, got, err, string(text[start:end]))
			}
		}
	}
}
