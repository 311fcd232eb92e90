// End-to-end tests of the reader's side in real headless Chromium against
// the real confpad server (default conference, SQLite in a temp dir): XSS
// payloads typed into notes, names and slide links run nothing on the
// notes page, in the exports, on the static site or in the editor's
// preview; code-like lines stay verbatim; the static site opens from
// file:// with every link resolving; a BoF started from the index is
// listed, editable and exported, and refused over the rate limit.
// Run: cd frontend && npm run e2e.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import {
  Server, buildServer, chromiumMissing, freePort, launchBrowser, openPad, removeDir, repoRoot, settled, tempDir, waitFor,
} from '../test-support/e2e.mjs';

const missing = chromiumMissing();
const T = { timeout: 180_000 };

/** lines reads a file of testdata/xss, one entry a line. */
const lines = (name) => readFileSync(join(repoRoot, 'testdata', 'xss', name), 'utf8').replace(/\n$/, '').split('\n');
const PAYLOADS = lines('payloads.txt');
const CODE = lines('code-lines.txt');

/**
 * hook makes every page of the context record script that payloads run:
 * they call __xss(n), alert, or open a dialog.
 */
async function hook(context) {
  await context.addInitScript(() => {
    window.__hits = [];
    window.__xss = (n) => window.__hits.push(n);
    window.alert = (m) => window.__hits.push(`alert ${m}`);
  });
}

/** hits returns what payloads ran in page (dialogs included). */
async function hits(page) {
  return [...page.dialogs, ...await page.evaluate(() => window.__hits)];
}

describe('the reader\'s pages in Chromium', { skip: missing ?? false }, () => {
  let dir;
  let bin;
  let server;
  let browser;

  before(async () => {
    dir = tempDir('confpad-e2e-reader-');
    const data = join(dir, 'data');
    mkdirSync(data);
    bin = await buildServer(dir);
    server = new Server(bin, await freePort(), data);
    await server.start();
    browser = await launchBrowser(join(dir, 'profile'));
    await hook(browser);
  }, { timeout: 600_000 });

  after(async () => {
    await browser?.close().catch(() => {});
    await server?.kill('SIGTERM');
    if (dir) removeDir(dir);
  });

  /** page opens a new page that records dialogs and errors. */
  const newPage = async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    page.dialogs = [];
    page.errors = [];
    page.on('dialog', (d) => { page.dialogs.push(`dialog ${d.message()}`); d.dismiss().catch(() => {}); });
    page.on('pageerror', (err) => page.errors.push(err.message));
    return page;
  };

  /** checkCode asserts that every code-like line is in text verbatim. */
  const checkCode = (where, text) => {
    for (const l of CODE) assert.ok(text.includes(l), `${where} lacks ${JSON.stringify(l)}`);
  };

  test('the index fits a phone: the sixteen sessions of the default conference in under three screens', T, async () => {
    const page = await newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(server.url);
    assert.equal(await page.locator('ul.sessions > li').count(), 16);
    const { height, width } = await page.evaluate(() => ({ height: document.documentElement.scrollHeight, width: document.documentElement.scrollWidth }));
    assert.ok(height < 3 * 844, `the index is ${(height / 844).toFixed(2)} screens long`);
    assert.ok(width <= 390, `the index is ${width} px wide`);
    assert.equal(await page.locator('form[action="/search"][method="get"] input[name="q"]').count(), 1, 'the search box');
    // No sideways scrolling on the common phone widths either.
    for (const w of [320, 360, 375, 414]) {
      await page.setViewportSize({ width: w, height: 800 });
      const sw = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(sw <= w, `at ${w} px the index is ${sw} px wide`);
    }
    await page.close();
  });

  const notes = `${CODE.join('\n')}\n\n${PAYLOADS.join('\n\n')}\n`;
  const xssName = '<img src=x onerror=__xss(900)>';
  let id;

  test('payloads typed into notes, names and slide links run nothing in the editor\'s preview', T, async () => {
    assert.ok(PAYLOADS.length >= 40, `${PAYLOADS.length} payloads`);
    id = await server.createPad('e2e-xss', '<svg onload=__xss(901)> "Title"');
    const link = await server.api('POST', `/api/v1/pads/${id}/links`, { title: '<img src=x onerror=__xss(902)>', url: 'https://example.org/"onmouseover="__xss(903)' });
    assert.equal(link.status, 201);
    await browser.addInitScript(() => localStorage.setItem('confpad.preview', '1'));
    const writer = await openPad(browser, server, id, { name: xssName });
    const reader = await openPad(browser, server, id, { name: 'Reader' });
    for (const p of [writer, reader]) {
      p.dialogs = [];
      p.on('dialog', (d) => { p.dialogs.push(`dialog ${d.message()}`); d.dismiss().catch(() => {}); });
    }
    await writer.click('.cm-content');
    await writer.keyboard.insertText(notes);
    await settled([writer, reader]);
    assert.equal(await server.text(id), notes);
    await waitFor('the preview to render the notes', async () => (await reader.textContent('#preview')).includes(CODE[0]));
    await waitFor('the writer\'s name on the reader\'s page', async () => (await reader.textContent('body')).includes(xssName));
    await reader.mouse.move(5, 5);
    for (const p of [writer, reader]) {
      checkCode('the preview', await p.innerText('#preview'));
      assert.deepEqual(await hits(p), [], 'nothing ran in the editor');
      assert.deepEqual(p.errors, []);
      await p.close();
    }
  });

  test('the notes page and the exports run nothing and keep code verbatim', T, async () => {
    const page = await newPage();
    await page.goto(`${server.url}/p/${id}/notes`);
    checkCode('the notes page', await page.innerText('article.notes'));
    assert.ok((await page.innerText('h1')).includes('<svg onload=__xss(901)>'), 'the title shows as text');
    assert.ok((await page.innerText('aside.links')).includes('<img src=x onerror=__xss(902)>'));
    await page.hover('aside.links a');
    assert.equal(await page.locator('#L3').count(), 1, 'line anchors');
    assert.deepEqual(await hits(page), [], 'nothing ran on the notes page');
    // A search result's link (#L<n>) marks its line's block, and only it.
    await page.goto(`${server.url}/p/${id}/notes#L3`);
    const marked = await page.evaluate(() => [...document.querySelectorAll('article.notes *')]
      .filter((e) => getComputedStyle(e).outlineStyle !== 'none')
      .map((e) => e.previousElementSibling?.id ?? e.tagName));
    assert.equal(marked.length, 1, `one block marked for #L3, not ${JSON.stringify(marked)}`);
    assert.deepEqual(await hits(page), [], 'nothing ran on the notes page');

    for (const ext of ['md', 'txt']) {
      const res = await fetch(`${server.url}/p/${id}/export.${ext}`);
      assert.equal(res.status, 200);
      const body = await res.text();
      if (ext === 'md') assert.equal(body, notes, 'export.md is the pad text');
      checkCode(`export.${ext}`, body);
    }
    // The .html file, opened as a downloaded file is: without the
    // server's headers, so only its own markup keeps it safe.
    const html = await (await fetch(`${server.url}/p/${id}/export.html`)).text();
    await page.setContent(html);
    checkCode('export.html', await page.innerText('article.notes'));
    assert.equal(await page.locator('script').count(), 0);
    await page.mouse.move(200, 200);
    assert.deepEqual(await hits(page), [], 'nothing ran in export.html');
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('the static site opens from file://, every link resolves and nothing runs', T, async () => {
    const out = join(dir, 'site');
    await promisify(execFile)(bin, ['export', '--from', `sqlite:${join(server.dataDir, 'confpad.db')}`, '--out', out], { timeout: 60_000 });
    const page = await newPage();
    const seen = new Set();
    const queue = [join(out, 'index.html')];
    while (queue.length > 0) {
      const file = queue.shift();
      if (seen.has(file)) continue;
      seen.add(file);
      await page.goto(pathToFileURL(file).href);
      assert.deepEqual(await hits(page), [], `nothing ran on ${file}`);
      const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href')));
      for (const href of hrefs) {
        if (/^[a-z]+:/i.test(href) || href.startsWith('#')) continue;
        assert.ok(!href.startsWith('/'), `${file} has the absolute link ${href}`);
        const target = resolve(dirname(file), decodeURI(href.split('#')[0]));
        assert.ok(existsSync(target), `${file} links to ${href}, which does not exist`);
        if (target.endsWith('.html')) queue.push(target);
      }
    }
    assert.ok(seen.has(join(out, 'sessions', `${id}.html`)), 'the index links to the session');
    assert.ok(seen.size >= 17, `${seen.size} pages reached`);
    await page.goto(pathToFileURL(join(out, 'sessions', `${id}.html`)).href);
    checkCode('the static page', await page.innerText('article.notes'));
    assert.equal(readFileSync(join(out, 'sessions', `${id}.md`), 'utf8'), notes);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('a BoF started from the index is listed, editable and exported; over the rate it is refused', T, async () => {
    const page = await newPage();
    await page.goto(server.url);
    await page.fill('form.bof input[name="title"]', 'Hallway: io_uring <T>');
    await page.fill('form.bof input[name="time"]', 'Thu 18:30');
    await page.click('form.bof button[type="submit"]');
    await page.waitForURL(/\/p\/bof-hallway-io-uring-t-[0-9a-f]+$/);
    const bof = new URL(page.url()).pathname.split('/').pop();
    await page.waitForFunction(() => window.confpad?.synced(), null, { timeout: 20_000 });
    await page.click('.cm-content');
    await page.keyboard.insertText('BoF notes: Vec<T>\n');
    await settled([page]);

    await page.goto(server.url);
    const listed = page.locator(`section.bofs li#s-${bof}`);
    assert.equal(await listed.count(), 1, 'listed under BoFs');
    assert.match(await listed.innerText(), /Hallway: io_uring <T>[\s\S]*Thu 18:30/);
    assert.equal(await (await fetch(`${server.url}/p/${bof}/export.md`)).text(), 'BoF notes: Vec<T>\n');
    const zip = Buffer.from(await (await fetch(`${server.url}/export.zip`)).arrayBuffer());
    assert.ok(zip.includes(`sessions/${bof}.md`) && zip.includes(`sessions/${bof}.html`), 'the BoF is in the zip');

    // The default rate is 10 an hour per address; use up the rest.
    let status = 201;
    for (let i = 0; i < 20 && status === 201; i++) {
      const res = await fetch(`${server.url}/api/v1/bofs`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ title: `Filler ${i}` }),
      });
      status = res.status;
    }
    assert.equal(status, 429);
    await page.fill('form.bof input[name="title"]', 'One too many');
    await page.click('form.bof button[type="submit"]');
    await page.waitForLoadState();
    assert.match(await page.innerText('main'), /429[\s\S]*Too many BoFs started from your address/);
    assert.deepEqual(await hits(page), []);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});
