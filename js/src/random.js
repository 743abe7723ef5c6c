// Random numbers for the core: the seed of its session and server ids, and the reconnect
// policy's jitter. Only the drawing is done here; what they become is the core's decision.

/** A uniformly random 32-bit unsigned integer. */
export function random32() {
  // node 18 has no global crypto (without --experimental-global-webcrypto): Math.random
  // then, as sockjs-client falls back to it.
  return globalThis.crypto?.getRandomValues
    ? crypto.getRandomValues(new Uint32Array(1))[0]
    : Math.floor(Math.random() * 2 ** 32);
}
