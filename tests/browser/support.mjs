// What the browser tests run on: the SockJS servers (reference and ours) as child processes, a
// static file server for the test page and the packages, test proxies, and headless Chromium
// driven by playwright-core. Everything listens on 127.0.0.1 only, on ports from the block
// each test file passes in.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Every client transport, in sockjs-client's fallback order. */
export const TRANSPORTS = ['websocket', 'xhr-streaming', 'eventsource', 'xhr-polling', 'jsonp-polling'];

/** Resolves when `port` on 127.0.0.1 accepts a connection; rejects after `ms`. */
export async function waitForPort(port, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`nothing listens on port ${port} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts a child process and waits for its port; returns { stop() }. */
async function startProcess(cmd, args, port) {
  const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    await Promise.race([
      waitForPort(port),
      exited.then((code) => { throw new Error(`${cmd} exited (${code}) before listening: ${stderr}`); }),
    ]);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return {
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** The reference server, npm sockjs 0.3.24 (tests/support/ref-server.js). */
export function startRefServer(port) {
  return startProcess(process.execPath, [path.join(root, 'tests/support/ref-server.js'), String(port)], port);
}

/**
 * Our demo server, build/bin/sockjs-server (or $SOCKJS_SERVER). Returns null when it has not
 * been built, so that its tests are skipped; in CI a missing server is an error.
 */
export function ourServerPath() {
  const bin = process.env.SOCKJS_SERVER || path.join(root, 'build/bin/sockjs-server');
  if (existsSync(bin)) return bin;
  if (process.env.CI === 'true') throw new Error(`${bin} is missing: build it first (scripts/test.sh does)`);
  return null;
}

export function startOurServer(port, args = []) {
  return startProcess(ourServerPath(), ['--port', String(port), '--quiet', ...args], port);
}

/** The servers under test, by name: { name, start(port) }; ours only when built. */
export function servers() {
  const list = [{ name: 'ref', start: startRefServer }];
  list.push({ name: 'ours', start: startOurServer, skip: ourServerPath() ? false : 'build/bin/sockjs-server not built' });
  return list;
}

function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function closeServer(server) {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
// Only these folders are served: the package, the test page, sockjs-client's browser build.
const SERVED = ['/js/', '/tests/browser/page/', '/node_modules/sockjs-client/dist/'];

/**
 * Serves the test page and the packages from the repository, GET only; over https when `tls`
 * ({ cert, key }: PEM file paths) is given.
 */
/**
 * CORS for a scripted SockJS server that a page on another origin calls: the credentialed
 * origin on every response, and the answer to a preflight. True if `req` was a preflight
 * (answered; nothing more to do).
 */
export function answerCors(req, res) {
  res.setHeader('Access-Control-Allow-Origin', req.headers.origin || '*');
  res.setHeader('Access-Control-Allow-Credentials', 'true');
  if (req.method !== 'OPTIONS') return false;
  res.writeHead(204, { 'Access-Control-Allow-Methods': 'OPTIONS, POST', 'Access-Control-Allow-Headers': 'content-type' });
  res.end();
  return true;
}

export async function startStaticServer(port, { tls = null } = {}) {
  const onRequest = (req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = path.join(root, path.normalize(urlPath));
    const type = TYPES[path.extname(file)];
    if (req.method !== 'GET' || !SERVED.some((p) => urlPath.startsWith(p)) || !file.startsWith(root) || !type ||
        !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' });
    res.end(readFileSync(file));
  };
  const server = tls
    ? https.createServer({ cert: readFileSync(tls.cert), key: readFileSync(tls.key) }, onRequest)
    : http.createServer(onRequest);
  await listen(server, port);
  return { url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`, stop: () => closeServer(server) };
}

/**
 * A forwarding HTTP proxy in front of `target` (a port) that behaves like a network in the way:
 * - rejectUpgrade: WebSocket upgrades get 403 (a proxy without WebSocket support);
 * - buffer: each response reaches the client only once it is complete, as buffering proxies do
 *   (streaming transports then never see their first frame);
 * - refuseSessions: /info passes, every session URL gets 404 (no transport can work).
 * `tried` lists the receiving transports requested through it, in order (URL names).
 */
export async function startProxy(port, target, { rejectUpgrade = true, buffer = false, refuseSessions = false } = {}) {
  // The receiving transports asked for, in order, each once per run of requests.
  const tried = [];
  const note = (reqUrl) => {
    const t = /^\/[^/]+\/[^/.]+\/[^/.]+\/([a-z_]+)(\?.*)?$/.exec(reqUrl)?.[1];
    if (t && !t.endsWith('_send') && tried.at(-1) !== t) tried.push(t);
    return Boolean(t);
  };
  const server = http.createServer((req, res) => {
    const sessionUrl = note(req.url);
    if (refuseSessions && sessionUrl) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('refused by the test proxy');
      return;
    }
    const upstream = http.request({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        if (!buffer) {
          res.writeHead(up.statusCode, up.headers);
          up.pipe(res);
          return;
        }
        const chunks = [];
        up.on('data', (c) => chunks.push(c));
        up.on('end', () => {
          const body = Buffer.concat(chunks);
          const headers = { ...up.headers, 'content-length': body.length };
          delete headers['transfer-encoding'];
          res.writeHead(up.statusCode, headers);
          res.end(body);
        });
      });
    upstream.on('error', () => res.destroy());
    // A client that gives up (e.g. on a transport timeout) aborts the upstream request too.
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  server.on('upgrade', (req, socket) => {
    note(req.url);
    if (rejectUpgrade) {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    socket.destroy();
  });
  await listen(server, port);
  return { url: `http://127.0.0.1:${port}`, tried, stop: () => closeServer(server) };
}

/**
 * Headless Debian Chromium on a fresh profile; returns { context, page(url), close() }.
 * `home`: the HOME Chromium runs with (its NSS certificate store is $HOME/.pki/nssdb).
 */
export async function startBrowser({ home = null } = {}) {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(path.join(tmpdir(), 'sockjs-browser-test-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    ...(home ? { env: { ...process.env, HOME: home } } : {}),
  });
  const errors = [];
  return {
    context,
    errors,
    /** A new tab on `url`; uncaught page errors are collected in `errors`. */
    async page(url) {
      const page = await context.newPage();
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(url);
      await page.waitForFunction(() => window.harnessReady === true, null, { timeout: 15000 });
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * The setup the browser test files share, registered as the calling suite's before and after
 * hooks: `servers()` starts the file's own servers (an array of { stop() }), then the static
 * server on `webPort` (if given), headless Chromium and, with `page`, a tab on the test page
 * (with `fakeClock`, on Playwright's clock, installed before the page loads). After the suite
 * everything stops in reverse order, and uncaught page errors fail it. Returns the handles,
 * filled in by the before hook: { browser, page, web, servers }.
 */
export function browserSuite({ servers = async () => [], webPort = 0, page = false, fakeClock = false } = {}) {
  const env = { browser: null, page: null, web: null, servers: [] };
  const stack = [];
  before(async () => {
    env.servers = await servers();
    stack.push(...env.servers);
    if (webPort) stack.push((env.web = await startStaticServer(webPort)));
    env.browser = await startBrowser();
    stack.push({ stop: () => env.browser.close() });
    if (fakeClock) await env.browser.context.clock.install();
    if (page) env.page = await env.browser.page(`${env.web.url}/tests/browser/page/index.html`);
    stack.push({ stop: async () => { if (env.browser.errors.length) throw new Error(`page errors: ${env.browser.errors.join(' | ')}`); } });
  });
  after(async () => {
    for (const s of stack.reverse()) await s.stop();
  });
  return env;
}
