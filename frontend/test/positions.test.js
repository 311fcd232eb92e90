import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Text } from '@codemirror/state';
import { codePointCount, codePointLength, scanStats, toCodePoints, toUtf16, unitsFor } from '../src/positions.js';
import { rng } from '../test-support/sim.js';

const PIECES = ['a', 'bc', ' ', '\n', 'é', '😀', '🇫🇷', '𝄞', 'Ж', '\n\n', 'e\u0301'];

function randomString(rand, n) {
  let s = '';
  while (s.length < n) s += PIECES[Math.floor(rand() * PIECES.length)];
  return s;
}

// The oracle: code points of s[0, units), counting a pair split by the
// offset as not yet started.
function cpOf(s, units) {
  let cp = 0;
  for (let i = 0; i < units; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < units) i++;
    else if (c >= 0xd800 && c <= 0xdbff) break;
    cp++;
  }
  return cp;
}

test('table: offsets around astral characters', () => {
  const cases = [
    { text: '', utf16: 0, cp: 0 },
    { text: 'abc', utf16: 2, cp: 2 },
    { text: '😀x', utf16: 2, cp: 1 },
    { text: '😀x', utf16: 3, cp: 2 },
    { text: 'a\n😀\n🇫🇷b', utf16: 9, cp: 6 },
    { text: 'a\n😀\n🇫🇷b', utf16: 4, cp: 3 },
    { text: 'e\u0301😀', utf16: 4, cp: 3 },
  ];
  for (const tc of cases) {
    const doc = Text.of(tc.text.split('\n'));
    assert.equal(toCodePoints(doc, tc.utf16), tc.cp, JSON.stringify(tc));
    assert.equal(toUtf16(doc, tc.cp), tc.utf16, JSON.stringify(tc));
  }
  // Out-of-range positions clamp.
  const doc = Text.of(['😀😀']);
  assert.equal(toCodePoints(doc, 99), 2);
  assert.equal(toUtf16(doc, 99), 4);
  assert.equal(toCodePoints(doc, -1), 0);
  // An offset inside a pair converts to the position before the pair.
  assert.equal(toCodePoints(doc, 3), 1);
});

test('table: code points of strings', () => {
  const cases = [
    { s: '', cp: 0, units: [0] },
    { s: 'ab', cp: 2, units: [0, 1, 2, 2] },
    { s: '😀x🇫🇷', cp: 4, units: [0, 2, 3, 5, 7, 7] },
    { s: 'a\ud83db\ude00', cp: 4, units: [0, 1, 2, 3, 4, 4] }, // lone surrogates count one each
  ];
  for (const tc of cases) {
    assert.equal(codePointCount(tc.s), tc.cp, JSON.stringify(tc));
    assert.equal(codePointCount(tc.s), [...tc.s].length, JSON.stringify(tc));
    tc.units.forEach((want, n) => assert.equal(unitsFor(tc.s, n), want, `${JSON.stringify(tc)} n=${n}`));
  }
});

test('round trips on random documents of every size', () => {
  const rand = rng(Number(process.env.CONFPAD_SEED ?? 7));
  for (const size of [0, 1, 10, 100, 3000, 40000]) {
    const s = randomString(rand, size);
    const doc = Text.of(s.split('\n'));
    const cps = [...s].length;
    assert.equal(codePointLength(doc), cps, `size ${size}`);
    for (let k = 0; k < 300; k++) {
      const cp = Math.floor(rand() * (cps + 1));
      const units = toUtf16(doc, cp);
      assert.equal([...s.slice(0, units)].length, cp, `size ${size} cp ${cp}`);
      assert.equal(toCodePoints(doc, units), cp, `size ${size} cp ${cp}`);
      const u = Math.floor(rand() * (s.length + 1));
      assert.equal(toCodePoints(doc, u), cpOf(s, u), `size ${size} utf16 ${u}`);
    }
  }
});

test('conversions stay correct as the document is edited', () => {
  const rand = rng(11);
  let s = randomString(rand, 5000);
  let doc = Text.of(s.split('\n'));
  for (let k = 0; k < 500; k++) {
    const from = toUtf16(doc, Math.floor(rand() * (codePointLength(doc) + 1)));
    const to = Math.min(doc.length, from + Math.floor(rand() * 8));
    const end = toUtf16(doc, toCodePoints(doc, to)); // never split a pair
    const ins = randomString(rand, Math.floor(rand() * 6));
    doc = doc.replace(from, end, Text.of(ins.split('\n')));
    s = s.slice(0, from) + ins + s.slice(end);
    const u = Math.floor(rand() * (s.length + 1));
    assert.equal(toCodePoints(doc, u), cpOf(s, u));
    assert.equal(codePointLength(doc), [...s].length);
  }
  assert.equal(doc.toString(), s);
});

test('a 1 MB document is not rescanned for each edit', () => {
  const rand = rng(3);
  const lines = [];
  let size = 0;
  while (size < 1 << 20) {
    const line = randomString(rand, 60).replace(/\n/g, '');
    lines.push(line);
    size += line.length + 1;
  }
  let doc = Text.of(lines);
  toCodePoints(doc, doc.length); // the first conversion counts everything once
  const edits = 1000;
  scanStats.units = 0;
  for (let k = 0; k < edits; k++) {
    const at = toUtf16(doc, Math.floor(rand() * codePointLength(doc)));
    doc = doc.replace(at, at, Text.of(['😀x']));
    toCodePoints(doc, Math.floor(rand() * doc.length));
  }
  const perEdit = scanStats.units / edits;
  // A leaf holds at most 32 lines here (about 2 KB); a full scan would be 1 MB.
  assert.ok(perEdit < 10_000, `read ${perEdit} units per edit of a ${doc.length}-unit document`);
  assert.ok(perEdit > 0, 'the counter counts');
});
