// The editor and the server's pages under confpad's Content-Security-Policy,
// in real headless Chromium: everything works and no violation is reported.
// Run: cd frontend && npm run e2e

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chromiumMissing, openPad, settled, startStack, stopStack, waitFor, watchErrors,
} from '../test-support/e2e.mjs';

const missing = chromiumMissing();
const T = { timeout: 180_000 };

describe('the Content-Security-Policy in Chromium', { skip: missing ?? false }, () => {
  const stack = {};
  let server;
  let browser;

  before(async () => {
    await startStack(stack, 'confpad-csp-');
    ({ server, browser } = stack);
  }, { timeout: 600_000 });

  after(() => stopStack(stack));

  test('the editor works under the policy: typing, cursors, preview, links', T, async () => {
    const id = await server.createPad('csp-editor', 'Under the policy');
    const a = await openPad(browser, server, id, { name: 'Ada', color: '#3366ff' });
    const b = await openPad(browser, server, id, { name: 'Grace', color: '#e6550d' });
    const res = await a.request.get(`${server.url}/p/${id}`);
    assert.match(res.headers()['content-security-policy'], /script-src 'self'.*frame-ancestors 'none'/);

    await a.click('.cm-content');
    await a.keyboard.insertText('# Policy\n\n**bold** ![pic](https://example.org/p.png) `code`\n');
    await b.click('.cm-content');
    await b.keyboard.press('Control+End');
    await b.keyboard.insertText('- from Grace\n');
    const text = await settled([a, b]);
    assert.equal(await server.text(id), text);
    // The other's cursor and selection are drawn (inline styles set through the CSSOM).
    await b.keyboard.press('Shift+ArrowUp');
    await waitFor('the remote cursor on the first page', () => a.locator('.cm-remote-caret').count());
    await a.click('#toggle-preview');
    await waitFor('the preview', () => a.locator('#preview strong').count());
    await a.click('.add-link summary');
    await a.fill('#link-title', 'Slides');
    await a.fill('#link-url', 'https://example.org/slides.pdf');
    await a.click('#link-form button[type="submit"]');
    await waitFor('the link on the other page', () => b.locator('#links a', { hasText: 'Slides' }).count());
    for (const p of [a, b]) {
      assert.deepEqual(p.errors, [], 'no errors and no policy violations');
      await p.close();
    }
  });

  test('the server pages show styled and without violations', T, async () => {
    const page = await browser.newPage();
    await watchErrors(page);
    for (const path of ['/', '/p/csp-editor/notes', '/p/nope']) {
      await page.goto(`${server.url}${path}`);
      // The pages' stylesheet applies: the header has its white card background.
      const bg = await page.evaluate(() => getComputedStyle(document.querySelector('header.site')).backgroundColor);
      assert.equal(bg, 'rgb(255, 255, 255)', `${path} is styled`);
    }
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('an inline script is blocked and reported', T, async () => {
    const page = await browser.newPage();
    await watchErrors(page);
    await page.goto(`${server.url}/`);
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__ran = true';
      document.head.append(s);
    });
    await waitFor('the violation report', () => page.errors.length > 0);
    assert.equal(await page.evaluate(() => window.__ran), undefined);
    await page.close();
  });
});
