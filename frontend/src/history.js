// The timeslider, /p/{id}/history: a slider and a play button over the
// pad's revisions showing, for the revision chosen, its time, its author
// and the text then, tinted by author. It fetches only what it shows (the
// text and attribution of one revision, and that revision's entry of the
// revisions list), one revision at a time, so a pad of 50,000 revisions
// costs what a short one does.

import { authorLabel, colorClass, renderRuns } from './author-colors.js';

/** PLAY_STEPS is about how many revisions a play from 0 to the head shows. */
const PLAY_STEPS = 400;
const PLAY_INTERVAL_MS = 120;

function padIdFromPath(path) {
  const m = /^\/p\/([^/]+)\/history\/?$/.exec(path);
  return m ? decodeURIComponent(m[1]) : '';
}

async function getJSON(url, signal) {
  const res = await fetch(url, { signal, headers: { Accept: 'application/json' } });
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.json();
}

async function getText(url, signal) {
  const res = await fetch(url, { signal });
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.text();
}

function main() {
  const padId = padIdFromPath(location.pathname);
  const pad = encodeURIComponent(padId);
  const api = `/api/v1/pads/${pad}`;
  const $ = (sel) => document.querySelector(sel);
  const slider = $('#slider');
  const play = $('#play');
  const label = $('#rev-label');
  const meta = $('#rev-meta');
  const out = $('#history-text');
  const notesAt = $('#notes-at');
  const banner = $('#banner');
  $('#editor-link').href = `/p/${pad}`;

  let head = 0;
  let authors = new Map();
  let shown = -1; // the revision on screen
  let loading = null; // the AbortController of the revision being fetched
  let timer = null;

  const fail = (text) => {
    banner.textContent = text;
    banner.hidden = false;
  };

  const renderLegend = (runs) => {
    const chars = new Map();
    for (const r of runs) chars.set(r.author, (chars.get(r.author) || 0) + r.length);
    const items = [...chars].sort((a, b) => b[1] - a[1]).map(([id, n]) => {
      const li = document.createElement('li');
      const sw = document.createElement('span');
      sw.className = `swatch ${colorClass(authors.get(id)?.color)}`;
      li.append(sw, `${authorLabel(authors, id)} (${n})`);
      return li;
    });
    $('#legend').replaceChildren(...items);
  };

  /** show fetches and shows revision rev; a newer call cancels an older one. */
  const show = async (rev) => {
    loading?.abort();
    const ctl = new AbortController();
    loading = ctl;
    try {
      const [text, attr, revs] = await Promise.all([
        getText(`${api}/text?rev=${rev}`, ctl.signal),
        getJSON(`${api}/attribution?rev=${rev}`, ctl.signal),
        rev > 0 ? getJSON(`${api}/revisions?from=${rev - 1}&limit=1`, ctl.signal) : null,
      ]);
      if (attr.head > head) {
        head = attr.head;
        slider.max = String(head);
      }
      const r = revs?.revisions?.[0];
      label.textContent = `Revision ${rev} of ${head}`;
      meta.textContent = r
        ? `${new Date(r.time).toLocaleString()} · ${authorLabel(authors, r.author)} · +${r.inserted} −${r.deleted}`
        : 'The empty pad, before the first edit.';
      renderRuns(out, text, attr.runs, authors);
      renderLegend(attr.runs);
      notesAt.href = `/p/${pad}/notes?rev=${rev}`;
      slider.value = String(rev);
      shown = rev;
      document.body.dataset.rev = String(rev);
      history.replaceState(null, '', `?rev=${rev}`);
    } catch (err) {
      if (err.name !== 'AbortError') fail(`Could not load revision ${rev}: ${err.message}`);
    } finally {
      if (loading === ctl) loading = null;
    }
  };

  const stop = () => {
    clearInterval(timer);
    timer = null;
    play.setAttribute('aria-pressed', 'false');
    play.textContent = 'Play';
  };
  play.addEventListener('click', () => {
    if (timer !== null) {
      stop();
      return;
    }
    if (shown >= head) show(0);
    play.setAttribute('aria-pressed', 'true');
    play.textContent = 'Pause';
    const step = Math.max(1, Math.round(head / PLAY_STEPS));
    timer = setInterval(() => {
      if (loading) return; // still fetching the last frame
      if (shown >= head) {
        stop();
        return;
      }
      show(Math.min(head, shown + step));
    }, PLAY_INTERVAL_MS);
  });
  slider.addEventListener('input', () => {
    stop();
    show(Number(slider.value));
  });

  (async () => {
    try {
      const [info, list] = await Promise.all([getJSON(api), getJSON(`${api}/authors`)]);
      document.title = `History of ${info.title} · confpad`;
      $('#pad-title').textContent = `History of ${info.title}`;
      authors = new Map(list.authors.map((a) => [a.id, a]));
      head = list.head;
      slider.max = String(head);
      const asked = Number.parseInt(new URLSearchParams(location.search).get('rev') ?? '', 10);
      await show(Number.isInteger(asked) && asked >= 0 && asked <= head ? asked : head);
    } catch (err) {
      fail(`Could not load this pad's history: ${err.message}`);
    }
  })();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', main);
else main();
