#!/usr/bin/env bash
# The second way to run: a local cluster with one command. Starts redis-server, N demo server
# processes sharing it (--redis), and HAProxy (or nginx with --nginx) in front on one port,
# from the configs in deploy/. Ctrl-C (or SIGTERM) stops everything it started, by PID.
#
#   bash scripts/cluster.sh                  # one process per core, HAProxy on 127.0.0.1:8081
#   bash scripts/cluster.sh -n 3 -p 9000 --nginx
#
# Logs and rendered configs go to a temporary directory (printed at start, removed at exit).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

processes=$(nproc)
port=8081
balancer=haproxy
while (($#)); do
  case "$1" in
    -n|--processes) processes=$2; shift 2 ;;
    -p|--port) port=$2; shift 2 ;;
    --nginx) balancer=nginx; shift ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "cluster: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
done

bash scripts/setup.sh
cmake -S . -B build >/dev/null
cmake --build build -j2 --target sockjs_server_demo
export PATH="$PATH:/usr/sbin"

dir=$(mktemp -d -t sockjs-cluster.XXXXXX)
pids=()
stop_all() {
  trap - INT TERM EXIT
  echo "cluster: stopping ${#pids[@]} processes"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap stop_all INT TERM EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_log() {  # file, pattern: up to 15 s
  for _ in $(seq 150); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "cluster: timed out waiting for '$2' in $1" >&2; tail -5 "$1" >&2; return 1
}

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
  >"$dir/redis.log" 2>&1 &
pids+=($!)
wait_log "$dir/redis.log" "Ready to accept connections"
echo "cluster: redis-server on 127.0.0.1:$redis_port (pid ${pids[-1]})"

servers=""
for i in $(seq "$processes"); do
  build/bin/sockjs-server --port 0 --threads 1 --static js --redis "redis://127.0.0.1:$redis_port" \
    >"$dir/server$i.log" 2>&1 &
  pids+=($!)
  wait_log "$dir/server$i.log" "event=listening"
  p=$(grep -o 'event=listening url=http://127.0.0.1:[0-9]*' "$dir/server$i.log" | grep -o '[0-9]*$')
  echo "cluster: sockjs-server $i on 127.0.0.1:$p (pid ${pids[-1]}, log $dir/server$i.log)"
  if [[ $balancer == haproxy ]]; then
    servers+="    server s$i 127.0.0.1:$p"$'\n'
  else
    servers+="        server 127.0.0.1:$p max_fails=1 fail_timeout=10s;"$'\n'
  fi
done

render() {  # template -> $dir/template with the placeholders filled in
  python3 - "$1" "$dir/$(basename "$1")" <<PY
import sys
text = open(sys.argv[1]).read()
for k, v in {"LISTEN": "127.0.0.1:$port", "STATS": "127.0.0.1:$(free_port)", "PREFIX": "$dir",
             "SERVERS": """${servers%$'\n'}"""}.items():
    text = text.replace("@" + k + "@", v)
open(sys.argv[2], "w").write(text)
PY
}
if [[ $balancer == haproxy ]]; then
  render deploy/haproxy.cfg
  haproxy -db -f "$dir/haproxy.cfg" >"$dir/haproxy.log" 2>&1 &
else
  render deploy/nginx.conf
  nginx -p "$dir" -c "$dir/nginx.conf" >"$dir/nginx.log" 2>&1 &
fi
pids+=($!)
sleep 0.5
kill -0 "${pids[-1]}" 2>/dev/null || { cat "$dir/$balancer.log" >&2; exit 1; }
echo "cluster: $balancer on http://127.0.0.1:$port in front of $processes processes (pid ${pids[-1]})"
echo "cluster: try http://127.0.0.1:$port/demo/ (the chat: every process's sessions see every message);"
echo "cluster: logs in $dir; Ctrl-C stops everything"
wait "${pids[0]}"
