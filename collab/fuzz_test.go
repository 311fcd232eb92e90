package collab

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// Fuzz targets for everything that reads outside input. Seeds live in
// testdata/fuzz/<target>/; run one with, for example,
//
//	go test ./collab/ -run '^$' -fuzz '^FuzzTransform$' -fuzztime 20s

// FuzzParseOp: ParseOp never panics; what it accepts is valid JSON and a
// valid op that survives a round trip through MarshalJSON unchanged.
func FuzzParseOp(f *testing.F) {
	f.Add([]byte(`[3,"hi",{"d":2},1,{"d":"😅"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		input := bytes.Clone(data)
		op, err := ParseOp(data)
		if !bytes.Equal(data, input) {
			t.Fatalf("ParseOp changed its input %q to %q", input, data)
		}
		if err == nil { // the op must not share the input's bytes
			before := op.String()
			for i := range data {
				data[i] = ' '
			}
			if after := op.String(); after != before {
				t.Fatalf("ParseOp(%q) = %s changed to %s with its input", input, before, after)
			}
			data = input
		}
		if err != nil {
			if !errors.Is(err, ErrInvalidOp) {
				t.Fatalf("ParseOp(%q): error %v does not wrap ErrInvalidOp", data, err)
			}
			return
		}
		if !json.Valid(data) {
			t.Fatalf("ParseOp accepted invalid JSON %q", data)
		}
		if err := op.Validate(); err != nil {
			t.Fatalf("ParseOp(%q) = %v, which is not valid: %v", data, op, err)
		}
		out, err := op.MarshalJSON()
		if err != nil {
			t.Fatalf("MarshalJSON(%v): %v", op, err)
		}
		again, err := ParseOp(out)
		if err != nil || !again.Equal(op) {
			t.Fatalf("round trip of %q through %s gave %v, %v", data, out, again, err)
		}
		if size := op.InsertLen() + op.DeleteLen(); size > 0 {
			if _, err := ParseOpLimit(data, size-1); !errors.Is(err, ErrOpTooLarge) {
				t.Fatalf("ParseOpLimit(%q, %d): %v, want ErrOpTooLarge", data, size-1, err)
			}
		}
	})
}

// FuzzApply: Apply never panics, agrees with a code-point oracle and fails
// exactly when the op does not fit the document.
func FuzzApply(f *testing.F) {
	f.Add("hello 😅 world", []byte(`[6,{"d":1},"🇩🇪"]`))
	f.Fuzz(func(t *testing.T, doc string, data []byte) {
		op, err := ParseOp(data)
		if err != nil {
			return
		}
		got, err := Apply(doc, op)
		if !utf8.ValidString(doc) {
			if err == nil {
				t.Fatalf("Apply accepted a document that is not UTF-8")
			}
			return
		}
		want, fits := oracleApply(doc, op)
		if fits != (err == nil) || (err != nil && !errors.Is(err, ErrPastEnd)) {
			t.Fatalf("Apply(%q, %v): error %v, but the op fits: %v", doc, op, err, fits)
		}
		if got != want {
			t.Fatalf("Apply(%q, %v) = %q, oracle %q", doc, op, got, want)
		}
	})
}

// FuzzTransform: for two ops that parse, Transform and Compose succeed,
// give valid ops, and on a document both ops fit (doc padded as needed),
// the transformed pair converges and the composed op matches sequential
// application. TP1 is checked on normalised ops, as the reference type only
// guarantees it there.
func FuzzTransform(f *testing.F) {
	f.Add([]byte(`[1,"X"]`), []byte(`[1,"Y",{"d":1}]`), "abc", true)
	f.Fuzz(func(t *testing.T, aJSON, bJSON []byte, doc string, left bool) {
		a, errA := ParseOp(aJSON)
		b, errB := ParseOp(bJSON)
		if errA != nil || errB != nil || !utf8.ValidString(doc) {
			return
		}
		if a.BaseLen()+b.BaseLen() > 1<<16 {
			return // keep documents small
		}
		side, other := Left, Right
		if !left {
			side, other = Right, Left
		}
		a2, err := Transform(a, b, side)
		if err != nil || a2.Validate() != nil {
			t.Fatalf("Transform(%v, %v, %v) = %v, %v", a, b, side, a2, err)
		}
		if n := max(a.BaseLen(), b.BaseLen()) - utf8.RuneCountInString(doc); n > 0 {
			doc += strings.Repeat("·", n)
		}
		a, b = Normalize(a), Normalize(b)
		a2, _ = Transform(a, b, side)
		b2, err := Transform(b, a, other)
		if err != nil {
			t.Fatal(err)
		}
		ab := mustApplyT(t, mustApplyT(t, doc, a), b2)
		ba := mustApplyT(t, mustApplyT(t, doc, b), a2)
		if ab != ba {
			t.Fatalf("TP1 fails on %q: a=%v b=%v side=%v: %q vs %q", doc, a, b, side, ab, ba)
		}
		ab2, err := Compose(a, b2)
		if err != nil || ab2.Validate() != nil {
			t.Fatalf("Compose(%v, %v) = %v, %v", a, b2, ab2, err)
		}
		if got := mustApplyT(t, doc, ab2); got != ab {
			t.Fatalf("Compose(%v, %v) = %v gives %q, sequential apply %q", a, b2, ab2, got, ab)
		}
	})
}

func mustApplyT(t *testing.T, doc string, op Op) string {
	t.Helper()
	out, err := Apply(doc, op)
	if err != nil {
		t.Fatalf("Apply(%q, %v): %v", doc, op, err)
	}
	return out
}
