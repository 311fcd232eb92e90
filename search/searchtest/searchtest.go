// Package searchtest is the conformance suite of search.Index: the
// in-memory index and the SQLite FTS5 index run the same tests, so search
// behaves alike in embedded and cluster mode.
package searchtest

import (
	"slices"
	"testing"

	"github.com/confpad/confpad/search"
)

// TestIndex runs the suite; newIndex returns an empty index for each
// subtest.
func TestIndex(t *testing.T, newIndex func(t *testing.T) search.Index) {
	tests := []struct {
		name string
		run  func(t *testing.T, ix search.Index)
	}{
		{"Matching", testMatching},
		{"Ranking", testRanking},
		{"UpdateReplaces", testUpdateReplaces},
		{"RemoveAndEmpty", testRemove},
		{"Snippet", testSnippet},
		{"Limit", testLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, newIndex(t)) })
	}
}

// update indexes text as pad's at rev and fails t on error.
func update(t *testing.T, ix search.Index, pad string, rev int, text string) {
	t.Helper()
	if err := ix.Update(t.Context(), pad, rev, text); err != nil {
		t.Fatalf("Update(%q, %d): %v", pad, rev, err)
	}
}

// pads searches for q and returns the hits' pads in order.
func pads(t *testing.T, ix search.Index, q string, limit int) []string {
	t.Helper()
	query, err := search.ParseQuery(q)
	if err != nil {
		t.Fatalf("ParseQuery(%q): %v", q, err)
	}
	hits, err := ix.Search(t.Context(), query, limit)
	if err != nil {
		t.Fatalf("Search(%q): %v", q, err)
	}
	out := []string{}
	for _, h := range hits {
		out = append(out, h.Pad)
	}
	return out
}

func testMatching(t *testing.T, ix search.Index) {
	update(t, ix, "tracing", 3, "# Tracing\nftrace and perf, sched_setattr()\nEBPF programs\nVec<T> and <pid>")
	update(t, ix, "audio", 1, "PipeWire replaces PulseAudio.\nftrace is not here")
	update(t, ix, "cjk", 1, "Grüße aus München: ÜBER alles\n日本語 テキスト")
	tests := []struct {
		q    string
		want []string
	}{
		{"ftrace", []string{"audio", "tracing"}}, // sorted below: both match
		{"FTRACE perf", []string{"tracing"}},
		{"ebpf", []string{"tracing"}},
		{"sched_setattr", []string{"tracing"}},
		{`"sched setattr"`, []string{"tracing"}},
		{`"setattr sched"`, []string{}},
		{"pipe*", []string{"audio"}},
		{"pipe", []string{}},
		{"pid", []string{"tracing"}},
		{"<pid>", []string{"tracing"}},
		{"vec t", []string{"tracing"}},
		{"über", []string{"cjk"}},
		{"münchen", []string{"cjk"}},
		{"nothing-like-this", []string{}},
		{"tracing ftrace pipewire", []string{}},
		{`AND OR NOT NEAR`, []string{}},
		{`perf"`, []string{"tracing"}},
	}
	for _, tt := range tests {
		got := pads(t, ix, tt.q, 10)
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("search %q = %v, want %v", tt.q, got, tt.want)
		}
	}
}

func testRanking(t *testing.T, ix search.Index) {
	update(t, ix, "once", 1, "kernel scheduler notes, long notes about many other things entirely")
	update(t, ix, "often", 1, "scheduler scheduler scheduler")
	update(t, ix, "none", 1, "nothing relevant")
	if got := pads(t, ix, "scheduler", 10); !slices.Equal(got, []string{"often", "once"}) {
		t.Errorf("ranking = %v, want [often once]", got)
	}
}

func testUpdateReplaces(t *testing.T, ix search.Index) {
	update(t, ix, "pad", 1, "old words")
	update(t, ix, "pad", 2, "new words")
	if got := pads(t, ix, "old", 10); len(got) != 0 {
		t.Errorf("old text still found: %v", got)
	}
	if got := pads(t, ix, "new", 10); !slices.Equal(got, []string{"pad"}) {
		t.Errorf("new text found in %v, want [pad]", got)
	}
}

func testRemove(t *testing.T, ix search.Index) {
	update(t, ix, "gone", 1, "farewell")
	update(t, ix, "emptied", 1, "farewell too")
	if err := ix.Remove(t.Context(), "gone"); err != nil {
		t.Fatal(err)
	}
	if err := ix.Remove(t.Context(), "never-there"); err != nil {
		t.Errorf("Remove of an unknown pad: %v", err)
	}
	update(t, ix, "emptied", 2, "")
	if got := pads(t, ix, "farewell", 10); len(got) != 0 {
		t.Errorf("removed pads found: %v", got)
	}
	listed, err := ix.Pads(t.Context())
	if err != nil || len(listed) != 0 {
		t.Errorf("Pads = %v, %v; want none", listed, err)
	}
}

func testSnippet(t *testing.T, ix search.Index) {
	update(t, ix, "pad", 1, "first line\nsecond <b>line</b>\nthird: the Token here, and token again\n")
	query, _ := search.ParseQuery("token")
	hits, err := ix.Search(t.Context(), query, 10)
	if err != nil || len(hits) != 1 {
		t.Fatalf("Search = %v, %v; want one hit", hits, err)
	}
	want := search.Snippet{Line: 3, Text: "third: the Token here, and token again",
		Highlights: []search.Range{{Start: 11, End: 16}, {Start: 27, End: 32}}}
	if got := hits[0].Snippet; got.Line != want.Line || got.Text != want.Text || !slices.Equal(got.Highlights, want.Highlights) {
		t.Errorf("snippet = %+v, want %+v", got, want)
	}
}

func testLimit(t *testing.T, ix search.Index) {
	for _, p := range []string{"a", "b", "c"} {
		update(t, ix, p, 1, "common word")
	}
	if got := pads(t, ix, "common", 2); len(got) != 2 {
		t.Errorf("limit 2 gave %v", got)
	}
}
