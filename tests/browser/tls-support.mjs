// TLS for the browser tests: the test certificates (tests/support/make-test-certs.sh, the
// same openssl-CLI script the native TLS tests run) and a HOME whose NSS store trusts the
// test CA, so that Chromium verifies our server's certificate as it would a real one
// (rather than skipping verification with --ignore-certificate-errors). Chromium on Linux
// takes locally trusted roots from $HOME/.pki/nssdb; certutil (Debian's libnss3-tools)
// writes it.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { root, startOurServer } from './support.mjs';

let made = null;

/**
 * The certificates and the trusting HOME, made once per test process into a fresh temporary
 * directory (removed at exit): { ca, cert, key, home }. cert is valid for 127.0.0.1,
 * localhost and ::1, signed by ca.
 */
export function testTls() {
  if (made) return made;
  const dir = mkdtempSync(path.join(tmpdir(), 'sockjs-browser-tls-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const certs = path.join(dir, 'certs');
  execFileSync('bash', [path.join(root, 'tests/support/make-test-certs.sh'), certs], { stdio: 'inherit' });
  const home = path.join(dir, 'home');
  const db = `sql:${path.join(home, '.pki/nssdb')}`;
  mkdirSync(path.join(home, '.pki/nssdb'), { recursive: true });
  execFileSync('certutil', ['-N', '-d', db, '--empty-password'], { stdio: 'inherit' });
  // C,, : a CA trusted to issue server certificates (not for e-mail or code signing).
  execFileSync('certutil', ['-A', '-d', db, '-t', 'C,,', '-n', 'sockjs-cpp test CA', '-i', path.join(certs, 'ca.pem')],
    { stdio: 'inherit' });
  made = { ca: path.join(certs, 'ca.pem'), cert: path.join(certs, 'server.pem'), key: path.join(certs, 'server.key'), home };
  return made;
}

/** Our demo server over https/wss with the test certificate; `args` are more options. */
export function startOurTlsServer(port, args = []) {
  const { cert, key } = testTls();
  return startOurServer(port, ['--tls-cert', cert, '--tls-key', key, ...args]);
}
