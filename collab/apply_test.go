package collab

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
)

func TestApply(t *testing.T) {
	tests := []struct {
		doc, op, want string
	}{
		{"", `[]`, ""},
		{"", `["hi"]`, "hi"},
		{"abc", `[]`, "abc"},
		{"abc", `[1,"X"]`, "aXbc"},
		{"abc", `[3,"X"]`, "abcX"},
		{"abc", `[{"d":3}]`, ""},
		{"abc", `[1,{"d":1},"Y"]`, "aYc"},
		{"😅🤖👻", `[1,{"d":1},"🇩🇪"]`, "😅🇩🇪👻"},
		{"🇩🇪x", `[1,"|"]`, "🇩|🇪x"},           // a flag is two code points
		{"e\u0301x", `[1,"!"]`, "e!\u0301x"}, // so is a combining sequence
		{"a\r\nb", `[1,{"d":"\r\n"},"\n"]`, "a\nb"},
		{"漢字かな", `[2,{"d":2}]`, "漢字"},
		// Like the npm package, a delete's text is not compared with the
		// document: only its length counts.
		{"abcdef", `[1,{"d":"xy"},"Q"]`, "aQdef"},
		{"a😅c", `[{"d":"zz"}]`, "c"},
		// Neighbouring inserts and deletes, which checkOp allows.
		{"abcd", `["x","y",{"d":1},{"d":"b"}]`, "xycd"},
	}
	for _, tt := range tests {
		got, err := Apply(tt.doc, mustParse(t, tt.op))
		if err != nil || got != tt.want {
			t.Errorf("Apply(%q, %s) = %q, %v; want %q", tt.doc, tt.op, got, err, tt.want)
		}
	}
}

func TestApplyErrors(t *testing.T) {
	tests := []struct {
		doc  string
		op   Op
		want error
	}{
		{"abc", NewOp(Skip(4), Insert("x")), ErrPastEnd},
		{"😅😅", NewOp(Skip(3), Insert("x")), ErrPastEnd},
		{"abc", NewOp(Skip(1), Delete(3)), ErrPastEnd}, // npm would truncate
		{"abc", NewOp(Delete(2), Skip(2), Insert("x")), ErrPastEnd},
		{"abc", NewOp(Skip(3)), ErrInvalidOp},
		{"abc", NewOp(Insert("")), ErrInvalidOp},
	}
	for _, tt := range tests {
		got, err := Apply(tt.doc, tt.op)
		if !errors.Is(err, tt.want) {
			t.Errorf("Apply(%q, %v) = %q, %v; want %v", tt.doc, tt.op, got, err, tt.want)
		}
	}
	if _, err := Apply("a\xffb", NewOp(Skip(1), Insert("x"))); err == nil {
		t.Error("Apply accepted a document that is not valid UTF-8")
	}
}

func BenchmarkApply(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, size := range []int{60, 100_000} {
		var runes []rune
		for len(runes) < size {
			runes = append(runes, []rune(benchDoc(rng))...)
		}
		doc := string(runes)
		var ops [256]Op
		for i := range ops {
			// About five components, somewhere in the document.
			at := rng.IntN(len(runes) / 2)
			ops[i] = Normalize(NewOp(append([]Component{Skip(at)}, benchOp(rng, string(runes[at:at+len(runes)/2])).Components()...)...))
		}
		b.Run(fmt.Sprintf("doc=%d", len(runes)), func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := Apply(doc, ops[i&255]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
