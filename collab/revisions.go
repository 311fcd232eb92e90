package collab

import (
	"context"
	"unicode/utf8"
)

// Records returns up to limit of the pad's records after revision from,
// in revision order, and the head. A from after the head is a CodeRevAhead
// error.
func (e *Engine) Records(ctx context.Context, padID string, from, limit int) ([]Record, int, error) {
	p, err := e.acquire(ctx, padID)
	if err != nil {
		return nil, 0, err
	}
	defer e.release(p)
	p.mu.Lock()
	head := p.recent.Head()
	p.mu.Unlock()
	if from > head {
		return nil, head, errorf(CodeRevAhead, "revision %d is after the head %d", from, head)
	}
	to := head
	if limit < head-from {
		to = from + max(limit, 0)
	}
	recs, err := readRecords(ctx, e.cfg.Log, padID, from, to)
	return recs, head, err
}

// Diff returns an op that turns the text from into the text to: it keeps
// their longest common prefix and suffix and replaces what lies between
// (carrying the deleted text, so that the op can be inverted). It counts
// code points; texts that are not UTF-8 are compared byte by byte, each
// invalid byte counting as one code point, as the document does.
func Diff(from, to string) Op {
	pre := 0 // bytes of the common prefix, ending on a code point boundary
	for pre < len(from) && pre < len(to) {
		r, n := utf8.DecodeRuneInString(from[pre:])
		if r2, n2 := utf8.DecodeRuneInString(to[pre:]); r != r2 || n != n2 || from[pre:pre+n] != to[pre:pre+n2] {
			break
		}
		pre += n
	}
	suf := 0 // bytes of the common suffix after the prefix
	for suf < len(from)-pre && suf < len(to)-pre {
		r, n := utf8.DecodeLastRuneInString(from[:len(from)-suf])
		r2, n2 := utf8.DecodeLastRuneInString(to[:len(to)-suf])
		if r != r2 || n != n2 || n > len(from)-pre-suf || n2 > len(to)-pre-suf ||
			from[len(from)-suf-n:len(from)-suf] != to[len(to)-suf-n2:len(to)-suf] {
			break
		}
		suf += n
	}
	return Normalize(NewOp(
		Skip(utf8.RuneCountInString(from[:pre])),
		DeleteText(from[pre:len(from)-suf]),
		Insert(to[pre:len(to)-suf]),
	))
}
