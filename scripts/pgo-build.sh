#!/usr/bin/env bash
# pgo-build.sh: a profile-guided build of the native SDK (GCC), in three steps in one build
# directory (the profiles are named after its object files):
#   1. build with SOCKJS_PGO=generate (instrumented);
#   2. train: the instrumented demo server under the benchmark generator's workloads, a few
#      seconds each (WebSocket echo with text and JSON messages, raw WebSocket echo,
#      xhr-streaming, xhr-polling, broadcast), every message checked as in bench/run.sh;
#   3. build again with SOCKJS_PGO=use.
# The result: DIR/lib/libsockjs-core.a and libsockjs-server.a for an application to link, the
# demo server DIR/bin/sockjs-server, and the benchmark's programs (bench/run.sh --build-dir DIR
# measures this build). What it buys, measured: docs/benchmarks.md.
#
# usage: scripts/pgo-build.sh [--seconds S] [--port N] [DIR]   (default DIR build-pgo, S 3)
# Extra configure options: PGO_CMAKE_ARGS. Exit status non-zero when a step fails: a training
# step with an error in the generator's checks (a profile of a broken run would steer the
# optimiser wrongly), or the optimised server failing those checks afterwards.

set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=3
port=18940
dir=build-pgo
while (($#)); do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    -*) echo "pgo-build.sh: unknown option $1" >&2; exit 2 ;;
    *) dir=$1; shift ;;
  esac
done
targets=(sockjs_core sockjs_server sockjs_server_demo sockjs-bench sockjs-bound sockjs-floor)
profiles=$(realpath -m "$dir/pgo-profiles")

configure() {  # configure MODE
  # shellcheck disable=SC2086  # PGO_CMAKE_ARGS is a list of options
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DSOCKJS_BUILD_TESTS=OFF -DSOCKJS_PGO="$1" \
    -DSOCKJS_PGO_DIR="$profiles" ${PGO_CMAKE_ARGS:-} >"$dir/pgo-configure.log" 2>&1 ||
    { tail -n 20 "$dir/pgo-configure.log" >&2; return 1; }
}
build() {  # build STEP
  cmake --build "$dir" -j2 --target "${targets[@]}" >"$dir/pgo-build-$1.log" 2>&1 ||
    { tail -n 30 "$dir/pgo-build-$1.log" >&2; echo "pgo-build.sh: $1 build failed" >&2; return 1; }
}

start_server() {  # start_server OPTIONS...: the demo server of $dir on $port, its PID in $server
  timeout -s KILL 300 "$dir/bin/sockjs-server" --port "$port" --quiet "$@" >>"$log" 2>&1 &
  server=$!
  for _ in $(seq 100); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/echo/info" && return
    sleep 0.1
  done
}
stop_server() {  # SIGTERM: the server drains and exits (an instrumented one writes its profiles)
  kill -TERM "$server" 2>/dev/null
  wait "$server" 2>/dev/null
}
failed=0
check() {  # check LABEL GENERATOR...: one generator run; it exits non-zero on any wrong message
  local label=$1 out; shift
  if out=$("$@" 2>&1); then
    echo "  ok   $label: $(grep -o 'checked=[0-9]*' <<<"$out" | head -1)"
  else
    failed=$((failed + 1))
    echo "  FAIL $label"; tail -n 5 <<<"$out"
  fi
}

mkdir -p "$dir"
log=$dir/pgo-training.log
: >"$log"
echo "pgo-build.sh: 1/3 instrumented build in $dir"
configure generate && build generate || exit 1

echo "pgo-build.sh: 2/3 training (${seconds} s per workload)"
rm -rf "$profiles" "$dir/pgo-generator"
# Two loops, as the demo server runs by default on this 2-core machine.
start_server --threads 2
# The generator is instrumented too and links the same core: its counts go elsewhere
# (GCOV_PREFIX), so that the profile is the server's alone.
gen=(env GCOV_PREFIX="$(realpath -m "$dir/pgo-generator")" timeout $((seconds + 60)) "$dir/bin/sockjs-bench"
     -p "$port" --warmup 0 -d "$seconds" --max-messages 2000000)
for step in "-m echo -t websocket -c 10" "-m echo -t websocket -c 10 --json --size 300" \
            "-m echo -t raw-websocket -c 10" "-m echo -t xhr-streaming -c 10" \
            "-m echo -t xhr-polling -c 10" "-m broadcast -t websocket -s /broadcast -c 200"; do
  # shellcheck disable=SC2086  # $step is a list of options
  check "$step" "${gen[@]}" $step
done
stop_server
count=$(find "$profiles" -name '*.gcda' 2>/dev/null | wc -l)
echo "  $count profiles in $profiles"
if ((failed > 0 || count == 0)); then
  echo "pgo-build.sh: training failed ($failed workloads failed, $count profiles)" >&2
  exit 1
fi

echo "pgo-build.sh: 3/3 optimised build"
configure use && build use || exit 1

# The optimised server answers what the generator checks (a second of SockJS echo over a
# WebSocket and over xhr-polling).
start_server
for transport in websocket xhr-polling; do
  check "optimised server, echo over $transport" \
    timeout 30 "$dir/bin/sockjs-bench" -p "$port" --warmup 0 -d 1 -m echo -c 10 -t "$transport"
done
stop_server
((failed == 0)) || { echo "pgo-build.sh: the optimised server failed the generator's checks" >&2; exit 1; }
echo "pgo-build.sh: done: $dir/bin/sockjs-server, $dir/lib/libsockjs-server.a, $dir/lib/libsockjs-core.a"
