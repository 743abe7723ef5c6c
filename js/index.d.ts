// Types of sockjs-cpp-client: the sockjs-client 1.6 API, over a wasm protocol core.
//
//   import SockJS from 'sockjs-cpp-client';
//   const sock = new SockJS('https://example.com/echo', null, { transports: ['websocket', 'xhr-streaming'] });
//   sock.onopen = () => sock.send('hello');
//   sock.onmessage = (e) => console.log(e.data, 'via', sock.transport);
//   sock.onclose = (e) => console.log('closed', e.code, e.reason, e.wasClean);

/** Transport names, in the order they are tried. */
export type TransportName = 'websocket' | 'xhr-streaming' | 'eventsource' | 'xhr-polling' | 'jsonp-polling';

/** Where the .wasm comes from, for bundlers that move it (default: sockjs-core.wasm next to the bundle). */
export interface WasmOptions {
  /** The module's bytes, e.g. fetched or inlined by the application. */
  wasmBinary?: ArrayBuffer | Uint8Array | undefined;
  /** Maps the file name 'sockjs-core.wasm' to its URL. */
  locateFile?: ((path: string, prefix: string) => string) | undefined;
}

/**
 * The core's reconnect policy (core/include/sockjs/reconnect.hpp, the same for the native
 * client): a close the application asked for is final; a close frame from the server
 * (`c[code,"reason"]`, wasClean true) is final unless its code is 1001 (going away), 1012
 * (service restart) or 1013 (try again later), or `afterServerClose` is set; every other close
 * (1006, 1002, 2000, 4900, a WebSocket closed by the server) reconnects.
 */
export interface ReconnectOptions {
  /** Reconnections tried in a row without an open before the close event is dispatched (default Infinity; 0 = no reconnect). */
  retries?: number | undefined;
  /**
   * The ceiling of the first delay in ms (default 1000). The ceiling doubles with each attempt
   * in a row (the factor is fixed at 2; sockjs-cpp-client 0.1's `factor` option is gone),
   */
  minDelay?: number | undefined;
  /** up to this many ms (default 30000). Each delay is the ceiling less a random 0-50 %. */
  maxDelay?: number | undefined;
  /** Also reconnect after any close frame from the server (default false). */
  afterServerClose?: boolean | undefined;
}

export interface SockJSOptions {
  /** Allowed transports (default: all, in fallback order). Unknown names are ignored. */
  transports?: TransportName | TransportName[] | string | string[] | undefined;
  /**
   * Session id length (default 8): the core draws a fresh id for each transport attempt from a
   * generator seeded with 64 bits of crypto.getRandomValues. Or a function: the application's
   * own ids, called for each transport attempt, used in place of the core's.
   */
  sessionId?: number | (() => string) | undefined;
  /** The server id segment of session URLs (default: three random digits the core draws once per session). */
  server?: string | undefined;
  /**
   * How long (ms) each transport may take to open before the next one is tried. Default: as
   * sockjs-client, from the /info round trip (rto = rtt > 100 ms ? 4 * rtt : 300 ms + rtt,
   * times the transport's round trips). Given, it is used as is for every transport.
   */
  timeout?: number | undefined;
  /**
   * Not in sockjs-client: a liveness watchdog. While open, no frame (message or heartbeat)
   * for this many ms closes the connection with code 4900 "Liveness timeout" (wasClean
   * false). Off by default; set it above the server's heartbeat delay (25 s by default).
   * It sees SockJS frames only: a server that keeps an idle WebSocket alive with WebSocket
   * pings instead of `h` frames (sockjs-node does) looks silent to it, so use it with servers
   * that send `h` on every transport (sockjs-cpp's server does), or on HTTP transports.
   */
  livenessTimeout?: number | undefined;
  /**
   * Not in sockjs-client: reconnect automatically when the core's reconnect policy says so
   * (see ReconnectOptions; close() stops it). Off by default. Instead of `close`, a `reconnecting` event
   * (ReconnectingEvent) is dispatched and readyState returns to CONNECTING; `open` fires again
   * on success. After `retries` failed attempts in a row the last close event is dispatched.
   * Each reconnection is a new SockJS session: messages are not replayed.
   */
  reconnect?: boolean | ReconnectOptions | undefined;
  /**
   * Not in sockjs-client: the largest frame accepted from the server, in bytes, and the most
   * held while waiting for the end of one (default 16 MiB, the core's). Beyond it the transport
   * has failed: the next one is tried before open, the connection closes with 1006 after.
   */
  maxFrameBytes?: number | undefined;
  /** Where to load the wasm module from (see WasmOptions). */
  wasm?: WasmOptions | undefined;
}

/** The `reconnecting` event: why the connection closed, and when the next attempt starts. */
export interface ReconnectingEvent extends Event {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
  /** 1 for the first reconnection after an open connection. */
  readonly attempt: number;
  /** ms until the attempt */
  readonly delay: number;
}

export interface SockJSEventMap {
  open: Event;
  message: MessageEvent<string>;
  close: CloseEvent;
  /** Dispatched before `close` when the connection is closed while /info is pending, and when the wasm module cannot be loaded (then with the cause in `error`). */
  error: Event;
  /** A heartbeat frame (`h`) arrived. */
  heartbeat: Event;
  reconnecting: ReconnectingEvent;
}

/**
 * A SockJS connection: WebSocket-shaped (an instance is assignable to `WebSocket`, as
 * sockjs-client's types declare it), plus `transport` and the extra events.
 */
export interface SockJS extends WebSocket {
  /** The URL given, resolved, without trailing slashes. */
  readonly url: string;
  /**
   * The core session's state: CLOSING from the moment it decides to close (the application's
   * close(), the server's close frame, a failure) until the close event is dispatched, one task
   * later; CLOSED from then on. CONNECTING also while the wasm module loads and between a
   * close and the next session of a reconnect.
   */
  readonly readyState: SockJS.State;
  /** The transport in use while open, else null. */
  readonly transport: TransportName | null;
  /** Always '': SockJS negotiates no subprotocol. */
  readonly protocol: string;
  /** Always '': SockJS negotiates no extension. */
  readonly extensions: string;
  /** Accepted and kept for WebSocket compatibility; messages are always strings. */
  binaryType: BinaryType;
  /** Always 0: messages are handed to the transport at once. */
  readonly bufferedAmount: number;

  onheartbeat: ((this: SockJS, ev: Event) => unknown) | null;
  onreconnecting: ((this: SockJS, ev: ReconnectingEvent) => unknown) | null;

  /**
   * Sends one message (non-strings are converted with String()). Throws an InvalidStateError
   * DOMException while CONNECTING; ignored once CLOSING or CLOSED.
   */
  send(data: unknown): void;

  /**
   * Closes with `code` (1000 or 3000-4999; default 1000) and `reason` (at most 123 bytes;
   * default "Normal closure"). Throws an InvalidAccessError DOMException for another code and
   * a SyntaxError for a longer reason; does nothing once CLOSING or CLOSED. readyState is
   * CLOSING until the close event (wasClean true) is dispatched, one task later.
   * Called before the wasm module has loaded (right after the constructor, on a first visit),
   * the arguments can only be checked once it has; wrong ones then close with 1000.
   */
  close(code?: number, reason?: string): void;

  addEventListener<K extends keyof SockJSEventMap>(type: K,
    listener: (this: SockJS, ev: SockJSEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof SockJSEventMap>(type: K,
    listener: (this: SockJS, ev: SockJSEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject,
    options?: boolean | EventListenerOptions): void;
}

export interface SockJSConstructor {
  /**
   * Starts connecting at once: loads the wasm module (once per page), asks `<url>/info`, then
   * tries the transports in order. readyState stays CONNECTING until `open`. May be called
   * without `new`, as sockjs-client.
   * Throws SyntaxError for a URL that is not http(s), or has a fragment; SecurityError for an
   * http URL (other than loopback) from an https page; TypeError for a bad `sessionId`.
   * Client-side close codes: 1002 "Cannot connect to server" (/info failed), 2000 "All
   * transports failed", 1006 "Server lost session", 1006 "Sending error: http status N" (an
   * xhr_send not answered 200 or 204; "Sending error: no answer" without an answer), 2001
   * "Cannot load the client module"
   * (the .wasm could not be fetched, compiled or instantiated; an `error` event with the
   * cause in `error` comes first), 4900 "Liveness timeout" (opt-in).
   */
  new (url: string, _reserved?: unknown, options?: SockJS.Options): SockJS;
  (url: string, _reserved?: unknown, options?: SockJS.Options): SockJS;
  readonly prototype: SockJS;

  readonly CONNECTING: 0;
  readonly OPEN: 1;
  readonly CLOSING: 2;
  readonly CLOSED: 3;

  /** The package version, e.g. "0.1.0". */
  readonly version: string;

  /**
   * The documented async start-up: resolves once the wasm module is loaded (once per page),
   * after which close() checks its arguments at once. Optional: the constructor loads it too.
   * Rejects if the module cannot be loaded (a SockJS then closes with 2001).
   */
  load(wasm?: WasmOptions): Promise<void>;
}

export declare const SockJS: SockJSConstructor;

/** The names @types/sockjs-client declares, so code written against it compiles unchanged. */
export declare namespace SockJS {
  type CONNECTING = 0;
  type OPEN = 1;
  type CLOSING = 2;
  type CLOSED = 3;
  type State = CONNECTING | OPEN | CLOSING | CLOSED;
  interface BaseEvent extends Event {
    type: string;
  }
  type OpenEvent = BaseEvent;
  interface CloseEvent extends BaseEvent {
    code: number;
    reason: string;
    wasClean: boolean;
  }
  interface MessageEvent extends BaseEvent {
    data: string;
  }
  type SessionGenerator = () => string;
  type Options = SockJSOptions;
  type Transport = TransportName;
}

export default SockJS;
