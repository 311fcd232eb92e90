package conference

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// MaxCombining is how many combining marks may follow one another in a
// text shown to others: enough for any language and emoji keycaps (one
// base character, a variation selector, a keycap), not for "Zalgo" text
// that spills over the lines around it.
const MaxCombining = 4

// TextProblem says what is wrong with a text that confpad shows to other
// people (a user's name, a slide link's title, a session's title, room,
// speakers or description), or returns "" if nothing is. It is the one
// check for all of them: valid UTF-8, at most max code points, no control
// characters (multiline allows newlines and tabs), no bidirectional
// overrides, embeddings or isolates (which would reorder the text around
// it), no invisible format characters (zero-width spaces, word joiners,
// soft hyphens; a zero-width joiner or non-joiner is allowed between two
// visible characters, as in emoji sequences and Persian), and at most
// MaxCombining combining marks in a row.
func TextProblem(s string, max int, multiline bool) string {
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	if n := utf8.RuneCountInString(s); n > max {
		return fmt.Sprintf("is longer than %d characters", max)
	}
	marks := 0
	var prev rune
	for i, r := range s {
		switch {
		case multiline && (r == '\n' || r == '\t'):
		case r == '\n':
			return "must be a single line"
		case unicode.IsControl(r):
			return fmt.Sprintf("contains the control character %U", r)
		case unicode.Is(unicode.Bidi_Control, r):
			return fmt.Sprintf("contains the bidirectional control %U, which would reorder the text around it", r)
		case r == '\u200c' || r == '\u200d':
			next, _ := utf8.DecodeRuneInString(s[i+utf8.RuneLen(r):])
			if !visible(prev) || !visible(next) {
				return fmt.Sprintf("contains the zero-width joiner %U outside a sequence", r)
			}
		case isTag(r):
			if prev != '\U0001F3F4' && !isTag(prev) {
				return fmt.Sprintf("contains the invisible tag character %U", r)
			}
		case unicode.Is(unicode.Cf, r):
			return fmt.Sprintf("contains the invisible character %U", r)
		}
		if unicode.In(r, unicode.Mn, unicode.Me) {
			if marks++; marks > MaxCombining {
				return fmt.Sprintf("has more than %d combining marks in a row", MaxCombining)
			}
		} else {
			marks = 0
		}
		prev = r
	}
	return ""
}

// HasVisible reports whether s has at least one character that shows as
// a mark on the screen: not white space, not a combining mark alone, not
// an invisible format or default-ignorable character (such as the Hangul
// fillers), and not the blank Braille pattern. A title must have one.
func HasVisible(s string) bool {
	for _, r := range s {
		if unicode.IsGraphic(r) && !unicode.IsSpace(r) && r != '\u2800' &&
			!unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Other_Default_Ignorable_Code_Point) {
			return true
		}
	}
	return false
}

// visible reports whether r is a character a joiner may stand next to.
func visible(r rune) bool {
	return r != 0 && r != utf8.RuneError && !unicode.IsSpace(r) && !unicode.Is(unicode.Cf, r) && !unicode.IsControl(r)
}

// isTag reports whether r is a tag character, which only subdivision
// flags (a black flag followed by tags) use.
func isTag(r rune) bool { return r >= 0xE0020 && r <= 0xE007F }
