#!/usr/bin/python3
"""Interop of the raw /echo/websocket endpoint with an independent WebSocket implementation:
Debian's python3-websockets (a strict client: it fails the connection on any frame or UTF-8
error of ours). Unicode, 1 MiB, fragmented messages, ping/pong, close codes, and the
defect-2 cases (a binary message gets a clean 1003; a lone surrogate sent through SockJS
reaches raw peers as U+FFFD).

Usage: websocket_interop_test.py <path to sockjs-server>. Last line: "N passed, M failed".
"""

import asyncio
import os
import socket
import struct
import sys
import traceback
import urllib.request
import zlib

import websockets
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from websocket_demo_server import DemoServer, server_binary  # noqa: E402

CASES = []
DEFLATE_CASES = []  # run against a server started with --websocket-deflate


def case(name, table=CASES):
    def add(fn):
        table.append((name, fn))
        return fn
    return add


def connect(port, path="/echo/websocket", **kw):
    kw.setdefault("compression", None)
    kw.setdefault("max_size", 32 << 20)
    return websockets.connect(f"ws://127.0.0.1:{port}{path}", open_timeout=10, close_timeout=10, **kw)


@case("unicode text of every plane round-trips")
async def _(port):
    async with connect(port) as ws:
        for text in ("", "ascii", "caf\u00e9 \u20ac \u2028 \ufeff \uffff", "\U0001f600\U0010ffff", "\x00\x7f"):
            await ws.send(text)
            assert await ws.recv() == text


@case("a 1 MiB message round-trips")
async def _(port):
    async with connect(port) as ws:
        text = ("0123456789abcdef\u00e9" * 70000)[: 1 << 20]
        await ws.send(text)
        assert await ws.recv() == text


@case("a fragmented message (an async iterator of fragments) is reassembled")
async def _(port):
    async with connect(port) as ws:
        async def parts():
            for p in ("frag", "men", "ted \u00e9", ""):
                yield p
        await ws.send(parts())
        assert await ws.recv() == "fragmented \u00e9"


@case("ping gets its pong")
async def _(port):
    async with connect(port) as ws:
        waiter = await ws.ping(b"are you there")
        await asyncio.wait_for(waiter, 5)


@case("close codes are echoed: 1000, 1001, 3000, 4999")
async def _(port):
    for code in (1000, 1001, 3000, 4999):
        async with connect(port) as ws:
            await ws.close(code, "bye")
            assert ws.close_code == code, ws.close_code


@case("a binary message gets a clean close 1003 (SockJS carries text only)")
async def _(port):
    async with connect(port) as ws:
        await ws.send(b"\xff\xfe")
        try:
            msg = await asyncio.wait_for(ws.recv(), 5)
            raise AssertionError(f"binary answered with {msg!r}")
        except websockets.ConnectionClosed as e:
            assert e.rcvd is not None and e.rcvd.code == 1003, e


@case("a lone surrogate broadcast through xhr_send reaches raw peers as U+FFFD")
async def _(port):
    async with connect(port, "/broadcast/websocket") as a, connect(port, "/broadcast/websocket") as b:
        base = f"http://127.0.0.1:{port}/broadcast/000/interop1"

        def post(path, body=None):
            req = urllib.request.Request(base + path, data=body, method="POST")
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.read()

        await asyncio.to_thread(post, "/xhr")
        await asyncio.to_thread(post, "/xhr_send", b'["warm"]')
        assert await a.recv() == "warm" and await b.recv() == "warm"
        await asyncio.to_thread(post, "/xhr_send", b'["x\\ud800y"]')
        assert await a.recv() == "x\ufffdy"
        assert await b.recv() == "x\ufffdy"
        await asyncio.to_thread(post, "/xhr_send", b'["after"]')
        assert await a.recv() == "after" and await b.recv() == "after"


@case("permessage-deflate is not negotiated while the server has it off")
async def _(port):
    async with connect(port, compression="deflate") as ws:
        assert ws.response_headers.get("Sec-WebSocket-Extensions") is None
        await ws.send("plain")
        assert await ws.recv() == "plain"


JSON_4K = ('{"id":12345,"user":"someone","text":"' + "lorem ipsum dolor sit amet " * 140 + '"}')[:4096]


def deflate_case(name, **offer):
    @case(name, DEFLATE_CASES)
    async def _(port):
        ext = [ClientPerMessageDeflateFactory(**offer)]
        async with connect(port, extensions=ext) as ws:
            agreed = ws.response_headers.get("Sec-WebSocket-Extensions", "")
            assert agreed.startswith("permessage-deflate"), agreed
            for flag in ("server_no_context_takeover", "client_no_context_takeover"):
                assert (flag in agreed) == bool(offer.get(flag)), agreed
            big = (JSON_4K * 300)[: 1 << 20]  # 1 MiB, compressible
            for m in ("small", "caf\u00e9 \U0001f600" * 20, JSON_4K, JSON_4K, big, big):
                await ws.send(m)
                assert await ws.recv() == m


deflate_case("deflate with the default offer (context takeover), 1 MiB compressible message",
             client_max_window_bits=True)
deflate_case("deflate without context takeover on either side",
             server_no_context_takeover=True, client_no_context_takeover=True)
deflate_case("deflate with small windows (server 10, client 9 bits)",
             server_max_window_bits=10, client_max_window_bits=9)


@case("a decompression bomb is refused with 1009 and the server's memory stays bounded", DEFLATE_CASES)
async def _(port, server=None):
    # 256 MiB of zeros compress to about 256 KiB: sent as one compressed message.
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    payload = z.compress(bytes(256 << 20)) + z.flush(zlib.Z_SYNC_FLUSH)
    payload = payload[:-4]
    before = SERVERS["deflate"].rss_kib()
    sock = socket.create_connection(("127.0.0.1", port), timeout=20)
    sock.sendall((f"GET /echo/websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                  "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(4096)
    assert b"permessage-deflate" in head, head
    rest = head.split(b"\r\n\r\n", 1)[1]
    key = os.urandom(4)
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes((key * (len(payload) // 4 + 1))[:len(payload)], "big"))
    frame = struct.pack("!BBQ", 0xC1, 0x80 | 127, len(payload)) + key + masked.to_bytes(len(payload), "big")
    try:
        sock.sendall(frame)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server may close before the whole bomb is sent
    data = rest
    while len(data) < 4:
        more = sock.recv(4096)
        if not more:
            break
        data += more
    sock.close()
    assert data[:1] == b"\x88" and struct.unpack("!H", data[2:4])[0] == 1009, data[:8]
    grown = SERVERS["deflate"].rss_kib() - before
    print(f"  bomb: 256 MiB inflated from {len(payload)} bytes; server RSS grew {grown} KiB")
    assert grown < 16 * 1024, f"RSS grew {grown} KiB"  # max_message_size 4 MiB + zlib + slack


SERVERS = {}


async def run(port, cases=CASES):
    passed = failed = 0
    for name, fn in cases:
        try:
            await asyncio.wait_for(fn(port), 60)
            passed += 1
        except Exception as e:  # noqa: BLE001 - every failure is reported by name
            failed += 1
            print(f"FAIL {name}: {e!r}")
            if os.environ.get("VERBOSE"):
                traceback.print_exc()
    return passed, failed


def main():
    server = DemoServer(server_binary())
    deflating = DemoServer(server_binary(), "--websocket-deflate")
    SERVERS["deflate"] = deflating
    try:
        passed, failed = asyncio.run(run(server.port))
        p2, f2 = asyncio.run(run(deflating.port, DEFLATE_CASES))
        passed, failed = passed + p2, failed + f2
    finally:
        server.stop()
        deflating.stop()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
