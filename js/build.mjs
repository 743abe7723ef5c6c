// Builds the package's bundles from src/ next to the wasm module in dist/:
//   dist/sockjs.mjs     the ES module (package entry), minified
//   dist/sockjs.min.js  the classic-script build: a global `SockJS`, as sockjs-client's CDN file
// Both find dist/sockjs-core.wasm next to themselves. The wasm module is built by CMake
// (`emcmake cmake -S .. -B ../build-wasm && cmake --build ../build-wasm`), which copies it here;
// without it this script fails, so that `npm pack` (whose prepack runs it) never packs a
// package that cannot load.
//
//   node build.mjs           build
//   node build.mjs --sizes   build, then print each file's bytes, raw and gzipped
import { build } from 'esbuild';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, 'dist');
const wasm = path.join(dist, 'sockjs-core.wasm');
const { version } = JSON.parse(readFileSync(path.join(here, 'package.json'), 'utf8'));

if (!existsSync(wasm) || statSync(wasm).size === 0) {
  console.error(`${wasm} is missing: build it first (from the repository root:\n` +
    '  emcmake cmake -S . -B build-wasm && cmake --build build-wasm --target sockjs_client_package)');
  process.exit(1);
}

// Property names that only the glue itself uses, renamed by the minifier (-0.3 KB gzipped).
// Never a name that the page, the options, the events or a browser object also use (url, data,
// transport, code, reason, wasClean, server, transports, timeout, sessionId, maxFrameBytes;
// `done` of a stream read): those would be renamed too and break.
const internal = [
  'm', 'h', 'core', 'transportNames', 'cstring', 'input', 'outputString', 'outputBytes', 'reconnectPolicy',
  'destroy', 'state', 'infoResponse', 'receiverResponse', 'receiverData', 'receiverEvent', 'receiverEnd',
  'frame', 'transportClosed', 'takeOutgoing', 'sendResult', 'closeDispatched', 'path', 'nextEvent',
  'nextDeadline', 'onDeadline', 'kind', 'text', 'opts', 'events', 'session', 'ct', 'sid', 'info',
  'infoAborted', 'timer', 'pumping', 'flushQueued', 'closeRequested', 'alive', 'report', 'event', 'closed',
  'flush', 'stopTransport', 'startTransport', 'pump', 'discard', 'conn', 'wantsBytes', 'ws', 'aborter', 'es',
  'iframe', 'polls', 'receive', 'canSend', 'stopStream', 'attempts', 'idLength', 'liveness', 'available',
  'seed', 'reopenReceiver', 'heartbeat',
];

const common = {
  entryPoints: [path.join(here, 'src/index.js')],
  bundle: true,
  minify: true,
  mangleProps: new RegExp(`^(${internal.join('|')})$`),
  target: 'es2022',
  define: { __SOCKJS_VERSION__: JSON.stringify(version) },
  legalComments: 'none',
  logLevel: 'warning',
};

await build({ ...common, format: 'esm', outfile: path.join(dist, 'sockjs.mjs') });
// A classic script has no import.meta: its own URL (document.currentScript, read while it
// runs) locates the .wasm instead.
await build({
  ...common,
  entryPoints: [path.join(here, 'src/global.js')],
  format: 'iife',
  outfile: path.join(dist, 'sockjs.min.js'),
  banner: { js: 'var __sockjsScriptUrl=document.currentScript&&document.currentScript.src||location.href;' },
  define: { ...common.define, 'import.meta.url': '__sockjsScriptUrl' },
});

/** Raw and gzipped (level 9) bytes of a file in dist/. */
export function sizeOf(name) {
  const b = readFileSync(path.join(dist, name));
  return { raw: b.length, gzip: gzipSync(b, { level: 9 }).length };
}

if (process.argv.includes('--sizes')) {
  for (const f of ['sockjs-core.wasm', 'sockjs.mjs', 'sockjs.min.js']) {
    const s = sizeOf(f);
    console.log(`${f.padEnd(18)} ${String(s.raw).padStart(6)} B raw  ${String(s.gzip).padStart(6)} B gzipped`);
  }
}
