package site

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/confpad/confpad/collab"
)

// Authorship says who wrote the text of a notes page: the attribution of
// the revision shown and the names of its authors.
type Authorship struct {
	// Runs is the attribution of the text (collab.Attribution's runs).
	Runs []collab.Run
	// Names maps a public author id to the author's name; an author
	// without one is "an unknown author".
	Names map[string]string
}

// Contributor is one author of a notes page with their share of its text.
type Contributor struct {
	Name string
	// Share is the author's part of the text's characters, in whole
	// percent (at least 1 for anyone with a character).
	Share int
}

// unknownAuthor names an author whose name the server does not know.
const unknownAuthor = "an unknown author"

// name returns the name of author id.
func (a *Authorship) name(id string) string {
	if n := a.Names[id]; n != "" {
		return n
	}
	return unknownAuthor
}

// contributors returns the authors with characters in the text, the
// largest share first.
func (a *Authorship) contributors() []Contributor {
	chars := map[string]int{}
	total := 0
	for _, r := range a.Runs {
		chars[r.Author] += r.Len
		total += r.Len
	}
	ids := make([]string, 0, len(chars))
	for id := range chars {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(x, y string) int { return cmp.Or(cmp.Compare(chars[y], chars[x]), cmp.Compare(x, y)) })
	out := make([]Contributor, len(ids))
	for i, id := range ids {
		out[i] = Contributor{Name: a.name(id), Share: max(1, (100*chars[id]+total/2)/total)}
	}
	return out
}

// blamer returns the blame function of notes.RenderBlamed for text: who
// wrote the bytes [start, end), most first ("Written by Ann and Bob"). A
// nil Authorship, or runs that do not cover text, blame no one.
func (a *Authorship) blamer(text string) func(start, end int) string {
	if a == nil {
		return nil
	}
	// The byte offset where each run starts, and where the last ends.
	starts := make([]int, 0, len(a.Runs)+1)
	off := 0
	for _, r := range a.Runs {
		starts = append(starts, off)
		for k := 0; k < r.Len && off < len(text); k++ {
			_, size := utf8.DecodeRuneInString(text[off:])
			off += size
		}
	}
	if off != len(text) {
		return nil
	}
	starts = append(starts, off)
	return func(start, end int) string {
		bytes := map[string]int{}
		var order []string
		i, _ := slices.BinarySearch(starts, start+1)
		for i = max(i-1, 0); i < len(a.Runs) && starts[i] < end; i++ {
			n := min(end, starts[i+1]) - max(start, starts[i])
			if n <= 0 {
				continue
			}
			id := a.Runs[i].Author
			if bytes[id] == 0 {
				order = append(order, id)
			}
			bytes[id] += n
		}
		if len(order) == 0 {
			return ""
		}
		slices.SortStableFunc(order, func(x, y string) int { return cmp.Compare(bytes[y], bytes[x]) })
		names := make([]string, 0, 3)
		for _, id := range order[:min(len(order), 3)] {
			names = append(names, a.name(id))
		}
		switch {
		case len(order) > 3:
			return "Written by " + strings.Join(names, ", ") + " and others"
		case len(names) > 1:
			return "Written by " + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
		}
		return "Written by " + names[0]
	}
}
