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
