// Browser I/O for each SockJS transport. A transport opens the receiving request(s) the core's
// session asks for, hands what arrives to the connection (`conn`) untouched, sends the payloads
// the session produced, and reports how each request went. Framing, unwrapping, when to open
// the next receiving request, fallback and timeouts are decided by the core behind `conn`.
//
// conn: receiverResponse(status), data(bytes|string), event(string), frame(string),
//       receiverEnd(), closed(code?, reason?), sendResult(status), url(sending, query?),
//       alive(transport).

/**
 * Can this environment run each transport? By the core's client_transport numbers (websocket,
 * xhr-streaming, eventsource, xhr-polling, jsonp-polling), as transportClasses below.
 */
export function availableTransports() {
  const g = globalThis;
  const fetches = typeof g.fetch === 'function';
  return [typeof g.WebSocket === 'function', fetches && typeof g.ReadableStream === 'function',
    typeof g.EventSource === 'function', fetches, typeof g.document?.createElement === 'function'];
}

// Each transport: constructor(conn), then start() once the connection holds it (so that
// conn.alive(transport) is true for its callbacks); receive() opens the next receiving request
// (the core's reopen_receiver); send(payload), close(); canSend() where the browser may not
// take a payload (the core itself keeps one HTTP send in flight at a time).

class WebSocketTransport {
  constructor(conn) {
    this.conn = conn;
    this.wantsBytes = false;
    this.ws = null;
  }

  start() {
    const { conn } = this;
    const url = conn.url(false).replace(/^http/, 'ws');
    const ws = (this.ws = new WebSocket(url));
    ws.binaryType = 'arraybuffer'; // SockJS servers send text; bytes, if any, reach the core as such
    ws.onmessage = (e) => conn.data(typeof e.data === 'string' ? e.data : new Uint8Array(e.data));
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

/** xhr_send: a POST per payload; its status goes to the core (0: no answer). */
function xhrSend(t, payload) {
  const { conn } = t;
  fetch(conn.url(true), {
    method: 'POST', body: payload, credentials: 'include', cache: 'no-store', signal: t.aborter.signal,
    headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
  }).then((res) => res.status, () => 0).then((status) => {
    if (conn.alive(t)) conn.sendResult(status);
  });
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
  }

  start() {
    this.receive();
  }

  async receive() {
    const { conn, aborter } = this;
    try {
      const res = await fetch(conn.url(false), {
        method: 'POST', credentials: 'include', cache: 'no-store', signal: aborter.signal,
      });
      if (!conn.alive(this)) return;
      conn.receiverResponse(res.status);
      if (!conn.alive(this)) return; // the core refused the status
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (!conn.alive(this)) return;
        if (done) break;
        conn.data(value);
      }
    } catch {
      // a network error, or close() aborted the request
      if (conn.alive(this)) conn.closed();
      return;
    }
    conn.receiverEnd();
  }

  send(payload) { xhrSend(this, payload); }
  close() { this.aborter.abort(); }
}

class EventSourceTransport {
  constructor(conn) {
    this.conn = conn;
    this.wantsBytes = true;
    this.aborter = new AbortController();
    this.es = null;
  }

  start() {
    this.receive();
  }

  receive() {
    const { conn } = this;
    const es = (this.es = new EventSource(conn.url(false), { withCredentials: true }));
    let opened = false;
    // An EventSource shows no status: that it opened means 200 and the right type.
    es.onopen = () => {
      opened = true;
      conn.receiverResponse(200);
    };
    es.onmessage = (e) => conn.event(e.data);
    es.onerror = () => {
      // An error event after open is the end of the stream (the server's response_limit, or
      // a dropped connection: the browser does not tell them apart); before open the request
      // failed (refused, HTTP error, wrong type, nothing listening). The browser's own retry
      // is never used.
      this.stopStream();
      if (!conn.alive(this)) return;
      if (opened) conn.receiverEnd();
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

  send(payload) { xhrSend(this, payload); }
  close() {
    this.stopStream();
    this.aborter.abort();
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
    this.aborter = new AbortController();
    this.iframe = null;
    this.timer = 0;
    this.polls = 0; // names the callbacks, unique within the iframe
  }

  start() {
    const iframe = (this.iframe = document.createElement('iframe'));
    iframe.style.display = 'none';
    iframe.setAttribute('aria-hidden', 'true');
    (document.body || document.documentElement).appendChild(iframe);
    // The callbacks, global in the iframe: `_sockjs_cpp_jp.<id>(frame)`.
    iframe.contentWindow._sockjs_cpp_jp = {};
    this.receive();
  }

  receive() {
    const { conn } = this;
    const doc = this.iframe.contentDocument;
    const callbacks = this.iframe.contentWindow._sockjs_cpp_jp;
    const id = `a${++this.polls}`;
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
      if (typeof frame === 'string' && conn.alive(this)) conn.frame(frame);
      if (conn.alive(this)) conn.receiverEnd();
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
    // A script shows no status; its request has started.
    conn.receiverResponse(200);
  }

  send(payload) {
    const { conn } = this;
    // no-cors hides the answer: a send that completed counts as 200, one that failed as none.
    fetch(conn.url(true), {
      method: 'POST', mode: 'no-cors', credentials: 'include', signal: this.aborter.signal,
      body: new URLSearchParams({ d: payload }),
    }).then(() => 200, () => 0).then((status) => {
      if (conn.alive(this)) conn.sendResult(status);
    });
  }

  close() {
    this.aborter.abort();
    clearTimeout(this.timer);
    this.iframe?.remove();
    this.iframe = null;
  }
}

/** The I/O class of each transport, by the core's client_transport number (client.hpp). */
export const transportClasses = [WebSocketTransport, FetchTransport, EventSourceTransport, FetchTransport, JsonpTransport];
