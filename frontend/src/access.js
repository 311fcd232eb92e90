// Who may edit, as the page knows it: the secret of the session's edit
// link and the tokens of the slide links this browser added.
//
// A session whose policy is "link" can be edited only by those who opened
// it through its edit link, /p/{id}?edit=<secret>. The page takes the
// secret from the address, keeps it for the tab in sessionStorage (so a
// reload still edits), and removes it from the address bar so that it is
// not copied along with the page's address or kept in the history. It is
// sent in the join ("edit") and in HTTP writes (X-Edit-Secret).
//
// Adding a slide link returns a token that lets its holder change or
// remove that link (X-Link-Token); the page keeps the tokens of the links
// it added in localStorage, per pad, and shows a remove button for them.

/** A secret's form (protocol.ValidSecret). */
const SECRET = /^[A-Za-z0-9_-]{16,64}$/;

const editKey = (padId) => `confpad.edit.${padId}`;
const tokensKey = (padId) => `confpad.links.${padId}`;

/** storage returns globalThis[name] or null where storage is disabled. */
function storage(name) {
  try {
    return globalThis[name] ?? null;
  } catch {
    return null;
  }
}

/**
 * takeEditSecret returns the pad's edit secret, or '' if the page has
 * none: from the address's "edit" parameter (which it then stores for the
 * tab and removes from the address bar), or from the tab's storage.
 */
export function takeEditSecret(padId, { loc = globalThis.location, hist = globalThis.history, store = storage('sessionStorage') } = {}) {
  const url = new URL(loc.href);
  const fromURL = url.searchParams.get('edit');
  if (fromURL !== null) {
    url.searchParams.delete('edit');
    hist?.replaceState(hist.state, '', url.pathname + url.search + url.hash);
    if (SECRET.test(fromURL)) {
      try {
        store?.setItem(editKey(padId), fromURL);
      } catch {
        // kept for this page load only
      }
      return fromURL;
    }
  }
  try {
    const kept = store?.getItem(editKey(padId)) ?? '';
    return SECRET.test(kept) ? kept : '';
  } catch {
    return '';
  }
}

/** LinkTokens keeps the tokens of the slide links this browser added to a pad. */
export class LinkTokens {
  constructor(padId, store = storage('localStorage')) {
    this.key = tokensKey(padId);
    this.store = store;
    this.tokens = {};
    try {
      const saved = JSON.parse(store?.getItem(this.key) ?? '{}');
      if (saved && typeof saved === 'object' && !Array.isArray(saved)) {
        for (const [id, token] of Object.entries(saved)) if (typeof token === 'string') this.tokens[id] = token;
      }
    } catch {
      // unreadable: start empty
    }
  }

  /** get returns the token of link id, or undefined. */
  get(id) {
    return Object.hasOwn(this.tokens, id) ? this.tokens[id] : undefined;
  }

  set(id, token) {
    this.tokens[id] = token;
    this.save();
  }

  delete(id) {
    delete this.tokens[id];
    this.save();
  }

  /** keepOnly forgets the tokens of links that no longer exist. */
  keepOnly(ids) {
    const live = new Set(ids);
    let changed = false;
    for (const id of Object.keys(this.tokens)) {
      if (!live.has(id)) {
        delete this.tokens[id];
        changed = true;
      }
    }
    if (changed) this.save();
  }

  save() {
    try {
      this.store?.setItem(this.key, JSON.stringify(this.tokens));
    } catch {
      // kept for this page load only
    }
  }
}
