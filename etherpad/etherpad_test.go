package etherpad

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/confpad/confpad/collab"
)

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParse(t *testing.T) {
	tests := []struct {
		file string
		want Pad
	}{
		{"meeting.etherpad", Pad{
			ID: "meeting", Text: "Hi 😀\nß ok\n", Head: 1,
			Authors:     []Author{{ID: "a.alice", Name: "Alice", Color: "#FF8800"}, {ID: "a.bob"}},
			Attribution: []collab.Run{{Author: "a.alice", Len: 5}, {Author: "a.bob", Len: 4}, {Author: "", Len: 1}},
		}},
		{"no-newline.etherpad", Pad{
			ID: "no-newline", Text: "abc", Head: 1,
			Authors:     []Author{{ID: "a.carol", Name: "Carol 🎤", Color: "#00aa00"}},
			Attribution: []collab.Run{{Author: "a.carol", Len: 3}},
		}},
		{"keynote.etherpad", Pad{
			ID: "keynote", Text: "# Keynote 🎤\n漢字とかな、日本語\ncafé e\u0301 👩\u200d👩\u200d👧 ok\nnotes end", Head: 4,
			Authors: []Author{{ID: "a.alice7Qx", Name: "Alice Ö", Color: "#FF8800"}, {ID: "a.bob9Lm", Name: "Bob 漢"},
				{ID: "a.carolZZ"}, {ID: "a.dave42", Color: "#1a2b3c"}},
			Attribution: []collab.Run{{Author: "a.alice7Qx", Len: 12}, {Author: "a.bob9Lm", Len: 10},
				{Author: "a.carolZZ", Len: 17}, {Author: "a.dave42", Len: 6}, {Author: "", Len: 3}},
		}},
		{"pool-base36.etherpad", Pad{
			ID: "legacy", Text: "x\n", Head: 0,
			Authors:     []Author{{ID: "a.zed"}},
			Attribution: []collab.Run{{Author: "a.zed", Len: 1}, {Author: "", Len: 1}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := Parse(readFile(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("Parse = %+v\nwant    %+v", *got, tt.want)
			}
		})
	}
}

func TestParseRefusesBadFiles(t *testing.T) {
	good := string(readFile(t, "meeting.etherpad"))
	tests := []struct {
		name, data, reason string
	}{
		{"not UTF-8", "{\"pad:x\": \"\xff\"}", "not UTF-8"},
		{"not JSON", `{"pad:x": `, "not a JSON object"},
		{"a JSON array", `[1, 2]`, "not a JSON object"},
		{"no pad", `{"globalAuthor:a.x": {"name": "X"}}`, "holds no pad"},
		{"two pads", strings.Replace(good, `"pad:meeting:chat:0"`, `"pad:other:chat:0"`, 1), "records of 2 pads"},
		{"no atext", `{"pad:p": {"pool": {"numToAttrib": {}}, "head": 0}}`, "lacks atext"},
		{"missing revision", strings.Replace(good, `"pad:meeting:revs:1"`, `"pad:meeting:revs:7"`, 1), "pad:meeting:revs:1 is missing"},
		{"head beyond the file", strings.Replace(good, `"head": 1`, `"head": 99999999`, 1), "head 99999999"},
		{"attribute not in the pool", strings.Replace(good, `"*0|1+6*1+4|1+1"`, `"*0|1+6*5+4|1+1"`, 1), "*5 is not in the pool"},
		{"attributes too short", strings.Replace(good, `"*0|1+6*1+4|1+1"`, `"*0|1+6*1+4"`, 1), "but its last 1 characters"},
		{"attributes too long", strings.Replace(good, `"*0|1+6*1+4|1+1"`, `"*0|1+6*1+4|1+2"`, 1), "where 1 are left"},
		{"attribute newlines wrong", strings.Replace(good, `"*0|1+6*1+4|1+1"`, `"*0+6*1+4|1+1"`, 1), "says it holds 0 newlines, it holds 1"},
		{"attributes split an emoji", strings.Replace(good, `"*0|1+6*1+4|1+1"`, `"*0+4*0|1+2*1+4|1+1"`, 1), "inside a surrogate pair"},
		{"changeset does not give the text", strings.Replace(good, `ß ok"`, `ß OK"`, 1), "not the pad's text"},
		{"changeset for another length", strings.Replace(good, `"Z:7>4|1=6*1+4$ß ok"`, `"Z:8>4|1=6*1+4$ß ok"`, 1), "applies to 8 characters"},
		{"changeset claims a wrong length", strings.Replace(good, `"Z:7>4|1=6*1+4$ß ok"`, `"Z:7>5|1=6*1+4$ß ok"`, 1), "says it gives 12"},
		{"changeset with characters left over", strings.Replace(good, `"Z:7>4|1=6*1+4$ß ok"`, `"Z:7>4|1=6*1+4$ß ok!"`, 1), "left over"},
		{"changeset with a bad op", strings.Replace(good, `"Z:7>4|1=6*1+4$ß ok"`, `"Z:7>4|1=6*1?4$ß ok"`, 1), "invalid operation"},
		{"not a changeset", strings.Replace(good, `"Z:7>4|1=6*1+4$ß ok"`, `"hello"`, 1), "not a changeset"},
		{"a huge number", strings.Replace(good, `"Z:7>4|1=6*1+4$ß ok"`, `"Z:7>4|1=zzzzzzzzzzzz*1+4$ß ok"`, 1), "bad number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pad, err := Parse([]byte(tt.data))
			if err == nil {
				t.Fatalf("Parse accepted it: %+v", pad)
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("error %q does not say %q", err, tt.reason)
			}
		})
	}
}

// FuzzParse: Parse never panics, and whatever it accepts is consistent:
// the attribution covers the text exactly.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"meeting.etherpad", "no-newline.etherpad", "pool-base36.etherpad", "keynote.etherpad"} {
		f.Add(readFile(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pad, err := Parse(data)
		if err != nil {
			return
		}
		n := 0
		for _, r := range pad.Attribution {
			if r.Len <= 0 {
				t.Fatalf("empty run in %v", pad.Attribution)
			}
			n += r.Len
		}
		if want := len([]rune(pad.Text)); n != want {
			t.Fatalf("attribution covers %d characters, the text has %d", n, want)
		}
	})
}
