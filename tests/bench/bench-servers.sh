#!/usr/bin/env bash
# bench-servers.sh: the two reference servers of bench/run.sh answer what the generator checks.
# The bound (sockjs-bound) and the floor (sockjs-floor) each serve a short SockJS echo (10
# clients: content, order and loss of every message are checked by sockjs-bench), the floor
# also JSON messages full of characters it must decode and escape again, and the bound a raw
# WebSocket echo and a broadcast. A wrong figure in the benchmark table would come from a
# reference that does not do its job; this is what CI keeps of run.sh (which it does not run).
# Ends with `N passed, M failed`; exit 0 when nothing failed. Servers are stopped by PID.
#
# usage: bench-servers.sh BIN_DIR   (holding sockjs-bound, sockjs-floor and sockjs-bench)

set -u
bin=${1:?usage: bench-servers.sh BIN_DIR}
passed=0 failed=0
check() {  # check NAME command...
  local name=$1; shift
  if out=$("$@" 2>&1); then
    passed=$((passed + 1)); echo "ok   $name: $(grep -o 'checked=[0-9]*' <<<"$out" | head -1)"
  else
    failed=$((failed + 1)); echo "FAIL $name"; echo "$out" | tail -n 5
  fi
}
listeners() {  # listening sockets on 127.0.0.1/any at port $1 (from /proc: no ss needed)
  local hex; hex=$(printf '%04X' "$1")
  awk -v p=":$hex" 'substr($2, length($2) - 4) == p && $4 == "0A"' /proc/net/tcp /proc/net/tcp6 2>/dev/null | wc -l
}

for server in bound floor; do
  port=''
  for ((p = 18960; p <= 18999; p++)); do
    if [ "$(listeners "$p")" -eq 0 ]; then port=$p; break; fi
  done
  [ -n "$port" ] || { echo "bench-servers.sh: no free port in 18960-18999" >&2; exit 2; }
  timeout -s KILL 60 "$bin/sockjs-$server" "$port" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 50); do
    [ "$(listeners "$port")" -gt 0 ] && break
    sleep 0.1
  done
  gen=(timeout 30 "$bin/sockjs-bench" -p "$port" -d 0.3 --warmup 0.1 --open-timeout 10)
  check "$server: SockJS websocket echo, 10 clients" "${gen[@]}" -m echo -t websocket -c 10
  if [ "$server" = floor ]; then
    check "floor: JSON messages (quotes, escapes) decoded and escaped again" \
      "${gen[@]}" -m echo -t websocket -c 10 --json --size 512
  else
    check "bound: raw websocket echo" "${gen[@]}" -m echo -t raw-websocket -c 10
    check "bound: broadcast to 10" "${gen[@]}" -m broadcast -t websocket -s /broadcast -c 10
  fi
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
