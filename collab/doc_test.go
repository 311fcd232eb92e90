package collab

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDocApply(t *testing.T) {
	for _, tc := range []struct {
		name  string
		start string
		op    Op
		want  string
	}{
		{"empty op", "abc", Op{}, "abc"},
		{"insert into empty", "", NewOp(Insert("hi")), "hi"},
		{"insert at start", "abc", NewOp(Insert("X")), "Xabc"},
		{"insert at end", "abc", NewOp(Skip(3), Insert("X")), "abcX"},
		{"skip counts astral code points", "a😀b", NewOp(Skip(2), Insert("x")), "a😀xb"},
		{"delete an emoji", "a😀b", NewOp(Skip(1), Delete(1)), "ab"},
		{"delete half a flag", "🇫🇷!", NewOp(Delete(1)), "🇷!"},
		{"delete a base letter, keep its combining mark", "e\u0301t", NewOp(Delete(1)), "\u0301t"},
		{"CRLF is two code points", "a\r\nb", NewOp(Skip(1), Delete(2)), "ab"},
		{"delete to the end", "abc", NewOp(Skip(1), Delete(2)), "a"},
		{"delete everything", "a😀b", NewOp(Delete(3)), ""},
		{"delete with its text", "hello", NewOp(DeleteText("he")), "llo"},
		{"delete text is not compared (as npm)", "hello", NewOp(DeleteText("😀!")), "llo"},
		{"adjacent inserts (npm accepts them)", "ab", NewOp(Skip(1), Insert("x"), Insert("y")), "axyb"},
		{"many components", "abcdef", NewOp(Skip(1), Insert("X"), Delete(2), Skip(1), Insert("😀"), Delete(1)), "aXd😀f"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, s := range testShapes {
				d := newShapedDoc(tc.start, s.shape)
				if err := d.Apply(tc.op); err != nil {
					t.Fatalf("%s: Apply(%v): %v", s.name, tc.op, err)
				}
				mustCheck(t, d, []rune(tc.want))
			}
		})
	}
}

func TestDocApplyRejectsAndKeepsTheDocument(t *testing.T) {
	start := strings.Repeat("ab😀\r\n", 20) // 100 code points
	for _, tc := range []struct {
		name string
		op   Op
		want error
	}{
		{"skip past the end", NewOp(Skip(101), Insert("x")), ErrPastEnd},
		{"delete past the end", NewOp(Skip(99), Delete(2)), ErrPastEnd},
		{"delete past the end after edits", NewOp(Insert("x"), Delete(50), Skip(10), Insert("y"), Delete(41)), ErrPastEnd},
		{"huge skip", NewOp(Skip(MaxCount), Insert("x")), ErrPastEnd},
		{"zero component", NewOp(Skip(1), Component{}, Insert("x")), ErrInvalidOp},
		{"negative skip", NewOp(Skip(-1), Insert("x")), ErrInvalidOp},
		{"negative delete", NewOp(Delete(-3)), ErrInvalidOp},
		{"zero delete", NewOp(Skip(1), Delete(0)), ErrInvalidOp},
		{"empty delete text", NewOp(DeleteText("")), ErrInvalidOp},
		{"delete text of invalid UTF-8", NewOp(DeleteText("a\xff")), ErrInvalidOp},
		{"adjacent skips", NewOp(Skip(1), Skip(1), Insert("x")), ErrInvalidOp},
		{"trailing skip", NewOp(Insert("x"), Skip(3)), ErrInvalidOp},
		{"insert of invalid UTF-8", NewOp(Insert("a\xffb")), ErrInvalidOp},
		{"insert of a lone surrogate", NewOp(Skip(1), Insert("\xed\xa0\x80")), ErrInvalidOp},
		{"count too large", NewOp(Delete(MaxCount + 1)), ErrInvalidOp},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newShapedDoc(start, testShapes[0].shape)
			err := d.Apply(tc.op)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Apply(%v) = %v, want %v", tc.op, err, tc.want)
			}
			mustCheck(t, d, []rune(start))
		})
	}
}

func TestNewDocReplacesInvalidUTF8(t *testing.T) {
	d := NewDoc("a\xffb\xed\xa0\x80c")
	if got, want := d.String(), "a\uFFFDb\uFFFDc"; got != want {
		t.Fatalf("String() = %q, want %q", got, want)
	}
	if d.Len() != 5 {
		t.Fatalf("Len() = %d, want 5", d.Len())
	}
}

func TestDocSlice(t *testing.T) {
	d := NewDoc("a😀e\u0301\r\n漢")
	for _, tc := range []struct {
		start, end int
		want       string
		ok         bool
	}{
		{0, 0, "", true},
		{0, 7, "a😀e\u0301\r\n漢", true},
		{1, 2, "😀", true},
		{2, 4, "e\u0301", true},
		{4, 6, "\r\n", true},
		{7, 7, "", true},
		{-1, 2, "", false},
		{3, 2, "", false},
		{0, 8, "", false},
		{8, 8, "", false},
	} {
		got, err := d.Slice(tc.start, tc.end)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("Slice(%d, %d) = %q, %v; want %q, ok %v", tc.start, tc.end, got, err, tc.want, tc.ok)
		}
	}
}

// failAfterWriter accepts limit bytes, then fails.
type failAfterWriter struct{ limit int }

var errWriterFull = errors.New("writer full")

func (w *failAfterWriter) Write(p []byte) (int, error) {
	if len(p) > w.limit {
		n := w.limit
		w.limit = 0
		return n, errWriterFull
	}
	w.limit -= len(p)
	return len(p), nil
}

func TestDocWriteTo(t *testing.T) {
	text := randomDocText(rand.New(rand.NewPCG(5, 0)), 5000)
	d := NewDoc(text)
	var buf bytes.Buffer
	n, err := d.WriteTo(&buf)
	if err != nil || n != int64(len(text)) || buf.String() != text {
		t.Fatalf("WriteTo wrote %d bytes, err %v; equal text: %v", n, err, buf.String() == text)
	}
	n, err = d.WriteTo(&failAfterWriter{limit: 1000})
	if !errors.Is(err, errWriterFull) || n != 1000 {
		t.Fatalf("WriteTo to a failing writer = %d, %v; want 1000, %v", n, err, errWriterFull)
	}
}

func TestDocLargeEdits(t *testing.T) {
	// A 1 MB document: large deletes drop whole subtrees, a large insert
	// goes in leaf by leaf.
	text := []rune(randomDocText(rand.New(rand.NewPCG(6, 0)), 200_000))
	d := NewDoc(string(text))
	for _, op := range []Op{
		NewOp(Skip(1000), Delete(150_000)),
		NewOp(Skip(10), Insert(string(text[:90_000]))),
		NewOp(Delete(90_010), Skip(3), Delete(50_000)),
	} {
		if err := d.Apply(op); err != nil {
			t.Fatal(err)
		}
		text = applyToRunes(text, op)
		mustCheck(t, d, text)
	}
}

func TestSkipRunes(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 0))
	for range 200 {
		b := []byte(randomDocText(rng, rng.IntN(40)))
		starts := []int{}
		for i := range b {
			if utf8.RuneStart(b[i]) {
				starts = append(starts, i)
			}
		}
		starts = append(starts, len(b))
		for from := range starts {
			for k := 0; from+k < len(starts); k++ {
				if got, want := skipRunes(b, starts[from], k), starts[from+k]; got != want {
					t.Fatalf("skipRunes(%q, %d, %d) = %d, want %d", b, starts[from], k, got, want)
				}
			}
		}
	}
}

// docOpValid is the fuzz oracle's own reading of the rules of Doc.Apply:
// whether op is valid and fits a document of n code points.
func docOpValid(op Op, n int) bool {
	for i, c := range op.All() {
		switch {
		case c.Skip() > 0:
			if i == op.Len()-1 || (i > 0 && op.At(i-1).Skip() > 0) {
				return false
			}
		case c.Insert() != "":
			if !utf8.ValidString(c.Insert()) {
				return false
			}
		case c.Delete() > 0:
			if !utf8.ValidString(c.DeleteText()) {
				return false
			}
		default: // the empty component, or one made from a bad count
			return false
		}
		n -= c.Skip() + c.Delete()
	}
	return n >= 0
}

// docFuzzOp reads an op from prog, two bytes a component, including invalid
// components.
func docFuzzOp(prog []byte) Op {
	var op []Component
	for ; len(prog) >= 2; prog = prog[2:] {
		arg := int(int8(prog[1]))
		switch prog[0] % 8 {
		case 0:
			op = append(op, Skip(arg))
		case 1, 2:
			op = append(op, Insert(docPieces[prog[1]%uint8(len(docPieces))]))
		case 3:
			op = append(op, Delete(arg))
		case 4:
			text := docPieces[prog[1]%uint8(len(docPieces))]
			op = append(op, DeleteText(text))
		case 5:
			op = append(op, Insert(string(prog[1:2]))) // maybe invalid UTF-8
		case 6:
			op = append(op, Delete(-arg)) // maybe invalid
		case 7:
			op = append(op, Component{})
		}
	}
	return NewOp(op...)
}

func FuzzDocApply(f *testing.F) {
	f.Add("hello", []byte{0, 2, 1, 0, 3, 2})
	f.Add("a😀e\u0301\r\n", []byte{0, 1, 3, 1, 2, 9, 0, 1, 4, 9})
	f.Add("", []byte{1, 10, 1, 11, 2, 5})
	f.Add("abc", []byte{0, 4, 1, 0})
	f.Add("abc", []byte{5, 0xff})
	f.Add("abc", []byte{7, 0, 6, 1})
	f.Add(strings.Repeat("xyz😀", 40), []byte{0, 50, 3, 100, 1, 3, 0, 5, 3, 20})
	f.Fuzz(checkArbitraryOp)
}

func TestDocApplyArbitraryOps(t *testing.T) {
	// What the fuzz target does, on a fixed random sample, so that every
	// go test run covers valid and invalid ops of every kind.
	rng := rand.New(rand.NewPCG(8, 0))
	for range 3000 {
		prog := make([]byte, 2*rng.IntN(6))
		for i := range prog {
			prog[i] = byte(rng.IntN(256))
		}
		checkArbitraryOp(t, randomDocText(rng, rng.IntN(120)), prog)
	}
}

// checkArbitraryOp applies the op read from prog to a Doc holding text and
// checks it against the oracles: docOpValid decides whether it must
// succeed, applyToRunes what the text becomes, and the string Apply must
// agree on both.
func checkArbitraryOp(t *testing.T, text string, prog []byte) {
	text = strings.ToValidUTF8(text, "\uFFFD")
	d := newShapedDoc(text, testShapes[0].shape)
	want := []rune(text)
	op := docFuzzOp(prog)
	err := d.Apply(op)
	if valid := docOpValid(op, len(want)); valid != (err == nil) {
		t.Fatalf("Doc.Apply(%v) on %d code points = %v; oracle says valid: %v", op, len(want), err, valid)
	}
	s, serr := Apply(text, op)
	for _, kind := range []error{ErrInvalidOp, ErrPastEnd} {
		if errors.Is(err, kind) != errors.Is(serr, kind) {
			t.Fatalf("op %v on %q: Doc.Apply = %v, Apply = %v", op, text, err, serr)
		}
	}
	if err == nil {
		want = applyToRunes(want, op)
		if s != string(want) {
			t.Fatalf("op %v on %q: Apply = %q, want %q", op, text, s, string(want))
		}
	}
	mustCheck(t, d, want)
}
