package collab

import (
	"errors"
	"testing"
)

func TestInvert(t *testing.T) {
	// Expected results come from ot-text-unicode 4.0.0's invert.
	tests := []struct{ op, want string }{
		{`[]`, `[]`},
		{`[2,"ab",{"d":"c"}]`, `[2,{"d":"ab"},"c"]`},
		{`[{"d":"😅"},"🇩🇪"]`, `["😅",{"d":"🇩🇪"}]`},
		{`[{"d":"a"},{"d":"b"}]`, `["ab"]`},
		{`["a",{"d":"b"},"c"]`, `[{"d":"a"},"b",{"d":"c"}]`},
		{`[1,"e\u0301\r\n"]`, "[1,{\"d\":\"e\u0301\\r\\n\"}]"},
	}
	for _, tt := range tests {
		got, err := Invert(mustParse(t, tt.op))
		if err != nil || got.String() != tt.want {
			t.Errorf("Invert(%s) = %v, %v; want %s", tt.op, got, err, tt.want)
		}
	}
}

func TestInvertErrors(t *testing.T) {
	if _, err := Invert(mustParse(t, `[1,{"d":"x"},2,{"d":3}]`)); !errors.Is(err, ErrNotInvertible) {
		t.Errorf("Invert of a counted delete: %v, want ErrNotInvertible", err)
	}
	if _, err := Invert(NewOp(Skip(1))); !errors.Is(err, ErrInvalidOp) {
		t.Errorf("Invert of a trailing skip: %v, want ErrInvalidOp", err)
	}
}
