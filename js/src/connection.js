// One SockJS session attempt: the core's client_session plus the browser I/O it asks for (the
// /info request, the transports, the timer). Every decision comes out of the session as an
// event; this file carries them out and reports back.

import { EventKind, Session } from './core.js';
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
   * `opts`: url, transports[], server, sessionId(), timeout, liveness.
   * `events`: open(transportName), message(data), heartbeat(), close(code, reason, wasClean,
   * infoPending).
   */
  constructor(core, opts, events) {
    this.core = core;
    this.opts = opts;
    this.events = events;
    this.session = new Session(core, {
      transports: opts.transports,
      available: availableTransports(),
      timeout: opts.timeout,
      liveness: opts.liveness,
    }, now());
    this.transport = null; // the current transport's I/O object
    this.ct = -1; // its number (client_transport)
    this.sid = '';
    this.info = null; // AbortController of the pending /info request
    this.infoAborted = false;
    this.timer = 0;
    this.pumping = false;
    this.flushQueued = false;
    this.done = false;
    this.closeRequested = false; // the application called close()
  }

  /** Asks /info, which starts the session's first transport. */
  start() {
    const aborter = (this.info = new AbortController());
    const t0 = now();
    fetch(addPath(this.opts.url, '/info'), { credentials: 'include', cache: 'no-store', signal: aborter.signal })
      .then(async (res) => {
        if (res.status !== 200) return null;
        return new Uint8Array(await res.arrayBuffer());
      })
      .catch(() => null)
      .then((body) => {
        if (this.info !== aborter) return; // aborted by the session (timeout or close)
        this.info = null;
        this.session.onInfo(body, now() - t0, now());
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

  // ---- the transports' side (see transports.js). A transport calls these only while
  // alive(itself); once the session is done its handle is gone, so they check that too.

  alive(transport) {
    return !this.done && this.transport === transport;
  }

  url(sending, query) {
    const path = this.core.sessionPath(this.ct, sending, this.opts.server, this.sid);
    return addPath(this.opts.url, path, query);
  }

  receiverStart() {
    if (this.done) return;
    this.session.receiverStart(this.ct);
  }

  feed(data) {
    if (this.done) return;
    this.session.receiverFeed(data, now());
    this.pump();
  }

  feedEvent(data) {
    if (this.done) return;
    this.session.receiverFeedEvent(data, now());
    this.pump();
  }

  frame(text) {
    if (this.done) return;
    this.session.frame(text, now());
    this.pump();
  }

  closed(code, reason) {
    if (this.done) return;
    this.transport = null;
    this.session.transportClosed(code, reason, now());
    this.pump();
  }

  sent() {
    this.flush();
  }

  // ---- carrying out the session's decisions

  flush() {
    const t = this.transport;
    while (!this.done && t === this.transport && t.canSend()) {
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
    this.sid = this.opts.sessionId();
    const name = this.core.transportNames[ct];
    try {
      this.transport = new transportClasses[name](this);
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
      for (let e = this.session.nextEvent(); e; e = this.session.nextEvent()) {
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
          case EventKind.close: {
            this.done = true;
            this.stopTransport();
            this.events.close(e.code, e.text, e.wasClean, this.infoAborted);
            break;
          }
        }
      }
    } finally {
      this.pumping = false;
    }
    clearTimeout(this.timer);
    if (this.done) {
      this.session.destroy();
      return;
    }
    const deadline = this.session.nextDeadline();
    if (deadline !== null) {
      // +1: the core counts whole milliseconds, so fire when the deadline has surely passed.
      this.timer = setTimeout(() => {
        if (!this.session.h) return;
        this.session.onDeadline(now());
        this.pump();
      }, Math.max(0, deadline - now()) + 1);
    }
  }

  /** Drops a session that was never started (see SockJS#close while reconnecting). */
  discard() {
    this.done = true;
    clearTimeout(this.timer);
    this.session.destroy();
  }
}
