#!/usr/bin/env python3
"""The code a server runs per message: instructions, and the distinct 64-byte code lines and
4 KiB code pages they sit in, for one-client WebSocket echo (our server, the bound, the floor).

Why lines: between two messages of a one-client echo the server sleeps ~30 us in the kernel
(two system calls and the loopback), which evicts its code from the first-level caches, so
every code line a message runs is fetched again. Measured here (docs/benchmarks.md, "Sixth
session") each extra cold line costs ~15 ns of CPU per message while extra data pages cost
next to nothing, so lines are what to count; instructions alone understate the cost of code
spread thin.

Each server runs under callgrind (valgrind, `--dump-instr=yes`) twice, through N and 2N echo
messages of sockjs-bench; an instruction belongs to the message when the second run executed
it at least half a time more per extra message than the first. So start-up, the handshake and
timers drop out, and a line counts once however often the message runs it.

    /usr/bin/python3 bench/footprint.py [--build-dir build-bench] [--messages 2000]
                                        [--port 18900] [--top 12] [ours|bound|floor ...]

Needs valgrind (`apt-get install valgrind`). Prints one table row per server, then for each
server its functions with the most lines. Exit status 1 if a run failed or lost a message.

`--data` counts the data side too: the distinct 64-byte data lines (heap, stack, globals) a
message reads or writes. Each server runs under valgrind's lackey (`--trace-mem=yes`) through
`--data-messages` echoes; the trace is cut into messages at an instruction run exactly once
per message (the one whose spacing varies least), and the median message's distinct lines
are counted, code and data. Slower (lackey traces every access); the code lines it reports
include what a message runs less than once per message, so they read a little above the
callgrind column.
"""

import argparse
import array
import collections
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LINE = 64
PAGE = 4096


def server_command(which, bindir, port):
    if which == "ours":
        return [os.path.join(bindir, "sockjs-server"), "--port", str(port), "--threads", "1", "--quiet"]
    return [os.path.join(bindir, "sockjs-" + which), str(port)]


def wait_for_port(port, proc, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def run_echoes(which, bindir, port, messages, timeout):
    """`messages` one-client WebSocket echoes through sockjs-bench, every one checked."""
    bench = subprocess.run(
        [os.path.join(bindir, "sockjs-bench"), "-p", str(port), "-m", "echo", "-t", "websocket", "-c", "1",
         "--warmup", "0", "-d", "300", "--max-messages", str(messages)],
        capture_output=True, text=True, timeout=timeout)
    result = [l for l in bench.stdout.splitlines() if l.startswith("result ")]
    checked = re.search(r"\bchecked=(\d+)", result[-1]) if result else None
    errors = re.search(r"\berrors=(\d+)", result[-1]) if result else None
    if not checked or not errors or errors.group(1) != "0" or int(checked.group(1)) < messages:
        raise RuntimeError(f"{which}: the generator did not check {messages} messages: "
                           f"{result[-1] if result else bench.stderr.strip()}")


def stop(proc):
    proc.terminate()  # stopped by PID; valgrind writes its output as the server exits
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def profile(which, bindir, port, messages, outdir):
    """Runs `which` under callgrind through `messages` echoes; returns the profile's path."""
    out = os.path.join(outdir, f"{which}-{messages}.callgrind")
    log = open(os.path.join(outdir, f"{which}-{messages}.log"), "w")
    cmd = ["valgrind", "--tool=callgrind", "--dump-instr=yes", "--dump-line=no",
           f"--callgrind-out-file={out}"] + server_command(which, bindir, port)
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    try:
        if not wait_for_port(port, proc):
            raise RuntimeError(f"{which} did not start (log: {log.name})")
        run_echoes(which, bindir, port, messages, 600)
    finally:
        stop(proc)
        log.close()
    if not os.path.exists(out):
        raise RuntimeError(f"{which}: callgrind wrote no profile (log: {log.name})")
    return out


def data_lines(which, bindir, port, messages, outdir):
    """(code lines, data lines) of the median message of `messages` echoes, from lackey."""
    trace = os.path.join(outdir, f"{which}.lackey")
    log = open(os.path.join(outdir, f"{which}-lackey.log"), "w")
    cmd = ["valgrind", "--tool=lackey", "--trace-mem=yes", f"--log-file={trace}"] + server_command(which, bindir, port)
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    try:
        if not wait_for_port(port, proc, 120):
            raise RuntimeError(f"{which} did not start under lackey (log: {log.name})")
        run_echoes(which, bindir, port, messages, 900)
    finally:
        stop(proc)
        log.close()
    kinds = bytearray()  # 0 an instruction, 1 a data access
    addrs = array.array("Q")
    runs = collections.Counter()
    with open(trace) as f:
        for line in f:
            # "I  0401a2c,3", " L 1ffefff8a0,8", " S ...", " M ..." (valgrind's own lines start "==")
            tag = line[:2]
            if tag == "I ":
                a = int(line[3:line.index(",")], 16)
                runs[a] += 1
                kinds.append(0)
            elif tag in (" L", " S", " M"):
                a = int(line[3:line.index(",")], 16)
                kinds.append(1)
            else:
                continue
            addrs.append(a)
    os.remove(trace)
    candidates = {a for a, n in runs.items() if messages - 3 <= n <= messages + 6}
    where = collections.defaultdict(list)
    for i, a in enumerate(addrs):
        if a in candidates and kinds[i] == 0:
            where[a].append(i)

    def spread(a):  # how much the distance between two runs of `a` varies, relative
        p = where[a]
        d = [p[i + 1] - p[i] for i in range(len(p) // 4, len(p) - len(p) // 8)]
        return statistics.pstdev(d) / statistics.mean(d) if len(d) > 1 else float("inf")

    if not candidates:
        raise RuntimeError(f"{which}: no instruction ran once per message in the trace")
    marks = where[min(candidates, key=spread)]
    counted = []
    for j in range(len(marks) // 4, len(marks) - len(marks) // 8):  # past start-up, before the end
        code, data = set(), set()
        for i in range(marks[j], marks[j + 1]):
            (data if kinds[i] else code).add(addrs[i] // LINE)
        counted.append((len(code), len(data)))
    return statistics.median(c for c, _ in counted), statistics.median(d for _, d in counted)


def compressed_name(line, table):
    """The name an `ob=`/`cob=`/`fn=`/`cfn=` line gives: "(id) name" defines `id` in `table`,
    "(id)" alone refers to it; a line without an id is the name itself."""
    value = line.split("=", 1)[1].strip()
    m = re.match(r"\((\d+)\)(?: (.*))?$", value)
    if not m:
        return value
    if m.group(2):
        table[m.group(1)] = m.group(2)
    return table.get(m.group(1), "?")


def load(path):
    """Self cost (instructions executed) per code address, and each address's function.

    A code address is (object, offset): callgrind writes an instruction's address relative to
    the object (executable or shared library) it belongs to, which `ob=` names. Cost lines are
    "<address> <Ir>" with the address absolute (0x...), relative to the previous one (+n, -n)
    or the same (*); the cost line right after a `calls=` line is the call's inclusive cost,
    not self cost; `ob=`/`fn=` (and `cob=`/`cfn=`, which only define names) are "(id) name"
    the first time and "(id)" after."""
    cost = collections.Counter()
    fn_of = {}
    names = {}
    objects = {}
    fn = "?"
    ob = "?"
    last = 0
    call_cost_next = False
    npos = 1  # subpositions per cost line ("positions: instr" here; "instr line" by default)
    with open(path) as f:
        for line in f:
            if line.startswith("positions:"):
                npos = len(line.split()) - 1
                continue
            c = line[0]
            if c.isdigit() or c in "+-*":
                parts = line.split()
                a = parts[0]
                if a == "*":
                    addr = last
                elif a[0] in "+-":
                    delta = int(a[1:], 16) if a[1:].startswith("0x") else int(a[1:])
                    addr = last + delta if a[0] == "+" else last - delta
                else:
                    addr = int(a, 16) if a.startswith("0x") else int(a)
                last = addr
                if call_cost_next:
                    call_cost_next = False
                    continue
                if len(parts) > npos:
                    cost[(ob, addr)] += int(parts[npos])
                    fn_of[(ob, addr)] = fn
            elif line.startswith("calls="):
                call_cost_next = True
            elif line.startswith(("ob=", "cob=")):
                name = compressed_name(line, objects)
                if line.startswith("ob="):
                    ob = name
            elif line.startswith(("fn=", "cfn=")):
                name = compressed_name(line, names)
                if line.startswith("fn="):
                    fn = name
    return cost, fn_of


def footprint(small, large, n_small, n_large):
    a, _ = load(small)
    b, fn_of = load(large)
    extra = n_large - n_small
    per_msg = {addr: (b[addr] - a.get(addr, 0)) / extra for addr in b}
    hot = {addr: v for addr, v in per_msg.items() if v >= 0.5}
    total = (sum(b.values()) - sum(a.values())) / extra
    lines = {(ob, addr // LINE) for ob, addr in hot}
    pages = {(ob, addr // PAGE) for ob, addr in hot}
    by_fn = collections.defaultdict(set)
    for ob, addr in hot:
        by_fn[fn_of.get((ob, addr), "?")].add((ob, addr // LINE))
    return total, len(hot), len(lines), len(pages), by_fn


def short(name):
    name = name.replace("std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >", "std::string")
    name = name.replace("std::basic_string_view<char, std::char_traits<char> >", "std::string_view")
    return name if len(name) <= 110 else name[:107] + "..."


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build-bench"))
    ap.add_argument("--messages", type=int, default=2000)
    ap.add_argument("--port", type=int, default=18900)
    ap.add_argument("--top", type=int, default=12, help="functions listed per server")
    ap.add_argument("--data", action="store_true", help="also the data lines per message (lackey)")
    ap.add_argument("--data-messages", type=int, default=400)
    ap.add_argument("servers", nargs="*", help="ours, bound, floor (default: all three)")
    args = ap.parse_args()
    args.servers = args.servers or ["ours", "bound", "floor"]
    for which in args.servers:
        if which not in ("ours", "bound", "floor"):
            ap.error(f"unknown server {which!r} (ours, bound, floor)")
    if args.messages < 100:
        ap.error("--messages wants at least 100")
    if not shutil.which("valgrind"):
        print("footprint.py: needs valgrind (apt-get install valgrind)", file=sys.stderr)
        return 2
    bindir = os.path.join(os.path.abspath(args.build_dir), "bin")
    for which in args.servers:
        exe = server_command(which, bindir, 0)[0]
        if not os.access(exe, os.X_OK):
            print(f"footprint.py: {exe} is missing: build it first (bench/run.sh builds it)", file=sys.stderr)
            return 2

    rows = []
    data = {}
    with tempfile.TemporaryDirectory(prefix="footprint-") as outdir:
        for i, which in enumerate(args.servers):
            n1, n2 = args.messages, 2 * args.messages
            try:
                p1 = profile(which, bindir, args.port + 2 * i, n1, outdir)
                p2 = profile(which, bindir, args.port + 2 * i + 1, n2, outdir)
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                print(f"footprint.py: {e}", file=sys.stderr)
                return 1
            rows.append((which,) + footprint(p1, p2, n1, n2))
            if args.data:
                try:
                    data[which] = data_lines(which, bindir, args.port + 2 * i, args.data_messages, outdir)
                except (RuntimeError, subprocess.TimeoutExpired) as e:
                    print(f"footprint.py: {e}", file=sys.stderr)
                    return 1

    head = "| server | instructions per message | distinct instructions | code lines (64 B) | code pages (4 KiB) |"
    rule = "|---|---:|---:|---:|---:|"
    if args.data:
        head += " code lines, lackey | data lines (64 B), lackey |"
        rule += "---:|---:|"
    print(head)
    print(rule)
    for which, total, instrs, lines, pages, _ in rows:
        extra = " {:.0f} | {:.0f} |".format(*data[which]) if args.data else ""
        print(f"| {which} | {total:,.0f} | {instrs:,} | {lines} | {pages} |{extra}")
    for which, _, _, lines, _, by_fn in rows:
        print(f"\n{which}: the functions with the most lines per message (of {lines})")
        for name, ls in sorted(by_fn.items(), key=lambda kv: -len(kv[1]))[:args.top]:
            print(f"  {len(ls):4}  {short(name)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
