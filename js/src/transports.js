// Browser I/O for each SockJS transport. A transport opens the receiving request(s) the core's
// session asked for, hands what arrives to the connection (`conn`) untouched, sends the payloads
// the session produced, and reports when its I/O ends. Framing, unwrapping, fallback and
// timeouts are decided by the core behind `conn`.
//
// conn: receiverStart(), feed(bytes|string), feedEvent(string), frame(string),
//       closed(code?, reason?), sent(), url(sending, query?), alive(transport).

import { randomString } from './random.js';

/** Can this environment run each transport (sockjs-client names)? */
export function availableTransports() {
  const g = globalThis;
  const out = [];
  if (typeof g.WebSocket === 'function') out.push('websocket');
  const streams = typeof g.fetch === 'function' && typeof g.ReadableStream === 'function';
  if (streams) out.push('xhr-streaming');
  if (typeof g.EventSource === 'function') out.push('eventsource');
  if (typeof g.fetch === 'function') out.push('xhr-polling');
  if (typeof g.document !== 'undefined' && typeof g.document.createElement === 'function') out.push('jsonp-polling');
  return out;
}

// Each transport: constructor(conn), then start() once the connection holds it (so that
// conn.alive(transport) is true for its callbacks); canSend(), send(payload), close().

class WebSocketTransport {
  constructor(conn) {
    this.conn = conn;
    this.wantsBytes = false;
    this.ws = null;
  }

  start() {
    const { conn } = this;
    conn.receiverStart();
    const url = conn.url(false).replace(/^http/, 'ws');
    const ws = (this.ws = new WebSocket(url));
    ws.binaryType = 'arraybuffer'; // SockJS servers send text; bytes, if any, reach the core as such
    ws.onmessage = (e) => conn.feed(typeof e.data === 'string' ? e.data : new Uint8Array(e.data));
    // A failed or broken WebSocket also fires close (code 1006), so close alone is enough.
    ws.onclose = (e) => {
      this.ws = null;
      conn.closed(e.code, e.reason);
    };
  }

  canSend() {
    return this.ws !== null && this.ws.readyState === 1;
  }

  send(payload) {
    this.ws.send(payload);
  }

  close() {
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onmessage = ws.onclose = null;
      ws.close();
    }
  }
}

/** xhr_send: one POST at a time, each carrying what the session queued meanwhile. */
class XhrSender {
  constructor(conn, owner) {
    this.conn = conn;
    this.owner = owner;
    this.aborter = new AbortController();
    this.sending = false;
  }

  canSend() {
    return !this.sending;
  }

  send(payload) {
    const { conn, owner } = this;
    this.sending = true;
    fetch(conn.url(true), {
      method: 'POST', body: payload, credentials: 'include', cache: 'no-store', signal: this.aborter.signal,
      headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
    }).then(
      (res) => {
        this.sending = false;
        if (!conn.alive(owner)) return;
        if (res.status === 200 || res.status === 204) conn.sent();
        else conn.closed();
      },
      () => {
        this.sending = false;
        if (conn.alive(owner)) conn.closed();
      },
    );
  }

  close() {
    this.aborter.abort();
  }
}

/**
 * xhr-streaming and xhr-polling over fetch: the response body is read as it arrives, so both
 * use the same receiver; a polling response simply ends after one frame.
 */
class FetchTransport {
  constructor(conn) {
    this.conn = conn;
    this.wantsBytes = true;
    this.aborter = new AbortController();
    this.sender = new XhrSender(conn, this);
  }

  async start() {
    const { conn, aborter } = this;
    while (conn.alive(this)) {
      conn.receiverStart();
      let ended = false;
      try {
        const res = await fetch(conn.url(false), {
          method: 'POST', credentials: 'include', cache: 'no-store', signal: aborter.signal,
        });
        if (res.status === 200) {
          const reader = res.body.getReader();
          for (;;) {
            const { done, value } = await reader.read();
            if (done || !conn.alive(this)) break;
            conn.feed(value);
          }
          ended = true;
        } else {
          res.body?.cancel().catch(() => {});
        }
      } catch {
        // a network error, or close() aborted the request
      }
      if (!conn.alive(this)) return;
      // A response that ended normally is reopened (polling, or a streaming response that
      // reached the server's response_limit); anything else ends the transport.
      if (!ended) {
        conn.closed();
        return;
      }
    }
  }

  canSend() { return this.sender.canSend(); }
  send(payload) { this.sender.send(payload); }
  close() {
    this.aborter.abort();
    this.sender.close();
  }
}

class EventSourceTransport {
  constructor(conn) {
    this.conn = conn;
    this.wantsBytes = true;
    this.sender = new XhrSender(conn, this);
  }

  start() {
    const { conn } = this;
    conn.receiverStart();
    const es = (this.es = new EventSource(conn.url(false), { withCredentials: true }));
    let opened = false;
    es.onopen = () => { opened = true; };
    es.onmessage = (e) => conn.feedEvent(e.data);
    es.onerror = () => {
      // A stream that had opened and then ended (the server's response_limit, or a dropped
      // connection) is reopened, as a new receiver of the same session; if the server is gone,
      // that one fails to open. One that never opened (refused, HTTP error, wrong type,
      // nothing listening) ends the transport. The browser's own retry is never used.
      this.stopStream();
      if (!conn.alive(this)) return;
      if (opened) this.start();
      else conn.closed();
    };
  }

  stopStream() {
    const es = this.es;
    this.es = null;
    if (es) {
      es.onopen = es.onmessage = es.onerror = null;
      es.close();
    }
  }

  canSend() { return this.sender.canSend(); }
  send(payload) { this.sender.send(payload); }
  close() {
    this.stopStream();
    this.sender.close();
  }
}

/**
 * jsonp-polling, for servers without CORS: each poll is a script tag whose body calls a
 * callback with one frame as a JSON string; sends are form POSTs in no-cors mode (the browser
 * sends them without CORS and hides the answer, as the form-and-iframe trick did).
 *
 * The script tags live in a hidden iframe of their own: removing a script element does not
 * cancel its request, and an abandoned poll would hold one of the browser's six connections to
 * the server until the server's next heartbeat (25 s). Removing the iframe cancels it.
 */
class JsonpTransport {
  constructor(conn) {
    this.conn = conn;
    this.wantsBytes = false;
    this.sending = false;
    this.aborter = new AbortController();
    this.iframe = null;
    this.timer = 0;
  }

  start() {
    const { conn } = this;
    if (!this.iframe) {
      const iframe = (this.iframe = document.createElement('iframe'));
      iframe.style.display = 'none';
      iframe.setAttribute('aria-hidden', 'true');
      (document.body || document.documentElement).appendChild(iframe);
      // The callbacks, global in the iframe: `_sockjs_cpp_jp.<id>(frame)`.
      iframe.contentWindow._sockjs_cpp_jp = {};
    }
    const win = this.iframe.contentWindow;
    const doc = this.iframe.contentDocument;
    const callbacks = win._sockjs_cpp_jp;
    const id = 'a' + randomString(8);
    const script = doc.createElement('script');
    let answered = false;
    const finish = () => {
      clearTimeout(this.timer);
      delete callbacks[id];
      script.onload = script.onerror = null;
      script.remove();
    };
    callbacks[id] = (frame) => {
      answered = true;
      finish();
      if (!conn.alive(this)) return;
      if (typeof frame === 'string' && frame) conn.frame(frame);
      if (conn.alive(this)) this.start();
    };
    // onload after the callback ran is the normal case; without it, the server answered with
    // something else (an error page): the transport failed.
    const failed = () => {
      if (answered) return;
      finish();
      if (conn.alive(this)) conn.closed();
    };
    script.onload = script.onerror = failed;
    // The server answers a poll within its heartbeat delay (25 s); sockjs-client waits 35 s.
    this.timer = setTimeout(failed, 35000);
    script.async = true;
    script.src = conn.url(false, 'c=' + encodeURIComponent('_sockjs_cpp_jp.' + id));
    (doc.head || doc.documentElement).appendChild(script);
  }

  canSend() {
    return !this.sending;
  }

  send(payload) {
    this.sending = true;
    fetch(this.conn.url(true), {
      method: 'POST', mode: 'no-cors', credentials: 'include', signal: this.aborter.signal,
      body: new URLSearchParams({ d: payload }),
    }).then(
      () => {
        this.sending = false;
        if (this.conn.alive(this)) this.conn.sent();
      },
      () => {
        this.sending = false;
        if (this.conn.alive(this)) this.conn.closed();
      },
    );
  }

  close() {
    this.aborter.abort();
    clearTimeout(this.timer);
    this.iframe?.remove();
    this.iframe = null;
  }
}

/** The I/O class for each transport name. */
export const transportClasses = {
  websocket: WebSocketTransport,
  'xhr-streaming': FetchTransport,
  eventsource: EventSourceTransport,
  'xhr-polling': FetchTransport,
  'jsonp-polling': JsonpTransport,
};
