#!/usr/bin/python3
"""RFC 6455 conformance of the raw /echo/websocket endpoint, case by case after the
Autobahn|Testsuite case list (groups 1-7, 9 and 10; the numbers name the group each case
comes from). Written from RFC 6455 with a raw-socket client, so that every malformed frame can
be sent and every byte the server returns is checked. SockJS carries text only: binary
messages are refused with 1003 (unsupported data), never echoed as text.

Usage: websocket_rfc6455_test.py <path to sockjs-server>. Starts the demo server with
--max-message-size 16777216 on a free port, stops it by PID. Last line: "N passed, M failed".
"""

import os
import socket
import struct
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from websocket_demo_server import DemoServer, server_binary  # noqa: E402

MAX = 16 << 20
TEXT, BINARY, CLOSE, PING, PONG, CONT = 1, 2, 8, 9, 10, 0


def mask_bytes(payload, key):
    n = len(payload)
    if n == 0:
        return b""
    k = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(k, "big")).to_bytes(n, "big")


def frame(opcode, payload=b"", fin=True, rsv=0, mask=True, length=None):
    if isinstance(payload, str):
        payload = payload.encode()
    n = len(payload) if length is None else length
    b0 = (0x80 if fin else 0) | (rsv << 4) | opcode
    mbit = 0x80 if mask else 0
    if n < 126:
        head = struct.pack("!BB", b0, mbit | n)
    elif n < 65536:
        head = struct.pack("!BBH", b0, mbit | 126, n)
    else:
        head = struct.pack("!BBQ", b0, mbit | 127, n)
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + mask_bytes(payload, key)


def close_payload(code, reason=b""):
    return struct.pack("!H", code) + reason


class Conn:
    def __init__(self, port, path="/echo/websocket", timeout=10):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.sock.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                           "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        while b"\r\n\r\n" not in self.buf:
            if not self._fill():
                raise AssertionError("no handshake answer")
        head, _, rest = bytes(self.buf).partition(b"\r\n\r\n")
        self.buf = bytearray(rest)
        assert head.startswith(b"HTTP/1.1 101"), head
        assert b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" in head, head

    def _fill(self):
        data = self.sock.recv(1 << 20)
        if not data:
            return False
        self.buf += data
        return True

    def send(self, data):
        self.sock.sendall(data)

    def send_in_chunks(self, data, size, pause=0.0):
        for i in range(0, len(data), size):
            self.sock.sendall(data[i:i + size])
            if pause:
                time.sleep(pause)

    def recv_frame(self):
        """(fin, rsv, opcode, payload), or None at EOF."""
        while len(self.buf) < 2:
            if not self._fill():
                return None
        b0, b1 = self.buf[0], self.buf[1]
        assert not b1 & 0x80, "server frames must not be masked"
        n, pos = b1 & 0x7F, 2
        if n == 126:
            need = 4
        elif n == 127:
            need = 10
        else:
            need = 2
        while len(self.buf) < need:
            if not self._fill():
                return None
        if n == 126:
            n, pos = struct.unpack("!H", self.buf[2:4])[0], 4
        elif n == 127:
            n, pos = struct.unpack("!Q", self.buf[2:10])[0], 10
        while len(self.buf) < pos + n:
            if not self._fill():
                return None
        payload = bytes(self.buf[pos:pos + n])
        del self.buf[:pos + n]
        return bool(b0 & 0x80), (b0 >> 4) & 7, b0 & 0x0F, payload

    def expect(self, opcode, payload=None):
        f = self.recv_frame()
        assert f is not None, f"expected opcode {opcode}, got EOF"
        fin, rsv, op, data = f
        assert fin and rsv == 0, f"frame flags fin={fin} rsv={rsv}"
        assert op == opcode, f"expected opcode {opcode}, got {op} ({data[:60]!r})"
        if payload is not None:
            if isinstance(payload, str):
                payload = payload.encode()
            assert data == payload, f"payload differs: {len(data)} bytes {data[:60]!r}"
        return data

    def expect_close(self, codes, then_eof=True):
        """The server's close frame with one of `codes` (None: no code), then TCP closes."""
        if isinstance(codes, int) or codes is None:
            codes = {codes}
        data = self.expect(CLOSE)
        code = struct.unpack("!H", data[:2])[0] if len(data) >= 2 else None
        assert code in codes, f"close code {code}, expected {codes}"
        if len(data) > 2:
            data[2:].decode("utf-8")  # a close reason must be UTF-8
        if then_eof:
            self.expect_eof()
        return code

    def expect_eof(self):
        try:
            extra = self.sock.recv(1 << 16)
        except socket.timeout:
            raise AssertionError("the server did not close the TCP connection")
        except ConnectionResetError:
            return
        assert extra == b"", f"bytes after the close frame: {extra[:40]!r}"

    def close(self, code=1000):
        self.send(frame(CLOSE, close_payload(code)))
        self.expect_close(code)


CASES = []


def case(name):
    def add(fn):
        CASES.append((name, fn))
        return fn
    return add


def echo(c, text_bytes, opcode=TEXT):
    c.send(frame(opcode, text_bytes))
    c.expect(TEXT, text_bytes)


# ---- 1: framing ----------------------------------------------------------------------------
for n in (0, 125, 126, 127, 128, 65535, 65536):
    @case(f"1.1 text message of {n} bytes is echoed")
    def _(port, n=n):
        c = Conn(port)
        echo(c, b"*" * n)
        c.close()


@case("1.1.8 a 65536-byte text frame sent in 997-byte pieces is echoed")
def _(port):
    c = Conn(port)
    c.send_in_chunks(frame(TEXT, b"*" * 65536), 997)
    c.expect(TEXT, b"*" * 65536)
    c.close()


for n in (0, 125, 65536):
    @case(f"1.2 binary message of {n} bytes: closed with 1003, never echoed as text")
    def _(port, n=n):
        c = Conn(port)
        c.send(frame(BINARY, b"\xfe" * n))
        c.expect_close(1003)


# ---- 2: pings and pongs --------------------------------------------------------------------
for name, payload in (("empty", b""), ("text", b"Hello, world!"), ("binary", bytes(range(125))),
                      ("125 bytes", b"p" * 125)):
    @case(f"2 ping with {name} payload gets a pong with the same payload")
    def _(port, payload=payload):
        c = Conn(port)
        c.send(frame(PING, payload))
        c.expect(PONG, payload)
        c.close()


@case("2.5 ping with a 126-byte payload: 1002")
def _(port):
    c = Conn(port)
    c.send(frame(PING, b"p" * 126))
    c.expect_close(1002)


@case("2.6 ping sent one byte at a time")
def _(port):
    c = Conn(port)
    c.send_in_chunks(frame(PING, b"x" * 125), 1)
    c.expect(PONG, b"x" * 125)
    c.close()


@case("2.7-2.8 unsolicited pongs are ignored")
def _(port):
    c = Conn(port)
    c.send(frame(PONG) + frame(PONG, b"unsolicited"))
    echo(c, b"after")
    c.close()


@case("2.9 pong then ping: only the ping is answered")
def _(port):
    c = Conn(port)
    c.send(frame(PONG, b"a") + frame(PING, b"b"))
    c.expect(PONG, b"b")
    c.close()


for chunk in (None, 1):
    @case(f"2.10-2.11 ten pings get ten pongs in order{' (bytewise)' if chunk else ''}")
    def _(port, chunk=chunk):
        c = Conn(port)
        data = b"".join(frame(PING, f"payload-{i}") for i in range(10))
        if chunk:
            c.send_in_chunks(data, chunk)
        else:
            c.send(data)
        for i in range(10):
            c.expect(PONG, f"payload-{i}")
        c.close()


# ---- 3: reserved bits (no extension negotiated) ----------------------------------------------
for rsv in range(1, 8):
    @case(f"3 RSV={rsv} on a text frame after an echo: the echo, then 1002")
    def _(port, rsv=rsv):
        c = Conn(port)
        c.send(frame(TEXT, "small") + frame(TEXT, "small", rsv=rsv) + frame(PING, "no"))
        c.expect(TEXT, "small")
        c.expect_close(1002)


@case("3 RSV on a ping and on a close frame: 1002")
def _(port):
    for op, payload in ((PING, b"x"), (CLOSE, close_payload(1000))):
        c = Conn(port)
        c.send(frame(op, payload, rsv=4))
        c.expect_close(1002)


# ---- 4: opcodes ----------------------------------------------------------------------------
for op in (3, 4, 5, 6, 7, 11, 12, 13, 14, 15):
    @case(f"4 reserved opcode {op} after an echo: the echo, then 1002, no pong")
    def _(port, op=op):
        c = Conn(port)
        c.send(frame(TEXT, "small") + frame(op, b"x") + frame(PING, "no"))
        c.expect(TEXT, "small")
        c.expect_close(1002)


# ---- 5: fragmentation ----------------------------------------------------------------------
@case("5.1-5.2 fragmented ping or pong: 1002")
def _(port):
    for op in (PING, PONG):
        c = Conn(port)
        c.send(frame(op, "frag1", fin=False) + frame(CONT, "frag2"))
        c.expect_close(1002)


@case("5.3-5.5 a text message in two fragments, sent whole, in pieces and slowly")
def _(port):
    data = frame(TEXT, "fragment1", fin=False) + frame(CONT, "fragment2")
    for chunk, pause in ((None, 0), (1, 0), (7, 0.01)):
        c = Conn(port)
        if chunk:
            c.send_in_chunks(data, chunk, pause)
        else:
            c.send(data)
        c.expect(TEXT, "fragment1fragment2")
        c.close()


@case("5.6-5.8 a ping between fragments is answered first")
def _(port):
    c = Conn(port)
    c.send(frame(TEXT, "fragment1", fin=False) + frame(PING, "ping") + frame(CONT, "fragment2"))
    c.expect(PONG, "ping")
    c.expect(TEXT, "fragment1fragment2")
    c.close()


@case("5.9-5.14 continuation with nothing to continue: 1002")
def _(port):
    for fin in (True, False):
        c = Conn(port)
        c.send(frame(CONT, "fragment", fin=fin) + frame(TEXT, "never echoed"))
        c.expect_close(1002)


@case("5.15-5.18 a new text message inside a fragmented one: 1002")
def _(port):
    c = Conn(port)
    c.send(frame(TEXT, "a", fin=False) + frame(CONT, "b", fin=False) + frame(TEXT, "c"))
    c.expect_close(1002)


@case("5.19-5.20 pings between many fragments, sent with pauses")
def _(port):
    c = Conn(port)
    parts = [frame(TEXT, "f1", fin=False), frame(CONT, "f2", fin=False), frame(PING, "p1"),
             frame(CONT, "f3", fin=False), frame(CONT, "f4", fin=False), frame(PING, "p2"),
             frame(CONT, "f5")]
    for p in parts:
        c.send(p)
        time.sleep(0.02)
    c.expect(PONG, "p1")
    c.expect(PONG, "p2")
    c.expect(TEXT, "f1f2f3f4f5")
    c.close()


@case("5 a 1000-fragment message of one byte each")
def _(port):
    c = Conn(port)
    c.send(frame(TEXT, "x", fin=False) + b"".join(frame(CONT, "x", fin=False) for _ in range(998)) +
           frame(CONT, "x"))
    c.expect(TEXT, "x" * 1000)
    c.close()


# ---- 6: UTF-8 --------------------------------------------------------------------------------
HELLO = "Hello-\u00b5@\u00df\u00f6\u00e4\u00fc\u00e0\u00e1-UTF-8!!".encode()
KOSME = "\u03ba\u1f79\u03c3\u03bc\u03b5".encode()


@case("6.1 empty fragments make an empty message")
def _(port):
    c = Conn(port)
    c.send(frame(TEXT, "", fin=False) + frame(CONT, "", fin=False) + frame(CONT, ""))
    c.expect(TEXT, "")
    c.close()


@case("6.2 valid UTF-8 split into fragments at every byte boundary")
def _(port):
    c = Conn(port)
    for text in (HELLO, KOSME, "\U0001f600\u20ac".encode()):
        for i in range(1, len(text)):
            c.send(frame(TEXT, text[:i], fin=False) + frame(CONT, text[i:]))
            c.expect(TEXT, text)
        c.send(frame(TEXT, text[:1], fin=False) +
               b"".join(frame(CONT, text[i:i + 1], fin=False) for i in range(1, len(text))) + frame(CONT, ""))
        c.expect(TEXT, text)
    c.close()


VALID = [KOSME, b"\x00", b"\xc2\x80", b"\xe0\xa0\x80", b"\xf0\x90\x80\x80", b"\x7f", b"\xdf\xbf",
         b"\xef\xbf\xbf", b"\xf4\x8f\xbf\xbf", b"\xed\x9f\xbf", b"\xee\x80\x80", b"\xef\xbf\xbd",
         b"\xef\xbf\xbe"]
INVALID = [KOSME + b"\xed\xa0\x80edited", b"\xf8\x88\x80\x80\x80", b"\xfc\x84\x80\x80\x80\x80",
           b"\xf4\x90\x80\x80", b"\x80", b"\xbf", b"\x80\xbf\x80", b"\xc0 ", b"\xe0\x80 ", b"\xf0\x80\x80 ",
           b"\xc0", b"\xe0\x80", b"\xf0\x80\x80", b"\xdf", b"\xef\xbf", b"\xfe", b"\xff", b"\xfe\xfe\xff\xff",
           b"\xc0\xaf", b"\xe0\x80\xaf", b"\xf0\x80\x80\xaf", b"\xc1\xbf", b"\xe0\x9f\xbf",
           b"\xf0\x8f\xbf\xbf", b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xed\xa0\x80\xed\xb0\x80",
           b"\xed\xaf\xbf\xed\xbf\xbf"]


@case("6.3-6.23 boundary code points are echoed")
def _(port):
    c = Conn(port)
    for v in VALID:
        echo(c, v)
    c.close()


for i, bad in enumerate(INVALID):
    @case(f"6 invalid UTF-8 #{i} {bad[-8:].hex()}: 1007, whole or fragmented")
    def _(port, bad=bad):
        c = Conn(port)
        c.send(frame(TEXT, bad))
        c.expect_close(1007)
        c = Conn(port)
        c.send(frame(TEXT, bad[:1], fin=False) + b"".join(frame(CONT, bad[i:i + 1], fin=False)
                                                         for i in range(1, len(bad))) + frame(CONT, ""))
        c.expect_close(1007)


@case("6.4.1-6.4.2 fail fast: the fragment that makes UTF-8 invalid closes, before the message ends")
def _(port):
    c = Conn(port)
    c.send(frame(TEXT, KOSME, fin=False))
    time.sleep(0.05)
    c.send(frame(CONT, b"\xf4\x90\x80\x80", fin=False))  # above U+10FFFF
    c.expect_close(1007)


@case("6.4.3-6.4.4 fail fast inside one frame: its payload has not all arrived yet")
def _(port):
    c = Conn(port)
    data = frame(TEXT, KOSME + b"\xf4\x90\x80\x80" + b"x" * 1000)
    c.send(data[:6 + 2 + len(KOSME) + 2])  # header (with 16-bit length) and up to the bad byte
    c.expect_close(1007)


# ---- 7: closing ----------------------------------------------------------------------------
@case("7.1.1 echo, then a normal close handshake")
def _(port):
    c = Conn(port)
    echo(c, b"Hello World!")
    c.close(1000)


@case("7.1.2-7.1.5 nothing after a close frame is answered")
def _(port):
    c = Conn(port)
    c.send(frame(CLOSE, close_payload(1000)) + frame(CLOSE, close_payload(1000)) + frame(PING, "x") +
           frame(TEXT, "y"))
    c.expect_close(1000)


@case("7.1.6 a large message in flight, then a close")
def _(port):
    c = Conn(port)
    c.send(frame(TEXT, "x" * 262144) + frame(PING, "ping") + frame(CLOSE, close_payload(1000)))
    c.expect(TEXT, "x" * 262144)
    c.expect(PONG, "ping")
    c.expect_close(1000)


@case("7.3.1 close without a payload: answered without a code")
def _(port):
    c = Conn(port)
    c.send(frame(CLOSE))
    c.expect_close({None, 1000})


@case("7.3.2 close payload of one byte: 1002")
def _(port):
    c = Conn(port)
    c.send(frame(CLOSE, b"\x03"))
    c.expect_close(1002)


@case("7.3.3-7.3.5 close with a code, with a reason, with a 123-byte reason")
def _(port):
    for reason in (b"", b"Hello World!", b"*" * 123):
        c = Conn(port)
        c.send(frame(CLOSE, close_payload(1000, reason)))
        c.expect_close(1000)


@case("7.3.6 close payload of 126 bytes (control frame too long): 1002")
def _(port):
    c = Conn(port)
    c.send(frame(CLOSE, close_payload(1000, b"*" * 124)))
    c.expect_close(1002)


@case("7.5.1 close reason that is not UTF-8: 1007")
def _(port):
    c = Conn(port)
    c.send(frame(CLOSE, close_payload(1000, KOSME + b"\xed\xa0\x80edited")))
    c.expect_close(1007)


for code in (1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999):
    @case(f"7.7 valid close code {code} is echoed")
    def _(port, code=code):
        c = Conn(port)
        c.send(frame(CLOSE, close_payload(code)))
        c.expect_close(code)


for code in (0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535):
    @case(f"7.9/7.13 invalid close code {code}: 1002")
    def _(port, code=code):
        c = Conn(port)
        c.send(frame(CLOSE, close_payload(code)))
        c.expect_close(1002)


# ---- 9: large messages and limits (server started with --max-message-size 16 MiB) ----------
for size in (65536, 262144, 1 << 20, 4 << 20, 8 << 20, 16 << 20):
    @case(f"9.1 text message of {size >> 10} KiB is echoed")
    def _(port, size=size):
        c = Conn(port, timeout=60)
        payload = b"*" * size
        c.send(frame(TEXT, payload))
        c.expect(TEXT, payload)
        c.close()


@case("9.2 binary message of 1 MiB: 1003 at the first header, the payload is never awaited")
def _(port):
    c = Conn(port)
    c.send(frame(BINARY, b"\xfe" * (1 << 20))[:14])
    c.expect_close(1003)


for frag in (64, 256, 1024, 4096, 65536, 1 << 20):
    @case(f"9.3 a 4 MiB text message in fragments of {frag} bytes")
    def _(port, frag=frag):
        c = Conn(port, timeout=60)
        total = 4 << 20
        piece = b"*" * frag
        n = total // frag
        c.send(frame(TEXT, piece, fin=False) + b"".join(frame(CONT, piece, fin=False) for _ in range(n - 2)) +
               frame(CONT, piece))
        c.expect(TEXT, b"*" * total)
        c.close()


@case("9 a message one byte over max_message_size: 1009 at its header")
def _(port):
    c = Conn(port)
    c.send(frame(TEXT, b"", length=MAX + 1)[:14])
    c.expect_close(1009)


@case("9 fragments adding up to one byte over max_message_size: 1009")
def _(port):
    c = Conn(port, timeout=60)
    half = b"*" * (MAX // 2)
    c.send(frame(TEXT, half, fin=False) + frame(CONT, half, fin=False))
    c.send(frame(CONT, b"*"))
    c.expect_close(1009)


# ---- 10: misc ------------------------------------------------------------------------------
@case("10.1.1 a 65536-byte text message in 1300-byte fragments")
def _(port):
    c = Conn(port)
    text = b"*" * 65536
    pieces = [text[i:i + 1300] for i in range(0, len(text), 1300)]
    c.send(frame(TEXT, pieces[0], fin=False) + b"".join(frame(CONT, p, fin=False) for p in pieces[1:-1]) +
           frame(CONT, pieces[-1]))
    c.expect(TEXT, text)
    c.close()


@case("unmasked client frame: 1002")
def _(port):
    c = Conn(port)
    c.send(frame(TEXT, "hi", mask=False))
    c.expect_close(1002)


def main():
    server = DemoServer(server_binary(), "--max-message-size", str(MAX))
    passed = failed = 0
    only = os.environ.get("CASE")
    try:
        for name, fn in CASES:
            if only and only not in name:
                continue
            try:
                fn(server.port)
                passed += 1
            except Exception as e:  # noqa: BLE001 - every failure is reported by name
                failed += 1
                print(f"FAIL {name}: {e!r}")
                if os.environ.get("VERBOSE"):
                    traceback.print_exc()
        if not server.alive():
            failed += 1
            print("FAIL the server exited during the run")
    finally:
        server.stop()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
