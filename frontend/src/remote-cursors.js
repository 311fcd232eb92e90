// Other people's cursors and selections in the editor, each in its
// author's colour with a name label. Positions are UTF-16 offsets of the
// local document; they move with every change (local or remote) until the
// server sends the author's next position.

import { StateEffect, StateField } from '@codemirror/state';
import { Decoration, EditorView, WidgetType } from '@codemirror/view';
import { textColorOn, validColor } from './identity.js';

/**
 * setRemoteCursor places ({client, name, color, anchor, head}), relabels
 * ({client, name, color}) or removes ({client, remove: true}) one remote
 * cursor.
 */
export const setRemoteCursor = StateEffect.define();

/** clearRemoteCursors removes every remote cursor. */
export const clearRemoteCursors = StateEffect.define();

class CaretWidget extends WidgetType {
  constructor(name, color) {
    super();
    this.name = name;
    this.color = color;
  }

  eq(other) {
    return other.name === this.name && other.color === this.color;
  }

  toDOM() {
    const caret = document.createElement('span');
    caret.className = 'cm-remote-caret';
    caret.style.borderLeftColor = this.color;
    caret.setAttribute('aria-hidden', 'true');
    const label = document.createElement('span');
    label.className = 'cm-remote-label';
    label.textContent = this.name;
    label.style.backgroundColor = this.color;
    label.style.color = textColorOn(this.color);
    caret.appendChild(label);
    return caret;
  }

  ignoreEvent() {
    return true;
  }
}

function decorations(cursors, doc) {
  const ranges = [];
  for (const c of cursors.values()) {
    const color = validColor(c.color);
    const anchor = Math.min(c.anchor, doc.length);
    const head = Math.min(c.head, doc.length);
    if (anchor !== head) {
      ranges.push(
        Decoration.mark({
          class: 'cm-remote-selection',
          attributes: { style: `background-color: ${color}2e` },
        }).range(Math.min(anchor, head), Math.max(anchor, head)),
      );
    }
    ranges.push(Decoration.widget({ widget: new CaretWidget(c.name, color), side: 1 }).range(head));
  }
  return Decoration.set(ranges, true);
}

const remoteCursors = StateField.define({
  create: () => new Map(),
  update(cursors, tr) {
    let next = cursors;
    if (tr.docChanged && cursors.size > 0) {
      next = new Map();
      for (const [client, c] of cursors) {
        next.set(client, { ...c, anchor: tr.changes.mapPos(c.anchor), head: tr.changes.mapPos(c.head) });
      }
    }
    for (const e of tr.effects) {
      if (e.is(clearRemoteCursors)) next = new Map();
      if (!e.is(setRemoteCursor)) continue;
      if (next === cursors) next = new Map(cursors);
      const old = next.get(e.value.client);
      if (e.value.remove) next.delete(e.value.client);
      else if (e.value.anchor !== undefined) next.set(e.value.client, e.value);
      else if (old) next.set(e.value.client, { ...old, name: e.value.name, color: e.value.color });
    }
    return next;
  },
  provide: (field) => EditorView.decorations.compute([field, 'doc'], (state) => decorations(state.field(field), state.doc)),
});

const theme = EditorView.baseTheme({
  '.cm-remote-caret': {
    position: 'relative',
    borderLeft: '2px solid',
    marginLeft: '-1px',
    marginRight: '-1px',
    pointerEvents: 'none',
  },
  '.cm-remote-label': {
    position: 'absolute',
    bottom: '100%',
    left: '-2px',
    whiteSpace: 'nowrap',
    font: '600 11px/1.5 system-ui, sans-serif',
    padding: '0 5px',
    borderRadius: '4px 4px 4px 0',
    opacity: '0.92',
    zIndex: '5',
  },
  '.cm-line:first-child .cm-remote-label': {
    bottom: 'auto',
    top: '100%',
    borderRadius: '0 4px 4px 4px',
  },
});

/** remoteCursorsExtension is the editor extension that shows remote cursors. */
export const remoteCursorsExtension = [remoteCursors, theme];
