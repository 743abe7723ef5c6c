// tests/data/client_behaviour.vectors replayed through our browser client in Chromium, one
// scenario per test: a fake SockJS server carries out each input step (answers /info, starts,
// feeds and ends the receiving request or WebSocket, answers the sends), the page calls send()
// and close() where the vector does, and each expectation is checked on what the browser shows
// (the application's events and readyState, the requests the server sees). The page's clock is
// Playwright's fake one, paused: `wait MS` moves it on by MS, and the /info round trip is the
// 50 ms the vectors assume. A scenario a browser cannot meet is listed in NOT_IN_A_BROWSER with
// the reason; every other record of the file runs.
// Ports 18530-18531.

import assert from 'node:assert/strict';
import http from 'node:http';
import { before, describe, test } from 'node:test';

import { WebSocketServer } from 'ws';

import { answerCors, browserSuite } from './support.mjs';
import { loadVectors, utf8 } from './vectors.mjs';

const PORT = 18530;

const NOT_IN_A_BROWSER = {
  'kind: reconnect': 'these records drive reconnect_policy alone, with the close code, its cleanness and the ' +
    'random number as inputs; a browser session cannot be made to end with each of those in turn (an ' +
    'unclean 1006 without an open in between does not occur) and draws its random numbers from crypto. ' +
    'The browser\'s use of the policy is checked end to end by client-policy.test.mjs (reconnect tests).',
};

// The URL names of the transports.
const URL_NAME = {
  websocket: 'websocket', 'xhr-streaming': 'xhr_streaming', eventsource: 'eventsource', 'xhr-polling': 'xhr',
  'jsonp-polling': 'jsonp',
};
const READY_STATE = { connecting: 0, open: 1, closing: 2, closed: 3 };
const JS_TYPE = { 'Content-Type': 'application/javascript; charset=UTF-8' };
// How long a step may take to show in the browser (real time), and how long "nothing" is watched.
const STEP_MS = 5000;
const SETTLE_MS = 150;

/**
 * Ends a request without an answer. Before any byte of a response, with a broken one: a
 * connection that simply closes makes Chromium send the request again on a new one.
 */
function noAnswer(res) {
  if (!res.headersSent) res.socket.write('BROKEN\r\n\r\n');
  res.destroy();
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const splitWord = (s) => {
  const sp = s.indexOf(' ');
  return sp < 0 ? [s, ''] : [s.slice(0, sp), s.slice(sp + 1)];
};

/**
 * The fake server: requests under /<prefix>/ (one prefix per scenario; others are dropped) are
 * queued for the steps to answer: `infos`, `receivers` (receiving requests and WebSockets, in
 * arrival order) and `sends` (xhr_send / jsonp_send bodies, and messages a WebSocket received).
 */
async function startFakeServer(port) {
  const wss = new WebSocketServer({ noServer: true });
  const st = { prefix: '', infos: [], receivers: [], sends: [], all: [] };
  const route = (url) => {
    const u = new URL(url, 'http://x');
    const m = /^\/([^/]+)(\/.*)$/.exec(u.pathname);
    if (!m || m[1] !== st.prefix) return null;
    const s = /^\/([^/]+)\/([^/]+)\/([a-z_]+)$/.exec(m[2]);
    return { path: m[2], query: u.searchParams, ...(s ? { server: s[1], session: s[2], kind: s[3] } : {}) };
  };
  const server = http.createServer((req, res) => {
    if (answerCors(req, res)) return;
    const r = route(req.url);
    if (!r || (r.path !== '/info' && !r.kind)) {
      res.destroy();
      return;
    }
    const body = [];
    req.on('data', (c) => body.push(c));
    req.on('end', () => {
      Object.assign(r, { res, body: Buffer.concat(body).toString('latin1'), aborted: false, ended: false });
      // Closed before the answer was complete: the client gave the request up.
      res.on('close', () => { if (!res.writableFinished) r.aborted = true; });
      st.all.push(r);
      if (r.path === '/info') st.infos.push(r);
      else if (r.kind.endsWith('_send')) st.sends.push(r);
      else st.receivers.push(r);
    });
  });
  server.on('upgrade', (req, socket, head) => {
    const r = route(req.url);
    if (!r || r.kind !== 'websocket') {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      Object.assign(r, { ws, aborted: false, ended: false });
      ws.on('message', (data) => st.sends.push({ kind: 'websocket', body: Buffer.from(data).toString('latin1') }));
      ws.on('close', () => { r.aborted = true; });
      st.all.push(r);
      st.receivers.push(r);
    });
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    st,
    /** Starts a scenario: drops what is left of the last one. */
    reset(prefix) {
      for (const r of st.all) {
        if (r.ws) r.ws.terminate();
        else r.res.destroy();
      }
      Object.assign(st, { prefix, infos: [], receivers: [], sends: [], all: [] });
    },
    stop() {
      this.reset('');
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The browser client's options for a record's `option:` lines. */
function clientOptions(record) {
  // The core's default transport timeout; the API's own default (0) derives it from the /info
  // round trip, as sockjs-client does (the record "transport timeout" checks that).
  const o = { timeout: 5000 };
  for (const opt of record.fields.option ?? []) {
    const [key, value] = splitWord(opt);
    if (key === 'transports') o.transports = value.split(',');
    else if (key === 'timeout') o.timeout = Number(value);
    else if (key === 'liveness') o.livenessTimeout = Number(value);
    else if (key === 'max_frame_bytes') o.maxFrameBytes = Number(value);
    else if (key === 'server_id') o.server = value;
    else if (key === 'session_id') o.fixedSessionId = value; // the page makes it a sessionId function
    else if (key === 'info_timeout' && value === '8000') continue; // the browser client's (and core's) default
    else throw new Error(`option ${opt} has no counterpart in the browser client: list the record in NOT_IN_A_BROWSER`);
  }
  return o;
}

describe('the browser client replays tests/data/client_behaviour.vectors', { timeout: 600000 }, () => {
  const records = loadVectors('client_behaviour.vectors');
  let page, fake;
  const env = browserSuite({
    servers: async () => [(fake = await startFakeServer(PORT))], webPort: PORT + 1, page: true, fakeClock: true,
  });
  before(async () => {
    // The fake clock has run freely while the page loaded; it stops once the module is in.
    page = env.page;
    await page.evaluate(() => window.Client.load());
    await page.clock.pauseAt(Date.now() + 60000);
  });

  test('every record is replayed or listed with its reason', () => {
    const names = records.map((r) => r.fields.name?.[0]);
    assert.ok(names.every(Boolean), 'a record without a name');
    assert.equal(new Set(names).size, names.length, 'two records with one name');
    for (const key of Object.keys(NOT_IN_A_BROWSER)) {
      const known = key.startsWith('kind: ')
        ? records.some((r) => r.fields.kind?.[0] === key.slice(6))
        : names.includes(key);
      assert.ok(known, `NOT_IN_A_BROWSER lists "${key}", which the vector file does not have`);
    }
  });

  records.forEach((record, n) => {
    const name = record.fields.name[0];
    const skip = NOT_IN_A_BROWSER[`kind: ${record.fields.kind?.[0]}`] ?? NOT_IN_A_BROWSER[name] ?? false;
    test(name, { skip, timeout: 60000 }, () => replay(record, n));
  });

  async function replay(record, n) {
    const { st } = fake;
    fake.reset(`s${n}`);
    const steps = record.fields.step ?? [];
    const where = (i) => `line ${record.line} "${record.fields.name[0]}", step ${i + 1}: ${steps[i]}`;

    const state = () => page.evaluate(() => window.vc.sock.readyState);
    const log = () => page.evaluate(() => window.vc.log);
    const until = async (what, cond) => {
      for (const end = Date.now() + STEP_MS; ;) {
        const v = await cond();
        if (v) return v;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}; events: ${JSON.stringify(await log())}`);
        await sleep(5);
      }
    };
    let events = 0; // the application's events checked so far
    let receivers = 0; // receiving requests and WebSockets taken by start/reopen
    let sends = 0; // payloads taken by `=> take`
    const taken = []; // taken sends waiting for `sent`
    let current = null; // the receiver the input steps go to
    const sessionIds = [];
    let lastResult = null; // [step kind, text] of the last send/close input
    let pendingClose = null; // the close the core decided, until the browser dispatches it

    const nextReceiver = () => until('a receiving request', () => st.receivers[receivers] && st.receivers[receivers++]);
    const nextEvent = () => until('an event of the application', async () => (await log())[events]);
    // The close event is dispatched one task after the core's decision (the vector's `dispatched`).
    const dispatchClose = async () => {
      if (!pendingClose) return;
      await page.clock.runFor(1);
      const got = await nextEvent();
      events++;
      assert.equal(got, pendingClose.expected, pendingClose.where);
      pendingClose = null;
    };

    await page.evaluate(([url, o]) => {
      if (o.fixedSessionId) {
        const id = o.fixedSessionId;
        o.sessionId = () => id;
      }
      const vc = { log: [], states: [] };
      vc.sock = new window.Client(url, null, o);
      // Each event with the readyState its handler saw.
      const note = (text) => vc.log.push(text) && vc.states.push(vc.sock.readyState);
      vc.sock.onopen = () => note('open');
      vc.sock.onmessage = (e) => note(`message ${e.data}`);
      vc.sock.onheartbeat = () => note('heartbeat');
      vc.sock.onclose = (e) => vc.log.push(`close ${e.code} ${e.wasClean ? 'clean' : 'unclean'} ${e.reason}`);
      window.vc = vc;
    }, [`http://127.0.0.1:${PORT}/s${n}`, clientOptions(record)]);
    // /info is asked at once; each step then has it to act on.
    await until('the /info request', () => st.infos.length > 0);

    for (let i = 0; i < steps.length; i++) {
      const at = where(i);
      if (steps[i].startsWith('=> ')) {
        const [what, rest] = splitWord(steps[i].slice(3));
        switch (what) {
          case 'open': case 'message': case 'heartbeat':
            assert.equal(await nextEvent(), utf8(steps[i].slice(3)), at);
            events++;
            break;
          case 'close':
            // Decided by the core (readyState CLOSING); the event follows at `dispatched`.
            await until('readyState CLOSING', async () => (await state()) >= READY_STATE.closing);
            pendingClose = { expected: utf8(steps[i].slice(3)), where: at };
            break;
          case 'start': case 'reopen': {
            const r = await nextReceiver();
            assert.equal(r.kind, URL_NAME[rest], at);
            if (what === 'reopen') assert.equal(r.session, current.session, at);
            else sessionIds.push(r.session);
            current = r;
            break;
          }
          case 'stop': {
            // The request the core stopped, if it was still going: the browser gives it up.
            const target = current && !current.ended && !current.aborted ? current
              : st.infos.find((r) => !r.answered && !r.aborted);
            if (target) await until(`the client to give ${target.path} up`, () => target.aborted);
            break;
          }
          case 'state': {
            // Right after an event: what the application saw while that event was dispatched.
            const seen = /^=> (open|message|heartbeat)\b/.test(steps[i - 1] ?? '')
              ? await page.evaluate((k) => window.vc.states[k], events - 1) : await state();
            assert.equal(seen, READY_STATE[rest], at);
            break;
          }
          case 'result':
            // Data and frame results (malformed, unexpected, too large) have no browser
            // counterpart; their consequences are the steps that follow.
            if (lastResult) assert.equal(lastResult, rest, at);
            break;
          case 'take':
            if (rest === '') {
              await sleep(SETTLE_MS);
              assert.equal(st.sends.length, sends, `${at}: nothing sent`);
            } else {
              const s = await until('a send', () => st.sends[sends]);
              sends++;
              assert.equal(s.body, rest, at);
              if (s.res) taken.push(s);
            }
            break;
          case 'path':
            assert.match(current.path, new RegExp(`^${rest}$`), at);
            break;
          case 'send_path': case 'deadline':
            // Not visible before it is used: the next send's URL, the timer's expiry (the
            // `wait` steps check when it fires).
            break;
          case 'fresh_session_ids':
            assert.equal(new Set(sessionIds).size, sessionIds.length, `${at}: ${sessionIds}`);
            break;
          case 'nothing':
            await sleep(SETTLE_MS);
            assert.deepEqual((await log()).slice(events), [], at);
            assert.equal(st.receivers.length, receivers, `${at}: a receiving request`);
            assert.equal(st.sends.length, sends, `${at}: a send`);
            break;
          default:
            throw new Error(`${at}: unknown expectation`);
        }
        continue;
      }

      // An input: every event of the previous inputs must have been expected.
      assert.deepEqual((await log()).slice(events), [], `${at}: events not expected`);
      const [what, arg] = splitWord(steps[i]);
      lastResult = null;
      switch (what) {
        case 'info': {
          const r = st.infos[0];
          const [status, body] = splitWord(arg);
          await page.clock.runFor(50); // the round trip
          r.answered = true;
          if (status === '0') {
            noAnswer(r.res);
          } else {
            r.res.writeHead(Number(status), { 'Content-Type': 'application/json; charset=UTF-8' });
            r.res.end(Buffer.from(body, 'latin1'));
          }
          break;
        }
        case 'wait': {
          // The page's timers fire 1 ms after the core's deadline (connection.js: the core
          // counts whole milliseconds), unless the record checks that nothing happened yet.
          const next = steps[i + 1];
          await page.clock.runFor(Number(arg) + (next === '=> nothing' ? 0 : 1));
          break;
        }
        case 'response': {
          const status = Number(arg);
          if (current.kind === 'jsonp') {
            // A script shows no status: the page reports 200 once it asked. The frame answers.
            assert.equal(status, 200, `${at}: a jsonp poll cannot show another status`);
          } else if (current.kind === 'eventsource' && status === 200) {
            current.res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=UTF-8', 'Cache-Control': 'no-store' });
            current.res.write('\r\n');
          } else {
            current.res.writeHead(status, JS_TYPE);
            if (status !== 200) {
              current.res.end();
              current.ended = true;
            } else {
              current.res.flushHeaders();
            }
          }
          break;
        }
        case 'data':
          if (current.ws) current.ws.send(utf8(arg));
          else current.res.write(Buffer.from(arg, 'latin1'));
          break;
        case 'event':
          // The lines of one EventSource message; the browser joins them with \n.
          current.res.write(`${arg.split('\n').map((l) => `data: ${l}\r\n`).join('')}\r\n`);
          break;
        case 'end':
          // A WebSocket has no end short of closing: the core ignores it there, and so can
          // the browser.
          if (!current.ws) {
            current.res.end();
            current.ended = true;
          }
          break;
        case 'frame':
          if (current.ws) {
            if (!current.aborted) current.ws.send(utf8(arg));
          } else {
            assert.equal(current.kind, 'jsonp', `${at}: a bare frame comes from a jsonp poll`);
            if (current.ended) {
              // One frame per poll: the page asks for the next poll after each.
              const r = await nextReceiver();
              assert.equal(r.kind, 'jsonp', at);
              current = r;
            }
            current.res.writeHead(200, JS_TYPE);
            current.res.end(`${current.query.get('c')}(${JSON.stringify(utf8(arg))});\n`);
            current.ended = true;
          }
          break;
        case 'closed':
          if (current.ws) {
            if (arg) {
              const [code, reason] = splitWord(arg);
              current.ws.close(Number(code), reason);
            } else {
              current.ws.terminate();
            }
          } else {
            assert.equal(arg, '', `${at}: only a WebSocket closes with a code`);
            noAnswer(current.res);
          }
          current.ended = true;
          break;
        case 'send': {
          // Consecutive sends in one task, as an application would make them (so that the
          // page batches them as the core does).
          const batch = [arg];
          while (steps[i + 1]?.startsWith('send ')) batch.push(splitWord(steps[++i])[1]);
          const results = await page.evaluate((messages) => messages.map((m) => {
            const before = window.vc.sock.readyState;
            try {
              window.vc.sock.send(m);
              return [before, 'ok'];
            } catch (e) {
              return [before, e.name];
            }
          }), batch.map(utf8));
          // The WebSocket API refuses a send while connecting, and drops one once closing.
          const [before, outcome] = results.at(-1);
          if (outcome === 'InvalidStateError' && before === READY_STATE.connecting) lastResult = 'Session is not open.';
          else if (outcome === 'ok' && before >= READY_STATE.closing) lastResult = 'Session is not open.';
          else lastResult = outcome;
          break;
        }
        case 'sent': {
          const s = taken.shift();
          assert.ok(s, `${at}: no send is waiting for its answer`);
          if (arg === '0') {
            noAnswer(s.res);
          } else {
            s.res.writeHead(Number(arg), { 'Content-Type': 'text/plain; charset=UTF-8' });
            s.res.end();
          }
          break;
        }
        case 'close': {
          const [code, reason] = splitWord(arg);
          const outcome = await page.evaluate(([c, r]) => {
            try {
              if (c === 0) window.vc.sock.close();
              else window.vc.sock.close(c, r);
              return 'ok';
            } catch (e) {
              return e.name;
            }
          }, [Number(code), utf8(reason)]);
          lastResult = { InvalidAccessError: 'Invalid close code.', SyntaxError: 'Close reason too long.' }[outcome] ?? outcome;
          break;
        }
        case 'dispatched':
          await dispatchClose();
          break;
        default:
          throw new Error(`${at}: unknown step`);
      }
    }
    await dispatchClose();
    await sleep(SETTLE_MS);
    assert.deepEqual((await log()).slice(events), [], `${where(steps.length - 1)}: events not expected at the end`);
    assert.deepEqual(st.receivers.slice(receivers).map((r) => r.path), [], 'receiving requests not expected');
    // Done: the page's session goes, and its timers with it.
    await page.evaluate(() => { if (window.vc.sock.readyState < 2) window.vc.sock.close(); });
    await page.clock.runFor(1);
  }
});
