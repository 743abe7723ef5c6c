#!/usr/bin/env python3
"""Broadcast fan-out across processes, the same run: 1,000 websocket sessions on one process
(2 loops, in-process bus), then the same sessions spread over 2 processes (1 loop each) that
share a Redis (the sessions connect to the processes directly, alternately, so that only the
bus differs). sockjs-bench's broadcast step measures it: session 0 publishes on /broadcast,
every session receives, deliveries/s and publish-to-delivery p50/p99. Then sockjs-publish-cost
measures what one publish costs the thread that makes it, with either bus.

    /usr/bin/python3 bench/scale_out.py --build build [--clients 1000] [--duration 5] [--window 8]
"""

import argparse
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "cluster"))
from cluster import Cluster  # noqa: E402


def bench(bin_dir, ports, pids, a, label):
    args = [os.path.join(bin_dir, "sockjs-bench"), "--mode", "broadcast", "--service", "/broadcast",
            "--port", str(ports[0]), "--clients", str(a.clients), "--duration", str(a.duration),
            "--window", str(a.window), "--label", label]
    if len(ports) > 1:
        args += ["--more-ports", ",".join(map(str, ports[1:]))]
    out = subprocess.run(args, capture_output=True, text=True, timeout=120).stdout
    line = next((x for x in out.splitlines() if x.startswith("result")), out)
    return line


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--clients", type=int, default=1000)
    ap.add_argument("--duration", type=float, default=5)
    ap.add_argument("--window", type=int, default=8)
    a = ap.parse_args()
    bin_dir = os.path.join(a.build, "bin")
    server = os.path.join(bin_dir, "sockjs-server")
    with Cluster(server, 1, balancer=None, threads=2, redis=False, quiet=True) as c:
        print(bench(bin_dir, c.ports, [p.pid for p in c.servers], a, "1-process-in-process"), flush=True)
    with Cluster(server, 2, balancer=None, threads=1, redis=True, quiet=True) as c:
        print(bench(bin_dir, c.ports, [p.pid for p in c.servers], a, "2-processes-redis"), flush=True)
        out = subprocess.run([os.path.join(bin_dir, "sockjs-publish-cost"), "--url",
                              f"redis://127.0.0.1:{c.redis_port}", "--messages", "100000"],
                             capture_output=True, text=True, timeout=120).stdout
        print(out, end="", flush=True)


if __name__ == "__main__":
    main()
