package collab

// History is a pad's most recent records, contiguous and ending at its
// head revision: what a late op is transformed against, and what moves a
// selection made at an older revision to the head, without reading the
// Log. The pad engine keeps one per loaded pad and the server's fan-out
// one per pad it serves, both sized by Config.KeepRecent.
//
// It holds at least the last keep records once it has seen that many, and
// at most 2*keep: Append trims in one copy when it passes 2*keep, so
// trimming costs O(1) per record. The zero value is empty at revision 0
// and keeps DefaultKeepRecent records. A History is not safe for
// concurrent use.
type History struct {
	head int
	recs []Record
	keep int
}

// NewHistory returns an empty history at revision head that keeps at
// least keep records (DefaultKeepRecent if keep <= 0).
func NewHistory(head, keep int) History {
	return History{head: head, keep: keep}
}

// Head returns the revision of the last record, or the revision the
// history was started or reset at.
func (h *History) Head() int { return h.head }

// First returns the revision before the oldest record kept: After(base)
// succeeds for First() <= base <= Head().
func (h *History) First() int { return h.head - len(h.recs) }

// Reset empties the history at revision head.
func (h *History) Reset(head int) {
	h.head, h.recs = head, nil
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
	keep := h.keep
	if keep <= 0 {
		keep = DefaultKeepRecent
	}
	if len(h.recs) > 2*keep {
		h.recs = append([]Record(nil), h.recs[len(h.recs)-keep:]...)
	}
	return n
}

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
