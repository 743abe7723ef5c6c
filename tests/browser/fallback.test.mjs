// Transport fallback, our client with its default transport list, through networks that get in
// the way (test proxies from support.mjs in front of each server):
// - WebSocket upgrades refused       -> the first streaming transport, xhr-streaming;
// - responses buffered whole          -> streaming never opens, polling (xhr-polling) does;
// - /info answers, no transport works -> close 2000 "All transports failed";
// - nothing listens at all            -> close 1002 "Cannot connect to server" (the /info
//   request fails; sockjs-client 1.6 closes with the same code then).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { servers, startBrowser, startProxy, startStaticServer } from './support.mjs';

const BASE = { ref: 18450, ours: 18460 };

for (const server of servers()) {
  describe(`fallback, ours client x ${server.name} server`, { skip: server.skip }, () => {
    const base = BASE[server.name];
    const stack = [];
    let page, refusing, buffering, refusingAll;
    const url = (port, service = 'echo') => `http://127.0.0.1:${port}/${service}`;
    const connect = (port, options, messages = ['through the proxy']) =>
      page.evaluate(([u, o, m]) => window.H.connect(u, o, m), [url(port), options, messages]);

    before(async () => {
      stack.push(await server.start(base));
      const web = await startStaticServer(base + 1);
      stack.push(web);
      stack.push((refusing = await startProxy(base + 2, base, { rejectUpgrade: true })));
      stack.push((buffering = await startProxy(base + 3, base, { rejectUpgrade: true, buffer: true })));
      stack.push((refusingAll = await startProxy(base + 4, base, { rejectUpgrade: true, refuseSessions: true })));
      const browser = await startBrowser();
      stack.push({ stop: () => browser.close() });
      page = await browser.page(`${web.url}/tests/browser/page/index.html`);
    });
    after(async () => {
      for (const s of stack.reverse()) await s.stop();
    });

    test('direct: websocket', { timeout: 60000 }, async () => {
      const r = await connect(base, { timeout: 8000 });
      assert.equal(r.opened, true);
      assert.equal(r.transport, 'websocket');
      assert.deepEqual(r.received, ['through the proxy']);
    });

    test('websocket refused by a proxy: xhr-streaming', { timeout: 60000 }, async () => {
      const r = await connect(base + 2, { timeout: 8000 });
      assert.equal(r.opened, true);
      assert.equal(r.transport, 'xhr-streaming');
      assert.deepEqual(refusing.tried, ['websocket', 'xhr_streaming']);
      assert.deepEqual(r.received, ['through the proxy']);
    });

    test('a proxy that buffers whole responses: xhr-polling', { timeout: 60000 }, async () => {
      // 1.5 s per transport: xhr-streaming and eventsource each wait that long for `o`.
      const r = await connect(base + 3, { timeout: 1500 });
      assert.equal(r.opened, true);
      assert.equal(r.transport, 'xhr-polling');
      assert.deepEqual(r.received, ['through the proxy']);
      assert.deepEqual(buffering.tried, ['websocket', 'xhr_streaming', 'eventsource', 'xhr']);
    });

    test('every transport refused: close 2000', { timeout: 60000 }, async () => {
      const r = await connect(base + 4, { timeout: 3000 });
      assert.equal(r.opened, false);
      assert.deepEqual(r.close, { type: 'close', code: 2000, reason: 'All transports failed', wasClean: false,
        readyState: 3 });
      assert.deepEqual(r.events, ['close']);
      assert.deepEqual(refusingAll.tried, ['websocket', 'xhr_streaming', 'eventsource', 'xhr', 'jsonp']);
    });

    test('nothing listening: close 1002', { timeout: 60000 }, async () => {
      const r = await connect(base + 9, {});
      assert.equal(r.opened, false);
      assert.deepEqual(r.close, { type: 'close', code: 1002, reason: 'Cannot connect to server', wasClean: false,
        readyState: 3 });
    });
  });
}
