// The packed package as an application gets it: `npm pack` of js/ (which builds the bundles),
// installed from the tarball (or the folder) into a scratch app in a temp directory, then built
// or served the way each setup does it. Vite and esbuild come from the repository's
// node_modules; the scratch app's own node_modules holds only sockjs-cpp-client.

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { root, waitForPort } from './support.mjs';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** `npm pack` of js/ into a temp directory; returns the tarball's path (cleaned by the caller). */
export function packTarball(dir) {
  const out = execFileSync(npm, ['pack', '--silent', '--pack-destination', dir], {
    cwd: path.join(root, 'js'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'],
  });
  return path.join(dir, out.trim().split('\n').pop());
}

/**
 * A scratch app in a new temp directory with `spec` (a tarball or a folder) installed. A folder
 * is installed with --install-links (copied, as from a tarball), as the README says: a symlink
 * to a folder outside the app is outside what vite's dev server may serve.
 */
export function scratchApp(spec, files = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'sockjs-app-'));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true, type: 'module' }));
  const links = spec.endsWith('.tgz') ? [] : ['--install-links'];
  execFileSync(npm, ['install', '--no-audit', '--no-fund', '--offline', '--ignore-scripts', ...links, spec],
    { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  writeFiles(dir, files);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeFiles(dir, files) {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
}

const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

/** Serves `dir` as is (GET), every response with `headers` (e.g. a CSP). */
export function serveFolder(dir, port, headers = {}) {
  const server = http.createServer((req, res) => {
    let p = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (p.endsWith('/')) p += 'index.html';
    const file = path.join(dir, path.normalize(p));
    if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile() || !TYPES[path.extname(file)]) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)], 'Cache-Control': 'no-store', ...headers });
    res.end(readFileSync(file));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve({
      url: `http://127.0.0.1:${port}`,
      stop: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
    }));
  });
}

/** Runs a tool from the repository's node_modules/.bin in `cwd`; throws with its output on failure. */
export function runTool(tool, args, cwd) {
  return execFileSync(path.join(root, 'node_modules/.bin', tool), args, { cwd, encoding: 'utf8', stdio: 'pipe' });
}

/** `vite` (dev server) in `cwd` on `port`; returns { url, stop() }. */
export async function viteDev(cwd, port) {
  const child = spawn(path.join(root, 'node_modules/.bin/vite'), ['--port', String(port), '--strictPort', '--host', '127.0.0.1'],
    { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  await Promise.race([waitForPort(port, 30000),
    exited.then((c) => { throw new Error(`vite exited (${c}): ${stderr}`); })]);
  return {
    url: `http://127.0.0.1:${port}`,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}

/**
 * The app every setup runs: connects to `window.SOCKJS_URL` (from the page's query string),
 * echoes one message, and puts the outcome in `window.result`.
 */
export const APP_MAIN = `
const url = new URLSearchParams(location.search).get('server');
const transports = new URLSearchParams(location.search).get('transports') || undefined;
const sock = SockJS(url, null, { transports });
const log = [];
sock.onopen = () => { log.push('open'); sock.send('hello'); };
sock.onmessage = (e) => { log.push('message ' + e.data); sock.close(); };
sock.onerror = () => log.push('error');
sock.onclose = (e) => {
  log.push('close ' + e.code);
  window.result = { log, version: SockJS.version, transport: sock.transport };
};
`;

/** Opens `pageUrl` in a new tab and waits for window.result. */
export async function runPage(browser, pageUrl) {
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  try {
    await page.goto(pageUrl);
    await page.waitForFunction(() => window.result !== undefined, null, { timeout: 20000 });
    return { ...(await page.evaluate(() => window.result)), errors };
  } catch (e) {
    throw new Error(`${pageUrl}: ${e.message}; page errors: ${errors.join(' | ')}`);
  } finally {
    await page.close();
  }
}
