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
// plus each pad's text for phrases and snippets. Cluster mode runs one per
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
	counts map[string]int // token -> occurrences
	length int            // tokens
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
	d := &memDoc{rev: rev, text: text, folded: fold(text), counts: map[string]int{}}
	eachToken(d.folded, func(sp span) bool {
		d.counts[d.folded[sp.start:sp.end]]++
		d.length++
		return true
	})
	m.mu.Lock()
	defer m.mu.Unlock()
	m.removeLocked(pad)
	m.docs[pad] = d
	m.totalLen += d.length
	for tok, n := range d.counts {
		p := m.postings[tok]
		if p == nil {
			p = map[string]int{}
			m.postings[tok] = p
			m.vocab = nil
		}
		p[pad] = n
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
	m.totalLen -= d.length
	for tok := range d.counts {
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
			next[pad] = prev + bm25(c, m.docs[pad].length, len(tf), n, avg)
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
		hits[i].Snippet = MakeSnippet(m.docs[hits[i].Pad].text, q)
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
		folded := m.docs[pad].folded
		for from := 0; ; {
			_, e, ok := findPhrase(folded, p, from)
			if !ok {
				break
			}
			out[pad]++
			from = e
		}
	}
	return out
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
