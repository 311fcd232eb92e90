// The Markdown preview: GitHub-flavoured Markdown rendered by marked and
// sanitised by DOMPurify (notes are written by anyone in the room), with
// links opening in a new tab. As on the server's notes page, raw HTML in
// the notes is shown as the text it is: `Vec<T>` and `kill -9 <pid>` stay
// visible.

import DOMPurify from 'dompurify';
import { Marked } from 'marked';

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** escapeHTML returns s with the characters special in HTML escaped. */
function escapeHTML(s) {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const marked = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  renderer: {
    html({ text, block }) {
      return block ? `<pre class="raw-html">${escapeHTML(text)}</pre>` : escapeHTML(text);
    },
  },
});

let hooked = false;

/** renderMarkdown returns sanitised HTML for Markdown source. */
export function renderMarkdown(source) {
  if (!hooked) {
    hooked = true;
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName === 'A' && node.getAttribute('href')) {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer');
      }
      // Task lists ("- [x] done") render as disabled checkboxes; no other inputs.
      if (node.tagName === 'INPUT') {
        if (node.getAttribute('type') === 'checkbox') node.setAttribute('disabled', '');
        else node.remove();
      }
    });
  }
  const html = marked.parse(source);
  return DOMPurify.sanitize(html, { USE_PROFILES: { html: true }, FORBID_TAGS: ['style', 'form', 'button', 'select', 'textarea'] });
}

/**
 * Preview renders the document into `el` while `el` is visible, at most
 * once per `delay` ms while the text keeps changing.
 */
export class Preview {
  constructor(el, getText, delay = 200) {
    this.el = el;
    this.getText = getText;
    this.delay = delay;
    this.timer = null;
    this.visible = false;
  }

  /** show or hide the preview; showing renders at once. */
  setVisible(visible) {
    this.visible = visible;
    if (visible) this.render();
  }

  /** changed notes that the text changed. */
  changed() {
    if (!this.visible || this.timer !== null) return;
    this.timer = setTimeout(() => this.render(), this.delay);
  }

  render() {
    clearTimeout(this.timer);
    this.timer = null;
    const text = this.getText();
    this.el.innerHTML = text.trim() ? renderMarkdown(text) : '<p class="empty">Nothing to preview yet.</p>';
  }
}
