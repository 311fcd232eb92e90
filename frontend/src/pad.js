// The pad page, /p/{id}: wires the editor, the OT client, the connection,
// the session panel, the people list and the preview together.

import { LinkTokens, takeEditSecret } from './access.js';
import { Connection } from './connection.js';
import { Editor } from './editor.js';
import { loadIdentity } from './identity.js';
import { loadAuthorSecret, publicAuthorId } from './author.js';
import { OTClient } from './ot-client.js';
import { People } from './people.js';
import { Preview } from './preview.js';
import { SessionPanel } from './session-panel.js';
import { changesToOp } from './changes.js';
import { toCodePoints } from './positions.js';

const STATUS_TEXT = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  'read-only': 'Read-only',
  'view-only': 'View only',
  closed: 'Disconnected',
};

const ERROR_TEXT = {
  too_large: 'That edit was too large for the pad and was not saved.',
  quota_exceeded: 'This pad has reached its storage quota; new edits are not saved. Ask the organisers.',
  bad_op: 'An edit could not be saved; the notes were reloaded from the server.',
  rev_too_old: 'This page fell too far behind; the notes were reloaded from the server.',
  resync: 'Some unsaved edits could not be merged and were dropped.',
  read_only: 'This session is archived; the notes are read-only now.',
  unavailable: 'The server is busy; your edits are kept and will be sent again.',
};

function padIdFromPath(path) {
  const m = /^\/p\/([^/]+)\/?$/.exec(path);
  return m ? decodeURIComponent(m[1]) : '';
}

function main() {
  const padId = padIdFromPath(location.pathname);
  const $ = (sel) => document.querySelector(sel);
  const statusEl = $('#status');
  const banner = $('#banner');
  const layout = $('#layout');
  $('#notes-link').href = `/p/${encodeURIComponent(padId)}/notes`;
  $('#history-link').href = `/p/${encodeURIComponent(padId)}/history`;

  const me = loadIdentity();
  const authorSecret = loadAuthorSecret();
  const editSecret = takeEditSecret(padId);
  let connStatus = 'connecting';
  let readOnly = false;
  let mode = 'edit';
  let everJoined = false;

  // The banner shows, by priority: why the page stopped, a recent problem
  // (for 10 s), or that the session is archived or view-only.
  const MODE_TEXT = {
    archived: 'This session is archived: the notes are read-only.',
    view: editSecret
      ? 'View only: the edit link you opened is no longer valid. Ask the organisers for the new one.'
      : 'View only: editing this session needs its edit link. Ask the organisers.',
  };
  let stopped = '';
  let flash = '';
  let flashTimer = null;
  const renderBanner = () => {
    const text = stopped || flash || (readOnly ? MODE_TEXT[mode] || MODE_TEXT.archived : '');
    banner.textContent = text;
    banner.className = `banner ${stopped || flash ? 'warn' : 'info'}`;
    banner.hidden = !text;
  };
  const flashBanner = (text) => {
    flash = text;
    clearTimeout(flashTimer);
    flashTimer = setTimeout(() => {
      flash = '';
      renderBanner();
    }, 10_000);
    renderBanner();
  };

  const renderStatus = () => {
    let shown = connStatus;
    if (connStatus === 'live' && readOnly) shown = mode === 'view' ? 'view-only' : 'read-only';
    const unsaved = client.state !== 'synced';
    statusEl.dataset.status = shown;
    statusEl.dataset.unsaved = String(unsaved);
    // Only the connection state is announced (.label is the live region):
    // "saving…" comes and goes with every keystroke.
    const label = statusEl.querySelector('.label');
    const text = STATUS_TEXT[shown] || shown;
    if (label.textContent !== text) label.textContent = text;
    let extra = '';
    if (unsaved) extra = shown === 'live' ? ' · saving…' : ' · edits kept';
    statusEl.querySelector('.unsaved').textContent = extra;
    statusEl.title = unsaved ? 'Some of your edits are not on the server yet; they are sent as soon as it is reachable.' : 'All your edits are saved.';
  };

  let cursorTimer = null;
  const sendCursorSoon = () => {
    if (cursorTimer !== null) return;
    cursorTimer = setTimeout(() => {
      cursorTimer = null;
      const doc = editor.doc;
      const { anchor, head } = editor.view.state.selection.main;
      client.setCursor([toCodePoints(doc, anchor), toCodePoints(doc, head)]);
    }, 60);
  };

  const editor = new Editor($('#editor'), {
    onLocalChange: (tr) => client.submit(changesToOp(tr.startState.doc, tr.changes)),
    onUpdate: (update, local) => {
      if (update.docChanged) preview.changed();
      // Only the user's own moves are sent: the others move a cursor
      // through remote ops themselves, and a reader stays a reader.
      if (local) sendCursorSoon();
    },
  });
  const preview = new Preview($('#preview'), () => editor.doc.toString());
  const panel = new SessionPanel(document.body, padId, { editSecret, tokens: new LinkTokens(padId) });
  const people = new People($('#people-card'), me, (name, color) => {
    editor.authorMarks.myColor = color;
    client.rename(name, color);
  });
  editor.authorMarks.myColor = me.color;
  publicAuthorId(authorSecret).then((id) => {
    editor.authorMarks.me = id;
  });

  const client = new OTClient({
    client: me.client,
    author: authorSecret,
    name: me.name,
    color: me.color,
    edit: editSecret,
    handler: {
      applyRemote: (op, _client, by, runs) => {
        const writers = Array.isArray(runs) ? runs.map((r) => r.author) : [by];
        if (authorsOn && writers.some((a) => a && !editor.authorMarks.authors.has(a))) reloadAuthorsSoon();
        try {
          editor.applyRemote(op, by, runs);
        } catch (err) {
          // The local document disagrees with the server's: reload it.
          console.error('confpad: remote op does not fit the document', err);
          client.abandon();
          conn.reconnect();
        }
      },
      reset: (text) => {
        editor.replaceText(text);
        preview.changed();
      },
      welcome: (msg) => {
        everJoined = true;
        if (authorsOn && msg.text !== undefined) reloadAuthorsSoon();
        readOnly = !!msg.readOnly;
        mode = client.mode;
        editor.setReadOnly(readOnly);
        panel.setReadOnly(readOnly);
        renderBanner();
        people.reset(msg.users, msg.people, msg.you);
        editor.clearCursors();
        for (const u of msg.users) if (u.client !== msg.you && u.sel) editor.setCursor(u);
        if (Array.isArray(msg.links)) panel.setLinks(msg.links);
        renderStatus();
      },
      presence: (event, user) => {
        people.update(event, user);
        if (event === 'leave') editor.removeCursor(user.client);
        else if (event === 'cursor') editor.setCursor(user);
        else if (event === 'update') editor.relabelCursor(user);
      },
      people: (n) => people.setPeople(n),
      links: (links) => panel.setLinks(links),
      error: (msg) => {
        if (ERROR_TEXT[msg.code]) flashBanner(ERROR_TEXT[msg.code]);
        else console.warn('confpad: server error', msg);
      },
      state: () => renderStatus(),
      resync: () => conn.reconnect(),
    },
  });

  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const conn = new Connection({
    url: `${scheme}//${location.host}/pads/${encodeURIComponent(padId)}/ws`,
    client,
    onStatus: (status, detail) => {
      connStatus = status;
      if (status !== 'live') {
        people.clear();
        editor.clearCursors();
      }
      if (status === 'closed' && detail) {
        stopped = detail;
        renderBanner();
        editor.setReadOnly(true);
      }
      renderStatus();
    },
  });

  // Author colours: the attribution of the revision the editor shows
  // (fetched when nothing of ours is unsent, so that the two match), then
  // kept current by the editor's marks; fetched again when someone not yet
  // known writes, or after the document was reloaded.
  const authorsToggle = $('#toggle-authors');
  let authorsOn = false;
  let authorsLoading = false;
  let authorsTimer = null;
  const api = `/api/v1/pads/${encodeURIComponent(padId)}`;
  const loadAuthors = async () => {
    if (!authorsOn || authorsLoading) return;
    if (client.state !== 'synced' || client.rev === null || connStatus !== 'live') {
      reloadAuthorsSoon(300);
      return;
    }
    authorsLoading = true;
    const marks = editor.authorMarks;
    marks.begin(editor.view);
    try {
      const [attr, list] = await Promise.all([
        fetch(`${api}/attribution?rev=${client.rev}`).then((r) => (r.ok ? r.json() : Promise.reject(new Error(`attribution: ${r.status}`)))),
        fetch(`${api}/authors`).then((r) => (r.ok ? r.json() : Promise.reject(new Error(`authors: ${r.status}`)))),
      ]);
      marks.authors = new Map(list.authors.map((a) => [a.id, a]));
      marks.finish(editor.view, attr.runs);
      document.body.dataset.authorsRev = String(attr.rev);
    } catch (err) {
      marks.since = null;
      console.warn('confpad: could not load the authors', err);
      reloadAuthorsSoon(5000);
    } finally {
      authorsLoading = false;
    }
  };
  const reloadAuthorsSoon = (ms = 1000) => {
    clearTimeout(authorsTimer);
    authorsTimer = setTimeout(loadAuthors, ms);
  };
  const setAuthors = (on) => {
    authorsOn = on;
    authorsToggle.setAttribute('aria-pressed', String(on));
    editor.setAuthorColours(on);
    if (on) loadAuthors();
    try {
      localStorage.setItem('confpad.authors', on ? '1' : '0');
    } catch {
      // not remembered
    }
  };
  authorsToggle.addEventListener('click', () => setAuthors(!authorsOn));

  // The preview sits beside the editor (below it on a phone).
  const toggle = $('#toggle-preview');
  const setPreview = (on) => {
    toggle.setAttribute('aria-pressed', String(on));
    layout.classList.toggle('with-preview', on);
    $('#preview-pane').hidden = !on;
    preview.setVisible(on);
    try {
      localStorage.setItem('confpad.preview', on ? '1' : '0');
    } catch {
      // not remembered
    }
  };
  toggle.addEventListener('click', () => setPreview(toggle.getAttribute('aria-pressed') !== 'true'));
  let previewOn = false;
  try {
    previewOn = localStorage.getItem('confpad.preview') === '1';
  } catch {
    // storage disabled
  }
  setPreview(previewOn);
  let authorsWanted = false;
  try {
    authorsWanted = localStorage.getItem('confpad.authors') === '1';
  } catch {
    // storage disabled
  }
  setAuthors(authorsWanted);

  $('.skip').addEventListener('click', (e) => {
    e.preventDefault();
    editor.view.focus();
  });
  addEventListener('online', () => conn.online());
  addEventListener('offline', () => conn.offline());
  addEventListener('beforeunload', (e) => {
    if (everJoined && client.state !== 'synced') e.preventDefault();
  });

  panel.load().then((exists) => {
    if (!exists) {
      stopped = 'There is no such session.';
      renderBanner();
      conn.stop('There is no such session.');
    }
  });
  conn.start();
  renderStatus();

  // A small read-only handle for end-to-end tests and curious users.
  window.confpad = {
    text: () => editor.doc.toString(),
    status: () => statusEl.dataset.status,
    /** The welcome's mode: 'edit', 'view' or 'archived'. */
    mode: () => mode,
    synced: () => client.state === 'synced' && connStatus === 'live',
    rev: () => client.rev,
    /** The public id the server gave this page (welcome.you). */
    client: () => client.you,
  };
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', main);
else main();
