import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACK_TIMEOUT, BACKOFF, Connection, backoffDelay } from '../src/connection.js';
import { OTClient } from '../src/ot-client.js';

// FakeSocket records what the page sends; the test plays the server.
class FakeSocket {
  static all = [];
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    this.closed = null;
    FakeSocket.all.push(this);
  }
  send(data) { this.sent.push(JSON.parse(data)); }
  close(code, reason) { this.closed = { code, reason }; this.readyState = 3; }
  // server side
  accept() { this.readyState = 1; this.onopen(); }
  deliver(msg) { this.onmessage({ data: JSON.stringify(msg) }); }
  drop(code = 1006) { this.readyState = 3; this.onclose({ code }); }
}

// FakeClock runs timers when the test advances it.
class FakeClock {
  constructor() { this.now = 0; this.timers = new Map(); this.next = 1; }
  setTimeout = (fn, ms) => { const id = this.next++; this.timers.set(id, { at: this.now + ms, fn }); return id; };
  clearTimeout = (id) => { this.timers.delete(id); };
  advance(ms) {
    const end = this.now + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
    }
    this.now = end;
  }
}

function setup(env = {}) {
  FakeSocket.all = [];
  const clock = new FakeClock();
  const statuses = [];
  const client = new OTClient({ client: 'me', name: 'Ada', color: '#3366ff' });
  const conn = new Connection({
    url: 'ws://pad/ws',
    client,
    onStatus: (s, detail) => statuses.push(detail ? `${s}: ${detail}` : s),
    env: { WebSocket: FakeSocket, setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout, random: () => 0.5, ...env },
  });
  client.handler = { resync: () => conn.reconnect() };
  return { clock, statuses, client, conn, sockets: FakeSocket.all };
}

test('backoff grows, is capped, and is fully jittered', () => {
  const rows = [
    { n: 0, random: 0, want: 0 },
    { n: 0, random: 0.5, want: BACKOFF.first / 2 },
    { n: 0, random: 0.999999, want: BACKOFF.first - 1 },
    { n: 1, random: 0.999999, want: BACKOFF.first * 2 - 1 },
    { n: 3, random: 0.5, want: BACKOFF.first * 4 },
    { n: 30, random: 0.999999, want: BACKOFF.max - 1 },
    { n: 5000, random: 0.5, want: BACKOFF.max / 2 },
  ];
  for (const r of rows) assert.equal(backoffDelay(r.n, () => r.random), r.want, JSON.stringify(r));
});

test('a crowd\'s reconnects spread evenly over the backoff window', () => {
  // A seeded generator (an LCG), so that the test is deterministic.
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const clients = 10_000;
  for (const n of [0, 2]) {
    const window = BACKOFF.first * 2 ** n;
    const tenths = new Array(10).fill(0);
    for (let i = 0; i < clients; i++) {
      const d = backoffDelay(n, random);
      assert.ok(d >= 0 && d < window, `delay ${d} outside [0, ${window})`);
      tenths[Math.floor((d * 10) / window)]++;
    }
    // Full jitter: every tenth of the window gets about a tenth of the
    // crowd; with the old equal jitter the first half got none.
    for (const c of tenths) assert.ok(c > clients / 10 * 0.85 && c < clients / 10 * 1.15, `attempt ${n}: ${tenths}`);
  }
});

test('joins, goes live, and resumes with since after a drop', () => {
  const { clock, statuses, client, conn, sockets } = setup();
  conn.start();
  sockets[0].accept();
  assert.deepEqual(sockets[0].sent, [{ type: 'join', client: 'me', name: 'Ada', color: '#3366ff' }]);
  sockets[0].deliver({ type: 'welcome', rev: 4, text: 'abcd', users: [], readOnly: false });
  client.submit([4, '!']);
  sockets[0].drop(1001);
  assert.equal(statuses.at(-1), 'reconnecting');
  client.submit([5, '?']); // typing goes on while offline
  clock.advance(BACKOFF.first);
  assert.equal(sockets.length, 2);
  sockets[1].accept();
  sockets[1].deliver({ type: 'welcome', rev: 4, users: [], readOnly: false });
  assert.deepEqual(sockets[1].sent, [
    { type: 'join', client: 'me', name: 'Ada', color: '#3366ff', since: 4 },
    { type: 'op', rev: 4, seq: 1, op: [4, '!'] },
  ]);
  assert.deepEqual(statuses, ['connecting', 'live', 'reconnecting', 'live']);
});

test('failed attempts back off further each time', () => {
  const { clock, conn, sockets } = setup();
  conn.start();
  let waited = 0;
  for (let i = 1; i <= 5; i++) {
    sockets.at(-1).drop();
    const before = sockets.length;
    let step = 0;
    while (sockets.length === before && step < 100_000) { clock.advance(10); step += 10; }
    assert.ok(step >= waited, `attempt ${i} came after ${step} ms, sooner than the one before (${waited} ms)`);
    waited = step;
  }
  assert.ok(waited >= BACKOFF.first * 4, `the fifth retry waited ${waited} ms`);
});

test('an unanswered op makes it reconnect', () => {
  const { clock, conn, client, sockets } = setup();
  conn.start();
  sockets[0].accept();
  sockets[0].deliver({ type: 'welcome', rev: 0, text: '', users: [] });
  client.submit(['x']);
  clock.advance(ACK_TIMEOUT - 1);
  assert.equal(sockets[0].closed, null);
  clock.advance(1);
  assert.equal(sockets[0].closed.code, 4000);
  clock.advance(BACKOFF.max);
  assert.equal(sockets.length, 2);
});

test('unknown pad and replaced connections stop reconnecting', () => {
  for (const [code, word] of [[4404, 'does not exist'], [4409, 'elsewhere']]) {
    const { clock, statuses, conn, sockets } = setup();
    conn.start();
    sockets[0].accept();
    sockets[0].drop(code);
    clock.advance(BACKOFF.max * 2);
    assert.equal(sockets.length, 1, `close ${code}`);
    assert.match(statuses.at(-1), new RegExp(`^closed: .*${word}`), `close ${code}`);
  }
});

test('a resync request reconnects; a full one joins without since', () => {
  const { clock, client, conn, sockets } = setup();
  conn.start();
  sockets[0].accept();
  sockets[0].deliver({ type: 'welcome', rev: 2, text: 'ab', users: [] });
  client.submit(['x']);
  sockets[0].deliver({ type: 'error', code: 'bad_op', message: 'no', ref: 1 });
  assert.equal(sockets[0].closed.code, 4000);
  clock.advance(BACKOFF.max);
  sockets[1].accept();
  assert.deepEqual(sockets[1].sent, [{ type: 'join', client: 'me', name: 'Ada', color: '#3366ff' }]);
});

test('a resume refused with rev_ahead drops pending edits and joins without since', () => {
  const { clock, client, conn, sockets } = setup();
  conn.start();
  sockets[0].accept();
  sockets[0].deliver({ type: 'welcome', rev: 5, text: 'hello', users: [] });
  client.submit(['x']);
  sockets[0].drop(1006);
  clock.advance(BACKOFF.max);
  sockets[1].accept();
  assert.equal(sockets[1].sent[0].since, 5);
  // The replica's log lacks revision 5 (the store lost it): resync, never retry the resume.
  sockets[1].deliver({ type: 'error', code: 'rev_ahead', message: 'revision 5 is after the head 3' });
  assert.equal(sockets[1].closed.code, 4000);
  assert.equal(client.inflight, null);
  clock.advance(BACKOFF.max);
  sockets[2].accept();
  assert.deepEqual(sockets[2].sent, [{ type: 'join', client: 'me', name: 'Ada', color: '#3366ff' }]);
  sockets[2].deliver({ type: 'welcome', rev: 3, text: 'hel', users: [] });
  assert.equal(client.rev, 3);
});

test('going offline drops a live connection at once; online reconnects and resends', () => {
  let onLine = true;
  const { clock, statuses, client, conn, sockets } = setup({ isOnline: () => onLine });
  conn.start();
  sockets[0].accept();
  sockets[0].deliver({ type: 'welcome', rev: 1, text: 'a', users: [] });
  client.submit([1, 'b']);
  onLine = false;
  conn.offline();
  assert.equal(sockets[0].closed?.code, 1000, 'the socket that looked open is closed');
  assert.equal(statuses.at(-1), 'offline');
  client.submit([2, 'c']); // typing goes on
  clock.advance(BACKOFF.first);
  assert.equal(statuses.at(-1), 'offline', 'retries while offline still say offline');
  sockets.at(-1).drop();
  onLine = true;
  conn.online();
  const last = sockets.at(-1);
  last.accept();
  last.deliver({ type: 'welcome', rev: 1, users: [] });
  assert.deepEqual(last.sent, [
    { type: 'join', client: 'me', name: 'Ada', color: '#3366ff', since: 1 },
    { type: 'op', rev: 1, seq: 1, op: [1, 'b'] },
  ]);
  assert.equal(statuses.at(-1), 'live');
});

test('a rewritten history (4410) drops pending edits and joins without since', () => {
  const { clock, client, conn, sockets } = setup();
  const errors = [];
  client.handler.error = (msg) => errors.push(msg.code);
  conn.start();
  sockets[0].accept();
  sockets[0].deliver({ type: 'welcome', rev: 5, text: 'hello', users: [] });
  client.submit(['x']);
  sockets[0].drop(4410);
  assert.deepEqual(errors, ['resync']);
  clock.advance(BACKOFF.max);
  assert.equal(sockets.length, 2);
  sockets[1].accept();
  assert.deepEqual(sockets[1].sent, [{ type: 'join', client: 'me', name: 'Ada', color: '#3366ff' }]);
  sockets[1].deliver({ type: 'welcome', rev: 3, text: 'Zxx', users: [] });
  assert.equal(client.rev, 3);
  assert.equal(client.inflight, null);
});
