'use strict';
// The reference SockJS server (npm `sockjs` 0.3.24, from the repository's own package.json:
// run `npm ci` at the top first) with the services our tests talk to:
//   /echo                     echoes every message; response_limit 4096, so xhr-streaming
//                             clients must reopen their receiver often
//   /close                    closes every session on open with 3000 "Go away!"
//   /disabled_websocket_echo  echo without the websocket transport (/info says so)
//   /cookie_needed_echo       echo with JSESSIONID handling
//   /broadcast                every message goes to every open /broadcast session
//   /heartbeat_echo           echo with a heartbeat every 200 ms (instead of 25 s)
//
// The one reference server of the repository: the native-client tests, the browser tests and
// bench/run.sh all start this file, so every comparison is against the same services.
//
// usage: node tests/support/ref-server.js PORT [--tls CERT KEY]
//   binds 127.0.0.1; prints one line when listening; SIGTERM or SIGINT stops it. With --tls,
//   node's https server with that PEM certificate and key (the services speak https/wss).

const fs = require('fs');
const http = require('http');
const https = require('https');

let sockjs;
try {
  sockjs = require('sockjs');
} catch (e) {
  console.error('ref-server: cannot load the npm package "sockjs"; run `npm ci` at the repository root');
  process.exit(3);
}

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error('usage: node ref-server.js PORT');
  process.exit(2);
}

// sockjs-node's defaults, spelled out; only errors are logged.
const base = { heartbeat_delay: 25000, disconnect_delay: 5000, log: (sev, line) => sev === 'error' && console.error(line) };

const everyone = new Set();
const services = {
  '/echo': [{ response_limit: 4096 }, (c) => c.on('data', (m) => c.write(m))],
  '/close': [{}, (c) => c.close(3000, 'Go away!')],
  '/disabled_websocket_echo': [{ websocket: false }, (c) => c.on('data', (m) => c.write(m))],
  '/cookie_needed_echo': [{ jsessionid: true }, (c) => c.on('data', (m) => c.write(m))],
  '/heartbeat_echo': [{ heartbeat_delay: 200 }, (c) => c.on('data', (m) => c.write(m))],
  '/broadcast': [{}, (c) => {
    everyone.add(c);
    c.on('data', (m) => everyone.forEach((o) => o.write(m)));
    c.on('close', () => everyone.delete(c));
  }],
};

const tlsAt = process.argv.indexOf('--tls');
const tls = tlsAt > 0 ? { cert: fs.readFileSync(process.argv[tlsAt + 1]), key: fs.readFileSync(process.argv[tlsAt + 2]) } : null;
const notFound = (req, res) => {
  res.writeHead(404, { 'Content-Type': 'text/plain' });
  res.end('not a SockJS service\n');
};
const server = tls ? https.createServer(tls, notFound) : http.createServer(notFound);
server.on('upgrade', (req, socket) => socket.destroy());  // upgrades no service took

for (const [prefix, [opts, onConnection]] of Object.entries(services)) {
  const service = sockjs.createServer({ ...base, ...opts });
  service.on('connection', onConnection);
  service.installHandlers(server, { prefix });
}

server.listen(port, '127.0.0.1', () => console.log(`ref-server: sockjs ${require('sockjs/package.json').version} on ${tls ? 'https' : 'http'}://127.0.0.1:${port}`));
server.on('error', (e) => {
  console.error(`ref-server: ${e.message}`);
  process.exit(1);
});

// Streaming and WebSocket connections would keep server.close() waiting: just exit.
const stop = () => process.exit(0);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
