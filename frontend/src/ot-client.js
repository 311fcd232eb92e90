// The client side of confpad's operational transform: the classic three-state
// machine (in sync / awaiting an ack / awaiting with a buffer) speaking the
// websocket protocol v1 of docs/protocol.md. No DOM, no timers, no
// sockets: the page feeds it messages and a send function.
//
// Operations count code points (ot-text-unicode). The local document is
// always: the server's document at `rev`, then the in-flight op, then the
// buffer. At most one op is in flight; it is sent as
//   {"type":"op","rev":B,"seq":S,"op":[...]}
// and stays in flight until the server acks seq S. While it waits, local
// edits are composed into the buffer. A remote op R arriving meanwhile is
// transformed the way the server orders ops (it transforms an incoming op
// against history with side "right", so that at a tie what was committed
// first stays first):
//   pending' = transform(pending, R, "right"); R' = transform(R, pending, "left")
// for the in-flight op and then the buffer, and R' is applied locally.
//
// The buffer is a queue of ops, each changing at most MAX_OP code points, so
// that no frame exceeds the server's limits: a big paste or a delete of a
// big selection is split into several ops, sent one after the other. Small
// edits compose into the last queued op as long as it stays under the cap.
//
// Reconnecting: the page calls connect() with the new socket's send. We join
// with "since": rev; the server replays what we missed (others' ops as `op`,
// our own ops committed while we were away as `ack`), then sends `welcome`
// without text. Then we resend the in-flight op exactly as first sent (same
// seq, same base rev, same op: the server dedupes by (client, seq)), and the
// buffer follows as the next op once that is acked. Nothing is lost or
// applied twice.

import { type } from 'ot-text-unicode';
import { codePointCount, unitsFor } from './positions.js';
import { errorPolicy } from './protocol.js';

/** How many server revisions are kept to transform remote cursors. */
const HISTORY = 256;

/**
 * The most code points one op may insert plus delete. At up to 6 bytes per
 * code point in JSON, an op stays under 200 KB, below the server's default
 * frame limit (256 KiB) and op limit (256 Ki code points).
 */
export const MAX_OP = 32 * 1024;

/**
 * OTClient keeps one pad's local document consistent with the server's.
 *
 * The handler receives, all optional:
 * - applyRemote(op, client, by, runs): apply op (code points), sent by
 *   client id client and written by public author id by (or, if runs is
 *   an array, by the authors of runs, {author, length} in code points, in
 *   the order op inserts text: an import), to the local document; it is
 *   already transformed against local pending edits, which keeps what it
 *   inserts and in which order.
 * - reset(text): replace the local document with text (first join, or a
 *   resync after the server refused our pending edits).
 * - welcome(msg): the server's welcome; msg.users have their `sel`
 *   converted to local positions (or null).
 * - presence(event, user): a join/leave/update/cursor, user.sel local.
 * - people(n): the count of everyone connected to the pad changed.
 * - links(links), error(msg): those server messages.
 * - state(name): 'synced' | 'awaiting' | 'buffering' after every change.
 * - resync(full): the connection must be dropped and re-established;
 *   full = true means join afresh without "since" (pending edits dropped).
 * - message(msg): any other message type.
 */
export class OTClient {
  /**
   * @param {{client: string, name: string, color: string, edit?: string, handler?: object, maxOp?: number}} opts
   *   edit is the secret of the session's edit link ('' for none);
   *   maxOp caps the code points one op changes (MAX_OP unless set).
   */
  constructor({ client, author = '', name, color, edit = '', handler = {}, maxOp = MAX_OP }) {
    this.client = client;
    /** The author secret sent at join ('' for none): see author.js. */
    this.author = author;
    this.edit = edit;
    this.maxOp = maxOp;
    this.name = name;
    this.color = color;
    this.handler = handler;
    /** The server revision the local document is based on; null before the first welcome. */
    this.rev = null;
    /** {seq, op, msg, conn}: op transformed to `rev`; msg as first sent (null if never). */
    this.inflight = null;
    /** Local edits made while an op is in flight: ops to send in order, after inflight. */
    this.queue = [];
    this.seq = 0;
    /** The public id the server derives from our secret client id (welcome.you). */
    this.you = undefined;
    this.readOnly = false;
    /** The welcome's mode: 'edit', 'view' (no edit link) or 'archived'. */
    this.mode = 'edit';
    this.send = null;
    this.joined = false;
    /** Counts connections; inflight.conn says which one last carried it. */
    this.connection = 0;
    this.cursor = null;
    this.cursorDirty = false;
    /** Recent server ops [{rev, op}] for transforming remote cursors. */
    this.history = [];
  }

  /** 'synced', 'awaiting' (one op in flight) or 'buffering' (and more). */
  get state() {
    if (this.inflight === null) return 'synced';
    return this.queue.length === 0 ? 'awaiting' : 'buffering';
  }

  /**
   * connect starts a session on a new connection: it sends the join (with
   * "since" once a revision is known) through send(msg).
   */
  connect(send) {
    this.send = send;
    this.joined = false;
    this.connection++;
    this.cursorDirty = this.cursor !== null;
    const join = { type: 'join', client: this.client, name: this.name, color: this.color };
    if (this.author) join.author = this.author;
    if (this.rev !== null) join.since = this.rev;
    if (this.edit) join.edit = this.edit;
    send(join);
  }

  /** disconnect notes that the connection is gone; edits keep queueing. */
  disconnect() {
    this.send = null;
    this.joined = false;
  }

  /**
   * submit records a local edit (code points), already applied to the local
   * document, and sends it when nothing else is in flight.
   */
  submit(op) {
    if (op.length === 0) return;
    this.moveCursor(op);
    for (const piece of splitOp(op, this.maxOp)) {
      const last = this.queue.length - 1;
      if (last >= 0 && opSize(this.queue[last]) + opSize(piece) <= this.maxOp) {
        this.queue[last] = type.compose(this.queue[last], piece);
      } else {
        this.queue.push(piece);
      }
    }
    this.next();
    this.flush();
    this.emitState();
  }

  /** setCursor records the local selection [anchor, head] in code points. */
  setCursor(sel) {
    this.cursor = sel;
    this.cursorDirty = true;
    this.flushCursor();
  }

  /** rename changes the name and colour shown to others. */
  rename(name, color) {
    this.name = name;
    this.color = color;
    if (this.joined && this.mode !== 'view') this.send({ type: 'rename', name, color });
  }

  /**
   * historyChanged forgets the pad's state, pending edits included, when
   * the server says the history this client holds was rewritten: the next
   * join loads the pad afresh.
   */
  historyChanged() {
    if (this.inflight !== null || this.queue.length > 0) {
      this.handler.error?.({ type: 'error', code: 'resync', message: 'unsaved edits were dropped' });
    }
    this.abandon();
  }

  /**
   * abandon forgets the pad's state, pending edits included, so that the
   * next connect joins afresh and the next welcome resets the document.
   * For when the local document is found to disagree with the server's.
   */
  abandon() {
    this.rev = null;
    this.inflight = null;
    this.queue = [];
    this.emitState();
  }

  /** receive handles one message from the server. */
  receive(msg) {
    switch (msg && msg.type) {
      case 'welcome': return this.onWelcome(msg);
      case 'ack': return this.onAck(msg);
      case 'op': return this.onOp(msg);
      case 'presence': return this.onPresence(msg);
      case 'links': return this.handler.links?.(msg.links || []);
      case 'people': return this.handler.people?.(msg.people);
      case 'error': return this.onError(msg);
      default: return this.handler.message?.(msg);
    }
  }

  onWelcome(msg) {
    if (typeof msg.text === 'string' && msg.rev !== this.rev) {
      // A snapshot: first join, or the server could not resume us.
      if (this.inflight !== null) this.handler.error?.({ type: 'error', code: 'resync', message: 'unsaved edits were dropped' });
      this.rev = msg.rev;
      this.inflight = null;
      this.queue = [];
      this.history = [];
      this.cursor = null;
      this.handler.reset?.(msg.text);
    } else if (this.rev === null) {
      this.handler.resync?.(true); // a resume welcome on a fresh join
      return;
    }
    // A resume welcome may name a later head than the replay reached (an op
    // committed meanwhile): its broadcast follows, and any gap is caught by
    // the revision check on the next op or ack.
    if (typeof msg.you === 'string') this.you = msg.you;
    this.readOnly = !!msg.readOnly;
    this.mode = typeof msg.mode === 'string' ? msg.mode : (this.readOnly ? 'archived' : 'edit');
    this.joined = true;
    const users = (msg.users || []).map((u) => ({ ...u, sel: this.localSel(u.sel, msg.rev) }));
    this.handler.welcome?.({ ...msg, users });
    this.flush();
    this.flushCursor();
    this.emitState();
  }

  onAck(msg) {
    // Duplicate acks (for a resent op the replay already acked) are stale.
    if (this.inflight === null || msg.seq !== this.inflight.seq) return;
    this.acknowledge(msg.rev);
  }

  acknowledge(rev) {
    if (rev !== this.rev + 1) {
      // Revisions are delivered in order; a jump means we missed some.
      this.handler.resync?.(false);
      return;
    }
    this.record(rev, this.inflight.op);
    this.inflight = null;
    this.next();
    this.flush();
    this.flushCursor();
    this.emitState();
  }

  onOp(msg) {
    if (this.rev === null || msg.rev <= this.rev) return; // already seen
    if (this.isMe(msg.author) && this.inflight !== null) {
      // Our in-flight op, committed through an earlier connection.
      this.acknowledge(msg.rev);
      return;
    }
    if (msg.rev !== this.rev + 1) {
      this.handler.resync?.(false);
      return;
    }
    let remote = msg.op;
    if (this.inflight !== null) {
      const own = this.inflight.op;
      this.inflight.op = type.transform(own, remote, 'right');
      remote = type.transform(remote, own, 'left');
    }
    for (let i = 0; i < this.queue.length; i++) {
      const own = this.queue[i];
      this.queue[i] = type.transform(own, remote, 'right');
      remote = type.transform(remote, own, 'left');
    }
    this.record(msg.rev, msg.op);
    this.moveCursor(remote);
    this.handler.applyRemote?.(remote, msg.author, msg.by, msg.runs);
  }

  onPresence(msg) {
    const user = msg.user || {};
    if (this.isMe(user.client)) return;
    this.handler.presence?.(msg.event, { ...user, sel: this.localSel(user.sel, msg.rev) });
  }

  onError(msg) {
    this.handler.error?.(msg);
    if (msg.code === 'read_only') this.readOnly = true;
    const ref = msg.ref ?? msg.seq; // the seq of the op the error is about
    const aboutOurOp = this.inflight !== null && (ref === undefined || ref === this.inflight.seq);
    const policy = errorPolicy(msg.code);
    // rev_ahead and rev_too_old name this client's revision (of a join's
    // "since", an op or a cursor), not one op: whatever they answer, the
    // server cannot place this client's state (its log lacks revisions
    // this client has, or this client is further behind than the server
    // keeps).
    if (policy === 'resync' && (aboutOurOp || msg.code === 'rev_ahead' || msg.code === 'rev_too_old')) {
      // The server will never take the pending edits: start again from its text.
      this.abandon();
      this.handler.resync?.(true);
    } else if (policy === 'retry') {
      if (aboutOurOp) this.handler.resync?.(false); // retry the op on a new connection
    }
  }

  // Keeps the unsent local cursor valid across an edit of the local
  // document (the page normally sets a fresh one after its own edits).
  moveCursor(op) {
    if (this.cursor !== null) this.cursor = this.cursor.map((p) => type.transformPosition(p, op));
  }

  // Moves the first queued op in flight when nothing is.
  next() {
    if (this.inflight === null && this.queue.length > 0) {
      this.inflight = { seq: ++this.seq, op: this.queue.shift(), msg: null, conn: 0 };
    }
  }

  // Sends the in-flight op if this connection has not carried it yet.
  flush() {
    if (!this.joined || this.inflight === null || this.inflight.conn === this.connection) return;
    if (this.inflight.msg === null) {
      this.inflight.msg = { type: 'op', rev: this.rev, seq: this.inflight.seq, op: this.inflight.op };
    }
    this.inflight.conn = this.connection;
    this.send(this.inflight.msg);
  }

  // Cursors are only sent in sync: while edits are pending, local positions
  // have no server revision to be based on.
  flushCursor() {
    if (!this.joined || !this.cursorDirty || this.cursor === null || this.inflight !== null || this.readOnly) return;
    this.cursorDirty = false;
    this.send({ type: 'cursor', rev: this.rev, sel: this.cursor });
  }

  // The server names this client by the public id it derives from the
  // secret this.client (welcome.you); the secret itself never comes back.
  isMe(client) {
    return this.you !== undefined && client === this.you;
  }

  record(rev, op) {
    this.rev = rev;
    this.history.push({ rev, op });
    if (this.history.length > HISTORY) this.history.splice(0, this.history.length - HISTORY);
  }

  /**
   * localSel converts a selection [anchor, head] given at server revision
   * `rev` to local positions: through the server ops after rev that we have
   * seen, then through our pending edits. Returns null when it cannot.
   */
  localSel(sel, rev) {
    if (!Array.isArray(sel) || sel.length !== 2) return null;
    let [a, h] = sel;
    if (typeof rev === 'number' && rev < this.rev) {
      const first = this.history.length ? this.history[0].rev : this.rev + 1;
      if (rev < first - 1) return null;
      for (const { rev: r, op } of this.history) {
        if (r > rev) {
          a = type.transformPosition(a, op);
          h = type.transformPosition(h, op);
        }
      }
    }
    for (const op of this.inflight ? [this.inflight.op, ...this.queue] : this.queue) {
      a = type.transformPosition(a, op);
      h = type.transformPosition(h, op);
    }
    return [a, h];
  }

  emitState() {
    this.handler.state?.(this.state);
  }
}

/** opSize is the number of code points op inserts plus deletes. */
export function opSize(op) {
  let n = 0;
  for (const c of op) {
    if (typeof c === 'string') n += codePointCount(c);
    else if (typeof c === 'object') n += deleteLength(c);
  }
  return n;
}

// The number of code points a delete component {d} removes: d is a count
// or the deleted text.
function deleteLength(c) {
  return typeof c.d === 'number' ? c.d : codePointCount(c.d);
}

/**
 * splitOp splits op into ops that each insert plus delete at most `max`
 * code points and that, applied one after the other, do what op does.
 * An op within the limit is returned as it is.
 */
export function splitOp(op, max) {
  if (opSize(op) <= max) return [op];
  const pieces = [];
  let piece = [];
  let budget = max;
  let start = 0; // where the current piece starts, in the document the previous pieces made
  let pos = 0; // how far the current piece reaches in that document
  const flush = () => {
    pieces.push(type.normalize(start > 0 ? [start, ...piece] : piece));
    start = pos;
    piece = [];
    budget = max;
  };
  for (const c of op) {
    if (typeof c === 'number') {
      piece.push(c);
      pos += c;
    } else if (typeof c === 'string') {
      let rest = c;
      while (rest.length > 0) {
        if (budget === 0) flush();
        const units = unitsFor(rest, budget);
        const take = rest.slice(0, units);
        rest = rest.slice(units);
        const n = codePointCount(take);
        piece.push(take);
        pos += n;
        budget -= n;
      }
    } else {
      let n = deleteLength(c);
      while (n > 0) {
        if (budget === 0) flush();
        const k = Math.min(budget, n);
        piece.push({ d: k });
        budget -= k;
        n -= k;
      }
    }
  }
  if (piece.some((c) => typeof c !== 'number')) flush();
  return pieces;
}
