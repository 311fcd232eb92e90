import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinkTokens, takeEditSecret } from '../src/access.js';

/** memoryStorage is a Storage held in a Map. */
function memoryStorage() {
  const m = new Map();
  return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)), map: m };
}

const SECRET = 'qL8m0Zc3r2V9x1YtE6wB4nHk7JpS5dAaFgUoIiCvXe0';

test('table: the edit secret is taken from the address, kept for the tab and removed from the address bar', () => {
  const cases = [
    { href: `https://h/p/a?edit=${SECRET}`, kept: null, want: SECRET, replaced: '/p/a', stored: SECRET },
    { href: `https://h/p/a?x=1&edit=${SECRET}#top`, kept: null, want: SECRET, replaced: '/p/a?x=1#top', stored: SECRET },
    { href: 'https://h/p/a', kept: SECRET, want: SECRET, replaced: null, stored: SECRET },
    { href: 'https://h/p/a', kept: null, want: '', replaced: null, stored: null },
    { href: 'https://h/p/a?edit=short', kept: null, want: '', replaced: '/p/a', stored: null },
    { href: 'https://h/p/a?edit=has%20spaces%20in%20it%20too', kept: SECRET, want: SECRET, replaced: '/p/a', stored: SECRET },
  ];
  for (const tc of cases) {
    const store = memoryStorage();
    if (tc.kept !== null) store.setItem('confpad.edit.a', tc.kept);
    let replaced = null;
    const hist = { state: null, replaceState: (_s, _t, url) => { replaced = url; } };
    assert.equal(takeEditSecret('a', { loc: { href: tc.href }, hist, store }), tc.want, tc.href);
    assert.equal(replaced, tc.replaced, tc.href);
    assert.equal(store.getItem('confpad.edit.a'), tc.stored, tc.href);
  }
});

test('the secret of one pad is not another\'s', () => {
  const store = memoryStorage();
  takeEditSecret('a', { loc: { href: `https://h/p/a?edit=${SECRET}` }, hist: null, store });
  assert.equal(takeEditSecret('b', { loc: { href: 'https://h/p/b' }, hist: null, store }), '');
});

test('link tokens are kept per pad and survive a reload', () => {
  const store = memoryStorage();
  const tokens = new LinkTokens('a', store);
  tokens.set('l1', 't1');
  tokens.set('l2', 't2');
  tokens.delete('l2');
  const again = new LinkTokens('a', store);
  assert.equal(again.get('l1'), 't1');
  assert.equal(again.get('l2'), undefined);
  assert.equal(again.get('toString'), undefined);
  assert.equal(new LinkTokens('b', store).get('l1'), undefined);
  again.keepOnly(['l3']);
  assert.equal(new LinkTokens('a', store).get('l1'), undefined);
  store.setItem('confpad.links.c', '[1,2');
  assert.equal(new LinkTokens('c', store).get('0'), undefined);
});
