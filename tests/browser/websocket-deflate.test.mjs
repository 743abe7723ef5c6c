// permessage-deflate (RFC 7692) between Chromium and our server over wss: with the server's
// --websocket-deflate, the upgrade Chromium sees (its own record, through CDP's Network
// events) accepts the extension Chromium offered, and a 1 MiB compressible message echoes
// intact; without the flag, the same offer is declined. Ports 18520-18522.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ourServerPath, startBrowser, startStaticServer } from './support.mjs';
import { startOurTlsServer, testTls } from './tls-support.mjs';

const PORT = { deflate: 18520, web: 18521, plain: 18522 };

describe('Chromium x ours server over wss: permessage-deflate', { skip: ourServerPath() ? false : 'build/bin/sockjs-server not built' }, () => {
  let deflate, plain, web, browser, page;
  const handshakes = new Map(); // CDP requestId -> { url, offered, status, accepted }

  before(async () => {
    deflate = await startOurTlsServer(PORT.deflate, ['--websocket-deflate']);
    plain = await startOurTlsServer(PORT.plain);
    web = await startStaticServer(PORT.web, { tls: testTls() });
    browser = await startBrowser({ home: testTls().home });
    page = await browser.page(`${web.url}/tests/browser/page/index.html?client=ours`);
    const cdp = await browser.context.newCDPSession(page);
    const header = (headers, name) => Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1] ?? '';
    cdp.on('Network.webSocketCreated', (e) => handshakes.set(e.requestId, { url: e.url }));
    cdp.on('Network.webSocketWillSendHandshakeRequest', (e) => {
      const h = handshakes.get(e.requestId);
      if (h) h.offered = header(e.request.headers, 'sec-websocket-extensions');
    });
    cdp.on('Network.webSocketHandshakeResponseReceived', (e) => {
      const h = handshakes.get(e.requestId);
      if (h) Object.assign(h, { status: e.response.status, accepted: header(e.response.headers, 'sec-websocket-extensions') });
    });
    await cdp.send('Network.enable');
  });
  after(async () => {
    await browser?.close();
    await web?.stop();
    await plain?.stop();
    await deflate?.stop();
  });

  // Echoes one 1 MiB JSON message (repetitive, as application JSON is) over the WebSocket
  // transport of `port`; returns the echo's check and the upgrade as Chromium recorded it.
  async function echoBig(port) {
    const url = `https://127.0.0.1:${port}/echo`;
    const r = await page.evaluate(async (url) => {
      const rows = [];
      for (let i = 0, n = 2; n < (1 << 20); i++) {
        rows.push(JSON.stringify({ id: i, sensor: `room-${i % 16}`, celsius: 20 + (i % 7) / 10, ok: true }));
        n += rows.at(-1).length + 1;
      }
      const message = `[${rows.join(',')}]`;
      const e = await window.H.echo(url, { transports: ['websocket'], timeout: 8000 }, [message]);
      return { transport: e.transport, length: message.length, equal: e.received[0] === message };
    }, url);
    const mine = [...handshakes.values()].filter((h) => h.url.startsWith(`wss://127.0.0.1:${port}/echo/`));
    assert.equal(mine.length, 1, `one WebSocket upgrade to port ${port}: ${JSON.stringify([...handshakes.values()])}`);
    return { ...r, handshake: mine[0] };
  }

  test('with --websocket-deflate: Chromium negotiates permessage-deflate and a 1 MiB message echoes intact', { timeout: 60000 }, async () => {
    const r = await echoBig(PORT.deflate);
    assert.equal(r.transport, 'websocket');
    assert.ok(r.length >= 1 << 20);
    assert.ok(r.equal, 'the echo differs from the message');
    assert.equal(r.handshake.status, 101);
    assert.match(r.handshake.offered, /permessage-deflate/);
    assert.match(r.handshake.accepted, /^permessage-deflate(;|$)/);
  });

  test('without it: the same offer is declined and the echo works uncompressed', { timeout: 60000 }, async () => {
    const r = await echoBig(PORT.plain);
    assert.equal(r.transport, 'websocket');
    assert.ok(r.equal, 'the echo differs from the message');
    assert.equal(r.handshake.status, 101);
    assert.match(r.handshake.offered, /permessage-deflate/);
    assert.equal(r.handshake.accepted, '');
  });

  test('no uncaught errors in the page', () => {
    assert.deepEqual(browser.errors, []);
  });
});
