package collab

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// mustParse parses the wire JSON of an op or fails the test.
func mustParse(t testing.TB, s string) Op {
	t.Helper()
	op, err := ParseOp([]byte(s))
	if err != nil {
		t.Fatalf("ParseOp(%s): %v", s, err)
	}
	return op
}

func TestParseOpAccepts(t *testing.T) {
	tests := []struct {
		in   string
		want Op
		json string // canonical re-encoding; empty means same as in
	}{
		{in: `[]`, want: Op{}},
		{in: ` [ 3 , "hi" , { "d" : 2 } ] `, want: NewOp(Skip(3), Insert("hi"), Delete(2)), json: `[3,"hi",{"d":2}]`},
		{in: `[{"d":"héllo"}]`, want: NewOp(DeleteText("héllo"))},
		{in: `[1,"😅🇩🇪"]`, want: NewOp(Skip(1), Insert("😅🇩🇪"))},
		{in: `[2,"e\u0301",{"d":"\r\n"}]`, want: NewOp(Skip(2), Insert("e\u0301"), DeleteText("\r\n")), json: "[2,\"e\u0301\",{\"d\":\"\\r\\n\"}]"},
		{in: `["\ud83d\ude05"]`, want: NewOp(Insert("😅")), json: `["😅"]`},
		{in: `["\u0000\u001f\/\"\\"]`, want: NewOp(Insert("\x00\x1f/\"\\")), json: `["\u0000\u001f/\"\\"]`},
		{in: `[1.0,"a",1e1,{"d":2E0}]`, want: NewOp(Skip(1), Insert("a"), Skip(10), Delete(2)), json: `[1,"a",10,{"d":2}]`},
		{in: `[{"\u0064":1}]`, want: NewOp(Delete(1)), json: `[{"d":1}]`},
		// checkOp accepts neighbouring inserts and deletes.
		{in: `["a","b",{"d":1},{"d":"x"}]`, want: NewOp(Insert("a"), Insert("b"), Delete(1), DeleteText("x"))},
		{in: `["<&>\u2028"]`, want: NewOp(Insert("<&>\u2028")), json: "[\"<&>\u2028\"]"},
		{in: `[2147483647,"x"]`, want: NewOp(Skip(MaxCount), Insert("x"))},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := mustParse(t, tt.in)
			if !got.Equal(tt.want) {
				t.Fatalf("ParseOp(%s) = %v, want %v", tt.in, got, tt.want)
			}
			b, err := got.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			want := tt.json
			if want == "" {
				want = tt.in
			}
			if string(b) != want {
				t.Errorf("MarshalJSON = %s, want %s", b, want)
			}
			var viaJSON struct{ Op Op }
			if err := json.Unmarshal([]byte(`{"Op":`+tt.in+`}`), &viaJSON); err != nil || !viaJSON.Op.Equal(tt.want) {
				t.Errorf("json.Unmarshal = %v, %v", viaJSON.Op, err)
			}
		})
	}
}

func TestParseOpRejects(t *testing.T) {
	tests := []struct {
		in, why string
	}{
		{``, "not end of input"},
		{`{"d":1}`, "array"},
		{`null`, "array"},
		{`"x"`, "array"},
		{`[0,"a"]`, "skip 0 must be > 0"},
		{`[-0,"a"]`, "skip 0 must be > 0"},
		{`[-3,"a"]`, "skip -3 must be > 0"},
		{`[1.5,"a"]`, "not an integer"},
		{`[1e20,"a"]`, "exceeds"},
		{`[2147483648,"a"]`, "exceeds"},
		{`[1e999,"a"]`, "exceeds"},
		{`[{"d":0}]`, "delete 0 must be > 0"},
		{`[{"d":-2}]`, "delete -2 must be > 0"},
		{`[{"d":0.5}]`, "not an integer"},
		{`[{"d":""}]`, "delete text must not be empty"},
		{`[""]`, "insert must not be empty"},
		{`[1,2,"a"]`, "component 1: adjacent skip"},
		{`["a",3]`, "component 1: op has a trailing skip"},
		{`[3]`, "trailing skip"},
		{`[true]`, "unknown component a boolean"},
		{`[null]`, "unknown component null"},
		{`[[1]]`, "unknown component an array"},
		{`[{}]`, `{"d": count}`},
		{`[{"i":"x"}]`, `unknown key "i"`},
		{`[{"d":1,"x":2}]`, "more than one key"},
		{`[{"d":true}]`, "delete value a boolean"},
		{`[{"d":[1]}]`, "delete value an array"},
		{`["\ud800"]`, `lone surrogate \ud800`},
		{`["\udc00x"]`, `lone surrogate \udc00`},
		{`["\ud83d\u0041"]`, `lone surrogate \ud83d`},
		{`[{"d":"\ud83d"}]`, "lone surrogate"},
		{"[\"\xff\"]", "not valid UTF-8"},
		{"[\"a\\n\xed\xa0\x80\"]", "not valid UTF-8"},
		{"[{\"d\":\"\xc3\"}]", "not valid UTF-8"},
		{"[\"a\nb\"]", "raw control character"},
		{`["\x"]`, "valid escape"},
		{`["\u12"]`, "four hex digits"},
		{`["abc`, "closing"},
		{`[1,"a"`, "',' or ']'"},
		{`[1,"a"] x`, "end of input after the op"},
		{`[1,"a"]]`, "end of input after the op"},
		{`[01,"a"]`, "no leading zero"},
		{`[-,"a"]`, "digit"},
		{`[1.,"a"]`, "digit after '.'"},
		{`[1e,"a"]`, "digit in exponent"},
		{`[1,]`, "unknown component"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			op, err := ParseOp([]byte(tt.in))
			if err == nil {
				t.Fatalf("ParseOp(%q) = %v, want error", tt.in, op)
			}
			if !errors.Is(err, ErrInvalidOp) {
				t.Errorf("error %v does not wrap ErrInvalidOp", err)
			}
			if !strings.Contains(err.Error(), tt.why) {
				t.Errorf("error %q does not say %q", err, tt.why)
			}
			var viaJSON Op
			if json.Unmarshal([]byte(tt.in), &viaJSON) == nil {
				t.Errorf("json.Unmarshal accepted %q", tt.in)
			}
		})
	}
}

func TestParseOpLimit(t *testing.T) {
	tests := []struct {
		in    string
		limit int
		ok    bool
	}{
		{`[1000,"abc"]`, 3, true},
		{`[1000,"abcd"]`, 3, false},
		{`["😅😅",{"d":"ab"}]`, 4, true},
		{`["😅😅",{"d":"ab"}]`, 3, false},
		{`[{"d":2},5,{"d":2}]`, 4, true},
		{`[{"d":2},5,{"d":3}]`, 4, false},
		{`[]`, 0, true},
	}
	for _, tt := range tests {
		_, err := ParseOpLimit([]byte(tt.in), tt.limit)
		if (err == nil) != tt.ok {
			t.Errorf("ParseOpLimit(%s, %d) error = %v, want ok=%v", tt.in, tt.limit, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrOpTooLarge) {
			t.Errorf("ParseOpLimit(%s, %d) error %v does not wrap ErrOpTooLarge", tt.in, tt.limit, err)
		}
	}
}

func TestMarshalJSONEscapes(t *testing.T) {
	// JSON.stringify's escapes: short forms for \b \f \n \r \t, \u00xx for
	// other control characters, nothing else (not <, >, &, U+2028, DEL).
	op := NewOp(Insert("\b\f\n\r\t\x01\x1f\"\\/<>&\u2028\x7f😅"))
	b, err := op.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	want := "[\"\\b\\f\\n\\r\\t\\u0001\\u001f\\\"\\\\/<>&\u2028\x7f😅\"]"
	if string(b) != want {
		t.Errorf("MarshalJSON = %s, want %s", b, want)
	}
	if got := mustParse(t, string(b)); !got.Equal(op) {
		t.Errorf("round trip = %v", got)
	}
}

func TestMarshalJSONRejectsInvalid(t *testing.T) {
	for _, op := range []Op{
		NewOp(Skip(2)),
		NewOp(Skip(0), Insert("a")),
		NewOp(Insert("\xff")),
		NewOp(Delete(MaxCount + 1)),
		NewOp(Component{}),
	} {
		if b, err := op.MarshalJSON(); err == nil || !errors.Is(err, ErrInvalidOp) {
			t.Errorf("MarshalJSON(%v) = %s, %v; want ErrInvalidOp", op, b, err)
		}
	}
	if b, err := json.Marshal(Op{}); err != nil || string(b) != "[]" {
		t.Errorf("json.Marshal(Op{}) = %s, %v", b, err)
	}
}
