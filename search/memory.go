package search

import (
	"cmp"
	"context"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Compile-time check that Memory is an Index.
var _ Index = (*Memory)(nil)

// Memory is an Index in memory: an inverted index from tokens to pads,
// and for each pad its token sequence with each token's positions (for
// phrases) and its text (for snippets). Cluster mode runs one per
// replica (see the package comment). The zero value is not usable; call
// NewMemory.
type Memory struct {
	mu       sync.Mutex
	docs     map[string]*memDoc
	postings map[string]map[string]int // token -> pad -> occurrences
	totalLen int                       // tokens in all docs
	vocab    []string                  // sorted tokens, for prefixes; nil when stale
}

// memDoc is one indexed pad.
type memDoc struct {
	rev    int
	text   string
	folded string
	seq    []string           // the folded tokens in order (parts of folded)
	pos    map[string][]int32 // token -> its indexes in seq
}

// NewMemory returns an empty Memory index.
func NewMemory() *Memory {
	return &Memory{docs: map[string]*memDoc{}, postings: map[string]map[string]int{}}
}

// Update implements Index. The text is tokenized before the index is
// locked, so searches wait only for the swap.
func (m *Memory) Update(ctx context.Context, pad string, rev int, text string) error {
	if text == "" {
		return m.Remove(ctx, pad)
	}
	m.mu.Lock()
	old := m.docs[pad]
	m.mu.Unlock()
	if old != nil && old.rev == rev {
		return nil
	}
	d := &memDoc{rev: rev, text: text, folded: Fold(text), pos: map[string][]int32{}}
	eachToken(d.folded, func(sp span) bool {
		tok := d.folded[sp.start:sp.end]
		d.pos[tok] = append(d.pos[tok], int32(len(d.seq)))
		d.seq = append(d.seq, tok)
		return true
	})
	m.mu.Lock()
	defer m.mu.Unlock()
	m.removeLocked(pad)
	m.docs[pad] = d
	m.totalLen += len(d.seq)
	for tok, at := range d.pos {
		p := m.postings[tok]
		if p == nil {
			p = map[string]int{}
			m.postings[tok] = p
			m.vocab = nil
		}
		p[pad] = len(at)
	}
	return nil
}

// Remove implements Index.
func (m *Memory) Remove(_ context.Context, pad string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.removeLocked(pad)
	return nil
}

func (m *Memory) removeLocked(pad string) {
	d := m.docs[pad]
	if d == nil {
		return
	}
	delete(m.docs, pad)
	m.totalLen -= len(d.seq)
	for tok := range d.pos {
		p := m.postings[tok]
		delete(p, pad)
		if len(p) == 0 {
			delete(m.postings, tok)
			m.vocab = nil
		}
	}
}

// Pads implements Index.
func (m *Memory) Pads(context.Context) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	pads := make([]string, 0, len(m.docs))
	for pad := range m.docs {
		pads = append(pads, pad)
	}
	return pads, nil
}

// Search implements Index.
func (m *Memory) Search(_ context.Context, q Query, limit int) ([]Hit, error) {
	if len(q.Phrases) == 0 || limit <= 0 {
		return []Hit{}, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n := len(m.docs)
	if n == 0 {
		return []Hit{}, nil
	}
	avg := float64(m.totalLen) / float64(n)
	var scores map[string]float64
	for _, p := range q.Phrases {
		tf := m.phraseCounts(p)
		next := make(map[string]float64, len(tf))
		for pad, c := range tf {
			prev, ok := scores[pad]
			if scores != nil && !ok {
				continue // missed an earlier phrase
			}
			next[pad] = prev + bm25(c, len(m.docs[pad].seq), len(tf), n, avg)
		}
		scores = next
		if len(scores) == 0 {
			return []Hit{}, nil
		}
	}
	hits := make([]Hit, 0, len(scores))
	for pad, s := range scores {
		hits = append(hits, Hit{Pad: pad, Score: s})
	}
	slices.SortFunc(hits, func(a, b Hit) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return strings.Compare(a.Pad, b.Pad)
	})
	hits = hits[:min(limit, len(hits))]
	for i := range hits {
		d := m.docs[hits[i].Pad]
		hits[i].Snippet = MakeSnippet(d.text, d.folded, q)
	}
	return hits, nil
}

// phraseCounts returns, for every pad that holds p, how often it does.
func (m *Memory) phraseCounts(p Phrase) map[string]int {
	if len(p.Tokens) == 1 {
		return m.tokenCounts(p.Tokens[0], p.Prefix)
	}
	// Candidates hold every token; the text says whether in order.
	cands := m.tokenCounts(p.Tokens[len(p.Tokens)-1], p.Prefix)
	for _, tok := range p.Tokens[:len(p.Tokens)-1] {
		for pad := range cands {
			if m.postings[tok][pad] == 0 {
				delete(cands, pad)
			}
		}
	}
	out := map[string]int{}
	for pad := range cands {
		if c := m.docs[pad].phraseCount(p); c > 0 {
			out[pad] = c
		}
	}
	return out
}

// phraseCount counts the matches of a phrase of several tokens: around
// each position of its rarest whole token, the others must follow in
// order.
func (d *memDoc) phraseCount(p Phrase) int {
	last := len(p.Tokens) - 1
	anchor := -1
	for k, tok := range p.Tokens {
		if (k < last || !p.Prefix) && (anchor < 0 || len(d.pos[tok]) < len(d.pos[p.Tokens[anchor]])) {
			anchor = k
		}
	}
	n := 0
	for _, at := range d.pos[p.Tokens[anchor]] {
		start := int(at) - anchor
		if start < 0 || start+last >= len(d.seq) {
			continue
		}
		match := true
		for k, tok := range p.Tokens {
			got := d.seq[start+k]
			if got != tok && !(k == last && p.Prefix && strings.HasPrefix(got, tok)) {
				match = false
				break
			}
		}
		if match {
			n++
		}
	}
	return n
}

// tokenCounts returns the occurrences of tok (or, with prefix, of every
// token it starts) per pad, in a map the caller may change.
func (m *Memory) tokenCounts(tok string, prefix bool) map[string]int {
	out := map[string]int{}
	if !prefix {
		for pad, c := range m.postings[tok] {
			out[pad] = c
		}
		return out
	}
	if m.vocab == nil {
		m.vocab = make([]string, 0, len(m.postings))
		for t := range m.postings {
			m.vocab = append(m.vocab, t)
		}
		sort.Strings(m.vocab)
	}
	for i := sort.SearchStrings(m.vocab, tok); i < len(m.vocab) && strings.HasPrefix(m.vocab[i], tok); i++ {
		for pad, c := range m.postings[m.vocab[i]] {
			out[pad] += c
		}
	}
	return out
}
