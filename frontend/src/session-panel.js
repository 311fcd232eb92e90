// The session beside the notes: title, description, time, room, speakers,
// and the slide links with the form a speaker uses to add one.

/** el creates an element with properties and children (text or nodes). */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

/** safeUrl returns url if it is an absolute http(s) URL, else null. */
export function safeUrl(url) {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/** SessionPanel fills the session's part of the page. */
export class SessionPanel {
  /**
   * editSecret is the edit link's secret ('' for none), sent with links
   * added; tokens (LinkTokens) keeps the tokens of the links added here,
   * which get a remove button.
   */
  constructor(root, padId, { editSecret = '', tokens = null } = {}) {
    this.root = root;
    this.padId = padId;
    this.editSecret = editSecret;
    this.tokens = tokens;
    this.readOnly = false;
    this.welcomed = false;
    this.title = root.querySelector('#pad-title');
    this.desc = root.querySelector('#pad-desc');
    this.meta = root.querySelector('#pad-meta');
    this.list = root.querySelector('#links');
    this.form = root.querySelector('#link-form');
    this.addLinkBox = root.querySelector('details.add-link');
    this.formMsg = root.querySelector('#link-msg');
    this.links = [];
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.addLink();
    });
  }

  /** load fetches the session; returns false if it does not exist. */
  async load() {
    let res;
    try {
      res = await fetch(`/api/v1/pads/${encodeURIComponent(this.padId)}`, { headers: { Accept: 'application/json' } });
    } catch {
      this.desc.textContent = 'The session details could not be loaded.';
      return true; // the editor may still connect
    }
    if (res.status === 404) return false;
    if (!res.ok) return true;
    this.show(await res.json());
    return true;
  }

  show(s) {
    const title = s.title || s.id || this.padId;
    this.title.textContent = title;
    document.title = `${title} · confpad`;
    this.desc.textContent = s.description || '';
    this.desc.hidden = !s.description;
    this.meta.replaceChildren();
    const add = (term, value) => {
      if (value) this.meta.append(el('dt', { text: term }), el('dd', { text: value }));
    };
    add('When', s.time);
    add('Room', s.room);
    add(Array.isArray(s.speakers) && s.speakers.length === 1 ? 'Speaker' : 'Speakers', (s.speakers || []).join(', '));
    this.setLinks(s.links || []);
    // Until the welcome says what this page may do, guess from the details.
    if (!this.welcomed) this.showReadOnly(s.state === 'archived' || (s.policy === 'link' && !this.editSecret));
  }

  /**
   * setReadOnly records what the welcome says (it wins over the session's
   * details, whichever arrives last): read-only hides the add-link form
   * and the remove buttons of an archived or view-only session.
   */
  setReadOnly(readOnly) {
    this.welcomed = true;
    this.showReadOnly(readOnly);
  }

  showReadOnly(readOnly) {
    const changed = readOnly !== this.readOnly;
    this.readOnly = readOnly;
    this.addLinkBox.hidden = readOnly;
    if (changed) this.setLinks(this.links);
  }

  /** setLinks shows the session's slide links. */
  setLinks(links) {
    this.links = links;
    this.list.replaceChildren();
    for (const l of links) {
      const href = safeUrl(l.url);
      if (!href) continue;
      const host = new URL(href).host;
      const token = this.tokens?.get(l.id);
      let remove = null;
      if (token && !this.readOnly) {
        remove = el('button', { class: 'link-remove', type: 'button', 'aria-label': `Remove ${l.title || host}`, text: 'Remove' });
        remove.addEventListener('click', () => this.removeLink(l.id, token, remove));
      }
      this.list.append(
        el('li', {},
          el('a', { href, target: '_blank', rel: 'noopener noreferrer', text: l.title || href }),
          el('span', { class: 'link-host', text: host }, remove ? ' · ' : null, remove)),
      );
    }
    // Forget tokens of links that are gone (removed here, elsewhere or by an admin).
    if (this.tokens && links.length) this.tokens.keepOnly(links.map((l) => l.id));
    if (!this.list.children.length) this.list.append(el('li', { class: 'empty', text: 'No slides yet.' }));
  }

  async addLink() {
    const data = new FormData(this.form);
    const title = String(data.get('title') || '').trim();
    const url = String(data.get('url') || '').trim();
    if (!title || !safeUrl(url)) {
      this.say('Give a title and an http(s) address.', true);
      return;
    }
    const button = this.form.querySelector('button');
    button.disabled = true;
    try {
      const res = await fetch(`/api/v1/pads/${encodeURIComponent(this.padId)}/links`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          ...(this.editSecret ? { 'X-Edit-Secret': this.editSecret } : {}),
        },
        body: JSON.stringify({ title, url }),
      });
      if (res.status === 201) {
        const { token, ...link } = await res.json();
        if (token) this.tokens?.set(link.id, token);
        if (!this.links.some((l) => l.id === link.id)) this.setLinks([...this.links, link]);
        else this.setLinks(this.links); // pushed first: now with its remove button
        this.form.reset();
        this.say('Added.');
      } else {
        const body = await res.json().catch(() => ({}));
        this.say(body?.error?.message || `The server said ${res.status}.`, true);
      }
    } catch {
      this.say('Could not reach the server; try again.', true);
    } finally {
      button.disabled = false;
    }
  }

  /** removeLink removes a link this browser added, with its token. */
  async removeLink(id, token, button) {
    button.disabled = true;
    try {
      const res = await fetch(`/api/v1/pads/${encodeURIComponent(this.padId)}/links/${encodeURIComponent(id)}`, {
        method: 'DELETE',
        headers: { Accept: 'application/json', 'X-Link-Token': token },
      });
      if (res.status === 204 || res.status === 404) {
        this.tokens?.delete(id);
        this.setLinks(this.links.filter((l) => l.id !== id));
        this.say(res.status === 204 ? 'Removed.' : 'That link was already gone.');
      } else {
        const body = await res.json().catch(() => ({}));
        this.say(body?.error?.message || `The server said ${res.status}.`, true);
        button.disabled = false;
      }
    } catch {
      this.say('Could not reach the server; try again.', true);
      button.disabled = false;
    }
  }

  say(text, error = false) {
    this.formMsg.textContent = text;
    this.formMsg.classList.toggle('error', error);
  }
}
