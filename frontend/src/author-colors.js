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
 * renderRuns fills el with text as spans, one per run of runs
 * ({author, length} in code points), each tinted by its author's colour
 * and titled with their name. Text beyond the runs is left untinted.
 */
export function renderRuns(el, text, runs, authors) {
  const frag = document.createDocumentFragment();
  let i = 0; // UTF-16 index into text
  for (const run of runs) {
    let end = i;
    for (let k = 0; k < run.length && end < text.length; k++) end += text.codePointAt(end) > 0xffff ? 2 : 1;
    const span = document.createElement('span');
    span.className = colorClass(authors.get(run.author)?.color);
    span.title = authorLabel(authors, run.author);
    span.dataset.author = run.author;
    span.textContent = text.slice(i, end);
    frag.append(span);
    i = end;
  }
  if (i < text.length) frag.append(text.slice(i));
  el.replaceChildren(frag);
}
