// Who is in the pad: the list of users who act (type, point a cursor or
// rename themselves) with their colours, how many others are reading, and
// the form where you set your own name and colour (remembered for the next
// visit).

import { PALETTE, cleanName, saveIdentity, validColor } from './identity.js';
import { el } from './session-panel.js';

/**
 * readingCount is how many people of a pad are reading, not listed:
 * everyone connected (people, 0 if unknown) minus the listed others and
 * you.
 */
export function readingCount(people, listed) {
  return Math.max(0, people - listed - 1);
}

/** People shows the users of a pad and edits your own identity. */
export class People {
  /**
   * @param {HTMLElement} root the section holding #people, #my-name, #my-colors
   * @param {{client: string, name: string, color: string}} me
   * @param {(name: string, color: string) => void} onRename
   */
  constructor(root, me, onRename) {
    this.me = me;
    this.onRename = onRename;
    this.users = new Map();
    this.people = 0;
    this.list = root.querySelector('#people');
    this.count = root.querySelector('#people-count');
    this.reading = root.querySelector('#people-reading');
    this.nameInput = root.querySelector('#my-name');
    this.colors = root.querySelector('#my-colors');
    this.nameInput.value = me.name;
    this.nameInput.addEventListener('change', () => this.rename(this.nameInput.value, this.me.color));
    this.nameInput.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        this.nameInput.blur();
      }
    });
    for (const c of PALETTE) {
      const b = el('button', { type: 'button', class: 'swatch', 'aria-label': `Colour ${c}`, title: c });
      b.style.backgroundColor = c;
      b.dataset.color = c;
      b.addEventListener('click', () => this.rename(this.me.name, c));
      this.colors.append(b);
    }
    this.render();
  }

  rename(name, color) {
    name = cleanName(name) || this.me.name;
    color = validColor(color, this.me.color);
    this.nameInput.value = name;
    if (name === this.me.name && color === this.me.color) return;
    this.me.name = name;
    this.me.color = color;
    saveIdentity(name, color);
    this.onRename(name, color);
    this.render();
  }

  /**
   * reset replaces the list and the count with a welcome's; you is the
   * welcome's public id of this page.
   */
  reset(users, people, you) {
    this.users = new Map(users.filter((u) => u.client !== you).map((u) => [u.client, u]));
    this.people = Number.isInteger(people) ? people : 0;
    this.render();
  }

  /** setPeople takes a new count of everyone connected to the pad. */
  setPeople(people) {
    if (!Number.isInteger(people)) return;
    this.people = people;
    this.render();
  }

  /** update applies a presence event (join, leave, update or cursor). */
  update(event, user) {
    if (event === 'leave') this.users.delete(user.client);
    else this.users.set(user.client, { client: user.client, name: user.name, color: user.color });
    this.render();
  }

  /** clear empties the list (while disconnected nobody is known to be here). */
  clear() {
    this.users.clear();
    this.people = 0;
    this.render();
  }

  render() {
    const row = (u, you) => {
      const dot = el('span', { class: 'person-dot', 'aria-hidden': 'true' });
      dot.style.backgroundColor = validColor(u.color);
      return el('li', { class: you ? 'person you' : 'person' }, dot, el('span', { class: 'person-name', text: u.name || 'Anonymous' }), you ? el('span', { class: 'you-tag', text: 'you' }) : null);
    };
    const others = [...this.users.values()].sort((a, b) => (a.name || '').localeCompare(b.name || ''));
    this.list.replaceChildren(row(this.me, true), ...others.map((u) => row(u, false)));
    this.count.textContent = String(Math.max(this.people, others.length + 1));
    const reading = readingCount(this.people, others.length);
    this.reading.textContent = reading === 1 ? '1 reading' : `${reading} reading`;
    this.reading.hidden = reading === 0;
    for (const b of this.colors.children) b.setAttribute('aria-pressed', String(b.dataset.color === this.me.color));
  }
}
