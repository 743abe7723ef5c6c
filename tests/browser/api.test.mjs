// Our client's API, as sockjs-client users rely on it, plus the opt-in extras (liveness
// watchdog, reconnect) and the default RTT-derived timeout; against the reference server.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { TRANSPORTS, browserSuite, startRefServer } from './support.mjs';

const PORT = 18470;

describe('our client API', () => {
  const env = browserSuite({ servers: async () => [await startRefServer(PORT)], webPort: PORT + 1, page: true });
  const echo = `http://127.0.0.1:${PORT}/echo`;
  // Runs `fn` in the page with the client class as `SockJS` and the echo URL.
  const inPage = (fn, arg) => env.page.evaluate(
    ([src, url, a]) => new Function('SockJS', 'url', 'arg', `return (${src})(SockJS, url, arg);`)(window.Client, url, a),
    [fn.toString(), echo, arg]);

  // First in the file: the page has not loaded the wasm module yet, so close() has to wait
  // for it to check its arguments.
  test('close right after the constructor, before the module has loaded', async () => {
    const r = await inPage(async (SockJS, url) => {
      const s = new SockJS(url);
      s.close(4000, 'never mind');
      const state = s.readyState;
      const e = await new Promise((resolve) => { s.onclose = resolve; });
      return [state, e.code, e.reason, e.wasClean];
    });
    assert.deepEqual(r, [2, 4000, 'never mind', true]);
  });

  test('readyState constants, on the class and on instances', async () => {
    const r = await inPage((SockJS, url) => {
      const s = new SockJS(url);
      const out = [SockJS.CONNECTING, SockJS.OPEN, SockJS.CLOSING, SockJS.CLOSED,
        s.CONNECTING, s.OPEN, s.CLOSING, s.CLOSED, s.readyState, s.transport, s.protocol, s.extensions];
      s.close();
      return out;
    });
    assert.deepEqual(r, [0, 1, 2, 3, 0, 1, 2, 3, 0, null, '', '']);
  });

  test('the constructor checks its URL and options as sockjs-client does', async () => {
    const r = await inPage((SockJS, url) => {
      const error = (f) => { try { f(); return 'no error'; } catch (e) { return e.name; } };
      const s = new SockJS(`${url}///`);
      const stripped = s.url;
      s.close();
      return {
        none: error(() => new SockJS()),
        scheme: error(() => new SockJS('ftp://127.0.0.1/echo')),
        fragment: error(() => new SockJS(`${url}#x`)),
        garbage: error(() => new SockJS('http://')),
        sessionId: error(() => new SockJS(url, null, { sessionId: 'eight' })),
        stripped,
      };
    });
    assert.deepEqual(r, { none: 'TypeError', scheme: 'SyntaxError', fragment: 'SyntaxError', garbage: 'SyntaxError',
      sessionId: 'TypeError', stripped: echo });
  });

  test('send throws InvalidStateError while connecting, converts non-strings, is ignored once closed', async () => {
    const r = await inPage(async (SockJS, url) => {
      const s = new SockJS(url, null, { timeout: 8000 });
      let early;
      try { s.send('too early'); early = 'no error'; } catch (e) { early = e.name; }
      const got = [];
      await new Promise((resolve) => { s.onopen = resolve; });
      s.onmessage = (e) => got.push(e.data);
      s.send(42);
      s.send(null);
      await new Promise((resolve) => { const t = setInterval(() => got.length === 2 && resolve(clearInterval(t)), 10); });
      s.close();
      s.send('after close'); // ignored, no error
      await new Promise((resolve) => { s.onclose = resolve; });
      return { early, got };
    });
    assert.deepEqual(r, { early: 'InvalidStateError', got: ['42', 'null'] });
  });

  test('close checks code and reason, defaults to 1000 "Normal closure", and is dispatched a task later', async () => {
    const r = await inPage(async (SockJS, url) => {
      const error = (f) => { try { f(); return 'no error'; } catch (e) { return e.name; } };
      await SockJS.load();
      const s = new SockJS(url, null, { timeout: 8000 });
      await new Promise((resolve) => { s.onopen = resolve; });
      const transport = s.transport;
      const badCode = error(() => s.close(1001));
      const notACode = error(() => s.close('abc'));
      const longReason = error(() => s.close(3000, 'x'.repeat(124)));
      const stillOpen = s.readyState;
      const events = [];
      s.addEventListener('close', (e) => events.push([e.type, e.code, e.reason, e.wasClean, s.readyState]));
      s.close();
      const closing = s.readyState;
      s.close(3000, 'second close is ignored');
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { transport, badCode, notACode, longReason, stillOpen, closing, events, after: s.transport };
    });
    assert.deepEqual(r, { transport: 'websocket', badCode: 'InvalidAccessError', notACode: 'InvalidAccessError',
      longReason: 'SyntaxError',
      stillOpen: 1, closing: 2, events: [['close', 1000, 'Normal closure', true, 3]], after: null });
  });

  test('close while /info is pending dispatches error, then close', async () => {
    const r = await inPage(async (SockJS, url) => {
      await SockJS.load();
      const s = new SockJS(url);
      const events = [];
      for (const type of ['open', 'error', 'close']) s.addEventListener(type, (e) => events.push([type, e.code]));
      s.close(3500, 'changed my mind');
      await new Promise((resolve) => setTimeout(resolve, 200));
      return events;
    });
    assert.deepEqual(r, [['error', undefined], ['close', 3500]]);
  });

  test('listeners: addEventListener, removeEventListener, and on<type> as one more listener', async () => {
    const r = await inPage(async (SockJS, url) => {
      const s = new SockJS(url, null, { timeout: 8000 });
      const calls = [];
      const a = (e) => calls.push(`a:${e.data}`);
      const b = (e) => calls.push(`b:${e.data}`);
      s.addEventListener('message', a);
      s.addEventListener('message', b);
      s.onmessage = (e) => calls.push(`on1:${e.data}`);
      s.onmessage = (e) => calls.push(`on2:${e.data}`); // replaces on1
      await new Promise((resolve) => { s.onopen = resolve; });
      s.send('1');
      await new Promise((resolve) => setTimeout(resolve, 200));
      s.removeEventListener('message', a);
      s.onmessage = null;
      s.send('2');
      await new Promise((resolve) => setTimeout(resolve, 200));
      s.close();
      return { calls, handler: s.onmessage };
    });
    assert.deepEqual(r, { calls: ['a:1', 'b:1', 'on2:1', 'b:2'], handler: null });
  });

  test('the default transport timeout (from the /info round trip) opens websocket', async () => {
    const r = await inPage(async (SockJS, url) => {
      const s = new SockJS(url);
      await new Promise((resolve, reject) => { s.onopen = resolve; s.onclose = (e) => reject(new Error(e.reason)); });
      const t = s.transport;
      s.close();
      return t;
    });
    assert.equal(r, 'websocket');
  });

  test('liveness watchdog: no frame within livenessTimeout closes with 4900', async () => {
    // The server sends nothing for 25 s (its heartbeat delay), so 300 ms of silence trips it.
    const r = await inPage(async (SockJS, url) => {
      const s = new SockJS(url, null, { timeout: 8000, livenessTimeout: 300 });
      const events = [];
      s.onopen = () => events.push('open');
      const e = await new Promise((resolve) => { s.onclose = resolve; });
      return { events, code: e.code, reason: e.reason, wasClean: e.wasClean };
    });
    assert.deepEqual(r, { events: ['open'], code: 4900, reason: 'Liveness timeout', wasClean: false });
  });

  // On xhr-streaming: over WebSocket, sockjs-node sends WebSocket pings instead of `h` frames.
  test('heartbeats: a heartbeat event for each, and they keep the watchdog quiet', async () => {
    const r = await inPage(async (SockJS, url) => {
      const s = new SockJS(url.replace(/echo$/, 'heartbeat_echo'), null,
        { transports: ['xhr-streaming'], timeout: 8000, livenessTimeout: 1000 });
      let beats = 0;
      s.onheartbeat = () => beats++;
      const closes = [];
      s.onclose = (e) => closes.push(e.code);
      await new Promise((resolve) => { s.onopen = resolve; });
      await new Promise((resolve) => setTimeout(resolve, 2500)); // 2.5 watchdog periods
      const state = s.readyState;
      s.close();
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { beats, state, closes };
    });
    // The server beats every 200 ms: about 12 in 2.5 s, at least 5 even on a loaded machine.
    assert.ok(r.beats >= 5, `${r.beats} heartbeats`);
    assert.deepEqual([r.state, r.closes], [1, [1000]]);
  });

  // A close frame from the server is its decision and final, unless the application says
  // otherwise with afterServerClose (or the code asks the client to come back: 1001, 1012, 1013).
  test('reconnect with afterServerClose: a server close starts a new session; close() ends it', async () => {
    const r = await inPage(async (SockJS, url) => {
      const closeUrl = url.replace(/echo$/, 'close');
      const s = new SockJS(closeUrl, null,
        { timeout: 8000, reconnect: { minDelay: 20, maxDelay: 40, afterServerClose: true } });
      const events = [];
      s.onopen = () => events.push('open');
      s.onreconnecting = (e) => events.push(`reconnecting ${e.code} ${e.reason} ${e.attempt} ${s.readyState}`);
      await new Promise((resolve) => {
        const t = setInterval(() => events.filter((x) => x === 'open').length >= 3 && resolve(clearInterval(t)), 10);
      });
      const closed = new Promise((resolve) => { s.onclose = resolve; });
      s.close(3333, 'enough');
      const e = await closed;
      await new Promise((resolve) => setTimeout(resolve, 150));
      return { first: events.slice(0, 4), opens: events.filter((x) => x === 'open').length,
        code: e.code, reason: e.reason, state: s.readyState };
    });
    // Each reconnection opens, so the attempt count starts again at 1.
    assert.deepEqual(r.first, ['open', 'reconnecting 3000 Go away! 1 0', 'open', 'reconnecting 3000 Go away! 1 0']);
    assert.ok(r.opens >= 3, `${r.opens} opens`);
    assert.deepEqual([r.code, r.reason, r.state], [3333, 'enough', 3]);
  });

  test('reconnect without afterServerClose: the server\'s close 3000 is final', async () => {
    const r = await inPage(async (SockJS, url) => {
      const s = new SockJS(url.replace(/echo$/, 'close'), null,
        { timeout: 8000, reconnect: { minDelay: 20, maxDelay: 40 } });
      const events = [];
      for (const type of ['open', 'reconnecting', 'close']) s.addEventListener(type, (e) => events.push(`${type} ${e.code}`));
      await new Promise((resolve) => { s.onclose = resolve; });
      await new Promise((resolve) => setTimeout(resolve, 200));
      return [events, s.readyState];
    });
    assert.deepEqual(r, [['open undefined', 'close 3000'], 3]);
  });

  test('reconnect gives up after `retries` failed attempts in a row', async () => {
    const r = await inPage(async (SockJS, url) => {
      const nowhere = url.replace(/:\d+\//, ':18479/'); // nothing listens there
      const s = new SockJS(nowhere, null, { reconnect: { retries: 2, minDelay: 10, maxDelay: 20 } });
      const events = [];
      s.onreconnecting = (e) => events.push(`reconnecting ${e.code} ${e.attempt}`);
      const e = await new Promise((resolve) => { s.onclose = resolve; });
      return { events, code: e.code };
    });
    assert.deepEqual(r, { events: ['reconnecting 1002 1', 'reconnecting 1002 2'], code: 1002 });
  });

  test('without reconnect, a server close is final', async () => {
    const r = await inPage(async (SockJS, url) => {
      const s = new SockJS(url.replace(/echo$/, 'close'), null, { timeout: 8000 });
      const events = [];
      for (const type of ['open', 'reconnecting', 'close']) s.addEventListener(type, () => events.push(type));
      await new Promise((resolve) => { s.onclose = resolve; });
      await new Promise((resolve) => setTimeout(resolve, 100));
      return events;
    });
    assert.deepEqual(r, ['open', 'close']);
  });

  test('runs in a module worker, where jsonp-polling (script tags) is unavailable', async () => {
    const r = await inPage(async (SockJS, url) => {
      const src = `import SockJS from '${location.origin}/js/src/index.js';
        const out = [];
        for (const t of ['websocket', 'xhr-streaming', 'eventsource', 'xhr-polling', 'jsonp-polling']) {
          const s = new SockJS('${url}', null, { transports: [t], timeout: 8000 });
          out.push(await new Promise((resolve) => {
            s.onopen = () => s.send('from a worker');
            s.onmessage = (e) => { resolve(t + ': ' + s.transport + ' ' + e.data); s.close(); };
            s.onclose = (e) => resolve(t + ': closed ' + e.code + ' ' + e.reason);
          }));
        }
        postMessage(out);`;
      const worker = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })), { type: 'module' });
      const out = await new Promise((resolve) => {
        worker.onmessage = (e) => resolve(e.data);
        worker.onerror = (e) => resolve(`worker error: ${e.message}`);
      });
      worker.terminate();
      return out;
    });
    assert.deepEqual(r, ['websocket: websocket from a worker', 'xhr-streaming: xhr-streaming from a worker',
      'eventsource: eventsource from a worker', 'xhr-polling: xhr-polling from a worker',
      'jsonp-polling: closed 2000 All transports failed']);
  });

  // The server goes away under an open session (a server of its own, stopped mid-test).
  for (const transport of TRANSPORTS) {
    test(`server gone after open on ${transport}: close 1006, not clean`, async () => {
      const port = PORT + 2;
      const doomed = await startRefServer(port);
      try {
        const opened = inPage(async (SockJS, _url, [u, t]) => {
          const s = new SockJS(u, null, { transports: [t], timeout: 8000 });
          await new Promise((resolve, reject) => { s.onopen = resolve; s.onclose = (e) => reject(new Error(e.reason)); });
          window.doomed = new Promise((resolve) => {
            s.onclose = (e) => resolve({ code: e.code, wasClean: e.wasClean, transport: t });
          });
          return s.transport;
        }, [`http://127.0.0.1:${port}/echo`, transport]);
        assert.equal(await opened, transport);
      } finally {
        await doomed.stop();
      }
      const r = await env.page.evaluate(() => Promise.race([window.doomed,
        new Promise((resolve) => setTimeout(() => resolve('no close event within 40 s'), 40000))]));
      assert.deepEqual(r, { code: 1006, wasClean: false, transport });
    });
  }
});
