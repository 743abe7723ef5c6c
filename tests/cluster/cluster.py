"""A local cluster for the tests: redis-server, N sockjs-server processes with --redis, and
HAProxy or nginx in front, rendered from deploy/. Every process is started here on loopback
and stopped by its PID. Also minimal SockJS clients for every transport (asyncio)."""

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse

import websockets

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# haproxy and nginx live in /usr/sbin, which a non-root PATH may lack.
os.environ["PATH"] = os.environ.get("PATH", "/usr/bin:/bin") + ":/usr/sbin"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(pred, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class Process:
    def __init__(self, name, args, log_path):
        self.name, self.args, self.log_path = name, args, log_path
        self.log = open(log_path, "ab")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.alive():
            os.kill(self.proc.pid, sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


class Cluster:
    """redis + `n` servers + an optional balancer ("haproxy", "nginx" or None)."""

    def __init__(self, server_bin, n=3, balancer="haproxy", threads=1, redis=True, quiet=False):
        self.server_bin, self.n, self.balancer, self.threads = server_bin, n, balancer, threads
        self.use_redis, self.quiet = redis, quiet
        self.dir = tempfile.mkdtemp(prefix="sockjs-cluster-")
        self.redis = None
        self.redis_port = None
        self.servers = []  # Process
        self.ports = []
        self.lb = None
        self.port = None  # the balancer's (or the first server's) port
        self.stats_port = None

    # ---- lifecycle ----
    def __enter__(self):
        try:
            if self.use_redis:
                self.start_redis()
            for i in range(self.n):
                self.start_server(i)
            if self.balancer:
                self.start_balancer()
            else:
                self.port = self.ports[0]
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        for p in [self.lb] + self.servers + [self.redis]:
            if p is not None:
                p.stop()

    def start_redis(self, port=None):
        for _ in range(5):
            p = port or free_port()
            proc = Process("redis", ["redis-server", "--port", str(p), "--bind", "127.0.0.1", "--save", "",
                                     "--appendonly", "no", "--dir", self.dir], os.path.join(self.dir, "redis.log"))
            try:
                wait_for(lambda: port_open(p) or not proc.alive(), 10, "redis-server")
            except AssertionError:
                proc.stop()
                raise
            if proc.alive():
                self.redis, self.redis_port = proc, p
                return
            proc.stop()
            if port:
                break
        raise AssertionError("could not start redis-server")

    def start_server(self, i):
        log = os.path.join(self.dir, f"server{i}.log")
        bus = ["--redis", f"redis://127.0.0.1:{self.redis_port}", "--redis-prefix", "test:"] if self.use_redis else []
        proc = Process(f"server{i}", [self.server_bin, "--port", "0", "--threads", str(self.threads)]
                       + (["--quiet"] if self.quiet else []) + bus, log)
        port = []

        def listening():
            m = re.search(r"event=listening url=http://127\.0\.0\.1:(\d+)", proc.text())
            if m:
                port.append(int(m.group(1)))
            return bool(m) or not proc.alive()
        wait_for(listening, 15, f"server{i} to listen")
        assert proc.alive(), proc.text()
        if self.use_redis:
            wait_for(lambda: "role=subscriber state=up" in proc.text(), 15, f"server{i} to subscribe")
        self.servers.append(proc)
        self.ports.append(port[0])

    def render(self, template, **values):
        with open(os.path.join(ROOT, "deploy", template)) as f:
            text = f.read()
        for k, v in values.items():
            text = text.replace(f"@{k}@", v)
        path = os.path.join(self.dir, template)
        with open(path, "w") as f:
            f.write(text)
        return path

    def start_balancer(self):
        for _ in range(5):
            self.port, self.stats_port = free_port(), free_port()
            if self.balancer == "haproxy":
                servers = "\n".join(f"    server s{i} 127.0.0.1:{p}" for i, p in enumerate(self.ports))
                cfg = self.render("haproxy.cfg", LISTEN=f"127.0.0.1:{self.port}",
                                  STATS=f"127.0.0.1:{self.stats_port}", SERVERS=servers)
                args = ["haproxy", "-db", "-f", cfg]
            else:
                servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in self.ports)
                cfg = self.render("nginx.conf", LISTEN=f"127.0.0.1:{self.port}", PREFIX=self.dir, SERVERS=servers)
                args = ["nginx", "-p", self.dir, "-c", cfg]
            proc = Process(self.balancer, args, os.path.join(self.dir, self.balancer + ".log"))
            wait_for(lambda: port_open(self.port) or not proc.alive(), 10, self.balancer)
            if proc.alive():
                self.lb = proc
                if self.balancer == "haproxy":
                    wait_for(lambda: self.haproxy_up() == len(self.ports), 15, "haproxy health checks")
                return
            proc.stop()
        raise AssertionError(f"could not start {self.balancer}: {proc.text()}")

    def haproxy_status(self):
        """{server name: status} from HAProxy's stats CSV."""
        try:
            with socket.create_connection(("127.0.0.1", self.stats_port), timeout=2) as s:
                s.sendall(b"GET /stats;csv HTTP/1.0\r\n\r\n")
                data = b""
                while chunk := s.recv(65536):
                    data += chunk
        except OSError:
            return {}
        out = {}
        for line in data.decode(errors="replace").splitlines():
            f = line.split(",")
            if len(f) > 17 and f[0] == "sockjs" and f[1].startswith("s"):
                out[f[1]] = f[17]
        return out

    def haproxy_up(self):
        return sum(1 for v in self.haproxy_status().values() if v.startswith("UP"))

    def url(self, port=None):
        return f"http://127.0.0.1:{port or self.port}"


# ---- SockJS clients ----

def random_ids(i):
    """A server id (random per session, as clients choose it) and a session id."""
    return f"{os.urandom(2).hex()[:3]}", f"s{i}-{os.urandom(6).hex()}"


def frames_of(ws_message):
    """Messages of one SockJS frame: a[...] -> list; o/h -> []; c[...] -> ('close', code)."""
    if ws_message.startswith("a"):
        return json.loads(ws_message[1:])
    if ws_message.startswith("c"):
        return [("close", json.loads(ws_message[1:])[0])]
    return []


class WsSession:
    """A SockJS session on the websocket transport."""

    def __init__(self, port, prefix, i=0):
        self.port, self.prefix, self.i = port, prefix, i
        self.server_id, self.session_id = random_ids(i)
        self.ws = None
        self.queue = []  # messages received, in order
        self.closed = None  # close code once ended
        self.reader = None
        self.event = asyncio.Event()

    async def open(self, timeout=20):
        uri = f"ws://127.0.0.1:{self.port}{self.prefix}/{self.server_id}/{self.session_id}/websocket"
        self.ws = await websockets.connect(uri, open_timeout=timeout, max_size=None, ping_interval=None,
                                           close_timeout=2)
        first = await asyncio.wait_for(self.ws.recv(), timeout)
        assert first == "o", first
        self.reader = asyncio.ensure_future(self._read())
        return self

    async def _read(self):
        try:
            async for m in self.ws:
                for x in frames_of(m):
                    if isinstance(x, tuple):
                        self.closed = x[1]
                    else:
                        self.queue.append(x)
                self.event.set()
        except websockets.ConnectionClosed as e:
            if self.closed is None:
                self.closed = e.code
        if self.closed is None:
            self.closed = self.ws.close_code
        self.event.set()

    async def send(self, *messages):
        await self.ws.send(json.dumps(list(messages)))

    async def wait(self, pred, timeout, what="a message"):
        deadline = time.monotonic() + timeout
        while not pred(self):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"session {self.i}: timed out waiting for {what}; got {self.queue[-5:]} closed={self.closed}")
            self.event.clear()
            try:
                await asyncio.wait_for(self.event.wait(), left)
            except asyncio.TimeoutError:
                pass

    async def expect(self, prefix, timeout=10):
        """The first message starting with `prefix`, taken out of the queue."""
        def has(s):
            return any(m.startswith(prefix) for m in s.queue)
        await self.wait(has, timeout, repr(prefix))
        for k, m in enumerate(self.queue):
            if m.startswith(prefix):
                return self.queue.pop(k)

    async def close(self):
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            await self.reader


async def rooms_session(port, i=0):
    """A /rooms session and its connection id (its node is the id's part before '-')."""
    s = await WsSession(port, "/rooms", i).open()
    s.id = (await s.expect("id "))[3:]
    s.node = s.id.split("-")[0]
    return s


# ---- HTTP transports, on raw asyncio streams (one request per connection) ----

async def http_open(port, method, path, body=b"", headers=None):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    h = {"Host": f"127.0.0.1:{port}", "Connection": "close", "Content-Length": str(len(body))}
    h.update(headers or {})
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items()) + "\r\n"
    writer.write(head.encode() + body)
    await writer.drain()
    status_line = await reader.readline()
    status = int(status_line.split()[1])
    headers_in = {}
    while (line := await reader.readline()) not in (b"\r\n", b""):
        k, _, v = line.decode().partition(":")
        headers_in[k.strip().lower()] = v.strip()
    return status, headers_in, reader, writer


async def body_chunks(headers, reader):
    """The response body as it arrives (chunked, sized or until EOF)."""
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            if size == 0:
                return
            data = await reader.readexactly(size)
            await reader.readline()
            yield data
    elif "content-length" in headers:
        n = int(headers["content-length"])
        if n:
            yield await reader.readexactly(n)
    else:
        while chunk := await reader.read(65536):
            yield chunk


async def http_call(port, method, path, body=b"", headers=None, timeout=10):
    async def go():
        status, h, r, w = await http_open(port, method, path, body, headers)
        data = b"".join([c async for c in body_chunks(h, r)])
        w.close()
        return status, data.decode(errors="replace")
    return await asyncio.wait_for(go(), timeout)


OPEN_MARK = {"xhr_streaming": "o\n", "eventsource": "data: o\r\n", "htmlfile": 'p("o");'}


async def streaming_session(port, prefix, transport, message=None, expect=None, timeout=15):
    """Opens a streaming transport, sends `message` (via xhr_send) after the open frame, and
    reads until `expect` appears in the body. Returns the body read."""
    sid, sess = random_ids(0)
    base = f"{prefix}/{sid}/{sess}"
    path = f"{base}/{transport}" + ("?c=cb" if transport == "htmlfile" else "")
    method = "POST" if transport == "xhr_streaming" else "GET"

    async def go():
        status, h, r, w = await http_open(port, method, path)
        assert status == 200, (transport, status)
        text, sent = "", False
        try:
            async for chunk in body_chunks(h, r):
                text += chunk.decode(errors="replace")
                if not sent and OPEN_MARK[transport] in text:
                    sent = True
                    if message is not None:
                        st, _ = await http_call(port, "POST", f"{base}/xhr_send", json.dumps([message]).encode(),
                                                {"Content-Type": "text/plain"})
                        assert st == 204, (transport, "xhr_send", st)
                if sent and expect in text:
                    return text
        finally:
            w.close()
        raise AssertionError(f"{transport}: stream ended before {expect!r}: {text[-200:]!r}")
    return await asyncio.wait_for(go(), timeout)


async def polling_session(port, prefix, transport, message=None, expect=None, timeout=15):
    """xhr or jsonp polling: open, send `message`, poll until `expect` appears."""
    sid, sess = random_ids(0)
    base = f"{prefix}/{sid}/{sess}"
    poll = f"{base}/xhr" if transport == "xhr" else f"{base}/jsonp?c=cb"
    method = "POST" if transport == "xhr" else "GET"

    async def go():
        st, body = await http_call(port, method, poll)
        assert st == 200 and ("o" in body), (transport, st, body)
        if message is not None:
            if transport == "xhr":
                st, _ = await http_call(port, "POST", f"{base}/xhr_send", json.dumps([message]).encode())
                assert st == 204, (transport, "xhr_send", st)
            else:
                form = "d=" + urllib.parse.quote(json.dumps([message]))
                st, ok = await http_call(port, "POST", f"{base}/jsonp_send", form.encode(),
                                         {"Content-Type": "application/x-www-form-urlencoded"})
                assert st == 200 and ok == "ok", (transport, "jsonp_send", st, ok)
        text = body
        for _ in range(20):
            if expect in text:
                return text
            st, body = await http_call(port, method, poll)
            assert st == 200, (transport, st, body)
            text += body
        raise AssertionError(f"{transport}: no {expect!r} in {text[-200:]!r}")
    return await asyncio.wait_for(go(), timeout)


def serve_main():
    """`cluster.py --server BIN [-n N]`: starts a cluster (HAProxy in front), prints one JSON
    line {"port": balancer port, "nodes": {node id: pid}}, and stops everything when stdin
    closes. For tests in other languages (tests/browser)."""
    import argparse
    import sys
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("-n", type=int, default=3)
    a = ap.parse_args()
    with Cluster(a.server, a.n, "haproxy") as c:
        nodes = {}
        for p in c.servers:
            m = re.search(r"node=([0-9a-f]+)", p.text())
            nodes[m.group(1)] = p.pid
        print(json.dumps({"port": c.port, "nodes": nodes}), flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    serve_main()
