// Our own additions to the sockjs-client API, as an application uses them.
import SockJS, { type ReconnectingEvent, type SockJSOptions } from 'sockjs-cpp-client';

const options: SockJSOptions = {
  transports: 'websocket',
  livenessTimeout: 60000,
  reconnect: { retries: 5, minDelay: undefined },
  wasm: { locateFile: (name) => `/assets/${name}` },
};

export async function connect(url: string): Promise<SockJS> {
  await SockJS.load({ wasmBinary: undefined });
  const v: string = SockJS.version;
  const sock = new SockJS(url, undefined, options);
  sock.onheartbeat = () => console.log('beat', v);
  sock.addEventListener('reconnecting', (e: ReconnectingEvent) => console.log(e.attempt, e.delay));
  sock.addEventListener('close', (e) => console.log(e.code === 2001 ? 'client module broken' : e.reason));
  sock.onmessage = (e) => {
    const text: string = e.data;
    console.log(text, sock.transport);
  };
  // @ts-expect-error: send() takes one message
  sock.send(1, 2);
  return sock;
}
