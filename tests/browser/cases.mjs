// The per-transport scenarios, shared by every client x server combination: each registers one
// node:test test per (transport, scenario) under a describe() for the combination, so the
// runner's summary is the matrix.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { TRANSPORTS, startBrowser, startStaticServer } from './support.mjs';

// A generous, fixed transport timeout: on a loaded 2-core CI machine the RTT-derived default
// (about 600 ms on loopback) can expire before `o`, which would turn a forced single transport
// into "All transports failed". The default is exercised in api.test.mjs.
export const TIMEOUT = 8000;

/**
 * Registers the matrix for `client` ('ours' | 'sockjs-client') against `server`
 * ({ name, start(port), skip }) on ports [base, base + 1]. For a server that speaks https/wss,
 * `tls()` returns { cert, key } for the page's server (so the page is an https origin too) and
 * `home`, the HOME of a Chromium that trusts the certificate's CA (tls-support.mjs).
 */
export function transportMatrix(client, server, base, { tls = null } = {}) {
  describe(`${client} client x ${server.name} server`, { skip: server.skip }, () => {
    let srv, web;
    const url = (service) => `${tls ? 'https' : 'http'}://127.0.0.1:${base}/${service}`;

    before(async () => {
      srv = await server.start(base);
      web = await startStaticServer(base + 1, { tls: tls && tls() });
    });
    after(async () => {
      await web?.stop();
      await srv?.stop();
    });

    // A browser per transport: requests one transport leaves behind (sockjs-client can leave
    // a reopened xhr_streaming request running after close) must not hold the browser's six
    // connections per server while the next transport is tested.
    for (const transport of TRANSPORTS) describe(transport, () => {
      let browser, page;
      before(async () => {
        browser = await startBrowser({ home: tls && tls().home });
        page = await browser.page(`${web.url}/tests/browser/page/index.html?client=${client}`);
      });
      after(() => browser?.close());

      const options = { transports: [transport], timeout: TIMEOUT };
      const run = (fn, ...args) => page.evaluate(([fn, args]) => window.H[fn](...args), [fn, args]);
      const t = (name, fn) => test(`${transport}: ${name}`, { timeout: 120000 }, fn);

      t('opens on the forced transport', async () => {
        const r = await run('echoSet', url('echo'), options, 'ascii');
        assert.equal(r.readyStateAtStart, 0);
        assert.equal(r.transport, transport);
      });

      for (const set of ['ascii', 'unicode', 'escape']) {
        t(`echoes ${set} messages`, async () => {
          const r = await run('echoSet', url('echo'), options, set);
          assert.equal(r.transport, transport);
          assert.deepEqual(r.diffs, []);
          assert.equal(r.received, r.sent);
        });
      }

      t('delivers 1000 messages in order', async () => {
        const r = await run('burst', url('echo'), options, 1000);
        assert.equal(r.count, 1000);
        assert.equal(r.firstMismatch, -1);
        assert.ok(r.inOrder);
      });

      t('echoes a 1 MiB message', async () => {
        const r = await run('big', url('echo'), options, 1 << 20);
        assert.equal(r.length, 1 << 20);
        assert.ok(r.equal, 'the echo differs from the message');
      });

      t('reports the server close code and reason', async () => {
        const r = await run('serverClose', url('close'), options);
        assert.equal(r.opened, true);
        assert.equal(r.transport, transport);
        assert.deepEqual(r.close, { type: 'close', code: 3000, reason: 'Go away!', wasClean: true, readyState: 3 });
      });

      t('closes from the client with its code and reason', async () => {
        const r = await run('clientClose', url('echo'), options, 3001, 'bye');
        assert.equal(r.transport, transport);
        assert.equal(r.readyStateAfterClose, 2);
        assert.deepEqual(r.close, { type: 'close', code: 3001, reason: 'bye', wasClean: true, readyState: 3 });
        assert.deepEqual(r.events, ['open', 'close']);
      });

      // sockjs-client itself leaves `_jp.x is not a function` errors behind when it aborts a
      // jsonp poll; only our client is held to a clean page.
      if (client === 'ours') {
        test('no uncaught errors in the page', () => {
          assert.deepEqual(browser.errors, []);
        });
      }
    });
  });
}
