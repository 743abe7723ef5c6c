// The sockjs-client API over the wasm core: `new SockJS(url, _reserved, options)`.
// The wasm start-up is hidden: until the module has loaded, readyState stays CONNECTING.
// Beyond sockjs-client, opt-in: `livenessTimeout` (the core's watchdog, close code 4900),
// `maxFrameBytes` and `reconnect` (a new session when the core's reconnect policy says so).
// readyState is the core session's; only while the module loads, and between a close and the
// next session of a reconnect, when no session exists, is it kept here.

import { loadCore, loadedCore } from './core.js';
import { Connection } from './connection.js';
import { random32 } from './random.js';

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

// The close code of a SockJS whose wasm module could not be loaded (fetched, compiled under
// the page's CSP, or instantiated): not 1002, so that an application can tell "the server is
// unreachable" from "the client itself is broken" (a wrong wasm URL, a missing CSP directive).
// 2xxx codes are the client library's own, as sockjs-client's 2000.
const LOAD_FAILED = 2001;

// errc numbers (core/include/sockjs/error.hpp; client_abi.cpp checks them)
const ERRC_INVALID_CLOSE_CODE = 10;
const ERRC_REASON_TOO_LONG = 11;

function closeEvent(code, reason, wasClean) {
  if (typeof CloseEvent === 'function') return new CloseEvent('close', { code, reason, wasClean });
  return Object.assign(new Event('close'), { code, reason, wasClean });
}

function messageEvent(data) {
  if (typeof MessageEvent === 'function') return new MessageEvent('message', { data });
  return Object.assign(new Event('message'), { data });
}

function isLoopback(host) {
  return /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/i.test(host);
}

/** The `reconnect` option as the core's reconnect_options (-1: its default), or null when off. */
function reconnectOptions(r) {
  if (!r) return null;
  const o = r === true ? {} : r;
  const retries = o.retries ?? Infinity;
  if (!(retries > 0)) return null;
  return [o.minDelay ?? -1, o.maxDelay ?? -1, retries === Infinity ? 0 : Math.min(retries, 2 ** 32 - 1) >>> 0,
    Boolean(o.afterServerClose)];
}

class SockJSImpl extends EventTarget {
  #state = CONNECTING;
  #transport = null;
  #opts;
  #reconnect;
  #conn = null;
  #core = null;
  #coreOptions;
  #policy = null; // the core's reconnect_policy, once needed
  #retryTimer = 0;
  #pendingClose = null; // close() before the wasm module loaded
  #handlers = {}; // on<type> properties: type -> { fn, listener }

  constructor(url, _reserved, options) {
    super();
    options = options || {};

    let parsed;
    try {
      parsed = new URL(url, globalThis.location?.href);
    } catch {
      throw new SyntaxError(`The URL '${url}' is invalid`);
    }
    if (parsed.hash) throw new SyntaxError('The URL must not contain a fragment');
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new SyntaxError(`The URL's scheme must be either 'http:' or 'https:'. '${parsed.protocol}' is not allowed.`);
    }
    if (globalThis.location?.protocol === 'https:' && parsed.protocol === 'http:' && !isLoopback(parsed.hostname)) {
      throw new DOMException('An insecure SockJS connection may not be initiated from a page loaded over HTTPS',
        'SecurityError');
    }
    parsed.pathname = parsed.pathname.replace(/\/+$/, '');

    // A number is the length of the ids the core draws; a function is the application's own
    // generator, called for each transport attempt.
    const sessionId = options.sessionId ?? 8;
    if (typeof sessionId !== 'function' && typeof sessionId !== 'number') {
      throw new TypeError('If sessionId is used in the options, it needs to be a number or a function.');
    }

    let transports = options.transports ?? [];
    if (typeof transports === 'string') transports = [transports];

    /** The URL, without trailing slashes. */
    this.url = parsed.href;
    this.protocol = '';
    this.extensions = '';
    /** WebSocket-shaped: messages are always strings, so binaryType changes nothing. */
    this.binaryType = 'blob';
    this.#opts = {
      url: this.url,
      transports,
      server: options.server ? String(options.server) : '', // '': the core draws one
      idLength: typeof sessionId === 'number' ? Math.min(Math.max(sessionId, 0), 1024) | 0 : 8,
      sessionId: typeof sessionId === 'function' ? sessionId : null,
      timeout: options.timeout || 0,
      liveness: options.livenessTimeout || 0,
      maxFrameBytes: options.maxFrameBytes || 0, // 0: the core's default, 16 MiB
    };
    this.#reconnect = reconnectOptions(options.reconnect);
    this.#coreOptions = options.wasm;
    this.#open();
  }

  get readyState() { return this.#conn?.state() ?? this.#state; }
  /** WebSocket-shaped: messages are handed to the transport at once, so nothing is buffered. */
  get bufferedAmount() { return 0; }
  /** The transport in use while open (sockjs-client's name), else null. */
  get transport() { return this.#transport; }

  send(data) {
    if (typeof data !== 'string') data = '' + data;
    const state = this.readyState;
    if (state === CONNECTING) {
      throw new DOMException('The connection has not been established yet', 'InvalidStateError');
    }
    if (state !== OPEN) return;
    this.#conn.send(data);
  }

  close(code, reason) {
    code = code ? Number(code) : 0; // 0: the default, 1000
    if (!Number.isInteger(code)) code = -1; // not a code at all: let the core reject it
    reason = reason === undefined || reason === null ? '' : String(reason);
    if (this.#conn && !this.#conn.done) {
      this.#check(this.#conn.close(code, reason));
      return;
    }
    if (this.readyState >= CLOSING) return;
    if (this.#retryTimer) {
      // Waiting to reconnect: a session that is never started takes the close, so the core
      // still checks code and reason (and throws here when they are wrong).
      const conn = this.#newConnection(this.#core);
      const err = conn.close(code, reason);
      if (err !== 0) {
        conn.discard();
        this.#check(err);
      }
      clearTimeout(this.#retryTimer);
      this.#retryTimer = 0;
      return;
    }
    // No session yet: the wasm module is still loading.
    // Code and reason are checked once it has loaded.
    this.#pendingClose = { code, reason };
    this.#state = CLOSING;
  }

  #check(err) {
    if (err === ERRC_INVALID_CLOSE_CODE) throw new DOMException('Invalid code', 'InvalidAccessError');
    if (err === ERRC_REASON_TOO_LONG) throw new SyntaxError('reason argument has an invalid length');
  }

  #open() {
    // Once the module is loaded, the session starts at once (so close() can check its
    // arguments, and /info is pending, right after the constructor).
    const core = loadedCore();
    if (core) {
      this.#core = core;
      this.#newConnection(core).start();
      return;
    }
    loadCore(this.#coreOptions).then(
      (core) => {
        this.#core = core;
        const conn = this.#newConnection(core);
        if (this.#pendingClose) {
          const { code, reason } = this.#pendingClose;
          this.#pendingClose = null;
          if (conn.close(code, reason) !== 0) conn.close(1000, ''); // see index.d.ts: close()
          return;
        }
        conn.start();
      },
      (error) => {
        this.#state = CLOSING; // no session: the module failed to load
        this.#finish(LOAD_FAILED, 'Cannot load the client module', false, true, error);
      },
    );
  }

  #newConnection(core) {
    const conn = new Connection(core, this.#opts, {
      open: (transport) => {
        if (conn !== this.#conn) return;
        this.#policy?.open();
        this.#transport = transport;
        this.dispatchEvent(new Event('open'));
      },
      message: (data) => {
        if (conn === this.#conn) this.dispatchEvent(messageEvent(data));
      },
      heartbeat: () => {
        if (conn === this.#conn) this.dispatchEvent(new Event('heartbeat'));
      },
      close: (code, reason, wasClean, infoPending) => {
        if (conn !== this.#conn) return;
        this.#transport = null;
        if (this.#reconnect) this.#policy ??= this.#core.reconnectPolicy(...this.#reconnect);
        const delay = this.#policy?.close(code, wasClean, conn.closeRequested, random32()) ?? null;
        if (delay !== null) {
          this.#retry(conn, code, reason, wasClean, delay);
          return;
        }
        this.#finish(code, reason, wasClean, infoPending);
      },
    });
    this.#conn = conn;
    return conn;
  }

  /** Waits `delay` ms (the core's reconnect policy chose it), then starts a new session. */
  #retry(conn, code, reason, wasClean, delay) {
    const attempt = this.#policy.attempts();
    conn.discard();
    this.#state = CONNECTING;
    this.#conn = null;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = 0;
      this.#newConnection(this.#core).start();
    }, delay);
    const e = new Event('reconnecting');
    Object.assign(e, { code, reason, wasClean, attempt, delay });
    this.dispatchEvent(e);
  }

  /**
   * Dispatches the close event one task later, as sockjs-client does (readyState CLOSING until
   * then: the core's session stays closing until told the event is dispatched).
   */
  #finish(code, reason, wasClean, withError, error) {
    const conn = this.#conn;
    this.#policy?.destroy();
    this.#policy = null;
    setTimeout(() => {
      // The core's final state outlives its session (CLOSED when there never was one).
      this.#state = conn ? conn.closeDispatched() : CLOSED;
      this.#conn = null;
      if (withError) this.dispatchEvent(Object.assign(new Event('error'), error ? { error } : {}));
      this.dispatchEvent(closeEvent(code, reason, wasClean));
    }, 0);
  }

  /**
   * Loads the wasm module (once per page) ahead of time. `wasm` options: `wasmBinary` (bytes)
   * or `locateFile(name)` to say where the .wasm is. The constructor loads it by itself.
   */
  static load(wasm) {
    return loadCore(wasm).then(() => undefined);
  }

  // on<type> properties, for these types as sockjs-client dispatches them for any type. Each
  // is a listener like any other, so a handler that throws is reported by the browser and
  // cannot break the session's event loop.
  static {
    for (const type of ['open', 'message', 'close', 'error', 'heartbeat', 'reconnecting']) {
      Object.defineProperty(SockJSImpl.prototype, `on${type}`, {
        get() { return this.#handlers[type]?.fn ?? null; },
        set(fn) {
          const old = this.#handlers[type];
          if (old) this.removeEventListener(type, old.listener);
          delete this.#handlers[type];
          if (typeof fn === 'function') {
            const listener = (e) => fn.call(this, e);
            this.#handlers[type] = { fn, listener };
            this.addEventListener(type, listener);
          }
        },
        configurable: true,
        enumerable: true,
      });
    }
  }
}


/**
 * The constructor applications see: like sockjs-client's, it may be called with or without
 * `new`, and `instanceof SockJS` holds either way (subclasses work too).
 */
export function SockJS(url, _reserved, options) {
  if (arguments.length < 1) {
    throw new TypeError("Failed to construct 'SockJS': 1 argument required, but only 0 present");
  }
  return Reflect.construct(SockJSImpl, [url, _reserved, options], new.target || SockJS);
}
SockJS.prototype = SockJSImpl.prototype;
Object.defineProperty(SockJS.prototype, 'constructor', { value: SockJS, writable: true, configurable: true });
Object.setPrototypeOf(SockJS, EventTarget);
/** The package version (set by js/build.mjs from package.json; the source tree says 'dev'). */
SockJS.version = typeof __SOCKJS_VERSION__ === 'string' ? __SOCKJS_VERSION__ : 'dev';
SockJS.load = SockJSImpl.load;
Object.assign(SockJS, { CONNECTING, OPEN, CLOSING, CLOSED });
for (const [k, v] of Object.entries({ CONNECTING, OPEN, CLOSING, CLOSED })) {
  Object.defineProperty(SockJS.prototype, k, { value: v });
}
