// End-to-end tests of authorship in real headless Chromium against the real
// confpad server: author colours in the editor name who wrote each part
// and follow new edits as they arrive; the timeslider shows revision R's
// text as the server has it, tinted by author, under the pages' strict
// Content-Security-Policy. Run: cd frontend && npm run e2e.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Server, buildServer, chromiumMissing, freePort, launchBrowser, openPad, removeDir, repoRoot, settled, tempDir, waitFor, watchErrors,
} from '../test-support/e2e.mjs';

const missing = chromiumMissing();
const T = { timeout: 180_000 };

/** marks returns the editor's author marks as [title, class, text]. */
const marks = (page) => page.evaluate(() => [...document.querySelectorAll('.cm-content [data-author]')]
  .map((el) => [el.title, el.className, el.textContent]));

describe('authors and history in Chromium', { skip: missing ?? false }, () => {
  let dir;
  let server;
  let browser;

  before(async () => {
    dir = tempDir('confpad-e2e-history-');
    const data = join(dir, 'data');
    mkdirSync(data);
    server = new Server(await buildServer(dir), await freePort(), data);
    await server.start();
    browser = await launchBrowser(join(dir, 'profile'));
  }, { timeout: 600_000 });

  after(async () => {
    await browser?.close().catch(() => {});
    await server?.kill('SIGTERM');
    if (dir) removeDir(dir);
  });

  test('author colours name who wrote what; the timeslider shows revision R', T, async () => {
    const id = await server.createPad('authors-e2e', 'Who wrote what');
    const ann = await openPad(browser, server, id, { name: 'Ann', color: '#3366ff' });
    await ann.locator('.cm-content').click();
    await ann.keyboard.type('Ann wrote this. ');
    await settled([ann]);
    // The second page is another browser's author: its own secret.
    const bob = await openPad(browser, server, id, {
      name: 'Bob',
      color: '#e6550d',
      prepare: (p) => p.addInitScript(() => localStorage.setItem('confpad.author', 'bob-secret-0123456789abcdefgh')),
    });
    await bob.locator('.cm-content').click();
    await bob.keyboard.press('Control+End');
    await bob.keyboard.type('Bob adds this.');
    await settled([ann, bob]);

    await ann.locator('#toggle-authors').click();
    assert.equal(await ann.locator('#toggle-authors').getAttribute('aria-pressed'), 'true');
    await waitFor('Ann\'s author colours', async () => {
      const m = await marks(ann);
      return m.some(([t, c, s]) => t === 'You' && c.includes('by-c0') && s.includes('Ann wrote this.'))
        && m.some(([t, c, s]) => t === 'Bob' && c.includes('by-c1') && s === 'Bob adds this.');
    });
    assert.ok(await ann.locator('.cm-editor.authors-on').count(), 'the editor is tinted');

    // An edit arriving later is Bob's too.
    await bob.keyboard.type(' Live.');
    await settled([ann, bob]);
    await waitFor('Bob\'s new text marked as his', async () => (await marks(ann)).some(([t, , s]) => t === 'Bob' && s.includes('Live.')));
    // Ann's own new text is hers at once.
    await ann.locator('.cm-content').click();
    await ann.keyboard.press('Control+End');
    await ann.keyboard.type(' Ann again');
    await waitFor('Ann\'s new text marked as hers', async () => (await marks(ann)).some(([t, , s]) => t === 'You' && s.includes('Ann again')));
    await settled([ann, bob]);
    assert.deepEqual(ann.errors, []);

    // The timeslider at a revision in the middle shows that revision.
    const revs = await (await server.api('GET', `/api/v1/pads/${id}/revisions?limit=1`)).json();
    const head = revs.head;
    const r = Math.floor(head / 2);
    assert.ok(r >= 1, `head ${head}`);
    const want = await (await server.api('GET', `/api/v1/pads/${id}/text?rev=${r}`)).text();
    const page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    await watchErrors(page);
    await page.goto(`${server.url}/p/${id}/history?rev=${r}`);
    await page.waitForSelector(`body[data-rev="${r}"]`);
    assert.equal(await page.locator('#history-text').textContent(), want);
    assert.equal(await page.locator('#rev-label').textContent(), `Revision ${r} of ${head}`);
    assert.match(await page.locator('#rev-meta').textContent(), / · (Ann|Bob) · \+\d+ −\d+$/);
    assert.equal(await page.locator('#notes-at').getAttribute('href'), `/p/${id}/notes?rev=${r}`);
    const titles = await page.evaluate(() => [...document.querySelectorAll('#history-text span')].map((s) => s.title));
    assert.ok(titles.length > 0 && titles.every((t) => t === 'Ann' || t === 'Bob'), `spans titled ${titles}`);

    // The keyboard moves the slider: to the first and the last revision.
    await page.locator('#slider').focus();
    await page.keyboard.press('End');
    await page.waitForSelector(`body[data-rev="${head}"]`);
    assert.equal(await page.locator('#history-text').textContent(), await server.text(id));
    const all = await page.evaluate(() => [...document.querySelectorAll('#history-text span')].map((s) => s.title));
    assert.ok(all.includes('Ann') && all.includes('Bob'), `spans titled ${all}`);
    await page.keyboard.press('Home');
    await page.waitForSelector('body[data-rev="0"]');
    assert.equal(await page.locator('#history-text').textContent(), '');

    // Play runs from the start to the head.
    await page.locator('#play').click();
    await page.waitForSelector(`body[data-rev="${head}"]`, { timeout: 60_000 });
    assert.deepEqual(page.errors, []);
    await Promise.all([ann.close(), bob.close(), page.close()]);
  });

  test('an imported .etherpad file keeps its authors in the editor\'s colours', T, async () => {
    const id = await server.createPad('import-e2e', 'Imported notes');
    const ann = await openPad(browser, server, id, { name: 'Ann', color: '#3366ff' });
    await ann.locator('.cm-content').click();
    await ann.keyboard.type('Typed here.');
    await settled([ann]);
    // This browser remembers the toggle from the test before.
    if (await ann.locator('#toggle-authors').getAttribute('aria-pressed') !== 'true') await ann.locator('#toggle-authors').click();
    await waitFor('Ann\'s text marked', async () => (await marks(ann)).some(([t, , s]) => t === 'You' && s === 'Typed here.'));

    // The import arrives as one op whose runs name the file's authors.
    const file = JSON.parse(readFileSync(join(repoRoot, 'etherpad', 'testdata', 'keynote.etherpad'), 'utf8'));
    const res = await server.api('POST', `/api/v1/pads/${id}/import?mode=append`, file);
    assert.equal(res.status, 200, await res.text());
    await waitFor('the imported text marked by its authors', async () => {
      const m = await marks(ann);
      return m.some(([t, c, s]) => t === 'Alice Ö' && c.includes('by-cx') && s === '# Keynote 🎤')
        && m.some(([t, , s]) => t === 'Bob 漢' && s === '漢字とかな、日本語')
        && m.some(([t, , s]) => t === 'Unknown author' && s.startsWith('café e\u0301 👩'))
        && m.some(([t, , s]) => t === 'You' && s === 'Typed here.');
    });
    // A reload of the attribution from the server gives the same marks.
    const live = await marks(ann);
    await ann.reload();
    await ann.locator('#toggle-authors[aria-pressed="true"]').waitFor();
    await waitFor('the marks after a reload', async () => JSON.stringify(await marks(ann)) === JSON.stringify(live));
    assert.deepEqual(ann.errors, []);
    await ann.close();
  });
});
