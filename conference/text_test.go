package conference

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTextProblem(t *testing.T) {
	cases := []struct {
		name, in  string
		multiline bool
		ok        bool
	}{
		{"plain", "Ada Lovelace", false, true},
		{"accents and CJK", "Đặng Thị Ngọc Hân, 李小龍", false, true},
		{"Arabic", "أحمد", false, true},
		{"emoji sequence with joiners", "👩\u200d💻 Grace", false, true},
		{"keycap", "1️⃣ track", false, true},
		{"Persian non-joiner", "می\u200cخواهم", false, true},
		{"subdivision flag", "🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F Ada", false, true},
		{"newline in a description", "one\ntwo\tthree", true, true},
		{"right-to-left override", "Ada\u202Egnp.exe", false, false},
		{"left-to-right embedding", "\u202AAda", false, false},
		{"isolate", "Ada\u2066x\u2069", false, false},
		{"right-to-left mark", "Ada\u200F", false, false},
		{"zero-width space", "Ad\u200Ba", false, false},
		{"word joiner", "Ada\u2060", false, false},
		{"byte order mark", "\uFEFFAda", false, false},
		{"soft hyphen", "Ada\u00ADLovelace", false, false},
		{"leading joiner", "\u200DAda", false, false},
		{"trailing joiner", "Ada\u200D", false, false},
		{"doubled joiner", "A\u200D\u200Da", false, false},
		{"stray tag", "Ada\U000E0041", false, false},
		{"combining flood", "Z" + strings.Repeat("\u0336", 5), false, false},
		{"four combining marks", "Z" + strings.Repeat("\u0301", 4), false, true},
		{"control", "Ada\u0007", false, false},
		{"newline in a name", "Ada\nLovelace", false, false},
		{"too long", strings.Repeat("a", 51), false, false},
		{"invalid UTF-8", "Ada\xff", false, false},
	}
	for _, tc := range cases {
		problem := TextProblem(tc.in, 50, tc.multiline)
		if (problem == "") != tc.ok {
			t.Errorf("%s: TextProblem(%q) = %q, want ok %v", tc.name, tc.in, problem, tc.ok)
		}
	}
}

// FuzzTextProblem: what TextProblem accepts has no bidi control, no
// invisible character outside a joined sequence, no control character,
// and no run of more than MaxCombining combining marks.
func FuzzTextProblem(f *testing.F) {
	for _, s := range []string{"Ada", "👩‍💻", "a\u202Eb", "Z\u0336\u0336", "a\u200Db"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if TextProblem(s, 200, false) != "" {
			return
		}
		if !utf8.ValidString(s) || utf8.RuneCountInString(s) > 200 {
			t.Fatalf("accepted %q", s)
		}
		for _, bad := range []string{"\u202E", "\u202D", "\u2066", "\u2067", "\u2068", "\u200B", "\uFEFF", "\u2060", "\n", "\u0000"} {
			if strings.Contains(s, bad) {
				t.Fatalf("accepted %q, which holds %U", s, []rune(bad)[0])
			}
		}
		if strings.HasPrefix(s, "\u200D") || strings.HasSuffix(s, "\u200D") || strings.Contains(s, "\u200D\u200D") {
			t.Fatalf("accepted %q, with a joiner outside a sequence", s)
		}
	})
}
