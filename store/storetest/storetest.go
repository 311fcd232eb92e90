// Package storetest holds the conformance suites that every confpad store
// must pass: TestLog for collab.Log, TestRevisionReader for
// collab.RevisionReader, TestFeed for collab.Feed and TestCatalog for
// conference.Catalog; and BenchmarkOldRevision, issue 11's reads of old
// revisions, for every store. The embedded SQLite store, the Redis
// store and the in-memory store (memstore) run the same suites, so the pad
// engine and the HTTP layer can rely on one behaviour whichever store is
// configured.
//
// Every subtest uses ids of its own (the test's name plus a random suffix),
// so an implementation may back all subtests, and repeated runs, with one
// shared database or Redis.
package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/confpad/confpad/collab"
)

// uniqueID returns an id that no other test or run uses: the test's name,
// tag, and a random suffix.
func uniqueID(t *testing.T, tag string) string {
	t.Helper()
	name := strings.NewReplacer("/", ".", " ", "_").Replace(t.Name())
	return name + "." + tag + "." + uuid.NewString()[:8]
}

// baseTime is a commit time with sub-millisecond digits and a zone other
// than UTC, so that a store which drops milliseconds or mangles zones is
// caught.
var baseTime = time.Date(2011, time.September, 7, 10, 30, 0, 123_456_789, time.FixedZone("EDT", -4*60*60))

// sameTime reports whether two commit times agree to the millisecond, the
// precision every store keeps.
func sameTime(a, b time.Time) bool {
	return a.Truncate(time.Millisecond).Equal(b.Truncate(time.Millisecond))
}

// inserts returns n records that would follow head: record i inserts the
// letter for i at the start of the document, authored by client with seqs
// counting up from 1.
func inserts(head, n int, client string) []collab.Record {
	recs := make([]collab.Record, n)
	for i := range recs {
		rev := head + i + 1
		recs[i] = collab.Record{
			Rev:    rev,
			Op:     collab.NewOp(collab.Insert(string(rune('a' + rev%26)))),
			Client: client,
			Author: "author of " + client,
			Seq:    i + 1,
			Time:   baseTime.Add(time.Duration(rev) * time.Second),
		}
	}
	return recs
}

// checkRecords fails t unless got equals want record by record: revision,
// op, client, seq, and time to the millisecond.
func checkRecords(t *testing.T, what string, got, want []collab.Record) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d records %v, want %d %v", what, len(got), revs(got), len(want), revs(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		wantAuthor := w.Author
		if wantAuthor == "" {
			wantAuthor = w.Client // see collab.Record.Author
		}
		if g.Rev != w.Rev || g.Client != w.Client || g.Seq != w.Seq || g.Author != wantAuthor {
			t.Errorf("%s: record %d is rev %d client %q author %q seq %d, want rev %d client %q author %q seq %d",
				what, i, g.Rev, g.Client, g.Author, g.Seq, w.Rev, w.Client, wantAuthor, w.Seq)
		}
		if (g.Runs == nil) != (w.Runs == nil) || !slices.Equal(g.Runs, w.Runs) {
			t.Errorf("%s: record %d (rev %d) runs = %v, want %v", what, i, w.Rev, g.Runs, w.Runs)
		}
		if !g.Op.Equal(w.Op) {
			t.Errorf("%s: record %d (rev %d) op = %#v, want %#v", what, i, w.Rev, g.Op, w.Op)
		}
		if !sameTime(g.Time, w.Time) {
			t.Errorf("%s: record %d (rev %d) time = %v, want %v", what, i, w.Rev, g.Time, w.Time)
		}
	}
}

// revs lists the revisions of recs, for failure messages.
func revs(recs []collab.Record) []int {
	out := make([]int, len(recs))
	for i, r := range recs {
		out[i] = r.Rev
	}
	return out
}
