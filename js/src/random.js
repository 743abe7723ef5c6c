// Random ids: session ids (as sockjs-client draws them) and jsonp callback names.

const ID_CHARS = 'abcdefghijklmnopqrstuvwxyz012345'; // 32 characters: no modulo bias

export function randomString(n) {
  // node 18 has no global crypto (without --experimental-global-webcrypto): Math.random
  // then, as sockjs-client falls back to it.
  const bytes = globalThis.crypto?.getRandomValues
    ? crypto.getRandomValues(new Uint8Array(n))
    : Array.from({ length: n }, () => Math.floor(Math.random() * 256));
  return Array.from(bytes, (b) => ID_CHARS[b & 31]).join('');
}
