package collab

import (
	"errors"
	"math/rand/v2"
	"testing"
)

func TestCompose(t *testing.T) {
	// Expected results come from ot-text-unicode 4.0.0's compose.
	tests := []struct {
		a, b, want string
	}{
		{`[1,"X"]`, `[2,"Y"]`, `[1,"XY"]`},
		{`["😅🇩🇪"]`, `[1,{"d":2}]`, `["😅"]`},
		{`["😅🇩🇪"]`, `[1,{"d":"🇩"}]`, `["😅🇪"]`}, // half a flag
		{`[{"d":"ab"}]`, `[{"d":"cd"}]`, `[{"d":"abcd"}]`},
		{`[{"d":"ab"}]`, `[{"d":2}]`, `[{"d":4}]`},
		{`[2,"e\u0301"]`, `[3,{"d":1}]`, `[2,"e"]`}, // the combining mark goes
		{`["\r\n"]`, `[1,{"d":1}]`, `["\r"]`},
		{`[1,{"d":2}]`, `[1,"x"]`, `[1,"x",{"d":2}]`},
		// b's delete text covers a's insert, which just disappears.
		{`[3,"abc"]`, `[2,{"d":"xyzw"}]`, `[2,{"d":"x"}]`},
		{`[]`, `[3,"x"]`, `[3,"x"]`},
		{`[3,"x"]`, `[]`, `[3,"x"]`},
		{`[{"d":1}]`, `[5,"tail"]`, `[{"d":1},5,"tail"]`},
		{`["ab"]`, `[{"d":"Q"},"z"]`, `["zb"]`},
	}
	for _, tt := range tests {
		got, err := Compose(mustParse(t, tt.a), mustParse(t, tt.b))
		if err != nil || got.String() != tt.want {
			t.Errorf("Compose(%s, %s) = %v, %v; want %s", tt.a, tt.b, got, err, tt.want)
		}
	}
}

func TestComposeErrors(t *testing.T) {
	good := NewOp(Insert("x"))
	for _, tt := range []struct{ a, b Op }{
		{NewOp(Skip(2)), good},
		{good, NewOp(DeleteText(""))}, // an empty component
		{good, NewOp(Delete(-1))},
	} {
		if got, err := Compose(tt.a, tt.b); !errors.Is(err, ErrInvalidOp) {
			t.Errorf("Compose(%v, %v) = %v, %v; want ErrInvalidOp", tt.a, tt.b, got, err)
		}
	}
}

// TestComposeChainStaysSmall: an op composed from ops again and again (a
// client's buffer of local edits) keeps only about the text it uses, not
// every text it was ever composed from.
func TestComposeChainStaysSmall(t *testing.T) {
	op := NewOp(Delete(1))
	for range 2000 {
		var err error
		if op, err = Compose(op, NewOp(Insert("hello "))); err != nil {
			t.Fatal(err)
		}
		if op, err = Compose(op, NewOp(DeleteText("hello "))); err != nil {
			t.Fatal(err)
		}
	}
	if got := op.String(); got != `[{"d":1}]` {
		t.Fatalf("the chain composes to %s, want [{\"d\":1}]", got)
	}
	if len(op.text) > 2*keepUnused {
		t.Errorf("the composed op holds %d bytes of text, it uses none", len(op.text))
	}
}

func BenchmarkCompose(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	doc := benchDoc(rng)
	var as, bs [1024]Op
	for i := range as {
		as[i] = benchOp(rng, doc)
		after, err := Apply(doc, as[i])
		if err != nil {
			b.Fatal(err)
		}
		bs[i] = benchOp(rng, after)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := Compose(as[i&1023], bs[i&1023]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
