package collab

// TransformPosition returns where the cursor at code point pos ends up
// after op is applied: the npm package's transformPosition. Text inserted
// before pos moves it right; text inserted exactly at pos does not (the
// cursor stays before it); deleted text before pos moves it left, and a
// cursor inside deleted text moves to where the deletion starts. Like the
// npm package it does not validate op; on an invalid op the result is
// unspecified (but it never panics).
func TransformPosition(pos int, op Op) int {
	at := 0 // position in the new document of what op has read so far
	for i := 0; i < len(op.parts) && pos > at; i++ {
		switch p := op.parts[i]; p.kind() {
		case kindSkip:
			at += int(p.n)
		case kindInsert:
			at += int(p.n)
			pos += int(p.n)
		case kindDelete:
			pos -= min(-int(p.n), pos-at)
		}
	}
	return pos
}

// TransformSelection returns the selection [anchor, head] (in code points;
// head may be before anchor) after op is applied, transforming each end
// with TransformPosition, as the npm package's transformSelection does.
func TransformSelection(sel [2]int, op Op) [2]int {
	return [2]int{TransformPosition(sel[0], op), TransformPosition(sel[1], op)}
}
