package collab

// Code points. Every text here is valid UTF-8 (Validate and ParseOp see to
// that), so a string's code points are its bytes that are not continuation
// bytes (10xxxxxx). Counting those eight bytes at a time is several times
// faster than decoding.

const (
	highBits = 0x8080808080808080
	lowBytes = 0x0101010101010101
)

// load64 reads s[0:8] as a little-endian word; the compiler turns it into
// one load.
func load64[S ~string | ~[]byte](s S) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// continuations returns the number of continuation bytes in the word w.
func continuations(w uint64) int {
	// A continuation byte has bit 7 set and bit 6 clear; shifting left by
	// one moves each byte's bit 6 onto its bit 7.
	c := w &^ (w << 1) & highBits
	return int((c >> 7) * lowBytes >> 56)
}

// load32 reads s[0:4] as a little-endian word.
func load32(s string) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

// countRunes returns the number of code points in the valid UTF-8 text s.
// Short texts, the usual case, take one or two overlapping loads.
func countRunes(s string) int {
	n := len(s)
	switch {
	case n >= 8:
		c, i := 0, 0
		for ; i+8 <= n; i += 8 {
			c += continuations(load64(s[i:]))
		}
		if i < n {
			// The last eight bytes, less those already counted.
			c += continuations(load64(s[n-8:]) >> (8 * (i + 8 - n)))
		}
		return n - c
	case n >= 4:
		// Bytes 0-3, and bytes 4 to n-1 from the top of the last four.
		w := uint64(load32(s)) | uint64(load32(s[n-4:])>>(8*(8-n)))<<32
		return n - continuations(w)
	}
	c := 0
	for i := range n {
		if s[i]&0xC0 == 0x80 {
			c++
		}
	}
	return n - c
}

// runeOffset returns the byte offset in the valid UTF-8 text s just after
// its first n code points, and false (with len(s)) if s has fewer than n.
// Ops read strings with it, the rope its []byte leaves.
func runeOffset[S ~string | ~[]byte](s S, n int) (int, bool) {
	i := 0
	// Whole words while the target lies beyond them.
	for i+8 <= len(s) {
		starts := 8 - continuations(load64(s[i:]))
		if starts >= n {
			break
		}
		n -= starts
		i += 8
	}
	for ; i < len(s); i++ {
		if s[i]&0xC0 != 0x80 {
			if n == 0 {
				return i, true
			}
			n--
		}
	}
	return len(s), n == 0
}
