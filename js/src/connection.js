// One SockJS session attempt: the core's client_session plus the browser I/O it asks for (the
// /info request, the transports, the timer). Every decision comes out of the session as an
// event; this file carries them out and reports back what happened.

import { EventKind, Session } from './core.js';
import { random32 } from './random.js';
import { availableTransports, transportClasses } from './transports.js';

const now = () => performance.now();

/** Appends `path` to a base URL's path (keeping its query) and `query` to its query. */
function addPath(base, path, query) {
  const q = base.indexOf('?');
  const head = q < 0 ? base : base.slice(0, q);
  let tail = q < 0 ? '' : base.slice(q + 1);
  if (query) tail = tail ? `${tail}&${query}` : query;
  return head + path + (tail ? `?${tail}` : '');
}

export class Connection {
  /**
   * `opts`: url, transports[], server, idLength, sessionId (the application's function, or
   * null), timeout, liveness, maxFrameBytes.
   * `events`: open(transportName), message(data), heartbeat(), close(code, reason, wasClean,
   * infoPending).
   */
  constructor(core, opts, events) {
    const can = availableTransports();
    this.core = core;
    this.opts = opts;
    this.events = events;
    this.session = new Session(core, {
      ...opts,
      available: core.transportNames.filter((_, i) => can[i]),
      seed: [random32(), random32()],
    }, now());
    this.transport = null; // the current transport's I/O object
    this.ct = -1; // its number (client_transport)
    this.sid = ''; // the application's session id for the current transport ('' = the core's)
    this.info = null; // AbortController of the pending /info request
    this.infoAborted = false;
    this.timer = 0;
    this.pumping = false;
    this.flushQueued = false;
    this.done = false; // the session has closed (its close event may not be dispatched yet)
    this.closeRequested = false; // the application called close()
  }

  /** readyState, from the core; null once the session is gone. */
  state() {
    return this.session.h ? this.session.state() : null;
  }

  /** Asks /info, which starts the session's first transport. */
  start() {
    const aborter = (this.info = new AbortController());
    const t0 = now();
    fetch(addPath(this.opts.url, '/info'), { credentials: 'include', cache: 'no-store', signal: aborter.signal })
      .then(async (res) => [res.status, new Uint8Array(await res.arrayBuffer())])
      .catch(() => [0, ''])
      .then(([status, body]) => {
        if (this.info !== aborter) return; // aborted by the session (timeout or close)
        this.info = null;
        this.session.infoResponse(status, body, now() - t0, now());
        this.pump();
      });
    this.pump(); // arms the /info deadline
  }

  // ---- the application side

  /** Returns the core's errc (0 = queued). */
  send(message) {
    const err = this.session.send(message);
    if (err === 0 && !this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => {
        this.flushQueued = false;
        this.flush();
      });
    }
    return err;
  }

  /** Returns the core's errc (0 = closing). */
  close(code, reason) {
    const err = this.session.close(code, reason);
    if (err === 0) {
      this.closeRequested = true;
      this.pump();
    }
    return err;
  }

  /** The close event is being dispatched: the session is closed and can go. Returns its state. */
  closeDispatched() {
    this.session.closeDispatched();
    const state = this.session.state();
    this.session.destroy();
    return state;
  }

  // ---- the transports' side (see transports.js). A transport calls these only while
  // alive(itself); once the session is done they do nothing.

  alive(transport) {
    return !this.done && this.transport === transport;
  }

  url(sending, query) {
    let path = this.session.path(sending);
    if (this.sid) {
      // The application's session id in place of the core's (which never holds a slash).
      const end = path.lastIndexOf('/');
      path = `${path.slice(0, path.lastIndexOf('/', end - 1) + 1)}${this.sid}${path.slice(end)}`;
    }
    return addPath(this.opts.url, path, query);
  }

  // Each report goes to the session, then its decisions are carried out.
  report(f) {
    if (this.done) return;
    f(this.session, now());
    this.pump();
  }

  receiverResponse(status) { this.report((s, t) => s.receiverResponse(status, t)); }
  data(bytes) { this.report((s, t) => s.receiverData(bytes, t)); }
  event(data) { this.report((s, t) => s.receiverEvent(data, t)); }
  frame(text) { this.report((s, t) => s.frame(text, t)); }
  receiverEnd() { this.report((s, t) => s.receiverEnd(t)); }
  closed(code, reason) {
    this.transport = null;
    this.report((s, t) => s.transportClosed(code, reason, t));
  }
  sendResult(status) {
    this.report((s, t) => s.sendResult(status, t));
    this.flush();
  }

  // ---- carrying out the session's decisions

  flush() {
    const t = this.transport;
    // The core hands out one HTTP send at a time; a WebSocket takes anything once open.
    while (!this.done && t && t === this.transport && (!t.canSend || t.canSend())) {
      const payload = this.session.takeOutgoing(t.wantsBytes);
      if (payload === null) break;
      t.send(payload);
    }
  }

  stopTransport() {
    const t = this.transport;
    this.transport = null;
    if (t) t.close();
    if (this.info) {
      this.info.abort();
      this.info = null;
      this.infoAborted = true; // sockjs-client reports an error event when it closes then
    }
  }

  startTransport(ct) {
    this.stopTransport();
    this.ct = ct;
    // The application's own session ids (sockjs-client's `sessionId` function), one per attempt.
    this.sid = this.opts.sessionId ? String(this.opts.sessionId()) : '';
    try {
      this.transport = new transportClasses[ct](this);
      this.transport.start();
    } catch {
      // e.g. a WebSocket constructor refusing the URL: the transport failed at once
      this.transport = null;
      this.session.transportClosed(null, '', now());
    }
  }

  /** Drains the session's events (re-entrant calls from event handlers return at once). */
  pump() {
    if (this.pumping || !this.session.h) return;
    this.pumping = true;
    try {
      // A close handler may drop the session (a reconnect), hence the check of h.
      for (let e; this.session.h && (e = this.session.nextEvent());) {
        switch (e.kind) {
          case EventKind.open:
            this.events.open(this.core.transportNames[this.ct]);
            break;
          case EventKind.message:
            this.events.message(e.text);
            break;
          case EventKind.heartbeat:
            this.events.heartbeat();
            break;
          case EventKind.startTransport:
            this.startTransport(e.transport);
            break;
          case EventKind.stopTransport:
            this.stopTransport();
            break;
          case EventKind.reopenReceiver:
            this.transport?.receive();
            break;
          case EventKind.close:
            this.done = true;
            this.stopTransport();
            this.events.close(e.code, e.text, e.wasClean, this.infoAborted);
            break;
        }
      }
    } finally {
      this.pumping = false;
    }
    clearTimeout(this.timer);
    const deadline = this.session.h && !this.done ? this.session.nextDeadline() : null;
    if (deadline !== null) {
      // +1: the core counts whole milliseconds, so fire when the deadline has surely passed.
      this.timer = setTimeout(() => {
        if (!this.session.h) return;
        this.session.onDeadline(now());
        this.pump();
      }, Math.max(0, deadline - now()) + 1);
    }
  }

  /** Drops the session without a close event (a reconnect follows, or it never started). */
  discard() {
    this.done = true;
    clearTimeout(this.timer);
    this.session.destroy();
  }
}
