// The demo chat (js/demo/) as served by our demo server with --static js: two pages, one on
// websocket and one forced onto eventsource, see each other's messages on /broadcast.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { ourServerPath, root, startBrowser, startOurServer } from './support.mjs';

const PORT = 18480;
const skip = ourServerPath() ? false : 'build/bin/sockjs-server not built';
let server, browser;

before(async () => {
  if (skip) return;
  server = await startOurServer(PORT, ['--static', path.join(root, 'js')]);
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the demo chat on /broadcast, across transports', { skip, timeout: 60000 }, async () => {
  const status = (page) => page.locator('#status').textContent();
  const [alice, bob] = [await browser.context.newPage(), await browser.context.newPage()];
  const errors = [];
  for (const page of [alice, bob]) page.on('pageerror', (e) => errors.push(String(e)));
  await alice.goto(`http://127.0.0.1:${PORT}/demo/`);
  await bob.goto(`http://127.0.0.1:${PORT}/demo/`);
  await bob.selectOption('#transport', 'eventsource');
  await alice.waitForFunction(() => document.getElementById('status').textContent.startsWith('connected'));
  await bob.waitForFunction(() => document.getElementById('status').textContent === 'connected via eventsource');
  assert.equal(await status(alice), 'connected via websocket');

  await alice.fill('#name', 'alice');
  await alice.fill('#text', 'hello, żółć 😀');
  await alice.click('form button');
  await bob.fill('#name', 'bob');
  await bob.fill('#text', 'hi <b>alice</b>');
  await bob.click('form button');
  for (const page of [alice, bob]) {
    await page.waitForFunction(() => document.querySelectorAll('#log p:not(.note)').length >= 2);
    assert.deepEqual(await page.locator('#log p:not(.note)').allTextContents(),
      ['alice: hello, żółć 😀', 'bob: hi <b>alice</b>']);
  }
  assert.deepEqual(errors, []);
});
