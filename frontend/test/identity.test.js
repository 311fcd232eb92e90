import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanName, newClientId, textColorOn, validColor } from '../src/identity.js';

test('names are trimmed, single-line and at most 50 characters', () => {
  const cases = [
    ['  Ada  ', 'Ada'],
    ['Ada\nLovelace', 'Ada Lovelace'],
    ['\u0007', ''],
    [null, ''],
    ['😀'.repeat(60), '😀'.repeat(50)],
    // What the server refuses in names (conference.TextProblem) is removed.
    ['Ada\u202egnp.exe', 'Adagnp.exe'],
    ['\u2066Ada\u2069\u200f', 'Ada'],
    ['A\u200bd\ufeffa\u2060', 'Ada'],
    ['\u200dAda\u200d', 'Ada'],
    ['A\u200d\u200da', 'A\u200da'],
    ['👩\u200d💻 Grace', '👩\u200d💻 Grace'],
    ['می\u200cخواهم', 'می\u200cخواهم'],
    ['Ada\u{E0041}', 'Ada'],
    ['🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}', '🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}'],
    ['Z' + '\u0336'.repeat(9), 'Z' + '\u0336'.repeat(4)],
  ];
  for (const [input, want] of cases) assert.equal(cleanName(input), want, JSON.stringify(input));
});

test('colours must be #rrggbb', () => {
  const cases = [
    ['#3366FF', '#3366ff'],
    ['#36f', '#6b7280'],
    ['red; background: url(x)', '#6b7280'],
    [undefined, '#6b7280'],
  ];
  for (const [input, want] of cases) assert.equal(validColor(input), want, String(input));
});

test('labels are readable on their colour', () => {
  assert.equal(textColorOn('#ffffff'), '#1d2330');
  assert.equal(textColorOn('#3366ff'), '#ffffff');
});

test('client ids are version 4 UUIDs the server accepts, and differ', () => {
  const ids = new Set();
  for (let i = 0; i < 100; i++) {
    const id = newClientId();
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.match(id, /^[A-Za-z0-9_-]{1,64}$/); // httpapi's client id pattern
    ids.add(id);
  }
  assert.equal(ids.size, 100);
});
