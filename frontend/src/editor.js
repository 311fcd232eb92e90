// The CodeMirror 6 editor of a pad: Markdown highlighting, line wrapping,
// undo history for your own edits only, remote cursors, and a read-only
// switch. It knows nothing of the network: local edits go to onLocalChange,
// remote ones come in through applyRemote and replaceText.

import { Compartment, EditorState, Transaction } from '@codemirror/state';
import { EditorView, drawSelection, highlightActiveLine, keymap, placeholder } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { markdown, markdownLanguage } from '@codemirror/lang-markdown';
import { highlightSelectionMatches, search, searchKeymap } from '@codemirror/search';
import { tags as t } from '@lezer/highlight';
import { opToChanges, replaceChange, wellFormed } from './changes.js';
import { clearRemoteCursors, remoteCursorsExtension, setRemoteCursor } from './remote-cursors.js';
import { toUtf16 } from './positions.js';
import { AuthorMarks, byAuthor } from './author-marks.js';

const markdownStyle = HighlightStyle.define([
  { tag: t.heading1, fontSize: '1.45em', fontWeight: '700' },
  { tag: t.heading2, fontSize: '1.25em', fontWeight: '700' },
  { tag: t.heading3, fontSize: '1.1em', fontWeight: '700' },
  { tag: [t.heading4, t.heading5, t.heading6], fontWeight: '700' },
  { tag: t.strong, fontWeight: '700' },
  { tag: t.emphasis, fontStyle: 'italic' },
  { tag: t.strikethrough, textDecoration: 'line-through' },
  { tag: [t.link, t.url], color: '#2f5fd0' },
  { tag: t.monospace, fontFamily: 'var(--mono)', fontSize: '0.92em', color: '#8a3b12' },
  { tag: t.quote, color: '#5b6475', fontStyle: 'italic' },
  { tag: [t.processingInstruction, t.contentSeparator, t.labelName], color: '#9aa1ad' },
  { tag: t.list, color: '#1d2330' },
  { tag: t.meta, color: '#9aa1ad' },
]);

const theme = EditorView.theme({
  '&': { height: '100%', fontSize: '16px', backgroundColor: 'var(--card)' },
  '&.cm-focused': { outline: 'none' },
  '.cm-scroller': { fontFamily: 'var(--text)', lineHeight: '1.65', overflow: 'auto' },
  '.cm-content': { padding: '1.4rem 0 40vh', maxWidth: '46rem', margin: '0 auto', caretColor: 'var(--accent)' },
  '.cm-line': { padding: '0 1.5rem' },
  '.cm-activeLine': { backgroundColor: '#f5f7fb' },
  '.cm-cursor': { borderLeftColor: 'var(--accent)', borderLeftWidth: '2px' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': { backgroundColor: '#d7e3ff' },
  '.cm-placeholder': { color: '#9aa1ad' },
});

// Text typed or pasted must be valid Unicode: the server rejects lone
// surrogates, so they become U+FFFD before they reach the document.
const wellFormedInput = EditorState.transactionFilter.of((tr) => {
  if (!tr.docChanged || tr.annotation(Transaction.remote)) return tr;
  let bad = false;
  tr.changes.iterChanges((_a, _b, _c, _d, ins) => {
    if (!bad && ins.length) {
      const s = ins.toString();
      bad = wellFormed(s) !== s;
    }
  });
  if (!bad) return tr;
  const changes = [];
  tr.changes.iterChanges((from, to, _c, _d, ins) => changes.push({ from, to, insert: wellFormed(ins.toString()) }));
  return { changes, userEvent: tr.annotation(Transaction.userEvent), scrollIntoView: tr.scrollIntoView };
});

const remote = [Transaction.remote.of(true), Transaction.addToHistory.of(false)];

/**
 * The server's Content-Security-Policy allows no inline styles except a
 * <style> carrying this page's nonce, which CodeMirror needs for its theme
 * (on a document it writes a <style> element). The server puts the nonce
 * in <meta name="csp-nonce">; without it (another server) CodeMirror works
 * as usual.
 */
const cspNonce = document.querySelector('meta[name="csp-nonce"]')?.getAttribute('content') ?? '';

const NOTES_PLACEHOLDER = placeholder('Take notes here. Markdown works: # heading, - list, **bold**, [link](https://…)');

/** Editor wraps the EditorView of one pad. */
export class Editor {
  /**
   * @param {HTMLElement} parent
   * @param {{onLocalChange(tr: Transaction): void, onUpdate(update, local: boolean): void}} hooks
   *   onUpdate's local says whether the user changed the text or the
   *   selection (remote ops only map the selection).
   */
  constructor(parent, hooks) {
    this.readOnly = new Compartment();
    // The "take notes" placeholder invites typing: shown only while the
    // pad is editable (not before the welcome, not when archived).
    this.placeholder = new Compartment();
    this.authorsShown = new Compartment();
    this.loaded = false;
    /** Who wrote what: marks shown by setAuthorColours. */
    this.authorMarks = new AuthorMarks();
    this.view = new EditorView({
      parent,
      state: EditorState.create({
        doc: '',
        extensions: [
          EditorView.cspNonce.of(cspNonce),
          history(),
          drawSelection(),
          highlightActiveLine(),
          EditorView.lineWrapping,
          markdown({ base: markdownLanguage }),
          syntaxHighlighting(markdownStyle),
          search({ top: true }),
          highlightSelectionMatches(),
          keymap.of([...defaultKeymap, ...historyKeymap, ...searchKeymap]),
          this.placeholder.of([]),
          EditorView.contentAttributes.of({ 'aria-label': 'Session notes (Markdown)', 'aria-multiline': 'true' }),
          this.readOnly.of(EditorState.readOnly.of(true)),
          wellFormedInput,
          remoteCursorsExtension,
          this.authorMarks.field,
          this.authorsShown.of([]),
          theme,
          EditorView.updateListener.of((update) => {
            let local = false;
            for (const tr of update.transactions) {
              this.authorMarks.changed(tr);
              if (tr.annotation(Transaction.remote)) continue;
              local ||= tr.docChanged || tr.selection !== undefined;
              if (tr.docChanged) hooks.onLocalChange(tr);
            }
            hooks.onUpdate(update, local);
          }),
        ],
      }),
    });
  }

  get doc() {
    return this.view.state.doc;
  }

  /** setReadOnly switches editing (and the placeholder that invites it) off or on. */
  setReadOnly(readOnly) {
    this.view.dispatch({
      effects: [
        this.readOnly.reconfigure(EditorState.readOnly.of(readOnly)),
        this.placeholder.reconfigure(readOnly ? [] : NOTES_PLACEHOLDER),
      ],
    });
    this.view.contentDOM.setAttribute('aria-readonly', String(readOnly));
  }

  /**
   * applyRemote applies someone else's op (code points), written by public
   * author id by, or, if the op has runs (an import), by their authors,
   * outside the undo history. It throws a RangeError if the op does not
   * fit the document.
   */
  applyRemote(op, by, runs) {
    const who = Array.isArray(runs) ? runs : by || null;
    this.view.dispatch({ changes: opToChanges(this.doc, op), annotations: [...remote, byAuthor.of(who)] });
  }

  /** replaceText makes the document equal text with the smallest change. */
  replaceText(text) {
    const change = this.loaded ? replaceChange(this.doc.toString(), text) : { from: 0, to: this.doc.length, insert: text };
    this.loaded = true;
    this.view.dispatch({ changes: change, annotations: [...remote, byAuthor.of(null)], effects: clearRemoteCursors.of(null) });
  }

  /** setAuthorColours shows or hides the tint of text by author. */
  setAuthorColours(on) {
    this.view.dispatch({ effects: this.authorsShown.reconfigure(on ? EditorView.editorAttributes.of({ class: 'authors-on' }) : []) });
  }

  /** setCursor shows a remote user's selection (code points), or hides it when sel is null. */
  setCursor(user) {
    if (!user.sel) {
      this.removeCursor(user.client);
      return;
    }
    const doc = this.doc;
    const [anchor, head] = user.sel.map((p) => toUtf16(doc, p));
    this.view.dispatch({ effects: setRemoteCursor.of({ client: user.client, name: user.name, color: user.color, anchor, head }) });
  }

  /** relabelCursor changes the name and colour on a remote user's cursor. */
  relabelCursor(user) {
    this.view.dispatch({ effects: setRemoteCursor.of({ client: user.client, name: user.name, color: user.color }) });
  }

  /** removeCursor hides a remote user's cursor. */
  removeCursor(client) {
    this.view.dispatch({ effects: setRemoteCursor.of({ client, remove: true }) });
  }

  /** clearCursors hides every remote cursor. */
  clearCursors() {
    this.view.dispatch({ effects: clearRemoteCursors.of(null) });
  }
}
