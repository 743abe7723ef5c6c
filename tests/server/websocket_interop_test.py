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
import sys
import traceback
import urllib.request

import websockets

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from websocket_demo_server import DemoServer, server_binary  # noqa: E402

CASES = []


def case(name):
    def add(fn):
        CASES.append((name, fn))
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


async def run(port):
    passed = failed = 0
    for name, fn in CASES:
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
    try:
        passed, failed = asyncio.run(run(server.port))
    finally:
        server.stop()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
