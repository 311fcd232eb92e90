package collab

import "testing"

func TestTransformPosition(t *testing.T) {
	// Expected results come from ot-text-unicode 4.0.0's transformPosition.
	tests := []struct {
		pos  int
		op   string
		want int
	}{
		{0, `["ab"]`, 0}, // an insert at the cursor stays after it
		{1, `["ab"]`, 3},
		{1, `[1,"ab"]`, 1},
		{2, `[1,"ab"]`, 4},
		{3, `[{"d":2}]`, 1},
		{1, `[{"d":2}]`, 0}, // inside deleted text: to where it started
		{5, `[1,{"d":2},"😅🇩🇪"]`, 6},
		{4, `[2,"e\u0301",{"d":"\r\n"}]`, 4},
		{-1, `["x"]`, -1},
		{10, `[2,"x"]`, 11}, // past the end of what the op touches
		{2, `[1,{"d":1},"xy"]`, 1},
		{7, `[]`, 7},
	}
	for _, tt := range tests {
		if got := TransformPosition(tt.pos, mustParse(t, tt.op)); got != tt.want {
			t.Errorf("TransformPosition(%d, %s) = %d, want %d", tt.pos, tt.op, got, tt.want)
		}
	}
}

func TestTransformSelection(t *testing.T) {
	op := mustParse(t, `[1,"😅",2,{"d":1}]`)
	tests := []struct{ sel, want [2]int }{
		{[2]int{4, 1}, [2]int{4, 1}}, // head before anchor is kept
		{[2]int{0, 3}, [2]int{0, 4}},
		{[2]int{2, 2}, [2]int{3, 3}},
	}
	for _, tt := range tests {
		if got := TransformSelection(tt.sel, op); got != tt.want {
			t.Errorf("TransformSelection(%v, %v) = %v, want %v", tt.sel, op, got, tt.want)
		}
	}
}
