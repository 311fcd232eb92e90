// Author colours in the editor: a mark on every stretch of text saying who
// wrote it (tinted by their colour when the editor has the class
// "authors-on", named on hover). The marks start from the server's
// attribution of a revision (load) and follow every change: text inserted
// by a transaction gets its author (the byAuthor annotation, or this
// browser's author for local edits), or the authors of the op's runs (an
// import), deleted text loses its marks.

import { Annotation, ChangeSet, StateEffect, StateField } from '@codemirror/state';
import { Decoration, EditorView } from '@codemirror/view';
import { authorLabel, colorClass, insertRanges, runRanges } from './author-colors.js';

/**
 * byAuthor annotates a remote transaction with the public id of its author
 * (null: unknown), or with the runs of its op ({author, length} in code
 * points: who wrote the texts it inserts, in order).
 */
export const byAuthor = Annotation.define();

const replaceMarks = StateEffect.define();

/** AuthorMarks keeps the author marks of one editor. */
export class AuthorMarks {
  constructor() {
    /** The public author id of this browser ('' if unknown: then "You"). */
    this.me = '';
    /** Public author id -> {name, color}, from GET /api/v1/pads/{id}/authors. */
    this.authors = new Map();
    /** The changes since load began, or null when not loading. */
    this.since = null;
    const marks = this;
    this.field = StateField.define({
      create: () => Decoration.none,
      update(deco, tr) {
        deco = deco.map(tr.changes);
        for (const e of tr.effects) if (e.is(replaceMarks)) deco = e.value;
        if (!tr.docChanged) return deco;
        const remote = tr.annotation(byAuthor);
        if (Array.isArray(remote)) {
          const inserts = [];
          tr.changes.iterChanges((_fa, _ta, from, to, text) => {
            if (to > from) inserts.push({ from, text: text.toString() });
          });
          for (const r of insertRanges(inserts, remote)) deco = marks.paint(deco, r.from, r.to, r.author);
          return deco;
        }
        const author = remote === undefined ? marks.me : remote;
        tr.changes.iterChanges((_fa, _ta, from, to) => {
          if (to > from) deco = marks.paint(deco, from, to, author);
        });
        return deco;
      },
      provide: (f) => EditorView.decorations.from(f),
    });
  }

  /** mark returns the decoration of text by author. */
  mark(author) {
    const known = this.authors.get(author);
    const mine = author === this.me;
    const color = known?.color ?? (mine ? this.myColor : '');
    const title = mine ? 'You' : authorLabel(this.authors, author);
    return Decoration.mark({ class: colorClass(color), attributes: { title, 'data-author': author }, author });
  }

  /**
   * paint gives [from, to) of deco's document to author (null: no one),
   * joining it with touching marks of the same author.
   */
  paint(deco, from, to, author) {
    const add = [];
    let lo = from;
    let hi = to;
    deco.between(from, to, (a, b, value) => {
      if (author !== null && value.spec.author === author) {
        lo = Math.min(lo, a);
        hi = Math.max(hi, b);
        return;
      }
      if (a < from) add.push(value.range(a, Math.min(b, from)));
      if (b > to) add.push(value.range(Math.max(a, to), b));
    });
    if (author !== null) add.push(this.mark(author).range(lo, hi));
    return deco.update({ filter: (a, b) => a > to || b < from, filterFrom: from, filterTo: to, add, sort: true });
  }

  /** changed notes a transaction's changes while a load is under way. */
  changed(tr) {
    if (this.since !== null && tr.docChanged) this.since = this.since.compose(tr.changes);
  }

  /** begin starts a load: the attribution to come is of view's document now. */
  begin(view) {
    this.since = ChangeSet.empty(view.state.doc.length);
    this.beginText = view.state.doc.toString();
  }

  /**
   * finish ends a load with runs ({author, length} in code points) of the
   * document as it was at begin, moved through the changes made since.
   */
  finish(view, runs) {
    const ranges = runRanges(this.beginText, runs).map((r) => this.mark(r.author).range(r.from, r.to));
    let deco = Decoration.set(ranges).map(this.since);
    // Text inserted since the load began keeps the marks it got then.
    this.since.iterChanges((_fa, _ta, from, to) => {
      view.state.field(this.field).between(from, to, (a, b, value) => {
        deco = this.paint(deco, Math.max(a, from), Math.min(b, to), value.spec.author);
      });
    });
    this.since = null;
    this.beginText = '';
    view.dispatch({ effects: replaceMarks.of(deco) });
  }
}
