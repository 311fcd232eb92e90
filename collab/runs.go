package collab

import (
	"fmt"
	"unicode/utf8"
)

// MaxRunAuthorLen bounds the length in bytes of the author id of a run of
// a record's Runs.
const MaxRunAuthorLen = 64

// CheckRuns reports whether runs can attribute the inserted characters of
// an op that inserts n code points (see Record.Runs): each run has an
// author id of 1 to MaxRunAuthorLen bytes of printable ASCII and a length
// of at least 1, and the lengths add up to n. Neighbouring runs may have
// the same author.
func CheckRuns(runs []Run, n int) error {
	sum := 0
	for i, r := range runs {
		if r.Len <= 0 || r.Len > MaxCount {
			return fmt.Errorf("%w: run %d has length %d", ErrInvalidOp, i, r.Len)
		}
		if !plainID(r.Author) {
			return fmt.Errorf("%w: run %d has an author id that is not 1 to %d printable ASCII characters", ErrInvalidOp, i, MaxRunAuthorLen)
		}
		if sum += r.Len; sum > n {
			break
		}
	}
	if sum != n {
		return fmt.Errorf("%w: the runs cover %d characters, the op inserts %d", ErrInvalidOp, sum, n)
	}
	return nil
}

// plainID reports whether id is 1 to MaxRunAuthorLen bytes of printable
// ASCII without quotes or backslashes.
func plainID(id string) bool {
	if id == "" || len(id) > MaxRunAuthorLen {
		return false
	}
	for i := range len(id) {
		if c := id[i]; c <= ' ' || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// runsSize is the memory and stored bytes that runs add to a record,
// roughly (see Size).
func runsSize(runs []Run) int {
	n := 0
	for _, r := range runs {
		n += 24 + len(r.Author)
	}
	return n
}

// applyRecord applies r to doc and to a, its attribution: the characters
// r inserts belong to r.Author, or, if r has Runs, to the runs' authors
// in turn. It fails, changing nothing, if r's op does not apply to doc or
// its runs do not fit it.
func applyRecord(doc *Doc, a *Attribution, r Record) error {
	if r.Runs == nil {
		return applyAttributed(doc, a, r.Op, r.Author)
	}
	if err := CheckRuns(r.Runs, r.Op.insertLen()); err != nil {
		return err
	}
	if err := doc.Apply(r.Op); err != nil {
		return err
	}
	return applyRuns(a, r.Op, r.Runs)
}

// attributeRecord changes a as r changes its document, as applyRecord
// does, without a document: it fails, changing nothing, if r's op is
// invalid, spans more characters than a covers, or its runs do not fit
// it.
func attributeRecord(a *Attribution, r Record) error {
	if r.Runs == nil {
		return a.Apply(r.Op, r.Author)
	}
	if err := r.Op.validate(false); err != nil {
		return err
	}
	if err := CheckRuns(r.Runs, r.Op.insertLen()); err != nil {
		return err
	}
	if n := r.Op.baseLen(); n > a.Len() {
		return fmt.Errorf("%w: the op spans %d code points, the attribution covers %d", ErrPastEnd, n, a.Len())
	}
	return applyRuns(a, r.Op, r.Runs)
}

// applyRuns changes a as op changes its document, the characters op
// inserts going to the authors of runs in turn. op is valid and fits a,
// and runs fit op (CheckRuns). It applies op piece by piece through
// Attribution.Apply, one piece per delete and per stretch of an insert
// that one run covers, so it costs O(log runs) per piece.
func applyRuns(a *Attribution, op Op, runs []Run) error {
	pos, run, used := 0, 0, 0
	for _, c := range op.All() {
		switch {
		case c.Skip() > 0:
			pos += c.Skip()
		case c.Delete() > 0:
			if err := a.Apply(at(pos, Delete(c.Delete())), ""); err != nil {
				return err
			}
		default:
			for text := c.Insert(); text != ""; {
				k, end := 0, 0 // the code points and bytes run takes of text
				for k < runs[run].Len-used && end < len(text) {
					_, size := utf8.DecodeRuneInString(text[end:])
					k, end = k+1, end+size
				}
				if err := a.Apply(at(pos, Insert(text[:end])), runs[run].Author); err != nil {
					return err
				}
				pos, used, text = pos+k, used+k, text[end:]
				if used == runs[run].Len {
					run, used = run+1, 0
				}
			}
		}
	}
	return nil
}

// at returns the op that does c at position pos.
func at(pos int, c Component) Op {
	if pos == 0 {
		return NewOp(c)
	}
	return NewOp(Skip(pos), c)
}
