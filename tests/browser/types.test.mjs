// The types (js/index.d.ts) as a drop-in for @types/sockjs-client: types/sockjs-client-sample.ts
// is code written against @types/sockjs-client; it must compile against @types/sockjs-client
// as is, and against ours with only its import line changed, under tsc --strict with
// exactOptionalPropertyTypes. types/extras.ts uses our additions.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { root } from './support.mjs';

const here = path.join(root, 'tests/browser/types');

function tsc(dir, files) {
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, exactOptionalPropertyTypes: true, noEmit: true, target: 'es2022', module: 'esnext',
      moduleResolution: 'bundler', lib: ['es2022', 'dom'], esModuleInterop: true, types: [],
      paths: {
        'sockjs-cpp-client': [path.join(root, 'js/index.d.ts')],
        'sockjs-client': [path.join(root, 'node_modules/@types/sockjs-client/index.d.ts')],
      },
    },
    files,
  }));
  try {
    execFileSync(path.join(root, 'node_modules/.bin/tsc'), ['-p', dir], { encoding: 'utf8', stdio: 'pipe' });
    return '';
  } catch (e) {
    return `${e.stdout}${e.stderr}`;
  }
}

test('code written for @types/sockjs-client compiles against ours with only the import changed; our extras too', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sockjs-types-'));
  try {
    const sample = readFileSync(path.join(here, 'sockjs-client-sample.ts'), 'utf8');
    const ours = sample.replace("from 'sockjs-client';", "from 'sockjs-cpp-client';");
    const changed = ours.split('\n').filter((line, i) => line !== sample.split('\n')[i]);
    assert.deepEqual(changed, ["import SockJS from 'sockjs-cpp-client';"]);
    writeFileSync(path.join(dir, 'theirs.ts'), sample);
    writeFileSync(path.join(dir, 'ours.ts'), ours);
    writeFileSync(path.join(dir, 'extras.ts'), readFileSync(path.join(here, 'extras.ts'), 'utf8'));
    assert.equal(tsc(dir, ['theirs.ts']), '', 'the sample is not valid @types/sockjs-client code');
    assert.equal(tsc(dir, ['ours.ts', 'extras.ts']), '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
