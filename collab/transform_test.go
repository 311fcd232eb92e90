package collab

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestTransform(t *testing.T) {
	// Expected results come from ot-text-unicode 4.0.0's transform.
	tests := []struct {
		op, other string
		side      Side
		want      string
	}{
		{`[1,"X"]`, `[1,"Y"]`, Left, `[1,"X"]`},
		{`[1,"X"]`, `[1,"Y"]`, Right, `[2,"X"]`},
		{`["😅"]`, `["🇩🇪"]`, Left, `["😅"]`},
		{`["😅"]`, `["🇩🇪"]`, Right, `[2,"😅"]`}, // a flag is two code points
		{`[2,"!"]`, `[{"d":"🇩🇪"}]`, Left, `["!"]`},
		// A delete with text is cut between a base letter and its
		// combining mark when the other op inserts there.
		{`[1,{"d":"e\u0301x"}]`, `[2,"Q"]`, Left, "[1,{\"d\":\"e\"},1,{\"d\":\"\u0301x\"}]"},
		{`[3,"\r\n"]`, `[1,{"d":"\r\n"}]`, Left, `[1,"\r\n"]`},
		{`[{"d":5}]`, `[1,{"d":2}]`, Left, `[{"d":3}]`},
		{`[{"d":"a😅bcd"}]`, `[1,{"d":2}]`, Right, `[{"d":"acd"}]`},
		{`[{"d":"a😅bcd"}]`, `[2,"zz"]`, Right, `[{"d":"a😅"},2,{"d":"bcd"}]`},
		{`[2,"ins",{"d":2}]`, `[1,{"d":4}]`, Left, `[1,"ins"]`},
		{`[5,"end"]`, `["漢字かな"]`, Right, `[9,"end"]`},
		{`[]`, `[3,"x"]`, Left, `[]`},
		{`[1,"x"]`, `[]`, Left, `[1,"x"]`},
		// Neighbouring inserts: only the first goes before the other
		// op's insert on the Left side.
		{`["a","b"]`, `["Z"]`, Left, `["a",1,"b"]`},
		{`["a","b"]`, `["Z"]`, Right, `[1,"ab"]`},
		// Neighbouring deletes merge; a text delete next to a counted one
		// loses its text.
		{`[{"d":"ab"},{"d":1}]`, `[5,"z"]`, Left, `[{"d":3}]`},
		// Inserts that become neighbours when other deletes what op
		// deleted between them merge (texts that are not neighbours in
		// op's text).
		{`["a",{"d":"x"},"b"]`, `[{"d":1}]`, Left, `["ab"]`},
		{`["😅",{"d":2},"🇩🇪",{"d":"q"}]`, `[{"d":3}]`, Right, `["😅🇩🇪"]`},
	}
	for _, tt := range tests {
		got, err := Transform(mustParse(t, tt.op), mustParse(t, tt.other), tt.side)
		if err != nil || got.String() != tt.want {
			t.Errorf("Transform(%s, %s, %v) = %v, %v; want %s", tt.op, tt.other, tt.side, got, err, tt.want)
		}
	}
}

// TestTransformAllocatesOnce: a transform allocates its result's
// components and nothing else; the texts stay in op's text.
func TestTransformAllocatesOnce(t *testing.T) {
	op := mustParse(t, `[2,"ab",{"d":"xy"},3,"😅"]`)
	other := mustParse(t, `[1,"Q",2,{"d":2},"R"]`)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := Transform(op, other, Left); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 1 {
		t.Errorf("Transform allocates %v times, want 1", allocs)
	}
}

// TestTransformKeepsBrokenInsert: an insert whose text is not UTF-8 (and
// holds no code point at all) is not taken for an empty component: it
// survives a transform, as in the reference, and Validate rejects it.
func TestTransformKeepsBrokenInsert(t *testing.T) {
	op := NewOp(Insert("\x80"))
	for _, tt := range []struct {
		side Side
		want string
	}{{Left, "[\"\x80\"]"}, {Right, "[1,\"\x80\"]"}} {
		got, err := Transform(op, NewOp(Insert("b")), tt.side)
		if err != nil || got.String() != tt.want {
			t.Errorf("Transform(%v, [\"b\"], %v) = %v, %v; want %s", op, tt.side, got, err, tt.want)
		}
	}
	if n := Normalize(op); n.Len() != 1 || !errors.Is(n.Validate(), ErrInvalidOp) {
		t.Errorf("Normalize(%v) = %v, validating to %v; want the insert kept and rejected", op, n, n.Validate())
	}
}

func TestTransformErrors(t *testing.T) {
	good := NewOp(Skip(1), Insert("x"))
	tests := []struct {
		op, other Op
		side      Side
	}{
		{good, good, 0},
		{good, good, Side(3)},
		{NewOp(Skip(1)), good, Left},
		{good, NewOp(Insert("")), Right},
		{good, NewOp(Skip(1), Skip(1), Insert("x")), Left},
		{NewOp(Delete(-2)), good, Left},
	}
	for _, tt := range tests {
		if got, err := Transform(tt.op, tt.other, tt.side); err == nil {
			t.Errorf("Transform(%v, %v, %v) = %v, want an error", tt.op, tt.other, tt.side, got)
		}
	}
	if _, err := Transform(good, NewOp(Component{}), Left); !errors.Is(err, ErrInvalidOp) {
		t.Errorf("Transform with an empty component: %v, want ErrInvalidOp", err)
	}
}

// TestTransformNeighbouringInsertsDiverge pins a property of the reference
// type: with an op that holds two neighbouring inserts (which checkOp, and
// so ParseOp, accepts) the Left side takes only the first one ahead of the
// other op's insert, and the two orders no longer converge. Normalising the
// op first restores convergence, so servers should Normalize incoming ops.
func TestTransformNeighbouringInsertsDiverge(t *testing.T) {
	doc, a, b := "abc", mustParse(t, `[1,"X"]`), mustParse(t, `[1,"p","q"]`)
	converge := func(b Op) (string, string) {
		a2, _ := Transform(a, b, Right)
		b2, _ := Transform(b, a, Left)
		ab, _ := Apply(doc, b)
		ab, _ = Apply(ab, a2)
		ba, _ := Apply(doc, a)
		ba, _ = Apply(ba, b2)
		return ab, ba
	}
	if x, y := converge(b); x != "apqXbc" || y != "apXqbc" {
		t.Errorf("with neighbouring inserts: %q and %q, want the reference's %q and %q", x, y, "apqXbc", "apXqbc")
	}
	if x, y := converge(Normalize(b)); x != y {
		t.Errorf("normalised: %q and %q differ", x, y)
	}
}

// TestTransformComposeLawCounterexample pins a case where the reference
// type breaks T(a, b·c) == T(T(a, b), c): b deletes the text around a's
// insert and c inserts where it was, so the two routes order the inserts
// differently. This package gives the reference's results on both routes.
func TestTransformComposeLawCounterexample(t *testing.T) {
	a, b, c := mustParse(t, `[4,{"d":3},"🤖"]`), mustParse(t, `[4,{"d":3}]`), mustParse(t, `[4,"that 🤟"]`)
	bc, err := Compose(b, c)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := Transform(a, bc, Left)
	ab, _ := Transform(a, b, Left)
	y, _ := Transform(ab, c, Left)
	if x.String() != `[10,"🤖"]` || y.String() != `[4,"🤖"]` {
		t.Errorf("T(a, b·c) = %v, T(T(a, b), c) = %v; the reference gives [10,\"🤖\"] and [4,\"🤖\"]", x, y)
	}
}

// benchWords are the words of benchmark texts.
var benchWords = strings.Fields("twas brillig and the slithy toves did gyre gimble in wabe all mimsy were borogoves mome raths outgrabe")

// benchText returns a text like those of the reference package's own
// random ops (test/genOp.js): a word and a space, or now and then an emoji.
func benchText(rng *rand.Rand) string {
	if rng.IntN(5) == 0 {
		return string([]rune("😅🤖👻🤟💃")[rng.IntN(5)])
	}
	return benchWords[rng.IntN(len(benchWords))] + " "
}

// benchDoc returns a document of about 60 code points for benchmarks.
func benchDoc(rng *rand.Rand) string {
	doc := ""
	for len([]rune(doc)) < 60 {
		doc += benchText(rng)
	}
	return doc
}

// benchOp returns a random op for doc with four to six components.
func benchOp(rng *rand.Rand, doc string) Op {
	for {
		if op := randomOp(rng, doc, benchText); op.Len() >= 4 && op.Len() <= 6 {
			return op
		}
	}
}

// BenchmarkTransform transforms 1024 pairs of random ops of four to six
// components, made for the same document, in turn, each pair from the
// Left and the Right side alternately.
func BenchmarkTransform(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	doc := benchDoc(rng)
	var as, bs [1024]Op
	for i := range as {
		as[i], bs[i] = benchOp(rng, doc), benchOp(rng, doc)
	}
	sides := [2]Side{Left, Right}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := Transform(as[i&1023], bs[i&1023], sides[i&1]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
