package collab

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		op  Op
		why string // empty: valid
	}{
		{op: Op{}},
		{op: NewOp(Skip(1), Insert("a"))},
		{op: NewOp(Insert("a"), Insert("b"))},
		{op: NewOp(DeleteText("😅x"), Delete(1))},
		{op: NewOp(Component{}), why: "empty component"},
		{op: NewOp(Skip(1), Skip(0), Insert("a")), why: "component 1: empty component"},
		{op: NewOp(Delete(0)), why: "empty component"},
		{op: NewOp(Insert("")), why: "empty component"},
		{op: NewOp(DeleteText("")), why: "empty component"},
		{op: NewOp(Skip(-1), Insert("a")), why: "skip -1 must be > 0"},
		{op: NewOp(Skip(MaxCount+1), Insert("a")), why: "exceeds"},
		{op: NewOp(Delete(-1)), why: "delete -1 must be > 0"},
		{op: NewOp(Delete(MaxCount + 1)), why: "exceeds"},
		{op: NewOp(Skip(-1<<62), Insert("a")), why: "component 0: skip -4611686018427387904 must be > 0"},
		{op: NewOp(Insert("a"), Delete(-1)), why: "component 1: delete -1 must be > 0"},
		{op: NewOp(Skip(MaxCount), Skip(MaxCount)), why: "component 1: adjacent skip"},
		{op: Normalize(NewOp(Delete(MaxCount), Delete(MaxCount))), why: "exceeds"},
		{op: Normalize(NewOp(Skip(MaxCount), Skip(MaxCount), Insert("a"))), why: "exceeds"},
		{op: NewOp(Insert("\xed\xa0\x80")), why: "insert is not valid UTF-8"},
		{op: NewOp(DeleteText("\xff")), why: "delete text is not valid UTF-8"},
		{op: NewOp(Skip(1), Skip(1), Insert("a")), why: "component 1: adjacent skip"},
		{op: NewOp(Insert("a"), Skip(1)), why: "component 1: op has a trailing skip"},
	}
	for _, tt := range tests {
		err := tt.op.Validate()
		switch {
		case tt.why == "" && err != nil:
			t.Errorf("Validate(%v) = %v, want nil", tt.op, err)
		case tt.why != "" && (err == nil || !errors.Is(err, ErrInvalidOp) || !strings.Contains(err.Error(), tt.why)):
			t.Errorf("Validate(%v) = %v, want ErrInvalidOp saying %q", tt.op, err, tt.why)
		}
	}
}

func TestOpComponents(t *testing.T) {
	cs := []Component{Skip(2), Insert("é😅"), DeleteText("ab"), Delete(3), Component{}, Skip(-1)}
	op := NewOp(cs...)
	if op.Len() != len(cs) {
		t.Fatalf("Len() = %d, want %d", op.Len(), len(cs))
	}
	for i, c := range cs {
		if got := op.At(i); got != c {
			t.Errorf("At(%d) = %v, want %v", i, got, c)
		}
	}
	if got := op.Components(); !slices.Equal(got, cs) {
		t.Errorf("Components() = %v, want %v", got, cs)
	}
	var seen []Component
	for i, c := range op.All() {
		if i != len(seen) {
			t.Fatalf("All gave index %d after %d components", i, len(seen))
		}
		if seen = append(seen, c); i == 2 {
			break // All must stop when the loop does
		}
	}
	if !slices.Equal(seen, cs[:3]) {
		t.Errorf("All gave %v, want %v", seen, cs[:3])
	}
	if n := (Op{}).Len(); n != 0 {
		t.Errorf("the zero Op has %d components", n)
	}
}

func TestOpEqual(t *testing.T) {
	// A transform's result keeps its texts in its input's text, with
	// bytes it does not use: Equal compares components, not layouts.
	shared, err := Transform(mustParse(t, `[{"d":"ab"},1,"xyz"]`), mustParse(t, `[1,{"d":2}]`), Left)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		a, b Op
		want bool
	}{
		{Op{}, NewOp(), true},
		{NewOp(Skip(1), Insert("x")), mustParse(t, `[1,"x"]`), true},
		{shared, mustParse(t, `[{"d":"a"},"xyz"]`), true},
		{shared, mustParse(t, `[{"d":"a"},"xy"]`), false},
		{NewOp(Insert("ab")), NewOp(Insert("a"), Insert("b")), false},
		{NewOp(Insert("x")), NewOp(Insert("y")), false},
		{NewOp(Delete(1)), NewOp(DeleteText("a")), false},
		{NewOp(Skip(1), Insert("x")), NewOp(Skip(2), Insert("x")), false},
	}
	for _, tt := range tests {
		if got := tt.a.Equal(tt.b); got != tt.want {
			t.Errorf("%v.Equal(%v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := tt.b.Equal(tt.a); got != tt.want {
			t.Errorf("%v.Equal(%v) = %v, want %v", tt.b, tt.a, got, tt.want)
		}
	}
}

// TestMergedCountPastMax: a count merged beyond MaxCount is not cut or
// wrapped but makes a component that Validate rejects, as a count given
// that large would.
func TestMergedCountPastMax(t *testing.T) {
	huge := NewOp(Skip(MaxCount), Delete(1), Skip(MaxCount), Insert("x"))
	transformed, err := Transform(huge, NewOp(Skip(MaxCount), Delete(1)), Left)
	if err != nil {
		t.Fatal(err)
	}
	if got := Normalize(NewOp(Skip(MaxCount), Skip(MaxCount))); got.Len() != 0 {
		t.Errorf("Normalize of two trailing skips = %v, want []", got)
	}
	for _, tt := range []struct {
		op   Op
		want string
	}{
		{Normalize(NewOp(Delete(MaxCount), Delete(1))), "delete 2147483648 exceeds 2147483647"},
		{Normalize(NewOp(Skip(MaxCount), Skip(MaxCount), Insert("x"))), "skip 4294967294 exceeds 2147483647"},
		{transformed, "skip 4294967294 exceeds 2147483647"},
	} {
		err := tt.op.Validate()
		if !errors.Is(err, ErrInvalidOp) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v.Validate() = %v, want ErrInvalidOp saying %q", tt.op, err, tt.want)
		}
	}
}

func TestLengths(t *testing.T) {
	tests := []struct {
		op                   string
		base, ins, del, size int
	}{
		{`[]`, 0, 0, 0, 0},
		{`[3,"😅🇩🇪",{"d":2}]`, 5, 3, 2, 0},
		{`[{"d":"e\u0301\r\n"},1,"漢字",{"d":1}]`, 6, 2, 5, 0},
	}
	for _, tt := range tests {
		op := mustParse(t, tt.op)
		if got := op.BaseLen(); got != tt.base {
			t.Errorf("%s.BaseLen() = %d, want %d", tt.op, got, tt.base)
		}
		if got := op.InsertLen(); got != tt.ins {
			t.Errorf("%s.InsertLen() = %d, want %d", tt.op, got, tt.ins)
		}
		if got := op.DeleteLen(); got != tt.del {
			t.Errorf("%s.DeleteLen() = %d, want %d", tt.op, got, tt.del)
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		in   Op
		want string
	}{
		{Op{}, `[]`},
		{NewOp(Skip(3)), `[]`},
		{NewOp(Component{}, Skip(1), Skip(2), Insert(""), Insert("a"), Insert("😅"), Skip(0), Skip(4)), `[3,"a😅"]`},
		{NewOp(Delete(1), Delete(2)), `[{"d":3}]`},
		{NewOp(DeleteText("ab"), DeleteText("\r\n")), `[{"d":"ab\r\n"}]`},
		{NewOp(DeleteText("ab"), Delete(2), DeleteText("c")), `[{"d":5}]`},
		{NewOp(Delete(1), Insert("x"), Delete(1)), `[{"d":1},"x",{"d":1}]`},
		{NewOp(Delete(0), Insert("x"), DeleteText("")), `["x"]`},
	}
	for _, tt := range tests {
		got := Normalize(tt.in)
		if s := got.String(); s != tt.want {
			t.Errorf("Normalize(%v) = %s, want %s", tt.in, s, tt.want)
		}
		if err := got.Validate(); err != nil {
			t.Errorf("Normalize(%v) is not valid: %v", tt.in, err)
		}
	}
	// Normalize must not change its input.
	in := NewOp(Insert("a"), Insert("b"))
	Normalize(in)
	if in.At(0).Insert() != "a" {
		t.Errorf("Normalize changed its input: %v", in)
	}
}

func TestCodePoints(t *testing.T) {
	texts := []string{
		"", "a", "abcdefgh", "abcdefghi", "héllo wörld, ça va?",
		"😅🤖👻🤟💃😅🤖👻🤟💃", "🇩🇪🇫🇷 flags", "e\u0301e\u0301e\u0301e\u0301e\u0301",
		"line\r\nline\r\n", "漢字かな交じり文です。", "👩‍💻 zwj 👨‍👩‍👧",
	}
	for _, s := range texts {
		if got, want := countRunes(s), utf8.RuneCountInString(s); got != want {
			t.Errorf("countRunes(%q) = %d, want %d", s, got, want)
		}
		runes := []rune(s)
		for n := 0; n <= len(runes)+2; n++ {
			off, ok := runeOffset(s, n)
			if n > len(runes) {
				if ok || off != len(s) {
					t.Errorf("runeOffset(%q, %d) = %d, %v; want %d, false", s, n, off, ok, len(s))
				}
				continue
			}
			if want := len(string(runes[:n])); !ok || off != want {
				t.Errorf("runeOffset(%q, %d) = %d, %v; want %d, true", s, n, off, ok, want)
			}
		}
	}
}

// TestValidateFastPathAgrees checks that Validate's fast loop and explain,
// which state the same rules twice, agree on random ops of odd components.
func TestValidateFastPathAgrees(t *testing.T) {
	pool := []Component{
		{}, Skip(1), Skip(2), Skip(-1), Skip(MaxCount + 1), Skip(MaxCount),
		Insert("a"), Insert("😅"), Insert("\xff"), Insert(""),
		Delete(1), Delete(-1), Delete(MaxCount + 1), DeleteText("x"), DeleteText("x"),
		DeleteText("x"), DeleteText("\xed\xa0\x80"), DeleteText("😅"), Delete(MaxCount),
	}
	rng, fail := testRand(t)
	for range 20000 {
		cs := make([]Component, rng.IntN(5))
		for i := range cs {
			cs[i] = pool[rng.IntN(len(pool))]
		}
		op := NewOp(cs...)
		for _, encoding := range []bool{true, false} {
			var slow error
			for i := range op.Len() {
				if slow = explain(&op, i, encoding); slow != nil {
					break
				}
			}
			if fast := op.validate(encoding); (fast == nil) != (slow == nil) || (fast != nil && fast.Error() != slow.Error()) {
				fail("op %v (encoding %v): validate says %v, explain says %v", op, encoding, fast, slow)
			}
		}
	}
}
