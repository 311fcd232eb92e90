// Who wrote what: this browser's author secret, kept in localStorage so
// that it is the same author on every visit (unlike the client id, which
// is new for every page load, see identity.js), and the public author id
// that others see, derived from it exactly as the server does
// (docs/protocol.md, "Author ids").

const AUTHOR_KEY = 'confpad.author';
const SECRET_RE = /^[A-Za-z0-9_-]{16,64}$/;

function base64url(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** newSecret returns 32 random base64url characters (192 bits). */
export function newSecret(crypto = globalThis.crypto) {
  return base64url(crypto.getRandomValues(new Uint8Array(24)));
}

/** loadAuthorSecret returns the remembered secret, making one on the first visit. */
export function loadAuthorSecret(storage = globalThis.localStorage) {
  let secret = '';
  try {
    secret = storage?.getItem(AUTHOR_KEY) ?? '';
    if (!SECRET_RE.test(secret)) {
      secret = newSecret();
      storage?.setItem(AUTHOR_KEY, secret);
    }
  } catch {
    secret = secret || newSecret(); // storage disabled: an author for this page only
  }
  return secret;
}

/**
 * publicAuthorId returns the public id of secret, as the server derives it
 * (protocol.PublicID with protocol.DomainAuthor): the first 22 characters
 * of the unpadded base64url SHA-256 of "confpad/author/v1", a NUL byte and
 * secret. It returns '' where the page cannot hash (no crypto.subtle
 * outside secure contexts).
 */
export async function publicAuthorId(secret, crypto = globalThis.crypto) {
  if (!crypto?.subtle) return '';
  const data = new TextEncoder().encode(`confpad/author/v1\u0000${secret}`);
  const sum = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
  return base64url(sum).slice(0, 22);
}
