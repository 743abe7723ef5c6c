'use strict';
// The reference SockJS server (npm `sockjs` 0.3.24, sockjs-node) with the services the client
// tests use. Browser and native client tests start it to check our clients against the
// implementation every SockJS client was written for.
//
// usage: node tests/support/sockjs-ref-server.cjs PORT   (binds 127.0.0.1; prints
// "listening on PORT" once it accepts connections; stops on SIGTERM/SIGINT)
//
//   /echo                     echoes every message (response_limit 4096, as our demo server)
//   /close                    closes every session once open: 3000 "Go away!"
//   /broadcast                every message to every open /broadcast session
//   /disabled_websocket_echo  echo, with the websocket transport off
//   /heartbeat_echo           echo, with a heartbeat every 200 ms (instead of 25 s)

const http = require('http');
const sockjs = require('sockjs');

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error('usage: node sockjs-ref-server.cjs PORT');
  process.exit(2);
}

const quiet = { log: () => {} };
const server = http.createServer((req, res) => {
  res.writeHead(404, { 'Content-Type': 'text/plain' });
  res.end('Not found\n');
});

function echo(conn) {
  conn.on('data', (m) => conn.write(m));
}

sockjs.createServer({ ...quiet, response_limit: 4096 }).on('connection', echo)
  .installHandlers(server, { prefix: '/echo' });
sockjs.createServer({ ...quiet, websocket: false, response_limit: 4096 }).on('connection', echo)
  .installHandlers(server, { prefix: '/disabled_websocket_echo' });
sockjs.createServer({ ...quiet, heartbeat_delay: 200 }).on('connection', echo)
  .installHandlers(server, { prefix: '/heartbeat_echo' });
sockjs.createServer(quiet).on('connection', (conn) => conn.close(3000, 'Go away!'))
  .installHandlers(server, { prefix: '/close' });

const members = new Set();
sockjs.createServer(quiet).on('connection', (conn) => {
  members.add(conn);
  conn.on('data', (m) => { for (const c of members) c.write(m); });
  conn.on('close', () => members.delete(conn));
}).installHandlers(server, { prefix: '/broadcast' });

server.listen(port, '127.0.0.1', () => console.log(`listening on ${port}`));
const stop = () => server.close(() => process.exit(0)) && setTimeout(() => process.exit(0), 500).unref();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
