package collab

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
)

// oracleAttribute applies op by author to authors, one entry per code point
// of the document, by walking the op's components character by character.
// It shares no code with Attribution.Apply.
func oracleAttribute(authors []string, op Op, author string) ([]string, bool) {
	var out []string
	pos := 0
	for _, c := range op.All() {
		switch {
		case c.Skip() > 0:
			if pos+c.Skip() > len(authors) {
				return nil, false
			}
			out = append(out, authors[pos:pos+c.Skip()]...)
			pos += c.Skip()
		case c.Delete() > 0:
			if pos+c.Delete() > len(authors) {
				return nil, false
			}
			pos += c.Delete()
		default:
			for range []rune(c.Insert()) {
				out = append(out, author)
			}
		}
	}
	return append(out, authors[pos:]...), true
}

// expand returns the author of every character a covers, and checks that
// its runs are in normal form.
func expand(t *testing.T, a *Attribution) []string {
	t.Helper()
	var out []string
	runs := a.Runs()
	for i, r := range runs {
		if r.Len <= 0 {
			t.Fatalf("run %d of %v is empty", i, a.Runs())
		}
		if i > 0 && runs[i-1].Author == r.Author {
			t.Fatalf("runs %d and %d of %v have the same author", i-1, i, a.Runs())
		}
		for range r.Len {
			out = append(out, r.Author)
		}
	}
	if len(out) != a.Len() {
		t.Fatalf("Len() = %d, the runs cover %d", a.Len(), len(out))
	}
	a.check(t)
	return out
}

func TestAttributionApply(t *testing.T) {
	tests := []struct {
		name   string
		start  []Run
		op     Op
		author string
		want   []Run
	}{
		{"insert into empty", nil, NewOp(Insert("héllo")), "a", []Run{{"a", 5}}},
		{"append same author merges", []Run{{"a", 3}}, NewOp(Skip(3), Insert("xy")), "a", []Run{{"a", 5}}},
		{"insert in the middle splits", []Run{{"a", 4}}, NewOp(Skip(2), Insert("😅")), "b", []Run{{"a", 2}, {"b", 1}, {"a", 2}}},
		{"delete drops a run and merges", []Run{{"a", 2}, {"b", 1}, {"a", 2}}, NewOp(Skip(2), Delete(1)), "c", []Run{{"a", 4}}},
		{"replace", []Run{{"a", 2}, {"b", 2}}, NewOp(Skip(1), DeleteText("ab"), Insert("z")), "c", []Run{{"a", 1}, {"c", 1}, {"b", 1}}},
		{"insert at a boundary joins the left run", []Run{{"a", 2}, {"b", 2}}, NewOp(Skip(2), Insert("q")), "b", []Run{{"a", 2}, {"b", 3}}},
		{"delete everything", []Run{{"a", 2}, {"b", 2}}, NewOp(Delete(4)), "c", nil},
		{"empty op", []Run{{"a", 2}}, Op{}, "c", []Run{{"a", 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := NewAttribution(tt.start...)
			if err := a.Apply(tt.op, tt.author); err != nil {
				t.Fatal(err)
			}
			if got := a.Runs(); !slices.Equal(got, tt.want) {
				t.Errorf("runs %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAttributionApplyRefusesAnOpPastTheEnd(t *testing.T) {
	a := NewAttribution(Run{"a", 3})
	for _, op := range []Op{NewOp(Skip(4), Insert("x")), NewOp(Skip(1), Delete(3)), NewOp(Skip(-1))} {
		err := a.Apply(op, "b")
		if err == nil {
			t.Errorf("Apply(%v) succeeded on 3 characters", op)
		}
		if got := a.Runs(); !slices.Equal(got, []Run{{"a", 3}}) || a.Len() != 3 {
			t.Errorf("after the failed Apply(%v): %v, want it unchanged", op, got)
		}
	}
	if err := a.Apply(NewOp(Skip(4), Insert("x")), "b"); !errors.Is(err, ErrPastEnd) {
		t.Errorf("error %v, want ErrPastEnd", err)
	}
}

func TestNewAttributionNormalises(t *testing.T) {
	a := NewAttribution(Run{"a", 1}, Run{"b", 0}, Run{"a", 2}, Run{"c", -1}, Run{"b", 1})
	if got, want := a.Runs(), []Run{{"a", 3}, {"b", 1}}; !slices.Equal(got, want) {
		t.Errorf("runs %v, want %v", got, want)
	}
	if a.Len() != 4 {
		t.Errorf("Len() = %d, want 4", a.Len())
	}
}

func TestAttributionCloneIsIndependent(t *testing.T) {
	a := NewAttribution(Run{"a", 2})
	b := a.Clone()
	if err := a.Apply(NewOp(Insert("x")), "b"); err != nil {
		t.Fatal(err)
	}
	if got := b.Runs(); !slices.Equal(got, []Run{{"a", 2}}) {
		t.Errorf("the clone changed to %v", got)
	}
}

// TestPropertyAttributionMatchesOracle applies random ops by random authors
// to a document, its attribution and a per-character author array, and
// checks after each op that they agree.
func TestPropertyAttributionMatchesOracle(t *testing.T) {
	rng, fail := testRand(t)
	authors := []string{"ann", "bob", "cy", "dee"}
	for range 300 {
		doc := ""
		a := NewAttribution()
		var oracle []string
		for range 40 + rng.IntN(400) {
			op := randomLooseOp(rng, doc)
			author := authors[rng.IntN(len(authors))]
			doc = mustApply(fail, doc, op)
			want, ok := oracleAttribute(oracle, op, author)
			if !ok {
				fail("the oracle found %v past the end of %q", op, doc)
			}
			if err := a.Apply(op, author); err != nil {
				fail("Apply(%v, %q): %v", op, author, err)
			}
			if got := expand(t, a); !slices.Equal(got, want) {
				fail("after %v by %s: %v, oracle %v", op, author, a.Runs(), want)
			}
			if a.Len() != len([]rune(doc)) {
				fail("attribution covers %d, document has %d code points", a.Len(), len([]rune(doc)))
			}
			oracle = want
		}
	}
}

func FuzzAttributionApply(f *testing.F) {
	f.Add([]byte("aab"), []byte(`[1,"xy",{"d":1}]`), "c")
	f.Fuzz(func(t *testing.T, start []byte, data []byte, author string) {
		op, err := ParseOp(data)
		if err != nil {
			return
		}
		var oracle []string
		var runs []Run
		for _, b := range start {
			who := fmt.Sprint(b % 4)
			oracle = append(oracle, who)
			runs = append(runs, Run{who, 1})
		}
		a := NewAttribution(runs...)
		before := a.Clone() // shares a's nodes, which Apply must copy
		want, fits := oracleAttribute(oracle, op, author)
		err = a.Apply(op, author)
		if fits != (err == nil) {
			t.Fatalf("Apply(%v): error %v, but the op fits: %v", op, err, fits)
		}
		if err != nil {
			want = oracle
		}
		if got := expand(t, a); !slices.Equal(got, want) {
			t.Fatalf("Apply(%v): %v, oracle %v", op, a.Runs(), want)
		}
		if got := expand(t, before); !slices.Equal(got, oracle) {
			t.Fatalf("Apply(%v) changed a clone taken before it: %v", op, before.Runs())
		}
	})
}

// BenchmarkReplayAutomergePaperAttributed is BenchmarkReplayAutomergePaper
// with the attribution carried through every edit, each edit by one of
// three authors in turn: compare the two for the cost of attribution.
func BenchmarkReplayAutomergePaperAttributed(b *testing.B) {
	tr := loadSequentialTrace(b, "automerge-paper")
	ops := opsOf(tr)
	authors := []string{"ann", "bob", "cy"}
	by := make([]string, len(ops)) // the author of each edit
	for i := range by {
		by[i] = authors[i/1000%len(authors)]
	}
	b.ReportAllocs()
	var d *Doc
	var a *Attribution
	for b.Loop() {
		d = NewDoc(tr.StartContent)
		a = NewAttribution(Run{"start", d.Len()})
		for i, op := range ops {
			if err := applyAttributed(d, a, op, by[i]); err != nil {
				b.Fatal(err)
			}
		}
	}
	if a.Len() != d.Len() {
		b.Fatalf("attribution covers %d, document %d", a.Len(), d.Len())
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(ops)), "ns/edit")
	b.ReportMetric(float64(len(a.Runs())), "runs")
}

// check fails t if the tree of a breaks an invariant: every leaf at the
// same depth, no empty node, counts that match what lies under them (with
// what the finger has not added yet), leaves in normal form, a finger on
// nodes of a's generation.
func (a *Attribution) check(t testing.TB) {
	t.Helper()
	leaves, runs := 0, 0
	var walk func(x *runNode, h int) int
	walk = func(x *runNode, h int) int {
		if h == 0 {
			leaves++
			runs += len(x.runs)
			for i, r := range x.runs {
				if r.Len <= 0 || i > 0 && x.runs[i-1].Author == r.Author || len(x.runs) > runLeafMax {
					t.Fatalf("leaf %v is not normal", x.runs)
				}
			}
			return x.total(0)
		}
		if x.n == 0 || x.n > runFanMax {
			t.Fatalf("branch at height %d has %d children", h, x.n)
		}
		sum := 0
		for i, k := range x.kids[:x.n] {
			count := x.chars[i]
			if f := &a.at; f.leaf != nil && f.path[a.height-h] == x && f.idx[a.height-h] == i {
				count += f.pend // the finger's leaf gained these
			}
			if got := walk(k, h-1); got != count || got == 0 {
				t.Fatalf("child %d at height %d counts %d, holds %d", i, h, count, got)
			}
			sum += count
		}
		return sum
	}
	if n := walk(a.root, a.height); n != a.n {
		t.Fatalf("the tree holds %d, Len() = %d", n, a.n)
	}
	if leaves != a.leaves || runs != a.runs {
		t.Fatalf("%d leaves and %d runs, counted %d and %d", leaves, runs, a.leaves, a.runs)
	}
	if f := &a.at; f.leaf != nil {
		if len(f.path) != a.height || f.leaf.gen != a.gen || f.leaf.total(0) != f.end-f.start {
			t.Fatalf("the finger's leaf (generation %d of %d) covers %d, the finger says %d", f.leaf.gen, a.gen, f.leaf.total(0), f.end-f.start)
		}
		for _, x := range f.path {
			if x.gen != a.gen {
				t.Fatalf("the finger's path has a node of generation %d, the attribution's is %d", x.gen, a.gen)
			}
		}
	} else if a.at.pend != 0 {
		t.Fatalf("no finger, but %d code points pending", a.at.pend)
	}
}

// TestAttributionLargeMatchesOracle grows an attribution to thousands of
// runs, several levels deep, with one-character inserts by four authors at
// random places and deletes of random ranges (some spanning many leaves),
// and compares it with the oracle as it goes.
func TestAttributionLargeMatchesOracle(t *testing.T) {
	rng, fail := testRand(t)
	authors := []string{"ann", "bob", "cy", "dee"}
	a := NewAttribution()
	var oracle []string
	for i := range 6000 {
		var op Op
		if n := len(oracle); n > 0 && rng.IntN(10) == 0 {
			pos := rng.IntN(n)
			k := 1 + rng.IntN(min(n-pos, 1+rng.IntN(3)*5))
			op = Normalize(NewOp(Skip(pos), Delete(k)))
		} else {
			op = Normalize(NewOp(Skip(rng.IntN(n+1)), Insert([]string{"x", "é"}[rng.IntN(2)])))
		}
		author := authors[rng.IntN(len(authors))]
		want, ok := oracleAttribute(oracle, op, author)
		if !ok {
			fail("the oracle found %v past the end", op)
		}
		if err := a.Apply(op, author); err != nil {
			fail("Apply(%v): %v", op, err)
		}
		if i%97 == 0 || i > 5900 {
			if got := expand(t, a); !slices.Equal(got, want) {
				fail("after op %d, %v by %s: the attribution differs from the oracle", i, op, author)
			}
		}
		oracle = want
	}
	if a.height < 2 {
		t.Errorf("the tree is %d levels high, want a test of at least 2", a.height)
	}
}

func TestCarriesAttribution(t *testing.T) {
	tests := []struct {
		rev, runs int
		want      bool
	}{
		{AttributionEvery, 1, true},
		{AttributionEvery + CheckpointEvery, 1, false},
		{3 * AttributionEvery, 4 * AttributionEvery, true},    // at the budget: every multiple
		{3 * AttributionEvery, 4*AttributionEvery + 1, false}, // over it: every second one
		{4 * AttributionEvery, 4*AttributionEvery + 1, true},  //
		{4 * AttributionEvery, 8*AttributionEvery + 1, true},  // every fourth
		{6 * AttributionEvery, 8*AttributionEvery + 1, false}, //
		{1 << 20 * AttributionEvery, 1 << 30, true},           // a huge pad, far on
		{(1<<20 + 1<<19) * AttributionEvery, 1<<20*4*AttributionEvery + 1, false},
	}
	for _, tt := range tests {
		if got := carriesAttribution(tt.rev, tt.runs); got != tt.want {
			t.Errorf("carriesAttribution(%d, %d) = %v, want %v", tt.rev, tt.runs, got, tt.want)
		}
	}
}

// TestAttributionClonesShareUntilChanged edits an attribution and its
// clones in turn, each against its own oracle: a clone shares the nodes of
// the original, so an edit to either must copy them, never change the
// other's. Clones are read in other goroutines while the original goes on
// changing (run with -race).
func TestAttributionClonesShareUntilChanged(t *testing.T) {
	rng, fail := testRand(t)
	authors := []string{"ann", "bob", "cy", "dee"}
	type copyOf struct {
		a      *Attribution
		oracle []string
	}
	edit := func(c *copyOf) {
		var op Op
		if n := len(c.oracle); n > 0 && rng.IntN(5) == 0 {
			pos := rng.IntN(n)
			op = Normalize(NewOp(Skip(pos), Delete(1+rng.IntN(min(n-pos, 1+rng.IntN(2)*4)))))
		} else {
			op = Normalize(NewOp(Skip(rng.IntN(n+1)), Insert("xé"[:1+rng.IntN(2)])))
		}
		author := authors[rng.IntN(len(authors))]
		want, ok := oracleAttribute(c.oracle, op, author)
		if !ok {
			fail("the oracle found %v past the end", op)
		}
		if err := c.a.Apply(op, author); err != nil {
			fail("Apply(%v): %v", op, err)
		}
		c.oracle = want
	}
	live := &copyOf{a: NewAttribution()}
	var frozen []copyOf
	var wg sync.WaitGroup
	defer wg.Wait()
	for i := range 4000 {
		edit(live)
		if i%250 == 249 {
			c := copyOf{a: live.a.Clone(), oracle: slices.Clone(live.oracle)}
			frozen = append(frozen, c)
			wg.Add(1)
			go func() { // the background writer of a snapshot
				defer wg.Done()
				if got := expandRuns(c.a.Runs()); !slices.Equal(got, c.oracle) {
					t.Errorf("a clone read in another goroutine differs from the oracle at its time")
				}
			}()
		}
	}
	wg.Wait()
	if got := expand(t, live.a); !slices.Equal(got, live.oracle) {
		fail("the original differs from its oracle")
	}
	if live.a.height < 2 {
		t.Errorf("the tree is %d levels high, want a test of at least 2", live.a.height)
	}
	// Each clone, changed in turn with the original, stays its own.
	for i := range frozen {
		for range 200 {
			edit(&frozen[i])
			edit(live)
		}
	}
	for i, c := range frozen {
		if got := expand(t, c.a); !slices.Equal(got, c.oracle) {
			fail("clone %d differs from its oracle after edits to it and to the others", i)
		}
	}
	if got := expand(t, live.a); !slices.Equal(got, live.oracle) {
		fail("the original differs from its oracle after edits to its clones")
	}
}

// expandRuns returns the author of every character runs cover.
func expandRuns(runs []Run) []string {
	var out []string
	for _, r := range runs {
		for range r.Len {
			out = append(out, r.Author)
		}
	}
	return out
}

// TestAttributionDeleteAfterClone deletes every range of an attribution
// that a clone shares, several leaves and levels deep, and checks both
// against the oracle: a delete that drops whole subtrees and shrinks the
// tree must copy every node it changes afterwards, never the clone's.
func TestAttributionDeleteAfterClone(t *testing.T) {
	for _, size := range []int{40, 200} { // one level of branches, two
		var runs []Run
		var oracle []string
		for i := range size {
			who := []string{"ann", "bob", "cy"}[i%3]
			runs = append(runs, Run{who, 1})
			oracle = append(oracle, who)
		}
		step := 1 + size/40
		for pos := 0; pos < size; pos += step {
			for n := 1; pos+n <= size; n += step {
				a := NewAttribution(runs...)
				c := a.Clone()
				op := Normalize(NewOp(Skip(pos), Delete(n)))
				if err := a.Apply(op, "dee"); err != nil {
					t.Fatal(err)
				}
				want, _ := oracleAttribute(oracle, op, "dee")
				if got := expand(t, a); !slices.Equal(got, want) {
					t.Fatalf("%d characters, delete %d at %d: the attribution differs from the oracle", size, n, pos)
				}
				if got := expand(t, c); !slices.Equal(got, oracle) {
					t.Fatalf("%d characters, delete %d at %d: the clone changed", size, n, pos)
				}
			}
		}
	}
}
