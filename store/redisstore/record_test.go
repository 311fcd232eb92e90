package redisstore

import (
	"testing"
	"time"

	"github.com/confpad/confpad/collab"
)

// TestRecordEncoding checks that a record keeps its author through the
// stored form, and that a record stored before authors were kept reads
// back with its client as author.
func TestRecordEncoding(t *testing.T) {
	rec := collab.Record{Rev: 3, Op: collab.NewOp(collab.Skip(1), collab.Insert("é")), Client: "c1", Author: "ann", Seq: 9, Time: time.UnixMilli(1700000000123).UTC()}
	data, err := encodeRecord(rec)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, data, author string
	}{
		{"with author", data, "ann"},
		{"stored before authors", `{"rev":3,"op":[1,"é"],"client":"c1","seq":9,"time":"2023-11-14T22:13:20.123Z"}`, "c1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeRecord(tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if got.Author != tt.author || got.Client != "c1" || got.Seq != 9 || got.Rev != 3 || !got.Op.Equal(rec.Op) || !got.Time.Equal(rec.Time) {
				t.Errorf("decoded %+v, want %+v with author %q", got, rec, tt.author)
			}
		})
	}
}

// TestDecodeRevOp checks that the revision and op read from the start of
// a stored record are those of the whole record, for records as
// encodeRecord writes them (strings with brackets, quotes and escapes
// inside, a delete) and of other shapes, which are decoded in full, and
// that a broken record is an error.
func TestDecodeRevOp(t *testing.T) {
	written := func(op collab.Op) string {
		data, err := encodeRecord(collab.Record{Rev: 12, Op: op, Client: "c", Author: "a", Seq: 3, Time: time.UnixMilli(5)})
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	for _, tc := range []struct {
		name, data string
		ok         bool
	}{
		{"an insert", written(collab.NewOp(collab.Skip(4), collab.Insert("é"))), true},
		{"brackets, quotes and escapes", written(collab.NewOp(collab.Insert(`]}"\\[{\"`), collab.Skip(2), collab.Insert("\n\"],"))), true},
		{"a delete", written(collab.NewOp(collab.Skip(1), collab.Delete(3))), true},
		{"another field order", `{"op":[1,"x"],"rev":12,"time":"1970-01-01T00:00:00.005Z"}`, true},
		{"spaces", `{"rev": 12, "op": [1, "x"], "time":"1970-01-01T00:00:00.005Z"}`, true},
		{"an invalid op", `{"rev":12,"op":[1,2],"time":"1970-01-01T00:00:00.005Z"}`, false},
		{"cut short", `{"rev":12,"op":["x"`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeRevOp(tc.data)
			if !tc.ok {
				if err == nil {
					t.Fatalf("decodeRevOp accepted %s", tc.data)
				}
				return
			}
			want, err2 := decodeRecord(tc.data)
			if err != nil || err2 != nil || got.Rev != want.Rev || !got.Op.Equal(want.Op) {
				t.Errorf("decodeRevOp(%s) = %d %v, %v; want %d %v, %v", tc.data, got.Rev, got.Op, err, want.Rev, want.Op, err2)
			}
		})
	}
}

// FuzzDecodeRevOp checks that decodeRevOp never panics and, on any record
// decodeRecord reads, gives the same revision and op.
func FuzzDecodeRevOp(f *testing.F) {
	f.Add(`{"rev":3,"op":[1,"é"],"client":"c1","seq":9,"time":"2023-11-14T22:13:20.123Z"}`)
	f.Add(`{"rev":3,"op":["a\\\"]",{"d":2}],"time":"2023-11-14T22:13:20.123Z"}`)
	f.Add(`{"rev":3,"op":[`)
	f.Fuzz(func(t *testing.T, data string) {
		got, err := decodeRevOp(data)
		want, err2 := decodeRecord(data)
		if err2 == nil && (err != nil || got.Rev != want.Rev || !got.Op.Equal(want.Op)) {
			t.Errorf("decodeRevOp(%q) = %d %v, %v; decodeRecord: %d %v", data, got.Rev, got.Op, err, want.Rev, want.Op)
		}
	})
}
