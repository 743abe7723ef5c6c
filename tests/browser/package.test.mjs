// The packed package in every setup its README describes, each in headless Chromium against the
// reference server's /echo: vite (dev server and build; installed from the tarball and from the
// folder), esbuild, a bare <script type=module> with an import map, the classic <script> build
// (global SockJS), a strict Content-Security-Policy, and node. Each app opens, echoes one
// message and closes; js/README.md shows the same code.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';

import { APP_MAIN, packTarball, runPage, runTool, scratchApp, serveFolder, viteDev, writeFiles } from './package-support.mjs';
import { browserSuite, root, startRefServer } from './support.mjs';

const BASE = 18700; // ports BASE .. BASE + 19
const version = JSON.parse(readFileSync(path.join(root, 'js/package.json'), 'utf8')).version;
const OK = ['open', 'message hello', 'close 1000'];

// The one line of vite configuration the README gives: vite's dev server pre-bundles
// dependencies into node_modules/.vite, where the .wasm next to the module is not.
const viteApp = {
  'vite.config.js': "export default { optimizeDeps: { exclude: ['sockjs-cpp-client'] } };\n",
  'index.html': '<!doctype html><script type="module" src="/main.js"></script>',
  'main.js': `import SockJS from 'sockjs-cpp-client';\n${APP_MAIN}`,
};

describe('the packed package in each setup', () => {
  let tarball;
  const env = browserSuite({
    servers: async () => {
      const packDir = mkdtempSync(path.join(tmpdir(), 'sockjs-pack-'));
      const scratch = { stop: () => rmSync(packDir, { recursive: true, force: true }) };
      tarball = packTarball(packDir);
      return [scratch, await startRefServer(BASE)];
    },
  });
  const server = `http://127.0.0.1:${BASE}`;
  const echo = () => `${server}/echo`;

  test('the tarball holds the bundles, the wasm, the types, the README and the license field', () => {
    const list = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
    assert.deepEqual(list, ['package/README.md', 'package/dist/sockjs-core.wasm', 'package/dist/sockjs.min.js',
      'package/dist/sockjs.mjs', 'package/index.d.ts', 'package/package.json']);
    const pkg = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
    assert.equal(pkg.license, 'MIT');
    assert.ok(pkg.repository?.url);
    assert.equal(pkg.engines?.node, '>=18');
  });

  for (const from of ['tarball', 'folder']) {
    test(`vite dev server, installed from the ${from}`, async () => {
      const app = scratchApp(from === 'tarball' ? tarball : path.join(root, 'js'), viteApp);
      const port = BASE + (from === 'tarball' ? 2 : 3);
      const vite = await viteDev(app.dir, port);
      try {
        const r = await runPage(env.browser, `${vite.url}/?server=${echo()}`);
        assert.deepEqual(r.log, OK, r.errors.join('\n'));
        assert.equal(r.version, version);
      } finally {
        await vite.stop();
        app.remove();
      }
    });

    test(`vite build, installed from the ${from}`, async () => {
      const app = scratchApp(from === 'tarball' ? tarball : path.join(root, 'js'), viteApp);
      try {
        runTool('vite', ['build', '--logLevel', 'error'], app.dir);
        const web = await serveFolder(path.join(app.dir, 'dist'), BASE + (from === 'tarball' ? 4 : 5));
        try {
          const r = await runPage(env.browser, `${web.url}/?server=${echo()}`);
          assert.deepEqual(r.log, OK, r.errors.join('\n'));
        } finally {
          await web.stop();
        }
      } finally {
        app.remove();
      }
    });
  }

  test('esbuild --bundle, with the one line of the README', async () => {
    const app = scratchApp(tarball, {
      'main.js': `import SockJS from 'sockjs-cpp-client';
import wasmUrl from 'sockjs-cpp-client/sockjs-core.wasm';
SockJS.load({ locateFile: () => wasmUrl });
${APP_MAIN}`,
      'public/index.html': '<!doctype html><script type="module" src="/main.js"></script>',
    });
    try {
      runTool('esbuild', ['main.js', '--bundle', '--format=esm', '--outdir=public', '--loader:.wasm=file',
        '--log-level=error'], app.dir);
      const web = await serveFolder(path.join(app.dir, 'public'), BASE + 6);
      try {
        const r = await runPage(env.browser, `${web.url}/?server=${echo()}`);
        assert.deepEqual(r.log, OK, r.errors.join('\n'));
      } finally {
        await web.stop();
      }
    } finally {
      app.remove();
    }
  });

  test('a bare <script type=module> with an import map', async () => {
    const app = scratchApp(tarball, {
      'index.html': `<!doctype html>
<script type="importmap">{ "imports": { "sockjs-cpp-client": "/node_modules/sockjs-cpp-client/dist/sockjs.mjs" } }</script>
<script type="module" src="/main.js"></script>`,
      'main.js': `import SockJS from 'sockjs-cpp-client';\n${APP_MAIN}`,
    });
    const web = await serveFolder(app.dir, BASE + 7);
    try {
      const r = await runPage(env.browser, `${web.url}/?server=${echo()}`);
      assert.deepEqual(r.log, OK, r.errors.join('\n'));
    } finally {
      await web.stop();
      app.remove();
    }
  });

  // The strict policy of the README: scripts from the page's origin, and compiling WebAssembly.
  const csp = (wasm) => `default-src 'self'; script-src 'self'${wasm ? " 'wasm-unsafe-eval'" : ''}; ` +
    `connect-src 'self' http://127.0.0.1:${BASE} ws://127.0.0.1:${BASE}`;
  const classicApp = {
    'index.html': `<!doctype html>
<script src="/node_modules/sockjs-cpp-client/dist/sockjs.min.js"></script>
<script src="/main.js"></script>`,
    'main.js': APP_MAIN,
  };

  test(`a classic <script> tag (global SockJS), under CSP "script-src 'self' 'wasm-unsafe-eval'"`, async () => {
    const app = scratchApp(tarball, classicApp);
    const web = await serveFolder(app.dir, BASE + 8, { 'Content-Security-Policy': csp(true) });
    try {
      const r = await runPage(env.browser, `${web.url}/?server=${echo()}`);
      assert.deepEqual(r.log, OK, r.errors.join('\n'));
      assert.equal(r.version, version);
    } finally {
      await web.stop();
      app.remove();
    }
  });

  test(`an ES module under CSP "script-src 'self' 'wasm-unsafe-eval'"; without it, close 2001 after an error event`, async () => {
    const app = scratchApp(tarball, {
      'index.html': `<!doctype html><script type="module" src="/main.js"></script>`,
      'main.js': `import SockJS from '/node_modules/sockjs-cpp-client/dist/sockjs.mjs';\n${APP_MAIN}`,
    });
    try {
      for (const wasm of [true, false]) {
        const web = await serveFolder(app.dir, BASE + 9 + (wasm ? 0 : 1), { 'Content-Security-Policy': csp(wasm) });
        try {
          const r = await runPage(env.browser, `${web.url}/?server=${echo()}`);
          assert.deepEqual(r.log, wasm ? OK : ['error', 'close 2001'], r.errors.join('\n'));
        } finally {
          await web.stop();
        }
      }
    } finally {
      app.remove();
    }
  });

  test('a wasm file that is not found: close 2001 "Cannot load the client module", not 1002', async () => {
    const app = scratchApp(tarball, {
      'index.html': '<!doctype html><script type="module" src="/main.js"></script>',
      'main.js': `import SockJS from '/node_modules/sockjs-cpp-client/dist/sockjs.mjs';
SockJS.load({ locateFile: () => '/nowhere.wasm' }).catch(() => {});
const sock = new SockJS(new URLSearchParams(location.search).get('server'));
const log = [];
sock.onerror = (e) => log.push('error ' + (e.error instanceof Error));
sock.onclose = (e) => { log.push('close ' + e.code + ' ' + e.reason); window.result = { log }; };`,
    });
    const web = await serveFolder(app.dir, BASE + 11);
    try {
      const r = await runPage(env.browser, `${web.url}/?server=${echo()}`);
      assert.deepEqual(r.log, ['error true', 'close 2001 Cannot load the client module']);
    } finally {
      await web.stop();
      app.remove();
    }
  });

  for (const ws of [true, false]) {
    test(`node ${ws ? 'with the ws package as WebSocket' : 'without a WebSocket (falls back to xhr-streaming)'}`, async () => {
      const wsModule = path.join(root, 'node_modules/ws/wrapper.mjs');
      const app = scratchApp(tarball, {
        'app.mjs': `${ws ? `globalThis.WebSocket ??= (await import(${JSON.stringify(wsModule)})).WebSocket;\n` : ''}
import SockJS from 'sockjs-cpp-client';
const sock = new SockJS(process.argv[2]);
const log = [];
sock.onopen = () => { log.push('open ' + sock.transport); sock.send('hello'); };
sock.onmessage = (e) => { log.push('message ' + e.data); sock.close(); };
sock.onclose = (e) => { log.push('close ' + e.code); console.log(JSON.stringify(log)); };
setTimeout(() => { console.log(JSON.stringify(log)); process.exit(1); }, 15000).unref();`,
      });
      try {
        // node 20 would otherwise have no WebSocket; 22 has one built in (hidden here, so that
        // the fallback case is the same on every node).
        const out = execFileSync(process.execPath, ['app.mjs', echo()], {
          cwd: app.dir, encoding: 'utf8', timeout: 30000,
          env: { ...process.env, NODE_OPTIONS: '' },
        });
        const expected = ws ? 'websocket' : 'xhr-streaming';
        assert.deepEqual(JSON.parse(out.trim().split('\n').pop()), [`open ${expected}`, 'message hello', 'close 1000']);
      } finally {
        app.remove();
      }
    });
  }
});
