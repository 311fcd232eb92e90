// Package etherpad reads the file that Etherpad's "Export -> Etherpad"
// button gives (an .etherpad file): one pad's records from Etherpad's
// database as a JSON object. It takes from it the pad's final text, its
// authors and who wrote each character, and checks that the file is
// consistent: the attribute text covers the text exactly and refers only
// to attributes of the pool, and replaying every revision's changeset
// gives the text.
//
// The records it reads are "pad:<id>" (the pad: its text with attributes,
// "atext", the attribute pool and the head revision), "pad:<id>:revs:<n>"
// (revision n: its changeset and author) and "globalAuthor:<author id>"
// (an author's name and colour). Other records (chat, plugins) are
// ignored. Etherpad counts lengths in UTF-16 code units; this package
// gives them in code points, as confpad does.
package etherpad

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/confpad/confpad/collab"
)

// Pad is what an .etherpad file holds.
type Pad struct {
	// ID is the pad's id in the Etherpad it came from.
	ID string
	// Text is the pad's final text. Etherpad ends every pad with a newline.
	Text string
	// Head is the number of the last revision (0 for a new pad).
	Head int
	// Authors are the pad's authors, ordered by id: every author the
	// attribute pool, a revision or a globalAuthor record names.
	Authors []Author
	// Attribution says who wrote each character of Text, with Etherpad's
	// author ids; a run with an empty Author is text without an author.
	Attribution []collab.Run
}

// Author is one of a pad's authors.
type Author struct {
	// ID is Etherpad's author id ("a.<random>").
	ID string
	// Name is the author's name; empty if they never gave one.
	Name string
	// Color is the author's colour as the file gives it when it gives a
	// string (Etherpad writes "#rrggbb"; it is not checked here), or empty
	// if the file gives an index into Etherpad's palette or nothing.
	Color string
}

// padRecord is the "pad:<id>" record.
type padRecord struct {
	AText *struct {
		Text    *string `json:"text"`
		Attribs *string `json:"attribs"`
	} `json:"atext"`
	Pool *struct {
		NumToAttrib map[string][2]string `json:"numToAttrib"`
	} `json:"pool"`
	Head *int `json:"head"`
}

// revRecord is a "pad:<id>:revs:<n>" record.
type revRecord struct {
	Changeset *string `json:"changeset"`
	Meta      *struct {
		Author *string `json:"author"`
	} `json:"meta"`
}

// authorRecord is a "globalAuthor:<id>" record.
type authorRecord struct {
	Name    *string         `json:"name"`
	ColorID json.RawMessage `json:"colorId"`
}

// Parse reads an .etherpad file. It fails, saying why, if the file is not
// UTF-8 JSON, holds no pad or more than one, misses a record, or if the
// pad's attributes or changesets do not match its text.
func Parse(data []byte) (*Pad, error) {
	if !utf8.Valid(data) {
		return nil, errors.New("the file is not UTF-8")
	}
	var records map[string]json.RawMessage
	if err := json.Unmarshal(data, &records); err != nil {
		return nil, fmt.Errorf("the file is not a JSON object of records: %w", err)
	}
	id, err := padID(records)
	if err != nil {
		return nil, err
	}
	var rec padRecord
	if err := unmarshal(records, "pad:"+id, &rec); err != nil {
		return nil, err
	}
	if rec.AText == nil || rec.AText.Text == nil || rec.AText.Attribs == nil || rec.Pool == nil || rec.Head == nil {
		return nil, fmt.Errorf("record pad:%s lacks atext.text, atext.attribs, pool or head", id)
	}
	pad := &Pad{ID: id, Text: *rec.AText.Text, Head: *rec.Head}
	if pad.Head < 0 || pad.Head >= len(records) {
		return nil, fmt.Errorf("record pad:%s has head %d, but the file holds %d records", id, pad.Head, len(records))
	}
	authors := map[string]bool{}
	for _, a := range rec.Pool.NumToAttrib {
		if a[0] == "author" && a[1] != "" {
			authors[a[1]] = true
		}
	}
	if pad.Attribution, err = attribution(pad.Text, *rec.AText.Attribs, rec.Pool.NumToAttrib); err != nil {
		return nil, fmt.Errorf("record pad:%s: atext: %w", id, err)
	}
	text := utf16Of("\n") // every Etherpad pad starts as one newline
	for r := 0; r <= pad.Head; r++ {
		key := fmt.Sprintf("pad:%s:revs:%d", id, r)
		var rev revRecord
		if err := unmarshal(records, key, &rev); err != nil {
			return nil, err
		}
		if rev.Changeset == nil || rev.Meta == nil || rev.Meta.Author == nil {
			return nil, fmt.Errorf("record %s lacks changeset or meta.author", key)
		}
		if *rev.Meta.Author != "" {
			authors[*rev.Meta.Author] = true
		}
		if text, err = applyChangeset(text, *rev.Changeset, rec.Pool.NumToAttrib); err != nil {
			return nil, fmt.Errorf("record %s: %w", key, err)
		}
	}
	if got := string(utf16Decode(text)); got != pad.Text {
		return nil, fmt.Errorf("the changesets give a text of %d characters that is not the pad's text (%d characters)",
			utf8.RuneCountInString(got), utf8.RuneCountInString(pad.Text))
	}
	for key := range records {
		if a, ok := strings.CutPrefix(key, "globalAuthor:"); ok && a != "" {
			authors[a] = true
		}
	}
	for _, a := range slices.Sorted(maps.Keys(authors)) {
		author, err := authorOf(records, a)
		if err != nil {
			return nil, err
		}
		pad.Authors = append(pad.Authors, author)
	}
	return pad, nil
}

// padID returns the id of the one pad whose records the file holds.
func padID(records map[string]json.RawMessage) (string, error) {
	var ids []string
	for key := range records {
		parts := strings.Split(key, ":")
		if parts[0] == "pad" && len(parts) >= 2 && !slices.Contains(ids, parts[1]) {
			ids = append(ids, parts[1])
		}
	}
	slices.Sort(ids)
	switch {
	case len(ids) == 0:
		return "", errors.New("the file holds no pad: no pad:<id> record")
	case len(ids) > 1:
		return "", fmt.Errorf("the file holds records of %d pads (%s); an Etherpad export holds one", len(ids), strings.Join(ids, ", "))
	}
	return ids[0], nil
}

// unmarshal decodes the record key into v.
func unmarshal(records map[string]json.RawMessage, key string, v any) error {
	data, ok := records[key]
	if !ok {
		return fmt.Errorf("record %s is missing", key)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("record %s: %w", key, err)
	}
	return nil
}

// authorOf returns author id as its globalAuthor record describes it (just
// the id if there is none).
func authorOf(records map[string]json.RawMessage, id string) (Author, error) {
	author := Author{ID: id}
	key := "globalAuthor:" + id
	if _, ok := records[key]; !ok || string(records[key]) == "null" {
		return author, nil
	}
	var rec authorRecord
	if err := unmarshal(records, key, &rec); err != nil {
		return Author{}, err
	}
	if rec.Name != nil {
		author.Name = *rec.Name
	}
	var color string
	if json.Unmarshal(rec.ColorID, &color) == nil {
		author.Color = color
	}
	return author, nil
}
