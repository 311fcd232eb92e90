import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readingCount } from '../src/people.js';

test('readers are everyone but the listed users and you', () => {
  const cases = [
    // [people, listed others, reading]
    [1, 0, 0],
    [10001, 1, 9999],
    [3, 2, 0],
    [0, 4, 0], // the count is not known yet
    [2, 5, 0], // the list got ahead of the count
  ];
  for (const [people, listed, want] of cases) assert.equal(readingCount(people, listed), want, `${people} people, ${listed} listed`);
});
