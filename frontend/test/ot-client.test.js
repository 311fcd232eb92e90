import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type } from 'ot-text-unicode';
import { MAX_OP, OTClient, opSize, splitOp } from '../src/ot-client.js';
import { Conn, SimServer, randomOp, rng } from '../test-support/sim.js';

// One simulated browser tab: an OTClient, its local text and its socket.
class Tab {
  constructor(server, id, rand, maxOp) {
    this.server = server;
    this.rand = rand;
    this.doc = null;
    this.conn = null;
    this.speed = 0.1 + rand() * 0.9;
    this.badCursors = 0;
    this.ot = new OTClient({
      client: `client-${id}`,
      name: `Tab ${id}`,
      color: '#3366ff',
      maxOp,
      handler: {
        applyRemote: (op) => { this.doc = type.apply(this.doc, op); },
        reset: (text) => { this.doc = text; },
        resync: () => this.drop(),
        presence: (_event, user) => this.checkSel(user.sel),
        welcome: (msg) => msg.users.forEach((u) => this.checkSel(u.sel)),
      },
    });
  }

  checkSel(sel) {
    if (sel === null) return;
    const len = [...this.doc].length;
    if (!sel.every((p) => Number.isInteger(p) && p >= 0 && p <= len)) this.badCursors++;
  }

  connect() {
    const conn = new Conn(this);
    this.server.attach(conn);
    this.conn = conn;
    this.ot.connect((m) => { if (conn.open) conn.toServer.push(JSON.stringify(m)); });
  }

  // drop closes the socket. What the server has not read yet is lost or,
  // half the time, still read later (a half-open TCP connection).
  drop() {
    if (!this.conn) return;
    this.conn.open = false;
    this.conn.toClient = [];
    if (this.rand() < 0.5) this.conn.toServer = [];
    this.conn = null;
    this.ot.disconnect();
  }

  edit() {
    const op = randomOp(this.rand, this.doc);
    this.doc = type.apply(this.doc, op);
    this.ot.submit(op);
  }
}

// deliver moves one message on a randomly chosen connection, fast tabs more
// often, dead (half-open) connections least. Returns false when every queue
// is empty.
function deliver(server, rand) {
  const busy = [...server.conns].filter((c) => c.toServer.length || c.toClient.length);
  if (busy.length === 0) return false;
  const weight = (c) => c.owner.speed * (c.open ? 1 : 0.1);
  const total = busy.reduce((s, c) => s + weight(c), 0);
  let pick = rand() * total;
  let conn = busy[busy.length - 1];
  for (const c of busy) {
    pick -= weight(c);
    if (pick <= 0) { conn = c; break; }
  }
  const up = conn.toServer.length && (!conn.toClient.length || rand() < 0.5);
  if (up) server.handle(conn, conn.toServer.shift());
  else {
    const msg = JSON.parse(conn.toClient.shift());
    if (conn.owner.conn === conn) conn.owner.ot.receive(msg);
  }
  return true;
}

function simulate(seed, { tabs = 4, steps = 2500, dropRate = 0.01, maxOp } = {}) {
  const rand = rng(seed);
  const server = new SimServer('notes 🌍\n');
  const all = Array.from({ length: tabs }, (_, i) => new Tab(server, i, rand, maxOp));
  all.forEach((t) => t.connect());
  for (let i = 0; i < steps; i++) {
    const r = rand();
    const tab = all[Math.floor(rand() * all.length)];
    if (r < 0.3) {
      if (tab.doc !== null) tab.edit();
    } else if (r < 0.33) {
      if (tab.doc !== null) tab.ot.setCursor([Math.floor(rand() * ([...tab.doc].length + 1)), 0]);
    } else if (r < 0.33 + dropRate) {
      tab.drop();
    } else if (r < 0.36 + dropRate) {
      if (!tab.conn) tab.connect();
    } else {
      deliver(server, rand);
    }
  }
  all.forEach((t) => { if (!t.conn) t.connect(); });
  for (let i = 0; i < 1_000_000 && deliver(server, rand); i++) {
    all.forEach((t) => { if (!t.conn) t.connect(); });
  }
  return { server, all };
}

const base = Number(process.env.CONFPAD_SEED ?? Math.floor(Math.random() * 2 ** 31));

test('random concurrent edits with reordering and reconnects converge', (t) => {
  let deduped = 0;
  let resumes = 0;
  for (let k = 0; k < 40; k++) {
    const seed = base + k;
    // Every fourth run caps ops at 3 code points, so edits queue as several ops.
    const { server, all } = simulate(seed, { dropRate: k % 2 ? 0.03 : 0.005, maxOp: k % 4 === 3 ? 3 : undefined });
    deduped += server.deduped;
    resumes += server.resumes;
    for (const t of all) {
      const at = `seed ${seed} (CONFPAD_SEED=${seed}), ${t.ot.client}`;
      assert.equal(t.ot.state, 'synced', at);
      assert.equal(t.ot.rev, server.head, at);
      assert.equal(t.doc, server.text, at);
      assert.equal(t.badCursors, 0, `${at}: remote cursor outside the document`);
    }
    assert.ok(server.head > 50, `seed ${seed}: too few ops committed (${server.head})`);
  }
  t.diagnostic(`seeds ${base}..${base + 39}: ${resumes} resumes, ${deduped} resent ops deduped`);
  // The runs did exercise resume and the dedupe of resent ops.
  assert.ok(resumes > 100, `only ${resumes} resumes`);
  assert.ok(deduped > 0, `no resent op was deduped (seeds ${base}..${base + 39})`);
});

test('the in-flight op is resent with the same seq, base and op after a reconnect', () => {
  const server = new SimServer('abc');
  const tab = new Tab(server, 0, rng(1));
  const toServer = () => server.handle(tab.conn, tab.conn.toServer.shift());
  const toClient = () => tab.ot.receive(JSON.parse(tab.conn.toClient.shift()));
  tab.connect();
  toServer(); // join
  toClient(); // welcome
  tab.doc = 'Xabc';
  tab.ot.submit(['X']);
  const old = tab.conn;
  const first = old.toServer[0];
  // The socket dies with the op still on its way (a half-open connection:
  // the server reads it later).
  old.open = false;
  tab.conn = null;
  tab.ot.disconnect();
  tab.doc = 'XYabc';
  tab.ot.submit([1, 'Y']); // typed while offline: buffered
  assert.equal(tab.ot.state, 'buffering');

  tab.connect();
  assert.deepEqual(JSON.parse(tab.conn.toServer[0]), { type: 'join', client: 'client-0', name: 'Tab 0', color: '#3366ff', since: 0 });
  assert.equal(tab.conn.toServer.length, 1, 'nothing but the join before the welcome');
  toServer(); // join: nothing to replay
  toClient(); // welcome
  assert.equal(tab.conn.toServer[0], first, 'resent verbatim');
  server.handle(old, old.toServer.shift()); // the old copy commits revision 1
  toServer(); // the resent copy is deduped
  assert.equal(server.head, 1);
  toClient(); // ack seq 1 (pushed when the old copy committed)
  assert.deepEqual(JSON.parse(tab.conn.toServer[0]), { type: 'op', rev: 1, seq: 2, op: [1, 'Y'] });
  toClient(); // the duplicate ack is ignored
  assert.equal(tab.ot.state, 'awaiting');
  toServer();
  toClient();
  assert.equal(tab.ot.state, 'synced');
  assert.equal(server.text, 'XYabc');
  assert.equal(tab.doc, server.text);
});

test('acks replayed on resume advance without a resend; stale acks are ignored', () => {
  const c = new OTClient({ client: 'me', name: 'n', color: '#000000' });
  const sent = [];
  c.connect((m) => sent.push(m));
  c.receive({ type: 'welcome', rev: 5, text: 'hello', users: [] });
  c.submit([5, '!']);
  c.submit([6, '?']);
  c.disconnect();
  c.connect((m) => sent.push(m));
  c.receive({ type: 'op', rev: 6, op: ['>'], author: 'other' });
  c.receive({ type: 'ack', seq: 1, rev: 7 });
  c.receive({ type: 'welcome', rev: 7, users: [] });
  c.receive({ type: 'ack', seq: 1, rev: 7 }); // a stale duplicate
  const ops = sent.filter((m) => m.type === 'op');
  assert.deepEqual(ops, [
    { type: 'op', rev: 5, seq: 1, op: [5, '!'] },
    { type: 'op', rev: 7, seq: 2, op: [7, '?'] },
  ]);
  assert.equal(c.state, 'awaiting');
  assert.equal(c.rev, 7);
});

test('transform sides: concurrent inserts at one position order as the server does', () => {
  const cases = [
    // [own pending op, remote op, expected remote op applied locally]
    // B was committed first, so it stays before our A.
    { own: ['A'], remote: ['B'], local: 'Axy', want: 'BAxy' },
    { own: [1, 'A'], remote: [1, { d: 1 }], local: 'xAy', want: 'xA' },
    { own: [{ d: 1 }], remote: [1, '😀'], local: 'y', want: '😀y' },
  ];
  for (const tc of cases) {
    const c = new OTClient({ client: 'me', name: 'n', color: '#000000' });
    let doc = null;
    c.handler = { reset: (t) => { doc = t; }, applyRemote: (op) => { doc = type.apply(doc, op); } };
    c.connect(() => {});
    c.receive({ type: 'welcome', rev: 0, text: 'xy', users: [] });
    doc = tc.local;
    c.submit(tc.own);
    c.receive({ type: 'op', rev: 1, op: tc.remote, author: 'other' });
    assert.equal(doc, tc.want, JSON.stringify(tc));
    // The server would commit our op after the remote one with side 'right'.
    const server = type.apply(type.apply('xy', tc.remote), type.transform(tc.own, tc.remote, 'right'));
    assert.equal(doc, server, JSON.stringify(tc));
  }
});

test('an op of our own arriving as a broadcast counts as its ack', () => {
  const c = new OTClient({ client: 'me', name: 'n', color: '#000000' });
  let applied = 0;
  c.handler = { applyRemote: () => applied++ };
  c.connect(() => {});
  c.receive({ type: 'welcome', rev: 0, text: '', users: [], you: 'public-me' });
  c.submit(['a']);
  c.receive({ type: 'op', rev: 1, op: ['a'], author: 'public-me' });
  assert.equal(applied, 0);
  assert.equal(c.state, 'synced');
  assert.equal(c.rev, 1);
});

test('ours is what the welcome calls us, never the secret client id', () => {
  const c = new OTClient({ client: 'secret-of-me', name: 'n', color: '#000000' });
  let applied = 0;
  const seen = [];
  c.handler = { applyRemote: () => applied++, presence: (event, user) => seen.push(user.client) };
  c.connect(() => {});
  c.receive({ type: 'welcome', rev: 0, text: '', users: [], you: 'public-me' });
  c.submit(['a']);
  // Someone who chose our secret as their public name is someone else.
  c.receive({ type: 'op', rev: 1, op: ['b'], author: 'secret-of-me' });
  c.receive({ type: 'presence', event: 'join', user: { client: 'secret-of-me', name: 'x', color: '#000000', sel: null }, rev: 1 });
  c.receive({ type: 'presence', event: 'join', user: { client: 'public-me', name: 'n', color: '#000000', sel: null }, rev: 1 });
  assert.equal(applied, 1);
  assert.equal(c.state, 'awaiting');
  assert.deepEqual(seen, ['secret-of-me']);
});

test('rev_too_old, for an op or a cursor, drops pending edits and loads afresh', () => {
  for (const ref of [1, undefined]) {
    const c = new OTClient({ client: 'me', name: 'n', color: '#000000' });
    const resyncs = [];
    c.handler = { resync: (full) => resyncs.push(full) };
    c.connect(() => {});
    c.receive({ type: 'welcome', rev: 3, text: 'abc', users: [], you: 'public-me' });
    if (ref !== undefined) c.submit(['x']);
    c.receive({ type: 'error', code: 'rev_too_old', message: 'too old', ref });
    assert.deepEqual(resyncs, [true], `ref ${ref}`);
    assert.equal(c.rev, null, `ref ${ref}`);
    assert.equal(c.state, 'synced', `ref ${ref}`);
  }
});

test('a revision gap asks for a resync instead of applying', () => {
  const c = new OTClient({ client: 'me', name: 'n', color: '#000000' });
  const resyncs = [];
  c.handler = { resync: (full) => resyncs.push(full), applyRemote: () => assert.fail('applied across a gap') };
  c.connect(() => {});
  c.receive({ type: 'welcome', rev: 3, text: 'abc', users: [] });
  c.receive({ type: 'op', rev: 5, op: ['x'], author: 'other' });
  assert.deepEqual(resyncs, [false]);
  assert.equal(c.rev, 3);
});

test('errors that reject the pending op resync from a fresh snapshot', () => {
  for (const code of ['bad_op', 'too_large', 'read_only']) {
    const c = new OTClient({ client: 'me', name: 'n', color: '#000000' });
    const resyncs = [];
    c.handler = { resync: (full) => resyncs.push(full) };
    c.connect(() => {});
    c.receive({ type: 'welcome', rev: 0, text: '', users: [] });
    c.submit(['a']);
    c.receive({ type: 'error', code, message: 'no' });
    assert.deepEqual(resyncs, [true], code);
    assert.equal(c.state, 'synced', code);
    assert.equal(c.rev, null, code);
  }
});

test('cursors are sent only in sync, at the current revision', () => {
  const sent = [];
  const c = new OTClient({ client: 'me', name: 'n', color: '#000000' });
  c.connect((m) => sent.push(m));
  c.receive({ type: 'welcome', rev: 2, text: 'ab', users: [] });
  c.submit(['x']);
  c.setCursor([1, 1]);
  assert.equal(sent.filter((m) => m.type === 'cursor').length, 0);
  c.receive({ type: 'ack', seq: 1, rev: 3 });
  assert.deepEqual(sent.filter((m) => m.type === 'cursor'), [{ type: 'cursor', rev: 3, sel: [1, 1] }]);
});

test('remote cursors are moved through later revisions and pending edits', () => {
  const c = new OTClient({ client: 'me', name: 'n', color: '#000000' });
  const seen = [];
  c.handler = { presence: (_e, u) => seen.push(u.sel) };
  c.connect(() => {});
  c.receive({ type: 'welcome', rev: 0, text: 'abcd', users: [] });
  c.receive({ type: 'op', rev: 1, op: ['😀😀'], author: 'other' });
  c.submit(['12']); // local, pending
  c.receive({ type: 'presence', event: 'cursor', rev: 0, user: { client: 'x', sel: [2, 4] } });
  c.receive({ type: 'presence', event: 'cursor', rev: 1, user: { client: 'x', sel: [0, 0] } });
  assert.deepEqual(seen, [[6, 8], [0, 0]]);
});

test('splitOp cuts big ops into pieces that apply one after the other', () => {
  const rand = rng(Number(process.env.CONFPAD_SEED ?? 9));
  for (let k = 0; k < 500; k++) {
    let doc = 'seed text 😀 with some length\n'.repeat(1 + Math.floor(rand() * 3));
    // A few random edits composed into one bigger op.
    let op = [];
    let after = doc;
    for (let j = 0; j < 4; j++) {
      const next = randomOp(rand, after);
      op = type.compose(op, next);
      after = type.apply(after, next);
    }
    const max = 1 + Math.floor(rand() * 4);
    const pieces = splitOp(op, max);
    let got = doc;
    for (const p of pieces) {
      assert.ok(opSize(p) <= max, `piece ${JSON.stringify(p)} of ${JSON.stringify(op)} is over ${max}`);
      type.checkOp(p);
      got = type.apply(got, p);
    }
    assert.equal(got, after, JSON.stringify({ doc, op, max }));
  }
});

test('a big paste goes out as several ops, one at a time', () => {
  const sent = [];
  const c = new OTClient({ client: 'me', name: 'n', color: '#000000' });
  c.connect((m) => sent.push(m));
  c.receive({ type: 'welcome', rev: 0, text: 'ab', users: [] });
  const paste = '😀x'.repeat(MAX_OP); // 2 * MAX_OP code points
  c.submit([1, paste]);
  c.submit([1 + 2 * MAX_OP, '!']); // typed right after
  let doc = 'ab';
  for (let rev = 1; c.state !== 'synced'; rev++) {
    const ops = sent.filter((m) => m.type === 'op');
    assert.equal(ops.length, rev, 'one op in flight at a time');
    const m = ops.at(-1);
    assert.ok(opSize(m.op) <= MAX_OP);
    assert.ok(JSON.stringify(m).length < 200_000);
    doc = type.apply(doc, m.op);
    c.receive({ type: 'ack', seq: m.seq, rev });
    assert.ok(rev < 10, 'too many ops');
  }
  assert.equal(doc, `a${paste}!b`);
});

test('table: the edit secret goes in every join; a view-only page sends no cursors or renames', () => {
  const cases = [
    { edit: 'qL8m0Zc3r2V9x1YtE6wB4nHk', welcome: { mode: 'edit', readOnly: false }, sends: true },
    { edit: '', welcome: { mode: 'view', readOnly: true }, sends: false },
    { edit: '', welcome: { mode: 'archived', readOnly: true }, sends: 'rename only' },
    { edit: '', welcome: { readOnly: true }, sends: 'rename only' }, // an older server: archived
  ];
  for (const tc of cases) {
    const c = new OTClient({ client: 'me', name: 'n', color: '#000000', edit: tc.edit });
    const sent = [];
    c.connect((m) => sent.push(m));
    const join = sent[0];
    assert.equal(join.edit, tc.edit || undefined, JSON.stringify(tc));
    c.receive({ type: 'welcome', rev: 1, text: 'x', users: [], ...tc.welcome });
    c.setCursor([0, 1]);
    c.flushCursor();
    c.rename('Ada', '#112233');
    const types = sent.slice(1).map((m) => m.type);
    const want = { true: ['cursor', 'rename'], false: [], 'rename only': ['rename'] }[tc.sends];
    assert.deepEqual(types, want, JSON.stringify(tc));
    c.disconnect();
    c.connect((m) => sent.push(m));
    assert.equal(sent.at(-1).edit, tc.edit || undefined, 'the resume join too');
  }
});
