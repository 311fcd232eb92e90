import { test } from 'node:test';
import assert from 'node:assert/strict';
import { insertRanges, runRanges } from '../src/author-colors.js';

test('runRanges counts runs in code points and returns UTF-16 offsets', () => {
  // 😀 is two UTF-16 units; e + U+0301 are two code points.
  const text = 'a😀漢e\u0301xyz';
  const runs = [{ author: 'ann', length: 2 }, { author: 'bob', length: 3 }, { author: 'cy', length: 1 }];
  assert.deepEqual(runRanges(text, runs), [
    { from: 0, to: 3, author: 'ann' },
    { from: 3, to: 6, author: 'bob' },
    { from: 6, to: 7, author: 'cy' },
  ]);
  assert.deepEqual(runRanges('ab', [{ author: 'ann', length: 5 }, { author: 'bob', length: 1 }]), [{ from: 0, to: 2, author: 'ann' }]);
});

test('insertRanges spreads runs over the texts an op inserted', () => {
  // An op inserted "x😀" at 1 and "yz" at 10; runs: ann 1, bob 2 (😀 and y), cy 1.
  const inserts = [{ from: 1, text: 'x😀' }, { from: 10, text: 'yz' }];
  const runs = [{ author: 'ann', length: 1 }, { author: 'bob', length: 2 }, { author: 'cy', length: 1 }];
  assert.deepEqual(insertRanges(inserts, runs), [
    { from: 1, to: 2, author: 'ann' },
    { from: 2, to: 4, author: 'bob' },
    { from: 10, to: 11, author: 'bob' },
    { from: 11, to: 12, author: 'cy' },
  ]);
  assert.deepEqual(insertRanges([], []), []);
});
