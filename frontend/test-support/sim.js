// A simulated confpad server and network for testing the OT client: the
// server orders ops in one history, transforms each incoming op against the
// ops after its base with side 'right', dedupes by (client, seq), and on a
// join with "since" replays missed ops (others' as `op`, the joiner's own as
// `ack`) before a `welcome` without text. Connections deliver in order but
// only when the test says so, so clients progress at different speeds.

import { type } from 'ot-text-unicode';

/** rng returns a seeded PRNG (mulberry32) giving floats in [0, 1). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Conn is one websocket: two FIFO queues and an open flag. */
export class Conn {
  constructor(owner) {
    this.owner = owner;
    this.open = true;
    this.toServer = [];
    this.toClient = [];
    this.client = null; // set by join
    this.joined = false;
  }
}

/** SimServer is the reference server for the simulation. */
export class SimServer {
  constructor(text = '') {
    this.text = text;
    this.log = []; // log[r-1] = {op, client, seq}
    this.committed = new Map(); // "client seq" -> rev
    this.conns = new Set();
    /** Ops resent after they were committed, and joins with since. */
    this.deduped = 0;
    this.resumes = 0;
  }

  get head() {
    return this.log.length;
  }

  attach(conn) {
    this.conns.add(conn);
  }

  /** handle processes one message the client sent on conn. */
  handle(conn, raw) {
    const msg = JSON.parse(raw);
    const reply = (m) => {
      if (conn.open) conn.toClient.push(JSON.stringify(m));
    };
    if (msg.type === 'join') {
      // The server names a client by a public id derived from the secret
      // it joins with; a stand-in derivation is enough here.
      conn.client = `public-of-${msg.client}`;
      if (msg.since !== undefined) {
        this.resumes++;
        if (msg.since > this.head) return reply({ type: 'error', code: 'rev_ahead', message: 'since is ahead' });
        for (let r = msg.since + 1; r <= this.head; r++) {
          const e = this.log[r - 1];
          reply(e.client === conn.client ? { type: 'ack', seq: e.seq, rev: r } : { type: 'op', rev: r, op: e.op, author: e.client });
        }
        reply({ type: 'welcome', pad: 'sim', rev: this.head, users: [], readOnly: false, you: conn.client });
      } else {
        reply({ type: 'welcome', pad: 'sim', rev: this.head, text: this.text, users: [], readOnly: false, you: conn.client });
      }
      conn.joined = true;
      return;
    }
    if (msg.type === 'op') {
      const key = `${conn.client} ${msg.seq}`;
      if (this.committed.has(key)) {
        this.deduped++;
        return reply({ type: 'ack', seq: msg.seq, rev: this.committed.get(key) });
      }
      if (msg.rev > this.head) return reply({ type: 'error', code: 'rev_ahead', message: 'op ahead' });
      let op = msg.op;
      for (let r = msg.rev + 1; r <= this.head; r++) op = type.transform(op, this.log[r - 1].op, 'right');
      this.text = type.apply(this.text, op);
      this.log.push({ op, client: conn.client, seq: msg.seq });
      this.committed.set(key, this.head);
      reply({ type: 'ack', seq: msg.seq, rev: this.head });
      const out = JSON.stringify({ type: 'op', rev: this.head, op, author: conn.client });
      for (const c of this.conns) {
        if (c === conn || !c.open || !c.joined) continue;
        // Another live connection of the same client gets the op as an ack.
        c.toClient.push(c.client === conn.client ? JSON.stringify({ type: 'ack', seq: msg.seq, rev: this.head }) : out);
      }
      return;
    }
    if (msg.type === 'cursor') {
      const out = JSON.stringify({ type: 'presence', event: 'cursor', user: { client: conn.client, name: 'x', color: '#000000', sel: msg.sel }, rev: msg.rev });
      for (const c of this.conns) if (c !== conn && c.open && c.joined) c.toClient.push(out);
    }
  }
}

const ALPHABET = ['a', 'b', 'c', ' ', '\n', 'é', 'e\u0301', '😀', '🇫🇷', '𝄞', 'Ж', '中'];

/** randomText returns 1..max characters, astral ones included. */
export function randomText(rand, max = 4) {
  let s = '';
  const n = 1 + Math.floor(rand() * max);
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(rand() * ALPHABET.length)];
  return s;
}

/** randomOp returns a random valid op (code points) on doc. */
export function randomOp(rand, doc) {
  const len = [...doc].length;
  const pos = Math.floor(rand() * (len + 1));
  const op = [];
  if (pos > 0) op.push(pos);
  const del = pos < len && rand() < 0.4 ? 1 + Math.floor(rand() * Math.min(5, len - pos)) : 0;
  if (del > 0) op.push({ d: del });
  if (del === 0 || rand() < 0.5) op.push(randomText(rand));
  return op;
}
