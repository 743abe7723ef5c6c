#!/usr/bin/env bash
# hold-15k.sh: the demo server holds 15,000 concurrent SockJS sessions (7,000 websocket, 5,000
# xhr-streaming, 3,000 xhr-polling long-polls by default) with a thread count that does not
# grow with them, and lets go of every session and fd once the clients leave.
#
# Steps: start build/bin/sockjs-server (quiet) on a free port of 18900-18949; read its idle
# threads/fds/RSS; hold 100 sessions (the thread count at a small load); hold the full mix from
# one sockjs-scale-holder process (every session must receive `o`, a sample of each transport
# must echo before and after the measurement, none may be lost while held); read threads, RSS,
# fds and /metrics at the peak; release; wait for /metrics to show 0 sessions and the fds to come
# back; stop the server with SIGTERM (it must drain and exit 0). Prints the figures and ends with
# `N passed, M failed`. Exit 0 when nothing failed, 1 otherwise, 77 (skipped) when the open-file
# limit cannot be raised high enough. Every wait is bounded; only the processes started here are
# stopped, by PID.
#
# usage: hold-15k.sh [--server BIN] [--holder BIN] [--websocket N] [--xhr-streaming N]
#                    [--xhr-polling N] [--sample N] [--hold SECONDS] [--ports LO-HI]

set -u

here=$(cd "$(dirname "$0")" && pwd)
bin_dir=${SOCKJS_BIN_DIR:-$here/../../build/bin}
server_bin=$bin_dir/sockjs-server
holder_bin=$bin_dir/sockjs-scale-holder
n_ws=7000 n_xs=5000 n_xp=3000
sample=200
hold_s=30                # held this long at the peak: past the 25 s heartbeat, so every session
                         # gets one (and every xhr-polling session renews its poll) while held
port_lo=18900 port_hi=18949
disconnect_delay=5       # the demo server's defaults (seconds)
heartbeat_delay=25
max_rss_per_session=65536  # bytes; a generous bound that catches per-session buffers held idle
extra_threads=4          # threads allowed besides the event loops (main thread and helpers)

while [ $# -gt 0 ]; do
  case $1 in
    --server) server_bin=$2; shift 2 ;;
    --holder) holder_bin=$2; shift 2 ;;
    --websocket) n_ws=$2; shift 2 ;;
    --xhr-streaming) n_xs=$2; shift 2 ;;
    --xhr-polling) n_xp=$2; shift 2 ;;
    --sample) sample=$2; shift 2 ;;
    --hold) hold_s=$2; shift 2 ;;
    --ports) port_lo=${2%-*}; port_hi=${2#*-}; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "hold-15k.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
done
total=$((n_ws + n_xs + n_xp))

passed=0 failed=0
check() {  # check "what" condition-command...
  local what=$1; shift
  if "$@"; then
    passed=$((passed + 1)); echo "ok   $what"
  else
    failed=$((failed + 1)); echo "FAIL $what"
  fi
}
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ] && exit 0 || exit 1
}

for b in "$server_bin" "$holder_bin"; do
  [ -x "$b" ] || { echo "hold-15k.sh: $b is not built (give --server/--holder or SOCKJS_BIN_DIR)" >&2; exit 2; }
done

# One fd per session on both sides, plus an xhr_send connection per sampled xhr session.
need=$((total + 2 * sample + 200))
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt "$need" ]; then
  echo "skipped: the open-file limit is $hard, $need are needed for $total sessions"
  exit 77
fi
ulimit -n "$need" 2>/dev/null || ulimit -n "$hard"
echo "open-file limit: $(ulimit -n) (server and holder inherit it)"

work=$(mktemp -d "${TMPDIR:-/tmp}/sockjs-scale.XXXXXX")
server_pid='' holder_pid='' wrapper_pid=''
cleanup() {
  # Only what this script started, by PID.
  [ -n "$holder_pid" ] && kill -0 "$holder_pid" 2>/dev/null && kill -KILL "$holder_pid" 2>/dev/null
  [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null && kill -KILL "$server_pid" 2>/dev/null
  [ -n "$wrapper_pid" ] && kill -0 "$wrapper_pid" 2>/dev/null && kill -KILL "$wrapper_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'echo "interrupted"; exit 1' INT TERM

# Listening sockets on a port, from /proc (no ss/netstat needed).
listeners() {
  local hex; hex=$(printf '%04X' "$1")
  awk -v p=":$hex" 'substr($2, length($2) - 4) == p && $4 == "0A"' /proc/net/tcp /proc/net/tcp6 2>/dev/null | wc -l
}
status_field() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null; }
fd_count() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
cpu_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null; }  # utime + stime
metrics() {
  if command -v curl >/dev/null; then
    curl -s --max-time 5 "http://127.0.0.1:$port/metrics"
  else
    timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$0; printf "GET /metrics HTTP/1.0\r\n\r\n" >&3; cat <&3' "$port"
  fi
}
metric() {  # metric NAME [TRANSPORT]: from a /metrics text in $m, summed over services (and codes)
  awk -v k="$1" -v t="${2:+transport=\"$2\"}" '{ n = $1; sub(/\{.*/, "", n) }
    n == k && (t == "" || index($1, t) > 0) { s += $2; found = 1 } END { if (found) printf "%.0f\n", s }' <<<"$m"
}
open_sessions() { awk '$1 ~ /^sockjs_sessions\{/ { s += $2 } END { print s + 0 }' <<<"$1"; }
wait_for() {  # wait_for SECONDS command...: polls every 0.2 s
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do
    [ "$SECONDS" -ge "$deadline" ] && return 1
    sleep 0.2
  done
}
alive() { kill -0 "$1" 2>/dev/null; }
has_line() { grep -q "$2" "$1"; }
# The highest thread count seen: sampled by every wait while sessions open and are held.
threads_max=0
sample_threads() {
  local t; t=$(status_field "$server_pid" Threads)
  [ -n "$t" ] && [ "$t" -gt "$threads_max" ] && threads_max=$t
  return 0
}
held_or_done() { sample_threads; has_line "$1" '^held\|^result' || ! alive "$holder_pid"; }
holder_gone() { sample_threads; ! alive "$holder_pid"; }

# --- the server --------------------------------------------------------------------------------
port=''
for ((p = port_lo; p <= port_hi; p++)); do
  if [ "$(listeners "$p")" -eq 0 ]; then port=$p; break; fi
done
[ -n "$port" ] || { echo "hold-15k.sh: no free port in $port_lo-$port_hi" >&2; exit 2; }

# Under `timeout`: if this script is killed outright (a CI timeout), the server still ends.
timeout -s KILL 180 "$server_bin" --quiet --host 127.0.0.1 --port "$port" 2>"$work/server.log" &
wrapper_pid=$!
if ! wait_for 10 has_line "$work/server.log" 'event=listening'; then
  echo "the server did not start:"; cat "$work/server.log"; exit 1
fi
server_pid=$(cat "/proc/$wrapper_pid/task/$wrapper_pid/children" 2>/dev/null | awk '{ print $1 }')
[ -n "$server_pid" ] || { echo "hold-15k.sh: cannot find the server under timeout ($wrapper_pid)" >&2; exit 1; }
loops=$(sed -n 's/.*event=listening.* loops=\([0-9]*\).*/\1/p' "$work/server.log")
echo "server pid $server_pid on port $port, $loops event loops"
# The server's loops share the port with SO_REUSEPORT: any other listener there would take a
# share of the connections and break sessions in confusing ways.
check "only the server's $loops listening sockets are on port $port" test "$(listeners "$port")" -eq "$loops"

threads0=$(status_field "$server_pid" Threads)
rss0=$(status_field "$server_pid" VmRSS)
fds0=$(fd_count "$server_pid")

# --- hold_run LABEL OPEN-TIMEOUT WS XS XP: runs one holder to its `held` line; the caller reads
# the figures, then releases it. (Its own bounds end it even if this script is killed.)
hold_run() {
  local label=$1 open_timeout=$2
  out=$work/holder-$label.out
  : >"$out"
  "$holder_bin" --port "$port" --websocket "$3" --xhr-streaming "$4" --xhr-polling "$5" --sample "$sample" \
    --open-timeout "$open_timeout" --echo-timeout 10 --max-hold $((hold_s + 60)) >"$out" 2>&1 &
  holder_pid=$!
  wait_for $((open_timeout + 15)) held_or_done "$out"
  if ! has_line "$out" '^held'; then
    echo "the holder did not hold its sessions ($label); its output follows"
    return 1
  fi
}
# release: SIGUSR1, then the holder's second echo round and its result (exit status in $holder_rc).
release() {
  kill -USR1 "$holder_pid" 2>/dev/null
  if ! wait_for 15 holder_gone; then
    echo "the holder did not finish after its release"; kill -KILL "$holder_pid" 2>/dev/null
  fi
  wait "$holder_pid"; holder_rc=$?
  holder_pid=''
  sed 's/^/  holder: /' "$out"
}
released() {
  m=$(metrics) && [ "$(open_sessions "$m")" -eq 0 ] && [ "$(fd_count "$server_pid")" -le $((fds0 + 2)) ]
}

# --- 100 sessions: the thread count at a small load ------------------------------------------
small_ws=50 small_xs=30 small_xp=20
if hold_run small 5 $small_ws $small_xs $small_xp; then
  sample_threads
  threads_small=$threads_max
  release
  check "100 sessions held and echoed (holder exit $holder_rc)" test "$holder_rc" -eq 0
else
  threads_small=$(status_field "$server_pid" Threads)
  release
  check "100 sessions held and echoed" false
fi
check "100 sessions released" wait_for $((disconnect_delay + 10)) released

# --- the full mix --------------------------------------------------------------------------
echo "holding $total sessions: $n_ws websocket, $n_xs xhr-streaming, $n_xp xhr-polling, for $hold_s s"
threads_max=0
if hold_run peak 30 "$n_ws" "$n_xs" "$n_xp"; then
  sample_threads
  rss_peak=$(status_field "$server_pid" VmRSS)
  fds_peak=$(fd_count "$server_pid")
  m=$(metrics)
  open_time=$(sed -n 's/^opened .* seconds=\([0-9.]*\)$/\1/p' "$out")
  check "every session open at once: /metrics websocket=$(metric sockjs_sessions websocket)/$n_ws" \
    test "$(metric sockjs_sessions websocket)" = "$n_ws"
  check "every session open at once: /metrics xhr_streaming=$(metric sockjs_sessions xhr_streaming)/$n_xs" \
    test "$(metric sockjs_sessions xhr_streaming)" = "$n_xs"
  check "every session open at once: /metrics xhr=$(metric sockjs_sessions xhr)/$n_xp" \
    test "$(metric sockjs_sessions xhr)" = "$n_xp"
  check "server holds an fd per session ($fds_peak fds for $total sessions)" test "$fds_peak" -ge "$total"
  rss_per_session=$(((rss_peak - rss0) * 1024 / total))
  check "RSS per session ($rss_per_session B) <= $max_rss_per_session B" \
    test "$rss_per_session" -le "$max_rss_per_session"
  bytes_sent0=$(metric sockjs_bytes_sent_total)
  cpu0=$(cpu_ticks "$server_pid") t0=$SECONDS
  # Held: the holder must stay (it exits only if released or broken), threads sampled throughout.
  wait_for "$hold_s" holder_gone
  held_cpu=$(awk -v a="$cpu0" -v b="$(cpu_ticks "$server_pid")" -v hz="$(getconf CLK_TCK)" -v s=$((SECONDS - t0)) \
    'BEGIN { printf "%.2f s over %d s", (b - a) / hz, s }')
  m=$(metrics)
  if [ "$hold_s" -gt "$heartbeat_delay" ]; then
    heartbeat_bytes=$(($(metric sockjs_bytes_sent_total) - bytes_sent0))
    check "a heartbeat to every session while held ($heartbeat_bytes bytes sent for $total sessions)" \
      test "$heartbeat_bytes" -ge "$total"
  fi
  check "still $total open after $hold_s s held (/metrics: $(open_sessions "$m"))" test "$(open_sessions "$m")" -eq "$total"
  rss_held=$(status_field "$server_pid" VmRSS)
  threads_peak=$threads_max
  check "threads while opening and holding $total sessions (max $threads_peak) <= at 100 ($threads_small)" \
    test "$threads_peak" -le "$threads_small"
  check "threads while opening and holding $total sessions (max $threads_peak) <= $loops loops + $extra_threads" \
    test "$threads_peak" -le $((loops + extra_threads))
  release
  check "$total sessions opened, sample echoed before and after, none lost (holder exit $holder_rc)" \
    test "$holder_rc" -eq 0
  t_release=$(date +%s.%N)
  check "all sessions released within disconnect_delay + 10 s (/metrics 0 open, fds back to $fds0 + 2)" \
    wait_for $((disconnect_delay + 10)) released
  release_s=$(awk -v a="$t_release" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  m=$(metrics)
  check "opened total = closed total ($(metric sockjs_sessions_opened_total) / $(metric sockjs_sessions_closed_total))" \
    test "$(metric sockjs_sessions_opened_total)" = "$(metric sockjs_sessions_closed_total)"
  threads_after=$(status_field "$server_pid" Threads)
  rss_after=$(status_field "$server_pid" VmRSS)
  fds_after=$(fd_count "$server_pid")
else
  release
  check "$total sessions held" false
  check "all sessions released within disconnect_delay + 10 s (/metrics 0 open, fds back to $fds0 + 2)" \
    wait_for $((disconnect_delay + 10)) released
fi

# --- drain ---------------------------------------------------------------------------------
kill -TERM "$server_pid"
if wait_for 10 eval '! alive "$wrapper_pid"'; then
  wait "$wrapper_pid"; server_rc=$?  # timeout passes the server's own exit status on
else
  kill -KILL "$server_pid"; wait "$wrapper_pid"; server_rc=killed
fi
server_pid='' wrapper_pid=''
check "server drained and exited 0 on SIGTERM (exit $server_rc)" test "$server_rc" = 0

if [ -n "${threads_peak:-}" ]; then
  echo
  echo "figures (server: $loops event loops; $total sessions = $n_ws websocket + $n_xs xhr-streaming + $n_xp xhr-polling):"
  printf '  %-28s %s\n' \
    "threads idle/100/peak/after" "$threads0 / $threads_small / $threads_peak / $threads_after" \
    "RSS idle/open/held/after" "$rss0 kB / $rss_peak kB / $rss_held kB (after $hold_s s) / $rss_after kB" \
    "RSS per session" "$rss_per_session B" \
    "server CPU while held" "$held_cpu (heartbeats, timers)" \
    "fds idle/peak/after" "$fds0 / $fds_peak / $fds_after" \
    "time to open all" "${open_time:-?} s (holder: connect, handshake, 'o')" \
    "time to release all" "$release_s s (after the holder exited)"
fi
finish
