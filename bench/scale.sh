#!/usr/bin/env bash
# How our server's throughput grows with its event loops: for L = 1..N, the demo server with
# `--threads L` pinned to L cores, and the load from G generator processes pinned to other
# cores (one each, the sessions split evenly), every message checked as in run.sh. Then the
# default configuration (no --threads: one loop per core it may run on) against `--threads 1`,
# both on the first server core alone.
#
#   bench/scale.sh                       N = nproc/2 server cores, the rest for generators
#   bench/scale.sh --loops 16 --server-cores 0-15 --gen-cores 16-31   (the 16-core plan,
#                                        docs/benchmarks.md)
# Options: --loops N, --server-cores LIST, --gen-cores LIST (taskset lists, e.g. 0-7 or
# 0,2,4), --transport T (websocket | raw-websocket | xhr-streaming | xhr-polling; default
# websocket), --clients N (in total; default 1000), --duration S (default 5), --port N
# (default 18700), --build-dir DIR (default build-bench), --no-default-check.
#
# A single generator is one thread: it saturates near 150-200k msgs/s (run.sh's caveats), so
# a server with many loops needs about one generator core per server loop. The table shows
# each step's generator CPU so that a generator-bound step can be told apart from a
# server-bound one. Broadcast is not scaled here: one sender must see every delivery, which
# needs a single generator process (run sockjs-bench -m broadcast by hand for that).
#
# Prints a markdown table (also <build-dir>/scale-table.md; raw result lines in
# scale-results.txt). Exit status 1 if any message was wrong or lost, 2 on a usage error.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

BUILD=$ROOT/build-bench
PORT=18700
DURATION=5
CLIENTS=1000
TRANSPORT=websocket
NCPU=$(nproc)
LOOPS=$((NCPU / 2 > 0 ? NCPU / 2 : 1))
SERVER_CORES=
GEN_CORES=
DEFAULT_CHECK=1
while (($#)); do
  case $1 in
    --loops) LOOPS=$2; shift ;;
    --server-cores) SERVER_CORES=$2; shift ;;
    --gen-cores) GEN_CORES=$2; shift ;;
    --transport) TRANSPORT=$2; shift ;;
    --clients) CLIENTS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --port) PORT=$2; shift ;;
    --build-dir) BUILD=$(realpath -m "$2"); shift ;;
    --no-default-check) DEFAULT_CHECK=0 ;;
    -h|--help) sed -n '2,/^[^#]/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "scale.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

# A taskset list (0-3,8) as one core per line.
expand_cores() {
  local part a b
  IFS=',' read -ra parts <<<"$1"
  for part in "${parts[@]}"; do
    if [[ $part == *-* ]]; then a=${part%-*} b=${part#*-}; seq "$a" "$b"; else echo "$part"; fi
  done
}
[[ -n $SERVER_CORES ]] || SERVER_CORES=0-$((LOOPS - 1))
[[ -n $GEN_CORES ]] || GEN_CORES=$LOOPS-$((NCPU - 1))
mapfile -t SCORES < <(expand_cores "$SERVER_CORES")
mapfile -t GCORES < <(expand_cores "$GEN_CORES")
if ((${#SCORES[@]} < LOOPS)); then
  echo "scale.sh: --server-cores $SERVER_CORES has fewer than --loops $LOOPS cores" >&2; exit 2
fi
if ((${#GCORES[@]} < 1)) || ((GCORES[-1] >= NCPU)); then
  echo "scale.sh: no generator core left (--gen-cores $GEN_CORES on a $NCPU-core machine)" >&2; exit 2
fi
for s in "${SCORES[@]:0:LOOPS}"; do
  for g in "${GCORES[@]}"; do
    ((s == g)) && { echo "scale.sh: core $s is both a server and a generator core" >&2; exit 2; }
  done
done

SERVER=$BUILD/bin/sockjs-server
BENCH=$BUILD/bin/sockjs-bench
RESULTS=$BUILD/scale-results.txt
TABLE=$BUILD/scale-table.md

if [[ ! -f $BUILD/CMakeCache.txt ]]; then
  mkdir -p "$BUILD"
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DSOCKJS_BUILD_TESTS=OFF >"$BUILD/bench-configure.log" 2>&1 ||
    { cat "$BUILD/bench-configure.log" >&2; exit 1; }
fi
if ! cmake --build "$BUILD" -j"$NCPU" --target sockjs-bench sockjs_server_demo >"$BUILD/bench-build.log" 2>&1; then
  tail -n 30 "$BUILD/bench-build.log" >&2; exit 1
fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
PRIO=()
chrt -r 10 true 2>/dev/null && PRIO=(chrt -r 10)

SERVER_PID=
stop_server() {
  [[ -n $SERVER_PID ]] || return 0
  kill -TERM "$SERVER_PID" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$SERVER_PID" 2>/dev/null
  wait "$SERVER_PID" 2>/dev/null
  SERVER_PID=
}
trap stop_server EXIT

field() { local re="(^| )$2=([^ ]*)"; [[ $1 =~ $re ]] && echo "${BASH_REMATCH[2]}" || echo ""; }

FAILED=0
# step LABEL CORES SERVER-ARGS... : one server, every generator core loaded; one table row.
step() {
  local label=$1 cores=$2; shift 2
  "${PRIO[@]}" taskset -c "$cores" "$SERVER" --port "$PORT" --quiet "$@" >>"$BUILD/scale-server.log" 2>&1 &
  SERVER_PID=$!
  local ok=0
  for _ in $(seq 100); do
    curl -sf -o /dev/null "http://127.0.0.1:$PORT/echo/info" && { ok=1; break; }
    sleep 0.1
  done
  if ((!ok)); then
    echo "| $label | server did not start | | | | | |"; FAILED=1; stop_server; return
  fi
  local g n=${#GCORES[@]} per=$((CLIENTS / ${#GCORES[@]})) dir
  ((per > 0)) || per=1
  dir=$(mktemp -d)
  local pids=()
  for ((g = 0; g < n; g++)); do
    timeout -k 5 120 "${PRIO[@]}" taskset -c "${GCORES[g]}" "$BENCH" -p "$PORT" --server-pid "$SERVER_PID" \
      -d "$DURATION" -m echo -t "$TRANSPORT" -c "$per" -l "$label" >"$dir/$g" 2>&1 &
    pids+=($!)
  done
  local errors=0 rate=0 cpu=0 gcpu=0 line
  for ((g = 0; g < n; g++)); do
    wait "${pids[g]}" || errors=$((errors + 1))
    { echo "## $label (generator $g on core ${GCORES[g]})"; cat "$dir/$g"; } >>"$RESULTS"
    line=$(grep '^result ' "$dir/$g" | tail -n 1)
    [[ -n $line ]] || { errors=$((errors + 1)); continue; }
    errors=$((errors + $(field "$line" errors)))
    rate=$(awk -v a="$rate" -v b="$(field "$line" rate)" 'BEGIN { print a + b }')
    # The generators measure overlapping windows of the same server: their mean server CPU.
    cpu=$(awk -v a="$cpu" -v b="$(field "$line" server_cpu)" -v n="$n" 'BEGIN { print a + b / n }')
    gcpu=$(awk -v a="$gcpu" -v b="$(field "$line" generator_cpu)" -v n="$n" 'BEGIN { print a + b / n }')
  done
  rm -rf "$dir"
  stop_server
  ((errors == 0)) || FAILED=1
  local per_cpu
  per_cpu=$(awk -v r="$rate" -v c="$cpu" 'BEGIN { if (c > 0) printf "%.0f", r / c; else print "-" }')
  [[ -z ${BASE_RATE:-} ]] && BASE_RATE=$rate
  printf '| %s | %.0f | %.2f | %s | %.2fx | %.0f%% | %s |\n' "$label" "$rate" "$cpu" "$per_cpu" \
    "$(awk -v r="$rate" -v b="$BASE_RATE" 'BEGIN { print (b > 0 ? r / b : 0) }')" \
    "$(awk -v g="$gcpu" 'BEGIN { print g * 100 }')" "$errors"
}

: >"$RESULTS"
{
  echo "$TRANSPORT echo, $CLIENTS clients in total from ${#GCORES[@]} generator(s) on cores $GEN_CORES; server cores $SERVER_CORES; $DURATION s per step"
  echo
  echo "| server | msgs/s | server CPU (cores) | msgs/CPU-s | vs 1 loop | generator CPU (mean) | errors |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  BASE_RATE=
  for ((l = 1; l <= LOOPS; l++)); do
    cores=$(IFS=,; echo "${SCORES[*]:0:l}")
    step "--threads $l on $l core(s)" "$cores" --threads "$l"
  done
  if ((DEFAULT_CHECK)); then
    step "--threads 1 on core ${SCORES[0]}" "${SCORES[0]}" --threads 1
    step "default (no --threads) on core ${SCORES[0]}" "${SCORES[0]}"
  fi
} >"$TABLE"
cat "$TABLE"
echo
echo "machine: $NCPU cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); priority: ${PRIO[*]:-default}; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$FAILED"
