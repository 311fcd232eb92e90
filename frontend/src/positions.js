// Conversion between CodeMirror positions and operation positions.
//
// CodeMirror counts UTF-16 code units; confpad's operations (ot-text-unicode)
// count Unicode code points. The two differ by one for every astral character
// (a surrogate pair, such as most emoji) before the position.
//
// A CodeMirror document (`Text`) is an immutable tree: branch nodes hold
// children with an implied line break between neighbours, leaves hold up to
// 32 lines. An edit builds a new path from the root to the changed leaf and
// shares every other node with the old document. So we cache, per node
// object, how many surrogate pairs it holds (in a WeakMap, so old versions
// are collected with their nodes). A conversion then walks one root-to-leaf
// path, reusing the counts of untouched subtrees, and scans text only inside
// one leaf: O(depth x 32 + the leaf's lines) instead of the whole document.
// After an edit, only the new nodes on the changed path are counted afresh.
//
// Positions that split a surrogate pair do not occur in CodeMirror (it never
// places a cursor or change there); such a position converts to the code
// point offset of that pair, as if it were just before it.

/** Work counter, for tests: UTF-16 units read while counting. */
export const scanStats = { units: 0 };

// node -> number of surrogate pairs in it (branches and leaves).
const pairCache = new WeakMap();
// leaf -> Int32Array of surrogate pairs per line.
const linePairCache = new WeakMap();

/** Number of surrogate pairs (astral characters) in s[from, to). */
function pairsIn(s, from = 0, to = s.length) {
  scanStats.units += to - from;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n++;
        i++;
      }
    }
  }
  return n;
}

function linePairs(leaf) {
  let counts = linePairCache.get(leaf);
  if (counts === undefined) {
    const lines = leaf.toJSON();
    counts = new Int32Array(lines.length);
    let total = 0;
    for (let i = 0; i < lines.length; i++) {
      counts[i] = pairsIn(lines[i]);
      total += counts[i];
    }
    linePairCache.set(leaf, counts);
    pairCache.set(leaf, total);
  }
  return counts;
}

function pairsOf(node) {
  let n = pairCache.get(node);
  if (n !== undefined) return n;
  if (node.children === null) {
    linePairs(node);
    return pairCache.get(node);
  }
  n = 0;
  for (const child of node.children) n += pairsOf(child);
  pairCache.set(node, n);
  return n;
}

/**
 * codePointCount returns the number of code points in the string s. A lone
 * surrogate counts as one, as in [...s].length.
 */
export function codePointCount(s) {
  return s.length - pairsIn(s);
}

/** Length of a CodeMirror document in code points. */
export function codePointLength(doc) {
  return doc.length - pairsOf(doc);
}

/**
 * toCodePoints converts a UTF-16 offset in `doc` (a CodeMirror Text) to a
 * code-point offset. Offsets are clamped to [0, doc.length].
 */
export function toCodePoints(doc, pos) {
  pos = Math.max(0, Math.min(pos, doc.length));
  const start = pos;
  let node = doc;
  let pairs = 0;
  while (node.children !== null) {
    const children = node.children;
    let i = 0;
    // Each child but the last is followed by one line break.
    while (i < children.length - 1 && pos > children[i].length) {
      pos -= children[i].length + 1;
      pairs += pairsOf(children[i]);
      i++;
    }
    node = children[i];
  }
  const lines = node.toJSON();
  const counts = linePairs(node);
  let i = 0;
  while (i < lines.length - 1 && pos > lines[i].length) {
    pos -= lines[i].length + 1;
    pairs += counts[i];
    i++;
  }
  return start - pairs - pairsIn(lines[i], 0, pos);
}

/**
 * toUtf16 converts a code-point offset in `doc` to a UTF-16 offset.
 * Offsets are clamped to [0, codePointLength(doc)].
 */
export function toUtf16(doc, cp) {
  cp = Math.max(0, cp);
  let node = doc;
  let units = 0;
  while (node.children !== null) {
    const children = node.children;
    let i = 0;
    while (i < children.length - 1) {
      const len = children[i].length - pairsOf(children[i]);
      if (cp <= len) break;
      cp -= len + 1;
      units += children[i].length + 1;
      i++;
    }
    node = children[i];
  }
  const lines = node.toJSON();
  const counts = linePairs(node);
  let i = 0;
  while (i < lines.length - 1) {
    const len = lines[i].length - counts[i];
    if (cp <= len) break;
    cp -= len + 1;
    units += lines[i].length + 1;
    i++;
  }
  return units + unitsFor(lines[i], cp);
}

/**
 * unitsFor returns the UTF-16 length of the first cp code points of the
 * string line (clamped to the line).
 */
export function unitsFor(line, cp) {
  let i = 0;
  while (cp > 0 && i < line.length) {
    const c = line.charCodeAt(i);
    const d = i + 1 < line.length ? line.charCodeAt(i + 1) : 0;
    i += c >= 0xd800 && c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff ? 2 : 1;
    cp--;
  }
  scanStats.units += i;
  return i;
}
