import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadAuthorSecret, newSecret, publicAuthorId } from '../src/author.js';

test('a new secret is 32 base64url characters', () => {
  assert.match(newSecret(), /^[A-Za-z0-9_-]{32}$/);
  assert.notEqual(newSecret(), newSecret());
});

test('the secret is remembered, and a bad one replaced', () => {
  const m = new Map();
  const storage = { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => m.set(k, v) };
  const first = loadAuthorSecret(storage);
  assert.equal(loadAuthorSecret(storage), first);
  m.set('confpad.author', 'short');
  assert.notEqual(loadAuthorSecret(storage), 'short');
});

test('the public id is the server\'s (protocol.PublicID, ExamplePublicID)', async () => {
  // Computed with protocol.PublicID(protocol.DomainAuthor, "kq8V2xN0cT5rY7wB3mZ1aL6dF4hJ9sG0").
  const id = await publicAuthorId('kq8V2xN0cT5rY7wB3mZ1aL6dF4hJ9sG0');
  assert.equal(id, 'LvquueIn3HE55RuLd3in20');
});
