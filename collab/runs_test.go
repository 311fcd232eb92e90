package collab

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// inserted marks, in the oracle's document, a character a record inserts
// before its runs name the author.
const inserted = "\x00inserted"

// oracleRecord is oracleAttribute for a record: the characters r inserts
// go to r.Author or, if r has Runs, to the runs' authors in turn, counted
// character by character.
func oracleRecord(authors []string, r Record) ([]string, bool) {
	if r.Runs == nil {
		return oracleAttribute(authors, r.Op, r.Author)
	}
	out, ok := oracleAttribute(authors, r.Op, inserted)
	var each []string
	for _, run := range r.Runs {
		for range run.Len {
			each = append(each, run.Author)
		}
	}
	for i := range out {
		if out[i] == inserted {
			if len(each) == 0 {
				return nil, false
			}
			out[i], each = each[0], each[1:]
		}
	}
	return out, ok && len(each) == 0
}

func TestCheckRuns(t *testing.T) {
	long := strings.Repeat("x", MaxRunAuthorLen+1)
	tests := []struct {
		name string
		runs []Run
		n    int
		ok   bool
	}{
		{"none for nothing", []Run{}, 0, true},
		{"one", []Run{{"ann", 3}}, 3, true},
		{"neighbours of one author", []Run{{"ann", 1}, {"ann", 2}}, 3, true},
		{"too few", []Run{{"ann", 2}}, 3, false},
		{"too many", []Run{{"ann", 2}, {"bob", 2}}, 3, false},
		{"empty run", []Run{{"ann", 3}, {"bob", 0}}, 3, false},
		{"negative run", []Run{{"ann", 4}, {"bob", -1}}, 3, false},
		{"no author", []Run{{"", 3}}, 3, false},
		{"author too long", []Run{{long, 3}}, 3, false},
		{"author with a quote", []Run{{`a"b`, 3}}, 3, false},
		{"author with a space", []Run{{"a b", 3}}, 3, false},
		{"author not ASCII", []Run{{"añn", 3}}, 3, false},
	}
	for _, tt := range tests {
		err := CheckRuns(tt.runs, tt.n)
		if (err == nil) != tt.ok {
			t.Errorf("%s: CheckRuns(%v, %d) = %v, want ok %v", tt.name, tt.runs, tt.n, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidOp) {
			t.Errorf("%s: %v does not wrap ErrInvalidOp", tt.name, err)
		}
	}
}

func TestApplyRecordWithRuns(t *testing.T) {
	doc := NewDoc("ab\n")
	a := NewAttribution(Run{"old", 3})
	// Keep "a", delete "b", insert "😀漢é" (é as e and a combining
	// accent: 4 code points), keep "\n", insert "\nz!".
	op := NewOp(Skip(1), Delete(1), Insert("😀漢e\u0301"), Skip(1), Insert("\nz!"))
	rec := Record{Op: op, Author: "import", Runs: []Run{{"ann", 2}, {"bob", 3}, {"ann", 1}, {"cy", 1}}}
	if err := applyRecord(doc, a, rec); err != nil {
		t.Fatal(err)
	}
	want := []Run{{"old", 1}, {"ann", 2}, {"bob", 2}, {"old", 1}, {"bob", 1}, {"ann", 1}, {"cy", 1}}
	if got := a.Runs(); !slices.Equal(got, want) {
		t.Errorf("runs %v, want %v", got, want)
	}
	if doc.String() != "a😀漢e\u0301\n\nz!" {
		t.Errorf("text %q", doc.String())
	}
	oracle, ok := oracleRecord(expand(t, NewAttribution(Run{"old", 3})), rec)
	if !ok || !slices.Equal(oracle, expand(t, a)) {
		t.Errorf("the oracle says %v (%v)", oracle, ok)
	}
	// Runs that do not fit the op change nothing.
	bad := Record{Op: NewOp(Insert("xy")), Runs: []Run{{"ann", 1}}}
	if err := applyRecord(doc, a, bad); err == nil {
		t.Error("runs of 1 character applied to an insert of 2")
	}
	if got := a.Runs(); !slices.Equal(got, want) || doc.String() != "a😀漢e\u0301\n\nz!" {
		t.Errorf("a refused record changed the pad: %v %q", got, doc.String())
	}
}

// TestPropertyReplayWithRunsMatchesOracle replays random records, some
// with runs, against the character-by-character oracle.
func TestPropertyReplayWithRunsMatchesOracle(t *testing.T) {
	rng, fail := testRand(t)
	authors := []string{"ann", "bob", "cy"}
	for range 200 {
		doc := ""
		var recs []Record
		var oracle []string
		for rev := 1; rev <= 30; rev++ {
			op := Normalize(randomLooseOp(rng, doc))
			doc = mustApply(fail, doc, op)
			r := Record{Rev: rev, Op: op, Author: authors[rng.IntN(len(authors))]}
			if n := op.InsertLen(); rng.IntN(2) == 0 {
				r.Runs = []Run{}
				for n > 0 {
					k := 1 + rng.IntN(n)
					r.Runs = append(r.Runs, Run{authors[rng.IntN(len(authors))], k})
					n -= k
				}
			}
			var ok bool
			if oracle, ok = oracleRecord(oracle, r); !ok {
				fail("revision %d does not fit the oracle", rev)
			}
			recs = append(recs, r)
		}
		a, err := ReplayAttribution(nil, recs)
		if err != nil {
			fail("ReplayAttribution: %v", err)
		}
		if got := expand(t, a); !slices.Equal(got, oracle) {
			fail("replay %v, oracle %v", a.Runs(), oracle)
		}
	}
}
