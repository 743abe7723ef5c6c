// Random ids: session ids (as sockjs-client draws them) and jsonp callback names.

const ID_CHARS = 'abcdefghijklmnopqrstuvwxyz012345'; // 32 characters: no modulo bias

export function randomString(n) {
  const bytes = crypto.getRandomValues(new Uint8Array(n));
  return Array.from(bytes, (b) => ID_CHARS[b & 31]).join('');
}
