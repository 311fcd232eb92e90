// The websocket under an OTClient: opens it, feeds the client, and
// reconnects with exponential backoff and full jitter when it drops. Typing never
// waits for it: the OTClient queues edits while there is no connection.
//
// Close codes from the server follow their policy (protocol.js): after
// 4404 (the pad does not exist or was deleted) and 4409 (a newer connection
// took over this client id) it stops; after 4410 (the pad's history was
// rewritten: the store lost ops this page saw) it resyncs, reconnecting
// and loading the pad afresh. Anything else, including a server restart
// (1001 going away) or a slow-client cut (1008), reconnects and resumes
// with "since".

import { closePolicy } from './protocol.js';

/** What the page says after a close with a 'stop' policy. */
const STOP_TEXT = {
  4404: 'This session does not exist any more.',
  4409: 'This page was opened again elsewhere with the same id.',
};

/**
 * Reconnect delays: attempt n waits a random time in [0, first * 2^n),
 * at most max.
 */
export const BACKOFF = { first: 1000, max: 30_000 };

/** An op not acked within this many ms means the connection is dead. */
export const ACK_TIMEOUT = 20_000;

/**
 * backoffDelay returns the wait before reconnect attempt n (0-based), in
 * ms: exponential backoff with full jitter, a uniformly random time in
 * [0, min(max, first * 2^n)). When a server restarts under thousands of
 * readers they come back spread over the first second (half a second on
 * average for one), and those refused again over ever longer windows,
 * instead of all at once.
 */
export function backoffDelay(n, random = Math.random) {
  const cap = Math.min(BACKOFF.max, BACKOFF.first * 2 ** Math.min(n, 30));
  return Math.floor(random() * cap);
}

/**
 * Connection keeps one OTClient connected to url.
 *
 * onStatus(status, detail) is called with 'connecting', 'live',
 * 'reconnecting', 'offline' (the browser says it is offline) or 'closed'
 * (no further attempts; detail says why).
 */
export class Connection {
  constructor({ url, client, onStatus = () => {}, env = {} }) {
    this.url = url;
    this.client = client;
    this.onStatus = onStatus;
    this.WebSocket = env.WebSocket ?? globalThis.WebSocket;
    this.setTimeout = env.setTimeout ?? globalThis.setTimeout.bind(globalThis);
    this.clearTimeout = env.clearTimeout ?? globalThis.clearTimeout.bind(globalThis);
    this.random = env.random ?? Math.random;
    this.isOnline = env.isOnline ?? (() => globalThis.navigator?.onLine !== false);
    this.ws = null;
    this.attempt = 0;
    this.retryTimer = null;
    this.ackTimer = null;
    this.stopped = false;
    this.status = null;
  }

  /** start opens the first connection. */
  start() {
    this.open();
  }

  /** stop closes the connection for good. */
  stop(reason = 'stopped') {
    this.stopped = true;
    this.clearTimeout(this.retryTimer);
    this.drop(1000, reason);
    this.setStatus('closed', reason);
  }

  /** reconnect drops the current connection and opens a new one after the backoff. */
  reconnect() {
    if (this.stopped) return;
    this.drop(4000, 'resync');
    this.schedule();
  }

  /** online is called when the browser regains the network: retry at once. */
  online() {
    if (this.stopped || this.ws) return;
    this.clearTimeout(this.retryTimer);
    this.attempt = 0;
    this.open();
  }

  /**
   * offline is called when the browser loses the network. A socket that
   * looks open then is most likely dead without knowing it yet (nothing
   * arrives, edits wait for an ack that cannot come), so it is dropped at
   * once: the page says offline, edits queue, and they are resent on the
   * next connection, which online() opens at once.
   */
  offline() {
    if (this.stopped) return;
    this.drop(1000, 'offline');
    this.schedule();
    this.setStatus('offline');
  }

  open() {
    this.retryTimer = null;
    this.setStatus(this.attempt === 0 && this.status === null ? 'connecting' : this.waitingStatus());
    let ws;
    try {
      ws = new this.WebSocket(this.url);
    } catch (err) {
      this.schedule();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.client.connect((msg) => this.send(ws, msg));
    };
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return; // not ours to judge; the server only sends JSON
      }
      if (msg.type === 'ack' || msg.type === 'welcome') this.disarm();
      if (msg.type === 'welcome') {
        this.attempt = 0;
        this.setStatus('live');
      }
      this.client.receive(msg);
      if (msg.type === 'error' && msg.code === 'unknown_pad') this.stop('This session does not exist.');
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.disarm();
      this.client.disconnect();
      const policy = closePolicy(ev.code);
      if (policy === 'stop') this.stop(STOP_TEXT[ev.code] ?? 'The server closed the connection.');
      else {
        if (policy === 'resync') this.client.historyChanged();
        this.schedule();
      }
    };
    ws.onerror = () => {}; // a close event follows
  }

  send(ws, msg) {
    if (this.ws !== ws || ws.readyState !== 1) return;
    ws.send(JSON.stringify(msg));
    if (msg.type === 'op' && this.ackTimer === null) {
      this.ackTimer = this.setTimeout(() => {
        this.ackTimer = null;
        this.reconnect();
      }, ACK_TIMEOUT);
    }
  }

  disarm() {
    if (this.ackTimer !== null) this.clearTimeout(this.ackTimer);
    this.ackTimer = null;
  }

  drop(code, reason) {
    const ws = this.ws;
    if (!ws) return;
    this.ws = null;
    this.disarm();
    this.client.disconnect();
    try {
      ws.close(code, reason);
    } catch {
      // already closing
    }
  }

  schedule() {
    if (this.stopped || this.retryTimer !== null) return;
    const delay = backoffDelay(this.attempt++, this.random);
    this.setStatus(this.waitingStatus());
    this.retryTimer = this.setTimeout(() => this.open(), delay);
  }

  waitingStatus() {
    return this.isOnline() ? 'reconnecting' : 'offline';
  }

  setStatus(status, detail) {
    if (status === this.status && detail === undefined) return;
    this.status = status;
    this.onStatus(status, detail);
  }
}
