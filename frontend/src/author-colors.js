// Author colours: the CSS class that tints an author's text (pad.css has
// one per colour of the palette, and one for any other colour: the pages'
// Content-Security-Policy allows no inline styles), and the rendering of a
// text as spans by author.

import { PALETTE } from './identity.js';

/** colorClass returns the class that tints text in colour c (#rrggbb). */
export function colorClass(c) {
  const i = PALETTE.indexOf(String(c).toLowerCase());
  return i >= 0 ? `by-c${i}` : 'by-cx';
}

/** authorLabel returns how to name author id, given the authors map. */
export function authorLabel(authors, id) {
  const a = authors.get(id);
  return a?.name || 'Unknown author';
}

/**
 * runRanges returns the stretches of text that runs ({author, length} in
 * code points) cover in turn, as {from, to, author} in UTF-16 offsets;
 * empty ones are left out, and text beyond the runs is not covered.
 */
export function runRanges(text, runs) {
  const out = [];
  let i = 0; // UTF-16 index into text
  for (const run of runs) {
    let end = i;
    for (let k = 0; k < run.length && end < text.length; k++) end += text.codePointAt(end) > 0xffff ? 2 : 1;
    if (end > i) out.push({ from: i, to: end, author: run.author });
    i = end;
  }
  return out;
}

/**
 * insertRanges returns who wrote the texts an op inserted, given as
 * inserts ({from, text}: each inserted text and where it now starts in the
 * document, in document order) and runs ({author, length} in code points,
 * covering the inserted texts one after the other, as an op message's
 * "runs" do): {from, to, author} in document offsets.
 */
export function insertRanges(inserts, runs) {
  const out = [];
  let seg = 0;
  let base = 0; // where inserts[seg] starts in the joined texts
  for (const r of runRanges(inserts.map((x) => x.text).join(''), runs)) {
    for (let a = r.from; a < r.to; ) {
      while (base + inserts[seg].text.length <= a) base += inserts[seg++].text.length;
      const b = Math.min(r.to, base + inserts[seg].text.length);
      out.push({ from: inserts[seg].from + a - base, to: inserts[seg].from + b - base, author: r.author });
      a = b;
    }
  }
  return out;
}

/**
 * renderRuns fills el with text as spans, one per run of runs
 * ({author, length} in code points), each tinted by its author's colour
 * and titled with their name. Text beyond the runs is left untinted.
 */
export function renderRuns(el, text, runs, authors) {
  const frag = document.createDocumentFragment();
  let i = 0;
  for (const r of runRanges(text, runs)) {
    const span = document.createElement('span');
    span.className = colorClass(authors.get(r.author)?.color);
    span.title = authorLabel(authors, r.author);
    span.dataset.author = r.author;
    span.textContent = text.slice(r.from, r.to);
    frag.append(span);
    i = r.to;
  }
  if (i < text.length) frag.append(text.slice(i));
  el.replaceChildren(frag);
}
