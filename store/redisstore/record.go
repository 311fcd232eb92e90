package redisstore

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/confpad/confpad/collab"
)

// storedRecord is a collab.Record as stored in a pad's log and published on
// its channel: JSON whose op is the ot-text-unicode wire form.
type storedRecord struct {
	Rev    int       `json:"rev"`
	Op     collab.Op `json:"op"`
	Client string    `json:"client,omitempty"`
	Seq    int       `json:"seq,omitempty"`
	Time   time.Time `json:"time"`
	// Author is absent in records stored before authors were kept; such a
	// record's author is its client.
	Author string `json:"author,omitempty"`
	// Runs is absent in a record without runs (collab.Record.Runs).
	Runs []collab.Run `json:"runs,omitempty"`
}

// record returns the collab.Record r stores.
func (r storedRecord) record() collab.Record {
	author := r.Author
	if author == "" {
		author = r.Client
	}
	return collab.Record{Rev: r.Rev, Op: r.Op, Client: r.Client, Seq: r.Seq, Author: author, Runs: r.Runs, Time: r.Time}
}

// encodeRecord returns the stored JSON of rec.
func encodeRecord(rec collab.Record) (string, error) {
	b, err := json.Marshal(storedRecord{Rev: rec.Rev, Op: rec.Op, Client: rec.Client, Seq: rec.Seq, Time: rec.Time, Author: rec.Author, Runs: rec.Runs})
	if err != nil {
		return "", fmt.Errorf("encode record %d: %w", rec.Rev, err)
	}
	return string(b), nil
}

// decodeRecord parses one stored record.
func decodeRecord(data string) (collab.Record, error) {
	var r storedRecord
	if err := json.Unmarshal([]byte(data), &r); err != nil {
		return collab.Record{}, fmt.Errorf("decode record: %w", err)
	}
	return r.record(), nil
}

// decodeRevOp parses the revision and op of one stored record, all that a
// text needs, without decoding the rest (about a tenth of the time):
// encodeRecord writes {"rev":N,"op":[...], first, and the op is read to
// the end of its JSON array. A record of another shape is decoded in
// full.
func decodeRevOp(data string) (collab.Record, error) {
	if rec, ok := leadingRevOp(data); ok {
		return rec, nil
	}
	rec, err := decodeRecord(data)
	return collab.Record{Rev: rec.Rev, Op: rec.Op}, err
}

// leadingRevOp reads the {"rev":N,"op":[...] that data starts with, if it
// does, and the op is valid.
func leadingRevOp(data string) (collab.Record, bool) {
	rest, ok := strings.CutPrefix(data, `{"rev":`)
	if !ok {
		return collab.Record{}, false
	}
	num, rest, ok := strings.Cut(rest, `,"op":`)
	rev, err := strconv.Atoi(num)
	n := jsonArrayLen(rest)
	if !ok || err != nil || n == 0 {
		return collab.Record{}, false
	}
	op, err := collab.ParseOp([]byte(rest[:n]))
	return collab.Record{Rev: rev, Op: op}, err == nil
}

// jsonArrayLen returns the length of the JSON array that s starts with
// (its brackets matched outside strings), or 0 if s does not start with
// one that ends.
func jsonArrayLen(s string) int {
	if !strings.HasPrefix(s, "[") {
		return 0
	}
	depth, inString := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case inString && c == '\\':
			i++ // the escaped character
		case c == '"':
			inString = !inString
		case inString:
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			if depth--; depth == 0 {
				return i + 1
			}
		}
	}
	return 0
}

// decodeBatch parses a published batch: a JSON array of stored records.
func decodeBatch(data string) ([]collab.Record, error) {
	var rs []storedRecord
	if err := json.Unmarshal([]byte(data), &rs); err != nil {
		return nil, fmt.Errorf("decode published batch: %w", err)
	}
	recs := make([]collab.Record, len(rs))
	for i, r := range rs {
		recs[i] = r.record()
	}
	return recs, nil
}

// decodeRecords parses stored records and checks that they are numbered
// first, first+1, ...: a log whose elements disagree with their position is
// corrupt, and saying so beats serving a wrong history.
func decodeRecords(pad string, first int, data []string) ([]collab.Record, error) {
	recs := make([]collab.Record, len(data))
	for i, d := range data {
		r, err := decodeRecord(d)
		if err != nil {
			return nil, fmt.Errorf("redisstore: pad %q revision %d: %w", pad, first+i, err)
		}
		if r.Rev != first+i {
			return nil, fmt.Errorf("redisstore: pad %q: log element %d holds revision %d", pad, first+i, r.Rev)
		}
		recs[i] = r
	}
	return recs, nil
}
