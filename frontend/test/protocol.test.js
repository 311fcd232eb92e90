import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closePolicy, errorPolicy } from '../src/protocol.js';

test('codes map to their policies; unknown ones stop (errors) or retry (closes)', () => {
  const errors = [['rev_ahead', 'resync'], ['unavailable', 'retry'], ['unknown_pad', 'stop'], ['no_such_code', 'stop'], ['__proto__', 'stop']];
  for (const [code, want] of errors) assert.equal(errorPolicy(code), want, code);
  const closes = [[4410, 'resync'], [4404, 'stop'], [1001, 'retry'], [1006, 'retry']];
  for (const [code, want] of closes) assert.equal(closePolicy(code), want, String(code));
});
