"""Starts the demo server (build/bin/sockjs-server) on a free port for the WebSocket tests and
stops it by its PID. Shared by websocket_rfc6455_test.py and websocket_interop_test.py."""

import os
import re
import subprocess
import sys
import time


class DemoServer:
    def __init__(self, binary, *args):
        self.proc = subprocess.Popen([binary, "--host", "127.0.0.1", "--port", "0", "--quiet", *args],
                                     stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 20
        self.port = None
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            m = re.search(r"event=listening url=http://[^ ]*:(\d+)", line)
            if m:
                self.port = int(m.group(1))
                break
        if self.port is None:
            self.stop()
            sys.exit("demo server did not start")

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def server_binary():
    if len(sys.argv) < 2 or not os.path.exists(sys.argv[1]):
        sys.exit("usage: %s <path to sockjs-server>" % sys.argv[0])
    return sys.argv[1]
