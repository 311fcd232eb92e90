// Helpers for the end-to-end tests: build and run the real confpad server on
// a free loopback port, drive Debian's Chromium through playwright-core, and
// wait for things with a deadline (every wait is bounded).

import { spawn, execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CHROMIUM = '/usr/bin/chromium';
export const ADMIN_TOKEN = 'e2e-admin-token';

/** Chromium's flags for this machine: no sandbox (root), no network chatter. */
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/**
 * chromiumMissing returns why the browser tests cannot run, or null. With
 * CONFPAD_REQUIRE_CHROMIUM=1 a missing browser is an error, not a skip.
 */
export function chromiumMissing() {
  if (existsSync(CHROMIUM)) return null;
  const why = `${CHROMIUM} is not installed (apt-get install chromium)`;
  if (process.env.CONFPAD_REQUIRE_CHROMIUM === '1') throw new Error(`CONFPAD_REQUIRE_CHROMIUM=1 but ${why}`);
  return why;
}

/** tempDir makes a fresh directory (removeDir deletes it). */
export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** freePort returns a TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** waitFor polls fn until it returns a truthy value or timeoutMs passes. */
export async function waitFor(what, fn, timeoutMs = 20_000, everyMs = 50) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** buildServer compiles ./cmd/confpad into dir and returns the binary's path. */
export async function buildServer(dir) {
  const bin = join(dir, 'confpad');
  await promisify(execFile)('go', ['build', '-o', bin, './cmd/confpad'], { cwd: repoRoot, timeout: 600_000 });
  return bin;
}

/** Server is one confpad process on a fixed port and data directory. */
export class Server {
  constructor(bin, port, dataDir) {
    this.bin = bin;
    this.port = port;
    this.dataDir = dataDir;
    this.url = `http://127.0.0.1:${port}`;
    this.logPath = join(dataDir, 'server.log');
    this.proc = null;
  }

  /** start runs the server and waits until /healthz answers. */
  async start() {
    const log = openSync(this.logPath, 'a');
    this.proc = spawn(this.bin, ['--addr', `127.0.0.1:${this.port}`, '--data', this.dataDir, '--admin-token', ADMIN_TOKEN, '--log-level', 'warn'], {
      cwd: this.dataDir,
      stdio: ['ignore', log, log],
    });
    const proc = this.proc;
    this.exited = new Promise((resolve) => proc.once('exit', resolve));
    await waitFor(`confpad on ${this.url} (log: ${this.logPath})`, async () => {
      if (proc.exitCode !== null) throw new Error(`confpad exited with ${proc.exitCode}: ${this.log()}`);
      const res = await fetch(`${this.url}/healthz`).catch(() => null);
      return res?.ok;
    }, 30_000, 100);
  }

  /** kill stops the server at once (SIGKILL: no graceful shutdown). */
  async kill(signal = 'SIGKILL') {
    if (!this.proc || this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill(signal);
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 10_000))]);
  }

  log() {
    try {
      return readFileSync(this.logPath, 'utf8').slice(-2000);
    } catch {
      return '';
    }
  }

  /** api calls the HTTP API (as admin) and returns the response. */
  api(method, path, body) {
    return fetch(`${this.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json', Accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
  }

  /** createPad makes a new live session and returns its id. */
  async createPad(id, title, description = '') {
    const res = await this.api('POST', '/api/v1/pads', { id, title, description });
    if (res.status !== 201) throw new Error(`creating pad ${id}: ${res.status} ${await res.text()}`);
    return id;
  }

  /** text returns the pad's text as the server has it. */
  async text(id) {
    const res = await this.api('GET', `/api/v1/pads/${encodeURIComponent(id)}/text`);
    if (!res.ok) throw new Error(`text of ${id}: ${res.status}`);
    return res.text();
  }
}

/** launchBrowser starts headless Chromium with a fresh profile. */
export async function launchBrowser(profileDir) {
  const { chromium } = await import('playwright-core');
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 860 },
    deviceScaleFactor: 1,
    timeout: 60_000,
  });
}

/**
 * watchErrors collects a page's uncaught errors and every
 * Content-Security-Policy violation it reports (the securitypolicyviolation
 * event, and Chromium's console message) in page.errors.
 */
export async function watchErrors(page) {
  page.errors = [];
  page.on('pageerror', (err) => page.errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|CSP violation/.test(msg.text())) page.errors.push(msg.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline code'} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
}

/**
 * openPad opens the pad page as a user with the given name and colour and
 * waits until it is live. Page errors and Content-Security-Policy
 * violations fail the test through page.errors. prepare, if given, runs
 * on the new page before it loads (to route its websocket, for example).
 */
export async function openPad(context, server, id, { name, color, prepare } = {}) {
  const page = await context.newPage();
  if (prepare) await prepare(page);
  page.setDefaultTimeout(20_000);
  await watchErrors(page);
  if (name) {
    await page.addInitScript(([n, c]) => {
      localStorage.setItem('confpad.name', n);
      if (c) localStorage.setItem('confpad.color', c);
    }, [name, color]);
  }
  await page.goto(`${server.url}/p/${encodeURIComponent(id)}`);
  await page.waitForFunction(() => window.confpad?.synced(), null, { timeout: 20_000 });
  return page;
}

/** padText reads the editor's document. */
export function padText(page) {
  return page.evaluate(() => window.confpad.text());
}

/** settled waits until every page is live with nothing unsent and all agree. */
export async function settled(pages, timeoutMs = 30_000) {
  return waitFor('the pages to agree', async () => {
    const states = await Promise.all(pages.map((p) => p.evaluate(() => [window.confpad.synced(), window.confpad.rev(), window.confpad.text()])));
    const ok = states.every(([s, rev, text]) => s && rev === states[0][1] && text === states[0][2]);
    return ok ? states[0][2] : false;
  }, timeoutMs, 100);
}

/**
 * pngSize returns [width, height] from a PNG's header, or null if buf does
 * not start like a PNG.
 */
export function pngSize(buf) {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (buf.length < 24 || !buf.subarray(0, 8).equals(signature) || buf.toString('latin1', 12, 16) !== 'IHDR') return null;
  return [buf.readUInt32BE(16), buf.readUInt32BE(20)];
}

/**
 * differingPixels decodes two PNGs in a blank page of the browser context
 * and counts the pixels where some channel differs by more than tolerance
 * (0-255). It returns Infinity when the sizes differ, and throws when an
 * image cannot be decoded.
 */
export async function differingPixels(context, pngA, pngB, tolerance = 8) {
  const page = await context.newPage();
  try {
    const n = await page.evaluate(async ([a, b, tol]) => {
      const pixels = async (b64) => {
        const img = new Image();
        img.src = `data:image/png;base64,${b64}`;
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth;
        canvas.height = img.naturalHeight;
        const g = canvas.getContext('2d');
        g.drawImage(img, 0, 0);
        return g.getImageData(0, 0, canvas.width, canvas.height);
      };
      const [x, y] = [await pixels(a), await pixels(b)];
      if (x.width !== y.width || x.height !== y.height) return -1;
      let count = 0;
      for (let i = 0; i < x.data.length; i += 4) {
        for (let k = 0; k < 4; k++) {
          if (Math.abs(x.data[i + k] - y.data[i + k]) > tol) {
            count++;
            break;
          }
        }
      }
      return count;
    }, [pngA.toString('base64'), pngB.toString('base64'), tolerance]);
    return n < 0 ? Infinity : n;
  } finally {
    await page.close();
  }
}

/** removeDir deletes a temporary directory, ignoring errors. */
export function removeDir(dir) {
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    // best effort
  }
}

/**
 * startStack builds the server and starts it over a fresh data directory,
 * then launches Chromium, all in a new temporary directory named after
 * prefix. It fills stack ({dir, server, browser}) as it goes, so that
 * stopStack(stack) undoes whatever was started, even after a failure.
 */
export async function startStack(stack, prefix) {
  stack.dir = tempDir(prefix);
  const data = join(stack.dir, 'data');
  mkdirSync(data);
  stack.server = new Server(await buildServer(stack.dir), await freePort(), data);
  await stack.server.start();
  stack.browser = await launchBrowser(join(stack.dir, 'profile'));
}

/** stopStack closes the browser, stops the server and removes the directory. */
export async function stopStack(stack) {
  await stack.browser?.close().catch(() => {});
  await stack.server?.kill('SIGTERM');
  if (stack.dir) removeDir(stack.dir);
}
