// Who this browser is in a pad: a name and colour remembered across visits,
// and a client id that is new for every page load.
//
// The client id is a secret: whoever holds it can resume this page's
// session, have ops deduplicated as this page's and take over its
// connection. It goes only into the join; everyone, this page included,
// sees the public id the server derives from it (welcome.you, op authors,
// presence), so it is random (a v4 UUID from crypto.getRandomValues) and
// shown nowhere.
//
// The client id is deliberately not remembered: the server dedupes ops by
// (client id, seq) and seq starts again at 1 on every load, and it closes
// an older connection when a newer one joins with the same id. Two tabs, or
// one reloaded tab, sharing an id would lose edits or push each other out.

/** Colours offered for users: distinct, readable on white. */
export const PALETTE = ['#3366ff', '#e6550d', '#2ca25f', '#8e44ad', '#d62728', '#0f9bb4', '#b8860b', '#c2185b'];

const NAME_KEY = 'confpad.name';
const COLOR_KEY = 'confpad.color';
const COLOR_RE = /^#[0-9a-f]{6}$/i;

/** validColor returns c lower-cased if it is #rrggbb, else the fallback. */
export function validColor(c, fallback = '#6b7280') {
  return typeof c === 'string' && COLOR_RE.test(c) ? c.toLowerCase() : fallback;
}

/**
 * cleanName trims a display name to 1..50 characters that the server
 * accepts (conference.TextProblem): no control characters, no
 * bidirectional controls or invisible characters (a zero-width joiner or
 * non-joiner only between two visible characters; tags only after a black
 * flag), at most four combining marks in a row.
 */
export function cleanName(name) {
  const s = String(name ?? '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
    .replace(/(?<!\u{1F3F4}|[\u{E0020}-\u{E007F}])[\u{E0020}-\u{E007F}]/gu, '')
    .replace(/(?![\u200c\u200d\u{E0020}-\u{E007F}])\p{Cf}/gu, '')
    .replace(/(^|[\s\u200c\u200d])[\u200c\u200d]+|[\u200c\u200d]+(?=$|\s)/gu, '$1')
    .replace(/([\p{Mn}\p{Me}]{4})[\p{Mn}\p{Me}]+/gu, '$1')
    .trim();
  return [...s].slice(0, 50).join('').replace(/[\u200c\u200d]+$/u, '');
}

/** newClientId returns a random UUID (v4), also on plain-http pages. */
export function newClientId(crypto = globalThis.crypto) {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function storage() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage disabled
  }
}

/**
 * loadIdentity returns {client, name, color}: the remembered name and
 * colour (chosen at random and remembered on the first visit) and a fresh
 * client id.
 */
export function loadIdentity(random = Math.random) {
  const store = storage();
  let name = cleanName(store?.getItem(NAME_KEY));
  let color = validColor(store?.getItem(COLOR_KEY), '');
  if (!name) name = `Guest ${100 + Math.floor(random() * 900)}`;
  if (!color) color = PALETTE[Math.floor(random() * PALETTE.length)];
  saveIdentity(name, color);
  return { client: newClientId(), name, color };
}

/** saveIdentity remembers name and colour for the next visit. */
export function saveIdentity(name, color) {
  try {
    storage()?.setItem(NAME_KEY, name);
    storage()?.setItem(COLOR_KEY, color);
  } catch {
    // quota or privacy mode: the identity lasts for this page only
  }
}

/** textColorOn returns a readable text colour (dark or white) on bg. */
export function textColorOn(bg) {
  const c = validColor(bg);
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16) / 255);
  const lum = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return lum > 0.6 ? '#1d2330' : '#ffffff';
}
