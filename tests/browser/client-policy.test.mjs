// The browser client carries out the core's client policy (core/include/sockjs/client.hpp,
// reconnect.hpp) and adds none of its own: against a scripted SockJS server that answers each
// request as a test says, with the misbehaviour real servers and proxies show, on the browser's
// own clock. client-behaviour.test.mjs replays the behaviour vectors step by step.
// Ports 18540-18541 (18500 is the TLS matrix's).

import assert from 'node:assert/strict';
import http from 'node:http';
import { describe, test } from 'node:test';

import { answerCors, browserSuite } from './support.mjs';

const PORT = 18540;

/**
 * A SockJS server whose answers a test scripts: `script(t, session, res, body)` answers the receiving
 * and sending requests (t: 'xhr', 'xhr_send', 'eventsource', ...; session: { id, polls, code }
 * where code is the number in the service path `/svc<code>`); /info says websocket false.
 * `count(t)` is how many requests of `t` arrived.
 */
async function startScriptedServer(port) {
  const sessions = new Map();
  const requests = [];
  const paths = [];
  const state = { script: () => {} };
  const server = http.createServer((req, res) => {
    if (answerCors(req, res)) return;
    const m = /^\/svc(\d*)\/(?:info|[^/]+\/([^/]+)\/([a-z_]+))/.exec(new URL(req.url, 'http://x').pathname);
    if (!m) {
      res.writeHead(404);
      res.end();
      return;
    }
    if (!m[2]) {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=UTF-8' });
      res.end('{"websocket":false,"cookie_needed":false,"origins":["*:*"],"entropy":1}');
      return;
    }
    requests.push(m[3]);
    paths.push(req.url);
    if (!sessions.has(m[2])) sessions.set(m[2], { id: m[2], polls: 0, code: Number(m[1]) || 0 });
    const session = sessions.get(m[2]);
    const body = [];
    req.on('data', (c) => body.push(c));
    req.on('end', () => {
      if (m[3] === 'xhr') session.polls++;
      state.script(m[3], session, res, Buffer.concat(body).toString());
    });
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    set script(f) { state.script = f; },
    count: (t) => requests.filter((x) => x === t).length,
    paths,
    reset() { requests.length = paths.length = 0; },
    stop() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

const js = (res, body) => {
  res.writeHead(200, { 'Content-Type': 'application/javascript; charset=UTF-8' });
  res.end(body);
};

describe('our client follows the core\'s client policy', { timeout: 120000 }, () => {
  let server;
  const env = browserSuite({ servers: async () => [(server = await startScriptedServer(PORT))], webPort: PORT + 1, page: true });
  const base = `http://127.0.0.1:${PORT}`;
  // Runs `fn` in the page with the client class as `SockJS` and the server's base URL.
  const inPage = (fn, arg) => env.page.evaluate(
    ([src, url, a]) => new Function('SockJS', 'url', 'arg', `return (${src})(SockJS, url, arg);`)(window.Client, url, a),
    [fn.toString(), base, arg]);

  // An empty body reopened at once would be hundreds of requests until the transport
  // timeout, and without end once open.
  test('an empty xhr-polling body before open fails the transport: one request, close 2000', { timeout: 15000 }, async () => {
    server.reset();
    server.script = (t, s, res) => js(res, '');
    const r = await inPage(async (SockJS, url) => {
      const s = new SockJS(`${url}/svc`, null, { transports: ['xhr-polling'], timeout: 3000 });
      const e = await new Promise((resolve) => { s.onclose = resolve; });
      await new Promise((resolve) => setTimeout(resolve, 300));
      return [e.code, e.reason, e.wasClean];
    });
    assert.deepEqual(r, [2000, 'All transports failed', false]);
    assert.equal(server.count('xhr'), 1);
  });

  test('an empty xhr-polling body after open: close 1006, no further request', { timeout: 15000 }, async () => {
    server.reset();
    server.script = (t, s, res) => js(res, s.polls === 1 ? 'o\n' : '');
    const r = await inPage(async (SockJS, url) => {
      const s = new SockJS(`${url}/svc`, null, { transports: ['xhr-polling'], timeout: 3000 });
      const events = [];
      s.onopen = () => events.push('open');
      const e = await new Promise((resolve) => { s.onclose = resolve; });
      await new Promise((resolve) => setTimeout(resolve, 300));
      return [events, e.code, e.reason, e.wasClean];
    });
    assert.deepEqual(r, [['open'], 1006, 'Server lost session', false]);
    assert.equal(server.count('xhr'), 2);
  });

  test('an xhr_send answered 500 closes with 1006 "Sending error: http status 500"', { timeout: 15000 }, async () => {
    server.reset();
    server.script = (t, s, res) => {
      if (t === 'xhr_send') {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end('broken');
      } else if (s.polls === 1) {
        js(res, 'o\n');
      } // later polls are left pending
    };
    const r = await inPage(async (SockJS, url) => {
      const s = new SockJS(`${url}/svc`, null, { transports: ['xhr-polling'], timeout: 3000 });
      await new Promise((resolve) => { s.onopen = resolve; });
      s.send('lost');
      const e = await new Promise((resolve) => { s.onclose = resolve; });
      return [e.code, e.reason, e.wasClean];
    });
    assert.deepEqual(r, [1006, 'Sending error: http status 500', false]);
    assert.equal(server.count('xhr_send'), 1);
  });

  test('one xhr_send at a time: messages sent meanwhile go in the next one, in order', { timeout: 15000 }, async () => {
    server.reset();
    const sends = [];
    let release = null;
    server.script = (t, s, res, body) => {
      if (t === 'xhr_send') {
        // The first send is held until the test has queued more.
        const answer = () => { res.writeHead(204); res.end(); };
        if (sends.push(body) === 1) release = answer;
        else answer();
      } else if (s.polls === 1) {
        js(res, 'o\n');
      }
    };
    const r = await inPage(async (SockJS, url) => {
      const s = new SockJS(`${url}/svc`, null, { transports: ['xhr-polling'], timeout: 3000 });
      await new Promise((resolve) => { s.onopen = resolve; });
      s.send('1');
      await new Promise((resolve) => setTimeout(resolve, 200));
      s.send('2');
      s.send('3');
      await new Promise((resolve) => setTimeout(resolve, 200));
      window.policySock = s;
      return s.readyState;
    });
    assert.equal(r, 1);
    assert.equal(server.count('xhr_send'), 1, 'a second send while the first is in flight');
    release();
    for (let i = 0; i < 100 && server.count('xhr_send') < 2; i++) await new Promise((res) => setTimeout(res, 20));
    assert.deepEqual(sends, ['["1"]', '["2","3"]']);
    await env.page.evaluate(() => window.policySock.close());
  });

  test('EventSource: a frame whose data spans two lines gives every message', { timeout: 15000 }, async () => {
    server.reset();
    server.script = (t, s, res) => {
      if (t !== 'eventsource') return;
      res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=UTF-8', 'Cache-Control': 'no-store' });
      res.write('\r\ndata: o\r\n\r\n');
      res.write('data: a["1",\r\ndata: "2"]\r\n\r\n');
    };
    const r = await inPage(async (SockJS, url) => {
      const s = new SockJS(`${url}/svc`, null, { transports: ['eventsource'], timeout: 3000 });
      const got = [];
      s.onmessage = (e) => got.push(e.data);
      await new Promise((resolve) => { s.onopen = resolve; });
      for (let i = 0; i < 100 && got.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      s.close();
      return got;
    });
    assert.deepEqual(r, ['1', '2']);
  });

  test('ids: the core draws server and session ids; `server` and a `sessionId` function override them', { timeout: 15000 }, async () => {
    server.reset();
    server.script = (t, s, res) => { if (t === 'xhr' && s.polls === 1) js(res, 'o\n'); };
    await inPage(async (SockJS, url) => {
      let n = 0;
      const options = [{}, {}, { sessionId: 12 }, { server: 'srv', sessionId: () => `mine${++n}` }];
      for (const o of options) {
        const s = new SockJS(`${url}/svc`, null, { transports: ['xhr-polling'], timeout: 3000, ...o });
        await new Promise((resolve) => { s.onopen = resolve; });
        s.close();
      }
    });
    const ids = server.paths.filter((p) => p.endsWith('/xhr')).map((p) => p.split('/').slice(2, 4))
      .filter((x, i, all) => i === 0 || x.join() !== all[i - 1].join());
    assert.equal(ids.length, 4, JSON.stringify(ids));
    assert.match(ids[0][0], /^[0-9]{3}$/);
    assert.match(ids[0][1], /^[a-z0-5]{8}$/);
    assert.notDeepEqual(ids[0], ids[1]); // each SockJS has its own seed
    assert.match(ids[2][1], /^[a-z0-5]{12}$/);
    assert.deepEqual(ids[3], ['srv', 'mine1']);
  });

  // Each session: `o`, then `c[<code>,"bye"]` (the code is in the service path).
  const closingServer = (t, s, res) => {
    if (t === 'xhr') js(res, s.polls === 1 ? 'o\n' : `c[${s.code},"bye"]\n`);
  };

  test('reconnect: after a server close 1001 (going away) a new session starts', { timeout: 15000 }, async () => {
    server.script = closingServer;
    const r = await inPage(async (SockJS, url) => {
      const s = new SockJS(`${url}/svc1001`, null,
        { transports: ['xhr-polling'], timeout: 3000, reconnect: { minDelay: 20, maxDelay: 40 } });
      const events = [];
      s.onopen = () => events.push('open');
      s.onreconnecting = (e) => events.push(`reconnecting ${e.code} ${e.reason} ${e.wasClean} ${e.attempt} ${s.readyState}`);
      s.onclose = (e) => events.push(`close ${e.code}`);
      for (let i = 0; i < 300 && events.filter((x) => x === 'open').length < 2; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      s.close();
      await new Promise((resolve) => setTimeout(resolve, 50));
      return events.slice(0, 3);
    });
    assert.deepEqual(r, ['open', 'reconnecting 1001 bye true 1 0', 'open']);
  });

  test('reconnect: true takes the core\'s default delays (the first is 1000 ms less 0-50 %)', { timeout: 15000 }, async () => {
    server.script = closingServer;
    const r = await inPage(async (SockJS, url) => {
      const s = new SockJS(`${url}/svc1001`, null, { transports: ['xhr-polling'], timeout: 3000, reconnect: true });
      const e = await new Promise((resolve) => { s.onreconnecting = resolve; });
      s.close();
      return [e.attempt, e.delay];
    });
    assert.equal(r[0], 1);
    assert.ok(r[1] >= 500 && r[1] <= 1000, `delay ${r[1]}`);
  });

  test('reconnect: a server close 3000 is final unless afterServerClose', { timeout: 15000 }, async () => {
    server.script = closingServer;
    const r = await inPage(async (SockJS, url) => {
      const s = new SockJS(`${url}/svc3000`, null,
        { transports: ['xhr-polling'], timeout: 3000, reconnect: { minDelay: 20, maxDelay: 40 } });
      const events = [];
      s.onopen = () => events.push('open');
      s.onreconnecting = (e) => events.push(`reconnecting ${e.code}`);
      const e = await new Promise((resolve) => { s.onclose = resolve; });
      await new Promise((resolve) => setTimeout(resolve, 200));
      return [events, e.code, e.reason, e.wasClean, s.readyState];
    });
    assert.deepEqual(r, [['open'], 3000, 'bye', true, 3]);
  });

  // As sockjs-client 1.6: a message before the close frame is dispatched while OPEN, even in
  // the same chunk; CLOSING from the close frame on.
  test('readyState is CLOSING from the server\'s close frame until the close event', { timeout: 15000 }, async () => {
    server.script = (t, s, res) => {
      if (t !== 'xhr_streaming') return;
      res.writeHead(200, { 'Content-Type': 'application/javascript; charset=UTF-8' });
      res.write(`${'h'.repeat(2048)}\no\n`);
      setTimeout(() => res.end('a["last"]\nc[3000,"bye"]\n'), 50);
    };
    const r = await inPage(async (SockJS, url) => {
      const s = new SockJS(`${url}/svc`, null, { transports: ['xhr-streaming'], timeout: 3000 });
      const states = [];
      s.onopen = () => states.push(`open ${s.readyState}`);
      s.onmessage = (e) => {
        states.push(`message ${e.data} ${s.readyState}`);
        s.send('ignored: the session is closing'); // no exception, nothing sent
        queueMicrotask(() => states.push(`later ${s.readyState}`));
      };
      const e = await new Promise((resolve) => { s.onclose = (ev) => { states.push(`close ${s.readyState}`); resolve(ev); }; });
      return [states, e.code];
    });
    assert.deepEqual(r, [['open 1', 'message last 1', 'later 2', 'close 3'], 3000]);
    assert.equal(server.count('xhr_send'), 0);
  });
});
