import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChangeSet, Text } from '@codemirror/state';
import { type } from 'ot-text-unicode';
import { changesToOp, opToChanges, replaceChange, wellFormed } from '../src/changes.js';
import { randomOp, rng } from '../test-support/sim.js';

const text = (s) => Text.of(s.split('\n'));

test('table: CodeMirror changes to operations', () => {
  const cases = [
    { doc: 'abc', changes: { from: 3, insert: '!' }, op: [3, '!'] },
    { doc: '😀bc', changes: { from: 2, to: 3, insert: 'B' }, op: [1, { d: 1 }, 'B'] },
    { doc: '😀b😀c', changes: [{ from: 0, to: 2 }, { from: 5, insert: '🇫🇷' }], op: [{ d: 1 }, 2, '🇫🇷'] },
    { doc: 'a\nb', changes: { from: 1, to: 2, insert: ' ' }, op: [1, { d: 1 }, ' '] },
    { doc: 'abc', changes: [], op: [] },
  ];
  for (const tc of cases) {
    const doc = text(tc.doc);
    const cs = ChangeSet.of(tc.changes, doc.length);
    assert.deepEqual(changesToOp(doc, cs), tc.op, JSON.stringify(tc));
    assert.equal(type.apply(tc.doc, tc.op), cs.apply(doc).toString());
  }
});

test('table: operations to CodeMirror changes', () => {
  const cases = [
    { doc: '😀bc', op: [1, { d: 1 }, 'B'], want: [{ from: 2, to: 3, insert: 'B' }] },
    { doc: '😀bc', op: [1, 'x', { d: 2 }], want: [{ from: 2, to: 4, insert: 'x' }] },
    { doc: 'ab', op: [{ d: 'a' }], want: [{ from: 0, to: 1, insert: '' }] },
  ];
  for (const tc of cases) assert.deepEqual(opToChanges(text(tc.doc), tc.op), tc.want, JSON.stringify(tc));
  for (const bad of [[5], [1, { d: 9 }], [0], [''], [{ d: 0 }], [null], 'x']) {
    assert.throws(() => opToChanges(text('abc'), bad), RangeError, JSON.stringify(bad));
  }
});

test('random ops survive the round trip through CodeMirror changes', () => {
  const rand = rng(Number(process.env.CONFPAD_SEED ?? 5));
  let s = 'start 😀\n';
  for (let k = 0; k < 2000; k++) {
    const op = randomOp(rand, s);
    const doc = text(s);
    const cs = ChangeSet.of(opToChanges(doc, op), doc.length);
    const next = type.apply(s, op);
    assert.equal(cs.apply(doc).toString(), next, JSON.stringify({ s, op }));
    assert.equal(type.apply(s, changesToOp(doc, cs)), next, JSON.stringify({ s, op }));
    s = next;
  }
});

test('replaceChange is minimal and never splits a surrogate pair', () => {
  const cases = [
    { a: 'hello', b: 'help', want: { from: 3, to: 5, insert: 'p' } },
    { a: 'x😀y', b: 'x😃y', want: { from: 1, to: 3, insert: '😃' } },
    { a: '😀', b: '😀😀', want: { from: 2, to: 2, insert: '😀' } },
    { a: 'same', b: 'same', want: { from: 4, to: 4, insert: '' } },
  ];
  for (const tc of cases) {
    const got = replaceChange(tc.a, tc.b);
    assert.deepEqual(got, tc.want, JSON.stringify(tc));
    assert.equal(tc.a.slice(0, got.from) + got.insert + tc.a.slice(got.to), tc.b);
  }
});

test('wellFormed replaces lone surrogates only', () => {
  assert.equal(wellFormed('a\ud83d😀b\ude00'), 'a\ufffd😀b\ufffd');
  assert.equal(wellFormed('ok 🇫🇷'), 'ok 🇫🇷');
});
