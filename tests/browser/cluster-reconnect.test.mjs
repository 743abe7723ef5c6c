// Our browser client with reconnect on, through HAProxy in front of 3 server processes sharing
// Redis (tests/cluster/cluster.py): `kill -9` of the process holding its session, and the
// client opens a new session on a live process.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';

import { ourServerPath, root, startBrowser, startStaticServer } from './support.mjs';

const PORT = 18490;
const have = (program) => spawnSync('sh', ['-c', `command -v ${program} || test -x /usr/sbin/${program}`]).status === 0;
const skip = !ourServerPath() ? 'build/bin/sockjs-server not built'
  : !['redis-server', 'haproxy'].every(have) ? 'redis-server or haproxy not installed (scripts/setup.sh)' : false;
let cluster, info, web, browser;

before(async () => {
  if (skip) return;
  cluster = spawn('/usr/bin/python3', [path.join(root, 'tests/cluster/cluster.py'), '--server', ourServerPath(), '-n', '3'],
    { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin` } });
  const lines = createInterface({ input: cluster.stdout });
  info = JSON.parse(await new Promise((resolve, reject) => {
    lines.once('line', resolve);
    cluster.once('exit', (code) => reject(new Error(`cluster.py exited with ${code}`)));
  }));
  web = await startStaticServer(PORT);
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
  await web?.stop();
  if (cluster) {
    const exited = new Promise((resolve) => cluster.once('exit', resolve));
    cluster.stdin.end();  // cluster.py stops what it started
    await exited;
  }
});

test('kill -9 of the process holding the session: the client reconnects to a live one', { skip, timeout: 60000 }, async () => {
  const page = await browser.page(`${web.url}/tests/browser/page/index.html`);
  const url = `http://127.0.0.1:${info.port}/rooms`;
  const first = await page.evaluate((u) => new Promise((resolve) => {
    const s = new window.Client(u, null, { reconnect: { minDelay: 100, maxDelay: 500 } });
    window.ids = [];
    window.reconnecting = [];
    s.onmessage = (e) => {
      if (e.data.startsWith('id ')) window.ids.push(e.data.slice(3));
      if (window.ids.length === 1) resolve(window.ids[0]);
    };
    s.onreconnecting = (e) => window.reconnecting.push(e.code);
  }), url);
  const node = first.split('-')[0];
  assert.ok(info.nodes[node], `session on ${node}, not one of ${Object.keys(info.nodes)}`);
  process.kill(info.nodes[node], 'SIGKILL');
  await page.waitForFunction(() => window.ids.length >= 2, null, { timeout: 30000 });
  const [ids, codes] = await page.evaluate(() => [window.ids, window.reconnecting]);
  assert.notEqual(ids[1].split('-')[0], node, `reconnected to the dead process: ${ids}`);
  assert.ok(Object.keys(info.nodes).includes(ids[1].split('-')[0]));
  assert.equal(codes[0], 1006);
  assert.deepEqual(browser.errors, []);
});
