#!/usr/bin/env python3
"""Memory of a running sockjs-server under the three bursts of issue 9, defect 6, from
/proc/<pid>/status (VmRSS, VmHWM). Usage: http_memory_scenarios.py PID PORT [scenario...]
Scenarios: big_send (a 4 MB xhr_send of a million one-character strings), abandoned (100,000
polling sessions opened and left to expire), uploads (100 unfinished 4 MB uploads).
Loopback only; every loop is bounded."""
import socket
import sys
import time
import uuid


def rss(pid):
    vals = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS", "VmHWM")):
                k, v = line.split(":")
                vals[k] = int(v.split()[0]) // 1024
    return vals


def request(port, method, path, body=b"", sock=None):
    own = sock is None
    if own:
        sock = socket.create_connection(("127.0.0.1", port))
    head = f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}\r\n\r\n"
    sock.sendall(head.encode() + body)
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    while len(rest) < length:
        rest += sock.recv(1 << 20)
    if own:
        sock.close()
    return head.split(b" ")[1], rest


def big_send(pid, port):
    sid = uuid.uuid4().hex
    request(port, "POST", f"/echo/000/{sid}/xhr")
    body = b"[" + b",".join([b'"a"'] * 1_000_000) + b"]"
    before = rss(pid)
    status, _ = request(port, "POST", f"/echo/000/{sid}/xhr_send", body)
    after_send = rss(pid)
    got = 0
    for _ in range(2000):  # drain the echoes with polls
        _, r = request(port, "POST", f"/echo/000/{sid}/xhr")
        got += r.count(b'"a"')
        if got >= 1_000_000:
            break
    time.sleep(2.5)
    request(port, "GET", "/echo")  # memory goes back on activity (at most every 2 s)
    print(f"big_send: body {len(body)} bytes, status {status.decode()}, RSS before {before['VmRSS']} MB, "
          f"after send {after_send['VmRSS']} MB (peak {after_send['VmHWM']} MB), "
          f"echoes read {got}, 2 s later {rss(pid)['VmRSS']} MB")


def abandoned(pid, port, n=100_000, wait=12):
    before = rss(pid)
    sock = socket.create_connection(("127.0.0.1", port))
    batch = 200
    for start in range(0, n, batch):
        reqs = b"".join(
            f"POST /echo/000/{uuid.uuid4().hex}/xhr HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".encode()
            for _ in range(batch))
        sock.sendall(reqs)
        need = batch
        buf = b""
        while need:
            buf += sock.recv(1 << 20)
            while True:
                i = buf.find(b"\r\n\r\n")
                if i < 0:
                    break
                head = buf[:i]
                length = int([l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")][0].split(b":")[1])
                if len(buf) < i + 4 + length:
                    break
                buf = buf[i + 4 + length:]
                need -= 1
    sock.close()
    opened = rss(pid)
    time.sleep(wait)  # disconnect_delay 5 s, then the reaper
    request(port, "GET", "/echo")  # memory goes back on activity (at most every 2 s)
    print(f"abandoned: {n} sessions, RSS before {before['VmRSS']} MB, all open {opened['VmRSS']} MB, "
          f"{wait} s later (expired) {rss(pid)['VmRSS']} MB")


def uploads(pid, port, n=100, size=4_000_000):
    before = rss(pid)
    socks, refused = [], 0
    chunk = b"x" * 65536
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(f"POST /echo/000/{uuid.uuid4().hex}/xhr_send HTTP/1.1\r\nHost: x\r\nContent-Length: {size}\r\n\r\n".encode())
        socks.append(s)
    for s in socks:
        s.setblocking(False)
        sent = 0
        try:
            while sent < size - 1:
                sent += s.send(chunk[: min(len(chunk), size - 1 - sent)])
        except (BlockingIOError, BrokenPipeError, ConnectionResetError):
            pass
    time.sleep(1)
    held = rss(pid)
    for s in socks:
        s.setblocking(True)
        s.settimeout(0.2)
        try:
            if s.recv(64).startswith(b"HTTP/1.1 503"):
                refused += 1
        except (socket.timeout, ConnectionResetError):
            pass
    for s in socks:
        s.close()
    time.sleep(2.5)
    request(port, "GET", "/echo")
    print(f"uploads: {n} x {size} bytes unfinished, RSS before {before['VmRSS']} MB, while held "
          f"{held['VmRSS']} MB (peak {held['VmHWM']} MB), 503 answers {refused}, after close {rss(pid)['VmRSS']} MB")


if __name__ == "__main__":
    pid, port = int(sys.argv[1]), int(sys.argv[2])
    for name in sys.argv[3:] or ["uploads", "big_send", "abandoned"]:
        globals()[name](pid, port)
