// The wasm core: loading it once, and the calls of client-wasm/src/client_abi.cpp with strings
// marshalled as bytes. Protocol decisions are all in there; this file only moves text.
//
// The module is client-wasm's standalone sockjs-core.wasm: its exports are the calls of
// client_abi.cpp (under short names), `memory` and `_initialize`; it imports only a
// memory-growth notice and abort. It is found next to this file's bundle (dist/), as
// `new URL(.., import.meta.url)`, which bundlers such as vite copy and rewrite; the `wasm`
// option overrides that.
//
// Text crosses as WTF-8: UTF-8 that also carries lone UTF-16 surrogates (ED A0..BF xx), which
// JavaScript strings may hold and SockJS messages must keep. TextEncoder/TextDecoder would
// replace them with U+FFFD, so they see only the well-formed runs in between, and each lone
// surrogate is written and read as its three bytes here.

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

// Splits a string around its surrogates: odd parts are a pair (well-formed) or a lone one.
const surrogates = /([\ud800-\udbff][\udc00-\udfff]?|[\udc00-\udfff])/;

/** Writes `s` as WTF-8 at `p` in `heap` (room for 3 bytes per UTF-16 unit); returns the count. */
function encode(s, heap, p) {
  let n = 0;
  s.split(surrogates).forEach((part, i) => {
    if (i & 1 && part.length < 2) {
      const c = part.charCodeAt(0);
      heap.set([0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63)], p + n);
      n += 3;
    } else {
      n += encoder.encodeInto(part, heap.subarray(p + n)).written;
    }
  });
  return n;
}

/**
 * Decodes WTF-8 from the core (always well-formed but for lone surrogates: the core replaces
 * bytes that are not UTF-8 with U+FFFD itself).
 */
function decode(b) {
  let out = '';
  let from = 0;
  // 0xED is a lead byte in UTF-8 (never a continuation byte); ED A0..BF starts a surrogate.
  for (let i = b.indexOf(0xed); i >= 0 && i + 2 < b.length; i = b.indexOf(0xed, i + 1)) {
    if (b[i + 1] >= 0xa0) {
      out += decoder.decode(b.subarray(from, i)) + String.fromCharCode(0xd000 | ((b[i + 1] & 63) << 6) | (b[i + 2] & 63));
      from = i + 3;
    }
  }
  return out + decoder.decode(b.subarray(from));
}

/**
 * The loaded module, with string-level wrappers around client_abi.cpp. One instance serves every
 * SockJS object of the page.
 */
class Core {
  constructor(m) {
    this.m = m;
    // Names and numbers come from the core, so the glue keeps no table of its own.
    this.transportNames = [];
    for (let i = 0; ; i++) {
      const name = this.cstring(m.tn(i));
      if (!name) break;
      this.transportNames.push(name);
    }
  }

  cstring(ptr) {
    const heap = this.m.HEAPU8;
    let end = ptr;
    while (heap[end]) end++;
    return decode(heap.subarray(ptr, end));
  }

  /** Puts `s` (a string) or bytes into the input buffer; returns its byte count. */
  input(s) {
    const m = this.m;
    if (typeof s !== 'string') {
      const p = m.i(s.length);
      m.HEAPU8.set(s, p);
      return s.length;
    }
    const p = m.i(s.length * 3);
    return encode(s, m.HEAPU8, p); // the heap read after sj_input: memory may have grown
  }

  /** The output string of the last call that returned `len`. */
  outputString(len) {
    const p = this.m.o();
    return decode(this.m.HEAPU8.subarray(p, p + len));
  }

  /** The output of the last call that returned `len`, as a copy of its bytes. */
  outputBytes(len) {
    const p = this.m.o();
    return this.m.HEAPU8.slice(p, p + len);
  }

  /** A reconnect policy (core/include/sockjs/reconnect.hpp). */
  reconnectPolicy(initialDelay, maxDelay, maxAttempts, afterServerClose) {
    const m = this.m;
    const p = m.rc(initialDelay, maxDelay, maxAttempts, afterServerClose ? 1 : 0);
    return {
      open: () => m.ro(p),
      /** The delay in ms before the next session, or null when the close is final. */
      close(code, wasClean, byApplication, random) {
        const d = m.rx(p, code, wasClean ? 1 : 0, byApplication ? 1 : 0, random);
        return d < 0 ? null : d;
      },
      attempts: () => m.ra(p),
      destroy: () => m.rd(p),
    };
  }
}

/** One client_session (see core/include/sockjs/client.hpp). */
export class Session {
  /**
   * `transports`: allowed names (empty = all); `available`: what this environment can run;
   * `server`: the server id ('' = the core's); `timeout`: transport timeout in ms (0 = from the
   * /info round trip); `liveness`: watchdog in ms (0 = off); `maxFrameBytes` (0 = the core's
   * default); `idLength`: session id length; `seed`: two random 32-bit numbers.
   */
  constructor(core, o, now) {
    this.core = core;
    this.m = core.m;
    const fields = core.input(`${o.transports.join(',')};${o.available.join(',')};${o.server}`);
    this.h = this.m.c(o.timeout, o.liveness, o.maxFrameBytes, o.idLength, o.seed[0], o.seed[1], fields, now);
  }

  destroy() {
    if (this.h) this.m.d(this.h);
    this.h = 0;
  }

  /** readyState, as the core has it. */
  state() { return this.m.s(this.h); }
  /** The /info answer: status (0: none), body (bytes) and round trip in ms. */
  infoResponse(status, body, rtt, now) { this.m.I(this.h, status, this.core.input(body), rtt, now); }
  receiverResponse(status, now) { this.m.r(this.h, status, now); }
  /** Body bytes or a WebSocket message (string). */
  receiverData(data, now) { return this.m.D(this.h, this.core.input(data), now); }
  /** An EventSource message's data. */
  receiverEvent(data, now) { return this.m.E(this.h, this.core.input(data), now); }
  receiverEnd(now) { this.m.R(this.h, now); }
  /** One bare frame. */
  frame(text, now) { return this.m.f(this.h, this.core.input(text), now); }
  transportClosed(code, reason, now) {
    if (code === undefined || code === null) this.m.x(this.h, -1, 0, now);
    else this.m.x(this.h, code, this.core.input(reason || ''), now);
  }
  send(message) { return this.m.S(this.h, this.core.input(message)); }
  /** The queued messages as one payload: a string, or bytes; null when there is nothing to send now. */
  takeOutgoing(asBytes) {
    const len = this.m.t(this.h);
    if (len === 0) return null;
    return asBytes ? this.core.outputBytes(len) : this.core.outputString(len);
  }
  sendResult(status, now) { this.m.T(this.h, status, now); }
  close(code, reason) { return this.m.C(this.h, code, this.core.input(reason)); }
  closeDispatched() { this.m.X(this.h); }
  /** The current transport's URL path, `/<server>/<session>/<transport>`. */
  path(sending) { return this.core.outputString(this.m.p(this.h, sending ? 1 : 0)); }
  /** The next event as a plain object, or null. */
  nextEvent() {
    const p = this.m.n(this.h);
    if (!p) return null;
    // client_abi.cpp's event_view
    const [kind, code, wasClean, transport, text, len] = new Int32Array(this.m.memory.buffer, p, 6);
    return { kind, code, wasClean: wasClean === 1, transport, text: decode(this.m.HEAPU8.subarray(text, text + len)) };
  }
  nextDeadline() {
    const d = this.m.N(this.h);
    return d < 0 ? null : d;
  }
  onDeadline(now) { this.m.F(this.h, now); }
}

/** client_event::kind_t */
export const EventKind = Object.freeze({
  open: 0, message: 1, heartbeat: 2, close: 3, startTransport: 4, stopTransport: 5, reopenReceiver: 6,
});

// The file name is a literal next to import.meta.url so that bundlers see and copy it. In the
// classic-script build (dist/sockjs.min.js) import.meta.url is the script's own URL.
const defaultUrl = () => new URL('../dist/sockjs-core.wasm', import.meta.url).href;

async function wasmSource({ wasmBinary, locateFile } = {}) {
  if (wasmBinary) return wasmBinary;
  const url = locateFile ? locateFile('sockjs-core.wasm', '') : defaultUrl();
  if (url.startsWith('file:')) {
    // node: fetch() cannot read files. The module name is computed so that bundlers for the
    // browser (which would fail to resolve it) leave it alone, even after minification.
    const fs = ['node:fs', 'promises'].join('/');
    return (await import(/* @vite-ignore */ fs)).readFile(new URL(url));
  }
  const res = await fetch(url, { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.arrayBuffer();
}

async function instantiate(options) {
  const source = await wasmSource(options);
  const imports = {
    env: { emscripten_notify_memory_growth() {} }, // the heap view is refreshed on use instead
    wasi_snapshot_preview1: {
      proc_exit(code) { throw new Error(`the sockjs-cpp core aborted (${code})`); },
    },
  };
  const { instance } = await WebAssembly.instantiate(source, imports);
  const e = instance.exports;
  e._initialize();
  let heap = new Uint8Array(e.memory.buffer);
  // The calls of client_abi.cpp, by their short export names, and the heap as bytes.
  const m = {
    ...e,
    get HEAPU8() {
      if (heap.buffer !== e.memory.buffer) heap = new Uint8Array(e.memory.buffer);
      return heap;
    },
  };
  return m;
}

let loading = null;
let loaded = null;

/** The module if it has loaded already, else null. */
export function loadedCore() {
  return loaded;
}

/**
 * Loads and instantiates the wasm core once; every later call gets the same promise.
 * `options.wasmBinary` (bytes) or `options.locateFile` override where the .wasm comes from.
 * Rejects (fetch, HTTP or WebAssembly error) when it cannot be loaded.
 */
export function loadCore(options) {
  if (!loading) {
    loading = instantiate(options).then((m) => (loaded = new Core(m)));
    loading.catch(() => { loading = null; }); // a later SockJS may try again
  }
  return loading;
}
