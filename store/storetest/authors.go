package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/confpad/confpad/authors"
)

// TestAuthors runs the authors.Table conformance suite. newTable is called
// once per subtest, like TestLog's newLog.
func TestAuthors(t *testing.T, newTable func(t *testing.T) authors.Table) {
	tests := []struct {
		name string
		run  func(t *testing.T, tab authors.Table)
	}{
		{"Empty", testAuthorsEmpty},
		{"Merge", testAuthorsMerge},
		{"PadsIndependent", testAuthorsPadsIndependent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(t, newTable(t))
		})
	}
}

// checkAuthors fails t unless the pad's authors are want.
func checkAuthors(t *testing.T, tab authors.Table, pad string, want []authors.Author) {
	t.Helper()
	got, err := tab.Authors(t.Context(), pad)
	if err != nil {
		t.Fatalf("Authors(%q): %v", pad, err)
	}
	same := func(a, b authors.Author) bool {
		return a.ID == b.ID && a.Name == b.Name && a.Color == b.Color && a.Ops == b.Ops && a.First.Equal(b.First) && a.Last.Equal(b.Last)
	}
	if !slices.EqualFunc(got, want, same) {
		t.Fatalf("Authors(%q) = %+v, want %+v", pad, got, want)
	}
}

func mustNote(t *testing.T, tab authors.Table, pad string, as ...authors.Author) {
	t.Helper()
	if err := tab.NoteAuthors(t.Context(), pad, as); err != nil {
		t.Fatalf("NoteAuthors(%q): %v", pad, err)
	}
}

func testAuthorsEmpty(t *testing.T, tab authors.Table) {
	checkAuthors(t, tab, uniqueID(t, "pad"), nil)
	mustNote(t, tab, uniqueID(t, "pad"))
}

func testAuthorsMerge(t *testing.T, tab authors.Table) {
	pad := uniqueID(t, "pad")
	t1 := time.Date(2026, 12, 6, 10, 0, 0, 123e6, time.UTC)
	t2 := t1.Add(90 * time.Minute)
	mustNote(t, tab, pad, authors.Author{ID: "zed", Name: "Zoë 😀", Color: "#3366ff"}, authors.Author{ID: "amy", Name: "Amy"})
	mustNote(t, tab, pad, authors.Author{ID: "zed", First: t2, Last: t2, Ops: 2})
	mustNote(t, tab, pad, authors.Author{ID: "zed", First: t1, Last: t1, Ops: 1}, authors.Author{ID: "amy", Color: "#e6550d"})
	mustNote(t, tab, pad, authors.Author{ID: "zed", Name: "Zoë L."})
	checkAuthors(t, tab, pad, []authors.Author{
		{ID: "amy", Name: "Amy", Color: "#e6550d"},
		{ID: "zed", Name: "Zoë L.", Color: "#3366ff", First: t1, Last: t2, Ops: 3},
	})
}

func testAuthorsPadsIndependent(t *testing.T, tab authors.Table) {
	a, b := uniqueID(t, "pad"), uniqueID(t, "pad")
	mustNote(t, tab, a, authors.Author{ID: "x", Name: "In a", Ops: 1})
	mustNote(t, tab, b, authors.Author{ID: "x", Name: "In b", Ops: 5})
	checkAuthors(t, tab, a, []authors.Author{{ID: "x", Name: "In a", Ops: 1}})
	checkAuthors(t, tab, b, []authors.Author{{ID: "x", Name: "In b", Ops: 5}})
}
