#!/usr/bin/env bash
# soak.sh: mixed session churn against the demo server for a given time (every transport,
# --sessions concurrent, open/echo/close continuously, every echo checked by sockjs-soak), while
# the server's open sessions (/metrics), fds (/proc/PID/fd), threads and RSS (/proc/PID/status)
# are sampled every --sample-every seconds into a CSV. At the end:
#   - the driver saw no error (no lost, wrong or out-of-order echo, no failed session);
#   - sessions back to 0 and fds back to the idle count (+2) within disconnect_delay + 15 s;
#   - RSS flat: the least-squares slope of RSS over the last third of the churn is at most
#     --max-slope kB per minute (a leak of L bytes per session costs L x sessions/min), and the
#     highest RSS of the last third is at most --max-growth % above the highest of the second;
#   - the server drains and exits 0 on SIGTERM.
# Prints the figures (start / peak / end RSS, fds, sessions, errors) and `N passed, M failed`.
# Exit 0 if nothing failed, 1 otherwise, 77 (skipped) if the open-file limit is too low.
# The server listens on port 0 (its log says which port); only processes started here are
# stopped, by PID; every wait is bounded.
#
# usage: soak.sh [--server BIN] [--driver BIN] [--duration S] [--sessions N] [--csv FILE]
#                [--sample-every S] [--max-slope KB_PER_MIN] [--max-growth PCT] [--log FILE]

set -u

here=$(cd "$(dirname "$0")" && pwd)
bin_dir=${SOCKJS_BIN_DIR:-$here/../../build/bin}
server_bin=$bin_dir/sockjs-server
driver_bin=$bin_dir/sockjs-soak
duration=120
sessions=2000
sample_every=5
csv=''
max_slope=1024    # kB per minute over the last third
max_growth=10     # % of the second third's peak
log_copy=''
disconnect_delay=5  # the demo server's default (seconds)

while [ $# -gt 0 ]; do
  case $1 in
    --server) server_bin=$2; shift 2 ;;
    --driver) driver_bin=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --sessions) sessions=$2; shift 2 ;;
    --csv) csv=$2; shift 2 ;;
    --sample-every) sample_every=$2; shift 2 ;;
    --max-slope) max_slope=$2; shift 2 ;;
    --max-growth) max_growth=$2; shift 2 ;;
    --log) log_copy=$2; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "soak.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
done

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

for b in "$server_bin" "$driver_bin"; do
  [ -x "$b" ] || { echo "soak.sh: $b is not built (give --server/--driver or SOCKJS_BIN_DIR)" >&2; exit 2; }
done

# Each process: up to two connections per session (receive + send), plus the connections of
# sessions just closed and not yet gone, plus slack. Server and driver each get this many.
need=$((sessions * 3 + 500))
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt "$need" ]; then
  echo "skipped: the open-file limit is $hard, $need are needed for $sessions sessions"
  exit 77
fi
ulimit -n "$need"

work=$(mktemp -d "${TMPDIR:-/tmp}/sockjs-soak.XXXXXX")
[ -n "$csv" ] || csv=$work/soak.csv
server_pid='' wrapper_pid='' driver_pid=''
cleanup() {
  [ -n "$driver_pid" ] && kill -0 "$driver_pid" 2>/dev/null && kill -KILL "$driver_pid" 2>/dev/null
  [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null && kill -KILL "$server_pid" 2>/dev/null
  [ -n "$wrapper_pid" ] && kill -0 "$wrapper_pid" 2>/dev/null && kill -KILL "$wrapper_pid" 2>/dev/null
  [ -n "$log_copy" ] && cp "$work/server.log" "$log_copy" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'echo "interrupted"; exit 1' INT TERM

status_field() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null; }
fd_count() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
metrics() {
  if command -v curl >/dev/null; then
    curl -s --max-time 5 "http://127.0.0.1:$port/metrics"
  else
    timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$0; printf "GET /metrics HTTP/1.0\r\n\r\n" >&3; cat <&3' "$port"
  fi
}
# metric NAME TEXT: the sum of NAME's samples over every label set (service, code, ...).
metric() { awk -v k="$1" '{ n = $1; sub(/\{.*/, "", n) } n == k { s += $2; found = 1 } END { if (found) printf "%.0f\n", s }' <<<"$2"; }
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

# --- the server --------------------------------------------------------------------------------
# Under `timeout`: if this script is killed outright (a CI timeout), the server still ends.
timeout -s KILL $((duration + 240)) "$server_bin" --quiet --host 127.0.0.1 --port 0 2>"$work/server.log" &
wrapper_pid=$!
if ! wait_for 10 has_line "$work/server.log" 'event=listening'; then
  echo "the server did not start:"; cat "$work/server.log"; exit 1
fi
server_pid=$(cat "/proc/$wrapper_pid/task/$wrapper_pid/children" 2>/dev/null | awk '{ print $1 }')
[ -n "$server_pid" ] || { echo "soak.sh: cannot find the server under timeout ($wrapper_pid)" >&2; exit 1; }
port=$(sed -n 's/.*event=listening url=http:\/\/[^ ]*:\([0-9]*\) .*/\1/p' "$work/server.log")
echo "server pid $server_pid on port $port; $sessions sessions for $duration s; CSV: $csv"

m=$(metrics)
fds0=$(fd_count "$server_pid")
rss0=$(status_field "$server_pid" VmRSS)
check "the server answers /metrics and holds no session before the soak" test "$(open_sessions "$m")" -eq 0

# --- the churn, sampled ------------------------------------------------------------------------
echo "t_s,rss_kb,fds,threads,sessions,connections,opened_total,closed_total,client_open,client_echoes,client_errors,client_stalls" >"$csv"
sample() {  # one CSV row; t relative to the driver's start
  local t=$1 m rss fds thr progress
  m=$(metrics)
  rss=$(status_field "$server_pid" VmRSS); fds=$(fd_count "$server_pid"); thr=$(status_field "$server_pid" Threads)
  progress=$(grep '^progress' "$work/driver.out" 2>/dev/null | tail -1)
  local c_open c_echoes c_errors c_stalls
  c_open=$(sed -n 's/.* open=\([0-9]*\).*/\1/p' <<<"$progress")
  c_echoes=$(sed -n 's/.* echoes=\([0-9]*\).*/\1/p' <<<"$progress")
  c_errors=$(sed -n 's/.* errors=\([0-9]*\).*/\1/p' <<<"$progress")
  c_stalls=$(sed -n 's/.* stalls=\([0-9]*\).*/\1/p' <<<"$progress")
  echo "$t,$rss,$fds,$thr,$(open_sessions "$m"),$(metric sockjs_connections "$m"),$(metric sockjs_sessions_opened_total "$m"),$(metric sockjs_sessions_closed_total "$m"),${c_open:-0},${c_echoes:-0},${c_errors:-0},${c_stalls:-0}" >>"$csv"
}

"$driver_bin" --port "$port" --sessions "$sessions" --duration "$duration" --report-every "$sample_every" \
  >"$work/driver.out" 2>&1 &
driver_pid=$!
t_start=$SECONDS
next=$sample_every
sample 0
while alive "$driver_pid"; do
  sleep 1
  t=$((SECONDS - t_start))
  if [ "$t" -ge "$next" ]; then
    sample "$t"
    next=$((next + sample_every))
  fi
  if [ "$t" -gt $((duration + 90)) ]; then
    echo "the driver did not end in time"; kill -KILL "$driver_pid"
  fi
done
wait "$driver_pid"; driver_rc=$?
driver_pid=''
t_end=$((SECONDS - t_start))
sample "$t_end"
sed -n 's/^/  driver: /p' "$work/driver.out" | grep -v ': progress' | head -30
total_line=$(grep '^result transport=all' "$work/driver.out")
errors=$(sed -n 's/.* errors=\([0-9]*\).*/\1/p' <<<"$total_line")
opened=$(sed -n 's/.* opened=\([0-9]*\).*/\1/p' <<<"$total_line")
echoes=$(sed -n 's/.* echoes=\([0-9]*\).*/\1/p' <<<"$total_line")
stalls=$(sed -n 's/.* stalls=\([0-9]*\) max_stall_s=\([0-9.]*\).*/\1 (longest \2 s)/p' <<<"$total_line")
check "every transport opened sessions and echoed" \
  test "$(grep -c '^result transport=[a-z_]* opened=[1-9][0-9]* closed=[0-9]* echoes=[1-9]' "$work/driver.out")" -eq 7
check "no lost, wrong or out-of-order echo, no failed session (${errors:-?} errors; driver exit $driver_rc)" \
  test "$driver_rc" -eq 0 -a "${errors:-1}" -eq 0

# --- back to baseline ----------------------------------------------------------------------------
released() {
  m=$(metrics) && [ "$(open_sessions "$m")" -eq 0 ] && [ "$(fd_count "$server_pid")" -le $((fds0 + 2)) ]
}
check "sessions back to 0 and fds back to $fds0 (+2) within disconnect_delay + 15 s" \
  wait_for $((disconnect_delay + 15)) released
sample $((SECONDS - t_start))
m=$(metrics)
check "opened total = closed total ($(metric sockjs_sessions_opened_total "$m") / $(metric sockjs_sessions_closed_total "$m"))" \
  test "$(metric sockjs_sessions_opened_total "$m")" = "$(metric sockjs_sessions_closed_total "$m")"

# --- RSS flat -------------------------------------------------------------------------------------
# Rows inside the churn only (t <= duration): the second third and the last third.
read -r slope peak2 peak3 < <(awk -F, -v d="$duration" '
  NR > 1 && $1 <= d {
    if ($1 > d * 2 / 3) { n++; sx += $1; sy += $2; sxx += $1 * $1; sxy += $1 * $2; if ($2 > p3) p3 = $2 }
    else if ($1 > d / 3) { if ($2 > p2) p2 = $2 }
  }
  END {
    den = n * sxx - sx * sx
    s = (n > 2 && den != 0) ? (n * sxy - sx * sy) / den * 60 : 0
    printf "%.0f %d %d\n", s, p2, p3
  }' "$csv")
check "RSS slope over the last third $slope kB/min <= $max_slope kB/min" test "$slope" -le "$max_slope"
check "RSS peak of the last third $peak3 kB <= peak of the second third $peak2 kB + $max_growth %" \
  test "$peak3" -le $((peak2 + peak2 * max_growth / 100))

# --- drain ----------------------------------------------------------------------------------------
rss_end=$(status_field "$server_pid" VmRSS)
fds_end=$(fd_count "$server_pid")
kill -TERM "$server_pid"
if wait_for 10 eval '! alive "$wrapper_pid"'; then
  wait "$wrapper_pid"; server_rc=$?
else
  kill -KILL "$server_pid"; wait "$wrapper_pid"; server_rc=killed
fi
server_pid='' wrapper_pid=''
check "server drained and exited 0 on SIGTERM (exit $server_rc)" test "$server_rc" = 0

stats() {  # stats COLUMN: max over the rows of the churn
  awk -F, -v c="$1" -v d="$duration" 'NR > 1 && $1 <= d && $c > m { m = $c } END { print m + 0 }' "$csv"
}
echo
echo "figures ($sessions concurrent sessions, $duration s, samples every $sample_every s in $csv):"
printf '  %-34s %s\n' \
  "RSS start/peak/end" "$rss0 kB / $(stats 2) kB / $rss_end kB (slope of the last third: $slope kB/min)" \
  "fds start/peak/end" "$fds0 / $(stats 3) / $fds_end" \
  "sessions start/peak/end (/metrics)" "0 / $(stats 5) / $(open_sessions "$m")" \
  "client sessions opened, echoes" "${opened:-?}, ${echoes:-?}" \
  "errors" "${errors:-?}" \
  "driver stalls over 1 s (host load)" "${stalls:-?}"
finish
