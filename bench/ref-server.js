// The reference side of the benchmark (bench/run.sh): npm sockjs 0.3.24 serving the same two
// services as our demo server, with the same semantics:
//   /echo       every message back to its sender; response_limit 4096, as the demo's /echo
//               (which the protocol suite's streaming tests need); raw WebSocket at /echo/websocket
//   /broadcast  every message to every open session of /broadcast, the sender included
// Logging is off, as the demo server runs with --quiet. Usage: node ref-server.js PORT
'use strict';

const http = require('http');
const path = require('path');
const sockjs = require(path.join(__dirname, '..', 'node_modules', 'sockjs'));

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error('usage: node ref-server.js PORT');
  process.exit(2);
}

const quiet = () => {};
const server = http.createServer();

const echo = sockjs.createServer({ log: quiet, response_limit: 4096 });
echo.on('connection', (conn) => {
  conn.on('data', (message) => conn.write(message));
});
echo.installHandlers(server, { prefix: '/echo' });

const members = new Set();
const broadcast = sockjs.createServer({ log: quiet });
broadcast.on('connection', (conn) => {
  members.add(conn);
  conn.on('close', () => members.delete(conn));
  conn.on('data', (message) => {
    for (const member of members) member.write(message);
  });
});
broadcast.installHandlers(server, { prefix: '/broadcast' });

server.listen(port, '127.0.0.1', () => {
  console.error(`ref-server: listening on http://127.0.0.1:${port} (sockjs ${require(path.join(__dirname, '..', 'node_modules', 'sockjs', 'package.json')).version})`);
});
process.on('SIGTERM', () => process.exit(0));
