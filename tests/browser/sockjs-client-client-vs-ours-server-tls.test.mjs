// sockjs-client client x ours server over https/wss (the page an https origin too, Chromium
// trusting the test CA), every transport forced in turn (scenarios: cases.mjs; TLS:
// tls-support.mjs).
import { servers } from './support.mjs';
import { transportMatrix } from './cases.mjs';
import { startOurTlsServer, testTls } from './tls-support.mjs';

const ours = servers().find((s) => s.name === 'ours');
transportMatrix('sockjs-client', { name: 'ours (https/wss)', start: (port) => startOurTlsServer(port), skip: ours.skip },
  18510, { tls: testTls });
