// Translation between CodeMirror change sets (UTF-16 offsets) and
// ot-text-unicode operations (code points). No DOM.
//
// An operation is an array of components: a number N skips N code points, a
// string inserts itself, {d: N} deletes N code points. A trailing skip is
// left out. See docs/protocol.md.

import { codePointCount, codePointLength, toCodePoints, toUtf16 } from './positions.js';

/**
 * changesToOp returns the operation that a CodeMirror ChangeSet performs on
 * `startDoc` (the document it applies to). The result is normalised: no empty
 * components, neighbours merged, no trailing skip. For an edit that
 * replaces text, the delete comes before the insert.
 */
export function changesToOp(startDoc, changes) {
  const op = [];
  let at = 0; // code points of startDoc consumed so far
  changes.iterChanges((fromA, toA, _fromB, _toB, inserted) => {
    const from = toCodePoints(startDoc, fromA);
    const to = toA === fromA ? from : toCodePoints(startDoc, toA);
    push(op, from - at);
    if (to > from) push(op, { d: to - from });
    if (inserted.length > 0) push(op, inserted.toString());
    at = to;
  });
  return op;
}

// Appends one component, merging it with a neighbour of the same kind and
// dropping no-ops.
function push(op, c) {
  if (typeof c === 'number') {
    if (c <= 0) return;
    if (typeof op[op.length - 1] === 'number') op[op.length - 1] += c;
    else op.push(c);
  } else if (typeof c === 'string') {
    if (typeof op[op.length - 1] === 'string') op[op.length - 1] += c;
    else op.push(c);
  } else {
    const last = op[op.length - 1];
    if (typeof last === 'object') last.d += c.d;
    else op.push(c);
  }
}

/**
 * opToChanges returns CodeMirror change specs ({from, to, insert}, in
 * UTF-16 offsets of `doc`, sorted) that perform `op` on `doc`. It throws a
 * RangeError when the op skips or deletes past the end of the document or
 * has a malformed component, which means the client and server disagree
 * about the document.
 */
export function opToChanges(doc, op) {
  if (!Array.isArray(op)) throw new RangeError('operation is not an array');
  const length = codePointLength(doc);
  const specs = [];
  let pos = 0; // code-point position in doc
  for (const c of op) {
    if (typeof c === 'number') {
      if (!(c > 0) || !Number.isInteger(c)) throw new RangeError(`bad skip ${c}`);
      pos += c;
      if (pos > length) throw new RangeError('skip past the end of the document');
    } else if (typeof c === 'string') {
      if (c.length === 0) throw new RangeError('empty insert');
      const at = toUtf16(doc, pos);
      const last = specs[specs.length - 1];
      if (last && last.to === at) last.insert += c;
      else specs.push({ from: at, to: at, insert: c });
    } else if (c !== null && typeof c === 'object') {
      const n = typeof c.d === 'number' ? c.d : typeof c.d === 'string' ? codePointCount(c.d) : NaN;
      if (!(n > 0) || !Number.isInteger(n)) throw new RangeError('bad delete');
      if (pos + n > length) throw new RangeError('delete past the end of the document');
      const from = toUtf16(doc, pos);
      const to = toUtf16(doc, pos + n);
      const last = specs[specs.length - 1];
      if (last && last.to === from) last.to = to;
      else specs.push({ from, to, insert: '' });
      pos += n;
    } else {
      throw new RangeError('unknown component');
    }
  }
  return specs;
}

/**
 * replaceChange returns the smallest single change spec (UTF-16 offsets)
 * that turns oldText into newText: everything between their common prefix
 * and common suffix is replaced. Surrogate pairs are never split.
 */
export function replaceChange(oldText, newText) {
  const max = Math.min(oldText.length, newText.length);
  let start = 0;
  while (start < max && oldText.charCodeAt(start) === newText.charCodeAt(start)) start++;
  if (start > 0 && (isLow(oldText.charCodeAt(start)) || isLow(newText.charCodeAt(start)))) start--;
  let end = 0;
  while (
    end < max - start &&
    oldText.charCodeAt(oldText.length - 1 - end) === newText.charCodeAt(newText.length - 1 - end)
  ) end++;
  if (end > 0 && isLow(oldText.charCodeAt(oldText.length - end))) end--;
  return {
    from: start,
    to: oldText.length - end,
    insert: newText.slice(start, newText.length - end),
  };
}

function isLow(c) {
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * wellFormed replaces lone surrogates with U+FFFD, so text typed or pasted
 * into the editor is always valid Unicode (the server rejects anything else).
 */
export function wellFormed(s) {
  return s.toWellFormed ? s.toWellFormed() : s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}
