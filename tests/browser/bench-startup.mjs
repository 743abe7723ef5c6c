// Startup benchmark (not a test): time from `new SockJS(url)` to `open` in headless Chromium,
// sockjs-cpp-client (dist/sockjs.mjs + .wasm, built by js/build.mjs) against sockjs-client
// 1.6.1, on the same server and transport (websocket), each in a fresh tab:
// - cold: the first connection of the page (ours includes fetching and compiling the .wasm);
// - warm: a second connection in the same page.
//
//   node tests/browser/bench-startup.mjs [ref|ours] [runs]      (default: ref 20)
// Ports 18720-18721. Figures are medians in ms; on a loaded machine they are indicative only.

import { startBrowser, startOurServer, startRefServer, startStaticServer } from './support.mjs';

const which = process.argv[2] || 'ref';
const runs = Number(process.argv[3] || 20);
const PORT = 18720;

const server = which === 'ours' ? await startOurServer(PORT) : await startRefServer(PORT);
const web = await startStaticServer(PORT + 1);
const browser = await startBrowser();
const url = `http://127.0.0.1:${PORT}/echo`;

async function once(client) {
  const page = await browser.context.newPage();
  await page.goto(`${web.url}/tests/browser/page/index.html?client=${client}`);
  await page.waitForFunction(() => window.harnessReady === true, null, { timeout: 15000 });
  const r = await page.evaluate(async ({ client, url }) => {
    const SockJS = client === 'sockjs-client' ? window.SockJS : (await import('/js/dist/sockjs.mjs')).default;
    const connect = () => new Promise((resolve, reject) => {
      const t0 = performance.now();
      const s = new SockJS(url, null, { transports: 'websocket' });
      s.onopen = () => { const t = performance.now() - t0; s.close(); resolve(t); };
      s.onclose = (e) => reject(new Error(`closed ${e.code}`));
    });
    const cold = await connect();
    const warm = await connect();
    return { cold, warm };
  }, { client, url });
  await page.close();
  return r;
}

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  const out = {};
  for (const client of ['sockjs-client', 'ours']) out[client] = { cold: [], warm: [] };
  for (let i = 0; i < runs; i++) {
    for (const client of ['sockjs-client', 'ours']) {
      const r = await once(client);
      out[client].cold.push(r.cold);
      out[client].warm.push(r.warm);
    }
  }
  console.log(`server: ${which}, ${runs} runs each, websocket, median ms from new SockJS() to open`);
  for (const [client, r] of Object.entries(out)) {
    console.log(`${client.padEnd(14)} cold ${median(r.cold).toFixed(1).padStart(6)}  warm ${median(r.warm).toFixed(1).padStart(6)}`);
  }
} finally {
  await browser.close();
  await web.stop();
  await server.stop();
}
