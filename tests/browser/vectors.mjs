// Reads the protocol vectors of tests/data (the format of tests/core/test_vectors.hpp): records
// separated by blank lines, `key: value` lines (a key may repeat), `#` comment lines, values
// with the escapes of tests/support/vector_escapes.hpp.

import { readFileSync } from 'node:fs';
import path from 'node:path';

import { root } from './support.mjs';

const ESCAPES = { '\\': '\\', n: '\n', r: '\r', t: '\t', s: ' ', 0: '\0' };

/** Decodes the escape notation; each character of the result stands for one byte. */
function unescapeValue(v, line) {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    if (v[i] !== '\\') {
      out += v[i];
      continue;
    }
    const e = v[++i];
    if (e in ESCAPES) {
      out += ESCAPES[e];
    } else if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(v.slice(i + 1, i + 3))) {
      out += String.fromCharCode(parseInt(v.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      throw new Error(`unknown escape \\${e} in vector file line ${line}`);
    }
  }
  return out;
}

/**
 * The records of tests/data/<name>: [{ line, fields: { key: [values] } }]. Values are byte
 * strings (one character per byte, as read from the file).
 */
export function loadVectors(name) {
  const text = readFileSync(path.join(root, 'tests/data', name), 'latin1');
  const records = [];
  let current = null;
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line === '') {
      current = null;
      return;
    }
    if (line.startsWith('#')) return;
    const colon = line.indexOf(':');
    if (colon < 0) throw new Error(`vector file line ${i + 1} has no key: ${line}`);
    if (!current) records.push((current = { line: i + 1, fields: {} }));
    const value = line.slice(colon + 1).replace(/^ /, '');
    (current.fields[line.slice(0, colon)] ??= []).push(unescapeValue(value, i + 1));
  });
  if (records.length === 0) throw new Error(`no records in tests/data/${name}`);
  return records;
}

/** A byte string (as loadVectors gives) as the text it encodes in UTF-8. */
export const utf8 = (bytes) => Buffer.from(bytes, 'latin1').toString('utf8');
