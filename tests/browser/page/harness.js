// The browser side of the tests: each function drives one client (ours, or sockjs-client 1.6.1
// with ?client=sockjs-client) through one scenario and returns what happened as plain data,
// which the node side asserts. Every wait is bounded, so a broken client fails, never hangs.

const which = new URLSearchParams(location.search).get('client') || 'ours';
const Client = which === 'sockjs-client' ? window.SockJS : (await import('/js/src/index.js')).default;

// sockjs-client's jsonp-polling leaves aborted polls running until the server's next
// heartbeat (25 s), and with six of them the browser queues every request to the server: a
// wait has room for two such stalls.
const WAIT = 60000;

/** A client plus a log of its events, with promises for what a scenario waits for. */
class Session {
  constructor(url, options) {
    this.log = [];
    this.messages = [];
    this.waiters = [];
    this.sock = new Client(url, null, options);
    this.readyStateAtStart = this.sock.readyState;
    this.sock.onopen = () => this.note({ type: 'open', transport: this.sock.transport });
    this.sock.onmessage = (e) => {
      this.messages.push(e.data);
      this.note(null);
    };
    this.sock.onclose = (e) => this.note({
      type: 'close', code: e.code, reason: e.reason, wasClean: e.wasClean, readyState: this.sock.readyState,
    });
    this.sock.onerror = () => this.note({ type: 'error' });
  }

  note(entry) {
    if (entry) this.log.push(entry);
    this.waiters = this.waiters.filter((w) => !w());
  }

  /** Resolves once `cond()` holds; rejects after `ms` with the log so far. */
  until(what, cond, ms = WAIT) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`timed out waiting for ${what}; events: ${JSON.stringify(this.log)}; ` +
          `${this.messages.length} messages`));
      }, ms);
      const check = () => {
        if (!cond()) return false;
        clearTimeout(timer);
        resolve();
        return true;
      };
      if (!check()) this.waiters.push(check);
    });
  }

  find(type) { return this.log.find((e) => e.type === type); }

  /** Open, or throws with the close event that came instead. */
  async opened() {
    await this.until('open', () => this.find('open') || this.find('close'));
    if (!this.find('open')) throw new Error(`closed before open: ${JSON.stringify(this.log)}`);
    return this.find('open').transport;
  }

  closed(ms) { return this.until('close', () => this.find('close'), ms).then(() => this.find('close')); }
}

const range = (a, b) => Array.from({ length: b - a + 1 }, (_, i) => String.fromCharCode(a + i)).join('');

/** The message sets, built here: lone surrogates would not survive the trip from node. */
const SETS = {
  ascii: ['hello', 'a', ' ', range(0x20, 0x7e), 'x'.repeat(5000), '[1, 2, {"a": "b"}]'],
  unicode: ['żółć gęślą jaźń', '中文字符', 'नमस्ते', 'שלום עולם', '😀🎉 astral 𝄞 𐍈', 'e\u0301 combining',
    '\u00e9\u00e8', 'Ω≈ç√∫'],
  // What the protocol escapes (\u0000-\u001f, \u200c-\u200f, \u2028-\u202f, \u2060-\u206f,
  // \ufff0-\uffff), lone surrogates, JSON's own specials, characters sockjs-client escapes
  // because browsers mangle them, the empty message, and every UTF-16 code unit in one message.
  escape: [range(0x00, 0x1f), range(0x7f, 0x9f), range(0x200c, 0x200f), range(0x2028, 0x202f),
    range(0x2060, 0x206f), range(0xfff0, 0xffff), '\ud800', '\udfff', 'a\ud83dz', '\ude00b', '\udbff\udbff',
    '"', '\\', '/', '\b\f\n\r\t', '</script>', '%', '%25 %0A %0D %00', range(0x0300, 0x0333),
    '\u0374\u037e\u0387\u2126\u212a\u212b\uf900\ufb1d', '\ufeffBOM', '', range(0x0000, 0xffff)],
};

window.H = {
  client: which,

  /** Echoes message set `name`; returns per-message differences (as JSON, which escapes lone
   *  surrogates, so they survive the trip back to node). */
  async echoSet(url, options, name) {
    const sent = SETS[name];
    const r = await this.echo(url, options, sent);
    const diffs = [];
    for (let i = 0; i < Math.max(sent.length, r.received.length) && diffs.length < 3; i++) {
      if (sent[i] !== r.received[i]) {
        diffs.push({ i, sent: JSON.stringify(sent[i])?.slice(0, 200), got: JSON.stringify(r.received[i])?.slice(0, 200) });
      }
    }
    return { transport: r.transport, sent: sent.length, received: r.received.length, diffs,
      readyStateAtStart: r.readyStateAtStart };
  },

  /** Opens, sends `messages`, waits for as many echoes, closes. */
  async echo(url, options, messages) {
    const s = new Session(url, options);
    const transport = await s.opened();
    for (const m of messages) s.sock.send(m);
    await s.until(`${messages.length} echoes`, () => s.messages.length >= messages.length);
    s.sock.close();
    await s.closed();
    return { transport, received: s.messages, readyStateAtStart: s.readyStateAtStart };
  },

  /** Sends n numbered messages at once; returns the received ones in order. */
  async burst(url, options, n) {
    const sent = Array.from({ length: n }, (_, i) => `message ${i}`);
    const r = await this.echo(url, options, sent);
    return { transport: r.transport, inOrder: JSON.stringify(r.received) === JSON.stringify(sent),
      count: r.received.length, firstMismatch: r.received.findIndex((m, i) => m !== sent[i]) };
  },

  /** One message of `size` UTF-16 units mixing ASCII, accents, CJK and escape-class characters. */
  async big(url, options, size) {
    const unit = 'SockJS é 中文 \u2028 \u0000 "\\ ';
    const message = unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
    const r = await this.echo(url, options, [message]);
    return { transport: r.transport, length: r.received[0].length, equal: r.received[0] === message };
  },

  /** Connects to a service that closes every session at once (/close). */
  async serverClose(url, options) {
    const s = new Session(url, options);
    const close = await s.closed();
    return { opened: Boolean(s.find('open')), transport: s.find('open')?.transport, close };
  },

  /** Opens, then closes with (code, reason); readyState right after close() and at the event. */
  async clientClose(url, options, code, reason) {
    const s = new Session(url, options);
    const transport = await s.opened();
    s.sock.close(code, reason);
    const readyStateAfterClose = s.sock.readyState;
    const close = await s.closed();
    // Nothing may arrive after the close event.
    await new Promise((r) => setTimeout(r, 100));
    return { transport, readyStateAfterClose, close, events: s.log.map((e) => e.type) };
  },

  /** Opens (or not) and reports the transport and how it ended; used by the fallback tests. */
  async connect(url, options, messages = []) {
    const s = new Session(url, options);
    await s.until('open or close', () => s.find('open') || s.find('close'), 60000);
    const opened = s.find('open');
    if (!opened) return { opened: false, close: s.find('close'), events: s.log.map((e) => e.type) };
    for (const m of messages) s.sock.send(m);
    await s.until('echoes', () => s.messages.length >= messages.length);
    s.sock.close();
    await s.closed();
    return { opened: true, transport: opened.transport, received: s.messages };
  },
};

window.Session = Session;
window.Client = Client;
window.harnessReady = true;
