// End-to-end tests of the editing policy in real headless Chromium against
// the real confpad server: a session whose policy is "link" is view-only
// for a page opened without its edit link, and editable through the link
// (kept for the tab, gone from the address bar); slide links added there
// can be removed by the page that added them; rotating the link turns its
// pages view-only.
// Run: cd frontend && npm run e2e.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chromiumMissing, openPad, padText, settled, startStack, stopStack, waitFor, watchErrors,
} from '../test-support/e2e.mjs';

const missing = chromiumMissing();
const T = { timeout: 180_000 };

describe('the editing policy in Chromium', { skip: missing ?? false }, () => {
  const stack = {};
  let server;
  let browser;

  before(async () => {
    await startStack(stack, 'confpad-e2e-access-');
    ({ server, browser } = stack);
  }, { timeout: 600_000 });

  after(() => stopStack(stack));

  /** linkPolicy makes pad's policy "link" and returns its edit link. */
  const linkPolicy = async (id) => {
    const res = await server.api('PATCH', `/api/v1/pads/${id}`, { policy: 'link' });
    assert.equal(res.status, 200, await res.text());
    const link = await (await server.api('GET', `/api/v1/pads/${id}/edit-link`)).json();
    assert.equal(link.link, `/p/${id}?edit=${link.secret}`);
    return link;
  };

  /** openLink opens path (an edit link) and waits until the page is live. */
  const openLink = async (path) => {
    const page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    await watchErrors(page);
    await page.goto(`${server.url}${path}`);
    await page.waitForFunction(() => window.confpad?.synced(), null, { timeout: 20_000 });
    return page;
  };

  test('without the edit link the pad is view only; through it, it is editable', T, async () => {
    const id = await server.createPad('e2e-policy', 'Policy');
    const link = await linkPolicy(id);

    const viewer = await openPad(browser, server, id, { name: 'Viewer' });
    assert.equal(await viewer.evaluate(() => window.confpad.mode()), 'view');
    assert.equal(await viewer.evaluate(() => window.confpad.status()), 'view-only');
    assert.equal(await viewer.textContent('#status .label'), 'View only');
    assert.match(await viewer.textContent('#banner'), /View only: editing this session needs its edit link/);
    assert.equal(await viewer.isVisible('details.add-link'), false, 'no add-link form for a viewer');
    await viewer.click('.cm-content');
    await viewer.keyboard.insertText('not allowed');
    assert.equal(await padText(viewer), '');

    const editor = await openLink(link.link);
    assert.equal(await editor.evaluate(() => location.href), `${server.url}/p/${id}`, 'the secret left the address bar');
    assert.equal(await editor.evaluate((k) => sessionStorage.getItem(k), `confpad.edit.${id}`), link.secret);
    assert.equal(await editor.evaluate(() => window.confpad.mode()), 'edit');
    assert.equal(await editor.evaluate(() => window.confpad.status()), 'live');
    await editor.click('.cm-content');
    await editor.keyboard.insertText('# Through the edit link\n');
    assert.equal(await settled([editor, viewer]), '# Through the edit link\n');
    assert.equal(await server.text(id), '# Through the edit link\n');

    // A reload keeps the secret for the tab.
    await editor.reload();
    await editor.waitForFunction(() => window.confpad?.synced(), null, { timeout: 20_000 });
    assert.equal(await editor.evaluate(() => window.confpad.mode()), 'edit');

    // Slides: the page that adds a link may remove it; others may not.
    await editor.click('details.add-link summary');
    await editor.fill('#link-title', 'Deck');
    await editor.fill('#link-url', 'https://example.org/deck.pdf');
    await editor.click('#link-form button');
    await editor.waitForSelector('#links .link-remove');
    await viewer.waitForSelector('#links a[href="https://example.org/deck.pdf"]');
    assert.equal(await viewer.locator('#links .link-remove').count(), 0, 'no remove button for another page');
    await editor.click('#links .link-remove');
    await viewer.waitForSelector('#links .empty');
    await editor.waitForSelector('#links .empty');

    // Rotating the link turns its pages view only when they reconnect.
    const res = await server.api('POST', `/api/v1/pads/${id}/edit-link/rotate`);
    assert.equal(res.status, 200);
    await waitFor('the editor to become view only', () => editor.evaluate(() => window.confpad.synced() && window.confpad.mode() === 'view'));
    assert.match(await editor.textContent('#banner'), /edit link you opened is no longer valid/);
    assert.equal(await viewer.evaluate(() => window.confpad.mode()), 'view', 'the viewer stayed');

    for (const p of [viewer, editor]) {
      assert.deepEqual(p.errors, [], 'no errors on the page');
      await p.close();
    }
  });
});
