package search

import (
	"context"
	"math"
)

// Hit is a pad that matched a query.
type Hit struct {
	// Pad is the pad's id (its session's id).
	Pad string
	// Score ranks hits: higher is better. Scores compare only within one
	// Search.
	Score float64
	// Snippet is where in the pad the query matched.
	Snippet Snippet
}

// Index is a full-text index of the pads' text, one document per pad.
// Implementations: Memory here, and the SQLite FTS5 index in package
// ftsindex; the suite in searchtest runs on both. Safe for concurrent use.
type Index interface {
	// Update makes text, the pad's text at revision rev, the pad's
	// indexed text. If the pad is indexed at rev already it may do
	// nothing. An empty text removes the pad.
	Update(ctx context.Context, pad string, rev int, text string) error
	// Remove drops the pad from the index; a pad that is not there is no
	// error.
	Remove(ctx context.Context, pad string) error
	// Search returns the pads that match every phrase of q, best first
	// (by BM25), at most limit of them, each with its snippet.
	Search(ctx context.Context, q Query, limit int) ([]Hit, error)
	// Pads lists the indexed pads, in no particular order.
	Pads(ctx context.Context) ([]string, error)
}

// BM25 parameters, as SQLite FTS5's bm25() uses them.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// bm25 is one phrase's contribution to a document's score: tf matches in
// a document of docLen tokens, when df of n documents (of mean length
// avgLen) match.
func bm25(tf, docLen, df, n int, avgLen float64) float64 {
	idf := math.Log((float64(n-df)+0.5)/(float64(df)+0.5) + 1)
	t := float64(tf)
	return idf * t * (bm25K1 + 1) / (t + bm25K1*(1-bm25B+bm25B*float64(docLen)/avgLen))
}
