#!/usr/bin/env python3
"""Scale-out tests with the real programs: redis-server, sockjs-server processes with --redis,
and HAProxy or nginx in front (configs from deploy/). One scenario per run:

    cluster_test.py SCENARIO --server build/bin/sockjs-server [--probe build/bin/sockjs-reconnect-probe]

transports-haproxy, transports-nginx, broadcast, topics, kill9, redis-restart."""

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cluster import (Cluster, WsSession, polling_session, rooms_session,  # noqa: E402
                     streaming_session, wait_for)

TRANSPORTS = ["websocket", "xhr_streaming", "xhr", "eventsource", "htmlfile", "jsonp"]


async def one_transport(port, transport, i):
    """Echo on /echo and the close frame of /close, on one transport."""
    msg = f"m-{transport}-{i}"
    if transport == "websocket":
        s = await WsSession(port, "/echo", i).open()
        await s.send(msg)
        await s.expect(msg)
        await s.close()
        c = WsSession(port, "/close", i)
        await c.open()
        await c.wait(lambda x: x.closed is not None, 10, "the close frame")
        assert c.closed == 3000, c.closed
        await c.close()
        return
    run = streaming_session if transport in ("xhr_streaming", "eventsource", "htmlfile") else polling_session
    await run(port, "/echo", transport, msg, msg)
    await run(port, "/close", transport, None, "Go away!")


async def transports(cluster):
    # 8 sessions per transport, each with its own random server id: spread over the processes,
    # every request of one session must reach the process that holds it.
    for transport in TRANSPORTS:
        await asyncio.gather(*[one_transport(cluster.port, transport, i) for i in range(8)])
        print(f"ok {transport} through {cluster.balancer}", flush=True)
    # The spread really happened: every process served sessions.
    for s in cluster.servers:
        assert "event=open service=/echo" in s.text(), f"{s.name} got no session"


async def open_rooms(port, n, batch=100):
    out = []
    for k in range(0, n, batch):
        out += await asyncio.gather(*[rooms_session(port, i) for i in range(k, min(n, k + batch))])
    return out


async def broadcast(cluster, n=1000, messages=20):
    sessions = await open_rooms(cluster.port, n)
    nodes = {s.node for s in sessions}
    assert len(nodes) == 3, f"sessions on {len(nodes)} processes only"
    await asyncio.gather(*[s.send("join room") for s in sessions])
    await asyncio.gather(*[s.expect("joined room") for s in sessions])
    # Two publishers on different processes, each with its own sequence.
    pubs = [sessions[0]] + [s for s in sessions if s.node != sessions[0].node][:1]
    t0 = time.monotonic()
    for k in range(messages):
        for p, pub in enumerate(pubs):
            await pub.send(f"pub room p{p}-{k}")
    for s in sessions:
        await s.wait(lambda x: len(x.queue) >= 2 * messages, 30, "every broadcast")
    await asyncio.sleep(0.5)  # anything extra (a duplicate) would have arrived by now
    elapsed = time.monotonic() - t0
    for s in sessions:
        assert len(s.queue) == 2 * messages, f"session {s.i} on {s.node}: {len(s.queue)} messages"
        for p in range(len(pubs)):
            mine = [m for m in s.queue if m.startswith(f"p{p}-")]
            assert mine == [f"p{p}-{k}" for k in range(messages)], f"session {s.i}: {mine[:5]}..."
    print(f"ok {n} sessions on {len(nodes)} processes: {2 * messages} messages each, once, in order "
          f"({n * 2 * messages} deliveries in {elapsed:.2f} s)", flush=True)
    await asyncio.gather(*[s.close() for s in sessions])


async def topics(cluster):
    sessions = await open_rooms(cluster.port, 48)
    by_node = {}
    for s in sessions:
        by_node.setdefault(s.node, []).append(s)
    assert len(by_node) == 3, f"sessions on {len(by_node)} processes only"
    a, b, c = (v[0] for v in by_node.values())
    for s in (a, b):
        await s.send("join red")
        await s.expect("joined red")
    await c.send("pub red hello")  # c is on a third process and not in the topic
    assert await a.expect("hello") and await b.expect("hello")
    await b.send("leave red")
    await b.expect("left red")  # else b's process may see the next publish before the leave
    await c.send("pub red second")
    await a.expect("second")
    await asyncio.sleep(0.5)
    assert "second" not in b.queue and "hello" not in c.queue and "second" not in c.queue, (b.queue, c.queue)
    # send_to across processes, to a local session, and to unknown ids.
    await a.send(f"to {b.id} direct-1")
    await b.expect("direct-1")
    await a.send(f"to {by_node[a.node][1].id} local-1")
    await by_node[a.node][1].expect("local-1")
    await a.send(f"to {a.node}-000000000000000000000000 x")
    await a.expect(f"unknown {a.node}-")  # our own node and no such session: false at once
    await a.send("to nonsense x")
    await a.expect("unknown nonsense")
    await asyncio.sleep(0.3)
    for s in sessions:
        assert all(m not in ("direct-1", "local-1") for m in s.queue), (s.i, s.queue)
    print("ok topics and send_to across 3 processes", flush=True)
    await asyncio.gather(*[s.close() for s in sessions])


def probe_lines(proc, lines, stop):
    for line in iter(proc.stdout.readline, b""):
        lines.append(line.decode().strip())
        if stop():
            break


async def kill9(cluster, probe_bin):
    sessions = await open_rooms(cluster.port, 30)
    for s in sessions:
        await s.send("join k")
    for s in sessions:
        await s.expect("joined k")
    # A native client with reconnect on, through the balancer.
    probe = None
    if probe_bin:
        probe = subprocess.Popen([probe_bin, "--url", f"{cluster.url()}/rooms"], stdout=subprocess.PIPE,
                                 stdin=subprocess.PIPE)
        line = await asyncio.get_event_loop().run_in_executor(None, probe.stdout.readline)
        first_id = line.decode().split()[1]
        victim_node = first_id.split("-")[0]
    else:
        victim_node = sessions[0].node
    victim = next(i for i, s in enumerate(sessions) if s.node == victim_node)
    # Which process is that node? Its log names the node.
    victim_proc = next(p for p in cluster.servers if f"node={victim_node}" in p.text())
    os.kill(victim_proc.pid, signal.SIGKILL)
    victim_proc.proc.wait()
    gone = [s for s in sessions if s.node == victim_node]
    alive = [s for s in sessions if s.node != victim_node]
    assert gone and alive and victim >= 0
    for s in gone:
        await s.wait(lambda x: x.closed is not None, 10, "the end of the session")
        assert s.closed == 1006, s.closed
    await alive[0].send("pub k after-kill")
    for s in alive:
        await s.expect("after-kill")
        assert s.closed is None
    print(f"ok kill -9: {len(gone)} sessions ended with 1006, {len(alive)} kept receiving", flush=True)
    if probe:
        seen = []
        while not seen or not seen[-1].startswith("id "):
            line = await asyncio.wait_for(asyncio.get_event_loop().run_in_executor(None, probe.stdout.readline), 30)
            assert line, f"the probe ended: {seen}"
            seen.append(line.decode().strip())
        assert seen[0] == "close 1006", seen  # the session ended with the process
        new_id = seen[-1].split()[1]
        assert new_id.split("-")[0] != victim_node, (first_id, new_id)
        probe.stdin.close()
        probe.wait(10)
        print(f"ok the native client reconnected to a live process ({first_id} -> {new_id})", flush=True)
    # The balancer takes the dead process out; new sessions all land on live processes.
    if cluster.balancer == "haproxy":
        wait_for(lambda: cluster.haproxy_up() == 2, 10, "haproxy to mark the process down")
    fresh = await open_rooms(cluster.port, 30)
    assert all(s.node != victim_node for s in fresh)
    print("ok the balancer routes new sessions to live processes only", flush=True)
    await asyncio.gather(*[s.close() for s in fresh + alive])


async def redis_restart(cluster):
    sessions = await open_rooms(cluster.port, 24)
    by_node = {}
    for s in sessions:
        by_node.setdefault(s.node, []).append(s)
    assert len(by_node) >= 2
    a_list, b_list = list(by_node.values())[:2]
    a, a2, b = a_list[0], (a_list[1] if len(a_list) > 1 else None), b_list[0]
    for s in sessions:
        await s.send("join r")
    for s in sessions:
        await s.expect("joined r")
    port = cluster.redis_port
    cluster.redis.stop()
    for p in cluster.servers:
        wait_for(lambda: "role=subscriber state=down" in p.text(), 10, f"{p.name} to log the outage")
    # Local delivery continues; nothing crosses processes meanwhile.
    await a.send("pub r during-outage")
    await a.expect("during-outage")
    if a2:
        await a2.expect("during-outage")
    await asyncio.sleep(0.5)
    assert "during-outage" not in b.queue
    t0 = time.monotonic()
    cluster.start_redis(port)
    # Cross-process delivery resumes: publish a probe until the other process gets one.
    k = 0
    while True:
        k += 1
        await a.send(f"pub r probe-{k}")
        await asyncio.sleep(0.2)
        if any(m.startswith("probe-") for m in b.queue):
            break
        assert time.monotonic() - t0 < 15, "cross-process delivery did not resume within 15 s"
    resumed = time.monotonic() - t0
    await a.send("pub r after-restart")
    for s in sessions:
        await s.expect("after-restart")
    for p in cluster.servers:
        assert p.alive(), p.name
        assert "role=subscriber state=up" in p.text() and "action=resubscribed" in p.text(), p.text()[-2000:]
        assert "role=publisher state=down" in p.text() or "role=publisher state=up" in p.text()
    print(f"ok Redis restart: local delivery went on, cross-process delivery resumed {resumed:.1f} s after "
          f"Redis came back", flush=True)
    await asyncio.gather(*[s.close() for s in sessions])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario")
    ap.add_argument("--server", required=True)
    ap.add_argument("--probe")
    args = ap.parse_args()
    sc = args.scenario
    for program in ("redis-server", "haproxy", "nginx"):
        if shutil.which(program) is None and os.path.exists(f"/usr/sbin/{program}") is False:
            print(f"skipped: {program} is not installed (scripts/setup.sh installs it)")
            sys.exit(77)
    balancer = "nginx" if sc == "transports-nginx" else "haproxy"
    with Cluster(args.server, 3, balancer) as cluster:
        try:
            if sc.startswith("transports"):
                asyncio.run(transports(cluster))
            elif sc == "broadcast":
                asyncio.run(broadcast(cluster))
            elif sc == "topics":
                asyncio.run(topics(cluster))
            elif sc == "kill9":
                asyncio.run(kill9(cluster, args.probe))
            elif sc == "redis-restart":
                asyncio.run(redis_restart(cluster))
            else:
                sys.exit(f"unknown scenario {sc}")
        except BaseException:
            for p in cluster.servers + [cluster.lb, cluster.redis]:
                if p is not None:
                    print(f"---- {p.name} (last lines)\n" + "\n".join(p.text().splitlines()[-15:]), file=sys.stderr)
            raise


if __name__ == "__main__":
    main()
