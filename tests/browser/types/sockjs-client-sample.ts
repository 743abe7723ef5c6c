// Code written against @types/sockjs-client 1.5 (compiled as is against it, and against our
// index.d.ts with only the import line changed: see ../types.test.mjs).
import SockJS from 'sockjs-client';

const options: SockJS.Options = {
  server: undefined,
  transports: ['websocket', 'xhr-streaming'],
  sessionId: () => Math.random().toString(36).slice(2),
  timeout: 5000,
};

function describe(e: SockJS.CloseEvent): string {
  return `${e.code} ${e.reason} ${e.wasClean ? 'clean' : 'not clean'}`;
}

function onMessage(e: SockJS.MessageEvent): string {
  return e.data;
}

const states: SockJS.State[] = [SockJS.CONNECTING, SockJS.OPEN, SockJS.CLOSING, SockJS.CLOSED];

export function connect(url: string): WebSocket {
  const sock = new SockJS(url, null, options);
  sock.onopen = () => sock.send('hello');
  sock.onmessage = (e) => console.log(e.data);
  sock.onclose = (e) => console.log(describe(e));
  sock.addEventListener('message', (e) => console.log(onMessage(e)));
  const withoutNew = SockJS(url);
  withoutNew.close(1000, 'bye');
  const s: number = sock.readyState;
  if (s === SockJS.OPEN && states.includes(SockJS.OPEN)) sock.close();
  console.log(sock.url, sock.protocol, sock.extensions, sock.bufferedAmount, sock.binaryType);
  const ws: WebSocket = sock;
  return ws;
}
