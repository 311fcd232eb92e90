// End-to-end tests of the pad page in real headless Chromium against the
// real confpad server (built from ./cmd/confpad, SQLite in a temp dir).
// Run: cd frontend && npm run e2e   (CONFPAD_REQUIRE_CHROMIUM=1 to fail,
// not skip, when /usr/bin/chromium is missing).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  Server, buildServer, chromiumMissing, differingPixels, freePort, launchBrowser, openPad, padText,
  pngSize, removeDir, repoRoot, settled, tempDir, waitFor,
} from '../test-support/e2e.mjs';

const missing = chromiumMissing();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const T = { timeout: 180_000 };
/**
 * How many pixels (of 1400x860) may differ by more than a little while the
 * screenshot still counts as the same picture: run-to-run anti-aliasing
 * noise touches a few dozen; a changed word touches hundreds.
 */
const SCREENSHOT_NOISE = 100;

describe('the pad page in Chromium', { skip: missing ?? false }, () => {
  let dir;
  let server;
  let browser;
  const pages = [];

  before(async () => {
    dir = tempDir('confpad-e2e-');
    const data = join(dir, 'data');
    mkdirSync(data);
    const bin = await buildServer(dir);
    server = new Server(bin, await freePort(), data);
    await server.start();
    browser = await launchBrowser(join(dir, 'profile'));
  }, { timeout: 600_000 });

  after(async () => {
    await browser?.close().catch(() => {});
    await server?.kill('SIGTERM');
    if (dir) removeDir(dir);
  });

  const open = async (id, who) => {
    const page = await openPad(browser, server, id, who);
    pages.push(page);
    return page;
  };

  const closeAll = async () => {
    for (const p of pages.splice(0)) {
      assert.deepEqual(p.errors, [], 'no errors on the page');
      await p.close();
    }
  };

  test('two pages typing at once, emoji included, end with the server\'s text', T, async () => {
    const id = await server.createPad('e2e-concurrent', 'Concurrent typing');
    const a = await open(id, { name: 'Ada', color: '#3366ff' });
    const b = await open(id, { name: 'Grace', color: '#e6550d' });
    await a.click('.cm-content');
    await a.keyboard.insertText('# Notes\n\nmiddle\n');
    await settled([a, b]);
    await b.click('.cm-content');
    await b.keyboard.press('Control+Home');
    await a.keyboard.press('Control+End');
    // Key by key; emoji joined by ZWJ come whole, as from an emoji picker.
    const typeA = 'A: tea ☕ and 😀 cake, flags 🇫🇷🇩🇪 too. ';
    const typeB = 'B: 🚀 codes 𝄞 music, ça va? ';
    const fromA = `${typeA}👩‍💻`;
    const fromB = `${typeB}👨‍👩‍👧`;
    // Screen readers announce every change of a live region: the status
    // must not announce "saving…" with every keystroke.
    await a.evaluate(() => {
      window.announced = [];
      const status = document.querySelector('#status');
      for (const region of document.querySelectorAll('[role="status"], [aria-live]')) {
        if (!region.contains(status) && !status.contains(region)) continue;
        new MutationObserver(() => window.announced.push(region.textContent))
          .observe(region, { subtree: true, childList: true, characterData: true });
      }
    });
    await Promise.all([
      a.keyboard.type(typeA, { delay: 15 }).then(() => a.keyboard.insertText('👩‍💻')),
      b.keyboard.type(typeB, { delay: 22 }).then(() => b.keyboard.insertText('👨‍👩‍👧')),
    ]);
    const text = await settled([a, b]);
    assert.ok(text.includes(fromA), `A's typing is whole in ${JSON.stringify(text)}`);
    assert.ok(text.includes(fromB), `B's typing is whole in ${JSON.stringify(text)}`);
    assert.ok(text.includes('# Notes\n\nmiddle\n'));
    assert.equal(text.length, '# Notes\n\nmiddle\n'.length + fromA.length + fromB.length);
    assert.equal(await server.text(id), text);
    assert.deepEqual(await a.evaluate(() => window.announced), [], 'the status announced nothing while it stayed live');
    await closeAll();
  });

  test('undo takes back only your own typing', T, async () => {
    const id = await server.createPad('e2e-undo', 'Undo');
    const a = await open(id, { name: 'Ada' });
    const b = await open(id, { name: 'Grace' });
    await a.click('.cm-content');
    await a.keyboard.insertText('mine ');
    await settled([a, b]);
    await b.click('.cm-content');
    await b.keyboard.press('Control+End');
    await b.keyboard.insertText('theirs');
    await settled([a, b]);
    await a.click('.cm-content');
    await a.keyboard.press('Control+z');
    const text = await settled([a, b]);
    assert.equal(text, 'theirs');
    assert.equal(await server.text(id), 'theirs');
    await closeAll();
  });

  test('a co-author pressing Enter at your cursor leaves your cursor where you type', T, async () => {
    const id = await server.createPad('e2e-enter-at-cursor', 'Enter at your cursor');
    // Grace's page hears from the server only when the test lets it, so
    // that her Enter is made on a text without Ada's latest keystroke, as
    // when two people type at once over a real network.
    let holding = false;
    const held = [];
    let toGrace = null;
    const holdable = (page) => page.routeWebSocket(/\/ws$/, (ws) => {
      const srv = ws.connectToServer();
      toGrace = (m) => ws.send(m);
      srv.onMessage((m) => (holding ? held.push(m) : ws.send(m)));
    });
    const a = await open(id, { name: 'Ada' });
    const b = await open(id, { name: 'Grace', prepare: holdable });
    await a.click('.cm-content');
    await a.keyboard.insertText('first line\nsecond');
    await settled([a, b]);
    // Both cursors at the end of the first line.
    for (const p of [a, b]) {
      await p.click('.cm-content');
      await p.keyboard.press('Control+Home');
      await p.keyboard.press('End');
    }
    holding = true;
    await a.keyboard.type('!');
    await waitFor('Ada\'s keystroke to be committed', () => a.evaluate(() => window.confpad.synced()));
    await b.keyboard.press('Enter');
    await waitFor('Grace\'s Enter to be committed', async () => (await server.text(id)).split('\n').length === 3);
    holding = false;
    for (const m of held.splice(0)) toGrace(m);
    await settled([a, b]);
    await a.keyboard.type('?');
    await b.keyboard.insertText('from Grace');
    const text = await settled([a, b]);
    assert.equal(text, 'first line!?\nfrom Grace\nsecond');
    assert.equal(await server.text(id), text);
    await closeAll();
  });

  test('a slide link added on one page shows up on the other', T, async () => {
    const id = await server.createPad('e2e-links', 'Links');
    const a = await open(id, { name: 'Ada' });
    const b = await open(id, { name: 'Grace' });
    await a.click('.add-link summary');
    await a.fill('#link-title', 'Kernel audio slides');
    await a.fill('#link-url', 'https://example.org/slides.pdf');
    await a.click('#link-form button[type="submit"]');
    await waitFor('the link on the other page', () => b.locator('#links a', { hasText: 'Kernel audio slides' }).count());
    assert.equal(await b.getAttribute('#links a', 'href'), 'https://example.org/slides.pdf');
    await waitFor('"Added." on the adding page', async () => (await a.textContent('#link-msg')) === 'Added.');
    const pad = await (await server.api('GET', `/api/v1/pads/${id}`)).json();
    assert.deepEqual(pad.links.map((l) => l.url), ['https://example.org/slides.pdf']);
    await closeAll();
  });

  test('no keystroke is lost while the server is killed and restarted', T, async () => {
    const id = await server.createPad('e2e-restart', 'Restart');
    const a = await open(id, { name: 'Ada' });
    await a.click('.cm-content');
    const words = Array.from({ length: 80 }, (_, i) => `w${i}${i % 7 === 0 ? '😀' : ''} `);
    let typed = 0;
    const typing = (async () => {
      for (const w of words) {
        await a.keyboard.type(w, { delay: 5 });
        typed++;
        await sleep(25);
      }
    })();
    await waitFor('some typing', () => typed >= 15);
    await server.kill('SIGKILL');
    await waitFor('the page to notice', async () => (await a.evaluate(() => window.confpad.status())) !== 'live', 10_000);
    const duringOutage = typed;
    await sleep(1500);
    const typedOffline = typed - duringOutage;
    await server.start();
    await typing;
    assert.ok(typedOffline > 0, 'typing went on while the server was down');
    const want = words.join('');
    const text = await settled([a], 60_000);
    assert.equal(text, want);
    assert.equal(await server.text(id), want);
    await closeAll();
  });

  test('offline: the page says so, typing goes on, and nothing is lost or doubled', T, async () => {
    const id = await server.createPad('e2e-offline', 'Offline');
    const a = await open(id, { name: 'Ada' });
    const b = await open(id, { name: 'Grace' });
    await a.click('.cm-content');
    await a.keyboard.insertText('start\n');
    await settled([a, b]);
    const context = a.context();
    await context.setOffline(true);
    try {
      await waitFor('both pages to say offline', async () =>
        (await a.evaluate(() => window.confpad.status())) === 'offline' && (await b.evaluate(() => window.confpad.status())) === 'offline', 10_000);
      await a.keyboard.type('Ada offline 😀 ', { delay: 5 });
      await b.click('.cm-content');
      await b.keyboard.press('Control+Home');
      await b.keyboard.type('Grace offline ', { delay: 5 });
      assert.match(await a.textContent('#status'), /Offline · edits kept/);
    } finally {
      await context.setOffline(false);
    }
    const text = await settled([a, b]);
    assert.equal(text, 'Grace offline start\nAda offline 😀 ');
    assert.equal(await server.text(id), text);
    await closeAll();
  });

  test('an archived session turns the editor read-only', T, async () => {
    const id = await server.createPad('e2e-archive', 'Archive');
    const a = await open(id, { name: 'Ada' });
    await a.click('.cm-content');
    await a.keyboard.insertText('final notes');
    await settled([a]);
    const res = await server.api('PATCH', `/api/v1/pads/${id}`, { state: 'archived' });
    assert.equal(res.status, 200);
    await waitFor('read-only', async () => (await a.evaluate(() => window.confpad.status())) === 'read-only');
    assert.match(await a.textContent('#banner'), /read-only/);
    await a.click('.cm-content');
    await a.keyboard.type('more');
    await sleep(300);
    assert.equal(await padText(a), 'final notes');
    assert.equal(await server.text(id), 'final notes');
    await closeAll();
  });

  test('an archived pad hides the add-link form and the "take notes" placeholder; unarchived, they return', T, async () => {
    const id = await server.createPad('e2e-archived-empty', 'Archived empty');
    assert.equal((await server.api('POST', `/api/v1/pads/${id}/archive`)).status, 200);
    const shown = (page) => page.evaluate(() => ({
      form: !!document.querySelector('details.add-link')?.checkVisibility(),
      placeholder: !!document.querySelector('.cm-placeholder'),
    }));
    const a = await open(id, { name: 'Ada' });
    await waitFor('read-only', async () => (await a.evaluate(() => window.confpad.status())) === 'read-only');
    assert.deepEqual(await shown(a), { form: false, placeholder: false });
    await closeAll();

    assert.equal((await server.api('POST', `/api/v1/pads/${id}/unarchive`)).status, 200);
    const b = await open(id, { name: 'Bob' });
    await waitFor('live', async () => (await b.evaluate(() => window.confpad.status())) === 'live');
    assert.deepEqual(await shown(b), { form: true, placeholder: true });
    await closeAll();
  });

  test('the preview renders Markdown and strips scripts', T, async () => {
    const id = await server.createPad('e2e-preview', 'Preview');
    const a = await open(id, { name: 'Ada' });
    await a.click('.cm-content');
    await a.keyboard.insertText('# Title\n\n**bold** and <img src=x onerror="window.__xss=1"> [l](javascript:alert(1))\n');
    await a.click('#toggle-preview');
    await waitFor('the preview', () => a.locator('#preview strong').count());
    assert.equal(await a.textContent('#preview h1'), 'Title');
    assert.equal(await a.locator('#preview [onerror]').count(), 0);
    assert.equal(await a.locator('#preview a[href^="javascript"]').count(), 0);
    await a.click('.cm-content');
    await a.keyboard.press('Control+End');
    await a.keyboard.insertText('\n- [x] done\n- [ ] open\n\n<input type="text" value="no">\n');
    await waitFor('the task list', () => a.locator('#preview input[type="checkbox"][disabled]').count().then((n) => n === 2));
    assert.equal(await a.locator('#preview input:not([type="checkbox"])').count(), 0);
    await sleep(200);
    assert.equal(await a.evaluate(() => window.__xss), undefined);
    // Raw HTML is shown as the text it is, never parsed: no element, so no
    // handler for the Content-Security-Policy to block (a violation would
    // fail the page through a.errors).
    assert.ok((await a.textContent('#preview')).includes('<img src=x onerror="window.__xss=1">'));
    await a.click('#toggle-preview'); // leave the preview off for the next pages
    await closeAll();
  });

  test('the layout fits a phone', T, async () => {
    const id = await server.createPad('e2e-phone', 'A session with a rather long title for a phone screen');
    const a = await open(id, { name: 'Ada' });
    await a.setViewportSize({ width: 390, height: 844 });
    await a.click('.cm-content');
    await a.keyboard.insertText('Some notes typed on a phone, with a long line that has to wrap nicely on a narrow screen.');
    await settled([a]);
    const overflow = await a.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
    for (const field of ['#my-name', '#link-title', '#link-url']) {
      assert.equal(await a.locator(`label[for="${field.slice(1)}"]`).count(), 1, `${field} has a label`);
      const px = await a.$eval(field, (e) => parseFloat(getComputedStyle(e).fontSize));
      assert.ok(px >= 16, `${field} is set in ${px}px: phones zoom into fields under 16px`);
    }
    // The preview goes under the editor and shows all of itself.
    await a.keyboard.insertText('\n\n# Heading\n\n- one\n- two\n- three\n\nA closing paragraph.');
    await a.click('#toggle-preview');
    await waitFor('the preview', () => a.locator('#preview li').count().then((n) => n === 3));
    const pane = await a.$eval('#preview-pane', (e) => ({ shown: e.clientHeight, content: e.scrollHeight }));
    assert.ok(pane.content <= pane.shown + 1, `the preview is cut to ${pane.shown}px of its ${pane.content}px`);
    await a.click('#toggle-preview'); // leave the preview off for the next pages
    await closeAll();
  });

  test('readers are counted, and listed once they point a cursor', T, async () => {
    const id = await server.createPad('e2e-readers', 'A keynote');
    const a = await open(id, { name: 'Ada', color: '#3366ff' });
    await a.click('.cm-content');
    await a.keyboard.insertText('# Keynote\n');
    const b = await open(id, { name: 'Grace', color: '#e6550d' });
    const c = await open(id, { name: 'Linus', color: '#2ca25f' });
    await settled([a, b, c]);
    const names = (p) => p.locator('#people .person-name').allTextContents();
    const reading = (p) => p.locator('#people-reading').textContent();
    await waitFor('two readers on Ada\'s page', async () => (await reading(a)) === '2 reading' && (await a.locator('#people-count').textContent()) === '3');
    assert.deepEqual(await names(a), ['Ada'], 'readers are not listed');
    // Linus, a reader, sees Ada, who typed, and one other reader.
    await waitFor('Ada and one reader on Linus\'s page', async () => (await reading(c)) === '1 reading' && (await names(c)).includes('Ada'));
    await b.click('.cm-content');
    await waitFor('Grace listed on Ada\'s page', async () => (await names(a)).includes('Grace') && (await reading(a)) === '1 reading');
    await c.close();
    pages.splice(pages.indexOf(c), 1);
    await waitFor('no reader left on Ada\'s page', async () => (await a.locator('#people-reading').isHidden()) && (await a.locator('#people-count').textContent()) === '2');
    await closeAll();
  });

  test('screenshot: notes, the preview and two people\'s cursors', T, async () => {
    const id = await server.createPad('lpc-realtime', 'Real-time', 'Getting Linux to meet deadlines: PREEMPT_RT, latency tracing and scheduling for real-time workloads.');
    await server.api('POST', `/api/v1/pads/${id}/links`, { title: 'PREEMPT_RT status (slides)', url: 'https://example.org/rt-status.pdf' });
    await server.api('POST', `/api/v1/pads/${id}/links`, { title: 'Latency tracing demo', url: 'https://example.org/latency-demo' });
    const a = await open(id, { name: 'Ada', color: '#3366ff' });
    const b = await open(id, { name: 'Grace', color: '#e6550d' });
    await a.click('.cm-content');
    await a.keyboard.insertText([
      '# Real-time microconference',
      '',
      '## PREEMPT_RT status',
      '- Most of the patch set is **merged**; printk is the big one left',
      '- Sleeping spinlocks: `spinlock_t` becomes an rt_mutex',
      '- Ask: test on your hardware and report latencies 🙏',
      '',
      '## Latency tracing',
      '> "Measure first, then guess." — from the demo',
      '',
      '1. `cyclictest -p 99 -m` for the baseline',
      '2. Trace the worst case with the latency tracers',
      '',
      '## Action items',
      '- [ ] Collect latency numbers per board',
      '- [x] Share the slides 📎',
    ].join('\n'));
    await settled([a, b]);
    // Grace selects the rest of a line, Linus sits in another, Ada types.
    const c = await open(id, { name: 'Linus', color: '#2ca25f' });
    await b.click('.cm-line:has-text("Sleeping spinlocks")', { position: { x: 150, y: 8 } });
    await b.keyboard.press('Shift+End');
    await c.click('.cm-line:has-text("Collect latency numbers")');
    await c.keyboard.press('End');
    await a.click('.cm-line:has-text("Trace the worst case")');
    await a.keyboard.press('End');
    await a.keyboard.type(' (ftrace)', { delay: 10 });
    await settled([a, b, c]);
    await waitFor('Grace\'s and Linus\'s cursors on Ada\'s page', async () =>
      (await a.locator('.cm-remote-label', { hasText: 'Grace' }).count()) && (await a.locator('.cm-remote-label', { hasText: 'Linus' }).count()));
    await waitFor('Ada\'s cursor on Grace\'s page', () => b.locator('.cm-remote-label', { hasText: 'Ada' }).count());
    await a.click('#toggle-preview');
    await waitFor('the preview', () => a.locator('#preview h2').count());
    await sleep(300);
    const shot = await a.screenshot({ animations: 'disabled', caret: 'hide' });
    await a.click('#toggle-preview');
    assert.deepEqual(pngSize(shot), [1400, 860], 'the screenshot is a PNG of the window');
    // docs/screenshot.png is rewritten only when the page looks different:
    // Chromium's anti-aliasing varies a little from run to run, so a few
    // dozen pixels may differ while nothing visible changed.
    const out = join(repoRoot, 'docs', 'screenshot.png');
    const old = existsSync(out) ? readFileSync(out) : null;
    const changed = old === null || pngSize(old) === null || await differingPixels(browser, old, shot) > SCREENSHOT_NOISE;
    if (changed) {
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, shot);
    }
    await closeAll();
  });
});
