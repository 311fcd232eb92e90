package collab

// History is a pad's most recent records, contiguous and ending at its
// head revision: what a late op is transformed against, and what moves a
// selection made at an older revision to the head, without reading the
// Log. The pad engine keeps one per loaded pad and the server's fan-out
// one per pad it serves, both sized by Config.KeepRecent.
//
// It is bounded by records and by bytes, so that large ops cannot pin
// much memory: it holds the last keep records once it has seen that many,
// or fewer if they take more than keepBytes (Size), and at most 2*keep
// records and 2*keepBytes bytes: Append trims in one copy when it passes
// either, so trimming costs O(1) per record. The zero value is empty at
// revision 0 and keeps DefaultKeepRecent records and DefaultKeepBytes
// bytes. A History is not safe for concurrent use.
type History struct {
	head      int
	recs      []Record
	bytes     int
	keep      int
	keepBytes int
}

// NewHistory returns an empty history at revision head that keeps up to
// keep records (DefaultKeepRecent if keep <= 0) of up to keepBytes bytes
// (DefaultKeepBytes if keepBytes <= 0).
func NewHistory(head, keep, keepBytes int) History {
	return History{head: head, keep: keep, keepBytes: keepBytes}
}

// Size is the memory a record takes in a History, roughly: its op's text
// and parts, its client and author ids, its runs, and a fixed overhead.
func Size(r Record) int {
	return 96 + len(r.Client) + len(r.Author) + len(r.Op.text) + 12*len(r.Op.parts) + runsSize(r.Runs)
}

// Head returns the revision of the last record, or the revision the
// history was started or reset at.
func (h *History) Head() int { return h.head }

// First returns the revision before the oldest record kept: After(base)
// succeeds for First() <= base <= Head().
func (h *History) First() int { return h.head - len(h.recs) }

// Reset empties the history at revision head.
func (h *History) Reset(head int) {
	h.head, h.recs, h.bytes = head, nil, 0
}

// Append adds records that continue the history: the first must have
// revision Head()+1 and each the next. It returns how many it added,
// stopping at the first record that does not follow.
func (h *History) Append(recs ...Record) int {
	n := 0
	for n < len(recs) && recs[n].Rev == h.head+n+1 {
		n++
	}
	h.recs = append(h.recs, recs[:n]...)
	h.head += n
	for _, r := range recs[:n] {
		h.bytes += Size(r)
	}
	keep, keepBytes := h.keep, h.keepBytes
	if keep <= 0 {
		keep = DefaultKeepRecent
	}
	if keepBytes <= 0 {
		keepBytes = DefaultKeepBytes
	}
	if len(h.recs) > 2*keep || h.bytes > 2*keepBytes {
		// Keep the newest records that fit both bounds.
		first, bytes := len(h.recs), 0
		for first > 0 && len(h.recs)-first < keep && bytes+Size(h.recs[first-1]) <= keepBytes {
			first--
			bytes += Size(h.recs[first])
		}
		h.recs, h.bytes = append([]Record(nil), h.recs[first:]...), bytes
	}
	return n
}

// Bytes returns the Size of the records kept.
func (h *History) Bytes() int { return h.bytes }

// After returns the records after revision base up to the head; false if
// base is after the head or older than the records kept. The slice is
// shared: the caller must not change it.
func (h *History) After(base int) ([]Record, bool) {
	first := h.First()
	if base < first || base > h.head {
		return nil, false
	}
	return h.recs[base-first : len(h.recs) : len(h.recs)], true
}

// At returns the record of revision rev, if it is kept.
func (h *History) At(rev int) (Record, bool) {
	first := h.First()
	if rev <= first || rev > h.head {
		return Record{}, false
	}
	return h.recs[rev-first-1], true
}

// MoveSelection moves a selection made at revision rev to the head
// through the records after rev (TransformSelection); false, with sel
// unchanged, if rev is after the head or older than the records kept.
func (h *History) MoveSelection(sel [2]int, rev int) ([2]int, bool) {
	recs, ok := h.After(rev)
	if !ok {
		return sel, false
	}
	for _, r := range recs {
		sel = TransformSelection(sel, r.Op)
	}
	return sel, true
}
