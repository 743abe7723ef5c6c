#!/usr/bin/env python3
"""Writes the seed corpus of each fuzz target from the protocol vectors in tests/data (and a
few protocol messages built here, for the parsers no vector file covers):
    extract_seeds.py <tests/data dir> <out dir>   ->   <out dir>/<target>/<n>
Each seed is laid out the way its target reads its input (see the target's source)."""
import hashlib
import os
import struct
import sys


def unescape(v):
    """The notation of tests/core/test_vectors.hpp: \\\\ \\n \\r \\t \\s \\xNN."""
    out, i = bytearray(), 0
    while i < len(v):
        c = v[i]
        if c != '\\':
            out += c.encode()
            i += 1
            continue
        e = v[i + 1]
        if e == 'x':
            out.append(int(v[i + 2:i + 4], 16))
            i += 4
            continue
        out += {'\\': b'\\', 'n': b'\n', 'r': b'\r', 't': b'\t', 's': b' '}[e]
        i += 2
    return bytes(out)


def records(path):
    recs, cur = [], []
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\r\n')
            if not line:
                if cur:
                    recs.append(cur)
                cur = []
                continue
            if line.startswith('#'):
                continue
            k, _, v = line.partition(':')
            cur.append((k, unescape(v[1:] if v.startswith(' ') else v)))
    if cur:
        recs.append(cur)
    return recs


def fdp_string(b):
    """A string as FuzzedDataProvider::ConsumeRandomLengthString reads it from the front."""
    return b.replace(b'\\', b'\\\\') + b'\\n'


def masked(opcode, payload, fin=True):
    """A client WebSocket frame (masked, as RFC 6455 requires)."""
    key = b'\x37\xfa\x21\x3d'
    n = len(payload)
    head = bytes([(0x80 if fin else 0) | opcode])
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0x80 | 126]) + struct.pack('>H', n)
    else:
        head += bytes([0x80 | 127]) + struct.pack('>Q', n)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


TRANSPORTS = ['xhr', 'xhr_streaming', 'eventsource', 'htmlfile', 'jsonp', 'websocket']
METHODS = ['GET', 'POST', 'OPTIONS', 'HEAD', 'PUT', 'DELETE']


def main(data_dir, out_dir):
    seeds = {}

    def add(target, blob):
        seeds.setdefault(target, set()).add(blob)

    for r in records(os.path.join(data_dir, 'payload.vectors')):
        d = dict(r)
        body = d.get('body', b'')
        either = d.get('format') == b'either'
        add('payload_fuzz', bytes([1 if either else 0]) + body)
        add('payload_vs_boost_json_fuzz', body)
    for r in records(os.path.join(data_dir, 'frame.vectors')):
        add('frame_fuzz', dict(r).get('frame', b''))
    for r in records(os.path.join(data_dir, 'json_escape.vectors')):
        d = dict(r)
        add('json_escape_fuzz', d.get('in', b''))
    for r in records(os.path.join(data_dir, 'wrap.vectors')):
        d = dict(r)
        t = d.get('transport', b'').decode()
        if t not in TRANSPORTS:
            continue
        # 8 split-length bytes at the front; from the end: round trip off, the transport.
        add('wrap_unwrap_fuzz', b'\x03\x01\x07\x02\x05\x0b\x01\x0f' + d.get('wrapped', b'') +
            bytes([0, TRANSPORTS.index(t)]))
        add('frame_fuzz', d.get('frame', b''))
    with open(os.path.join(data_dir, 'http_routes.txt'), encoding='utf-8') as f:
        for line in f:
            if line.startswith('#') or '|' not in line:
                continue
            method, path, query = [x.strip() for x in line.split('|')[:3]]
            # From the end, in the order the target reads: websocket on, jsessionid off, no
            # origins, nothing disabled, a listed method and its index, 7 absent headers, HTTP/1.1,
            # entropy, time, send result.
            tail = [1, 0, 0, 0]
            front = b''
            if method in METHODS:
                tail += [1, METHODS.index(method)]
            else:
                tail += [0]
                front += fdp_string(method.encode())
            front += fdp_string(path.encode()) + fdp_string(query.encode())
            tail += [0] * 7 + [0] + [7] * 4 + [1] * 8 + [0]
            add('router_fuzz', front + bytes(reversed(tail)))
    # No vector files for these parsers: protocol messages from the RFCs and the suite.
    hello = masked(0x1, b'Hello')
    add('net_websocket_frame_fuzz', b'\x40' + hello)
    add('net_websocket_frame_fuzz', b'\xff' + masked(0x1, b'["a","b"]') + masked(0x9, b'ping') +
        masked(0x8, b'\x03\xe8bye'))
    add('net_websocket_frame_fuzz', b'\xff' + masked(0x1, b'Hel', fin=False) + masked(0xA, b'') +
        masked(0x0, b'lo \xc3\xa9', fin=True))
    add('net_websocket_frame_fuzz', b'\xff' + masked(0x2, bytes(range(200))))
    add('net_websocket_frame_fuzz', b'\xff' + masked(0x1, b'x' * 300))
    # A 64-bit length whose payload never comes (the parser must wait, not allocate it).
    add('net_websocket_frame_fuzz', b'\xff' + masked(0x1, b'x' * 70000)[:20])
    add('net_hixie76_fuzz', b'\x40' + b'4 @1  46546xW%0l 1 5\n12998 5  Y3 1  .P00\n^n:ds[4U' +
        b'\x00hello\xff\x00["x"]\xff\xff\x00')
    add('net_hixie76_fuzz', b'\xff\x00caf\xc3\xa9\xff\x00\xff\xff\x00')
    for ws in ('true', 'false'):
        for cn in ('true', 'false'):
            add('info_fuzz', ('{"websocket":%s,"cookie_needed":%s,"origins":["*:*"],"entropy":%d}'
                              % (ws, cn, 1234567890)).encode())
    add('info_fuzz', b'{}')
    add('info_fuzz', b'{"websocket":1,"origins":"x","entropy":-1.5e300}')

    for target, blobs in seeds.items():
        d = os.path.join(out_dir, target)
        os.makedirs(d, exist_ok=True)
        for b in blobs:
            with open(os.path.join(d, hashlib.sha1(b).hexdigest()), 'wb') as f:
                f.write(b)
    print('seeds: ' + ', '.join('%s %d' % (t, len(b)) for t, b in sorted(seeds.items())))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
