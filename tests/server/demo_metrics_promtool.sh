#!/usr/bin/env bash
# demo_metrics_promtool.sh: the demo server's /metrics, after a few sessions on two services,
# holds the per-service, close-code and histogram metrics and the demo's own counter
# (demo_echo_messages_total), and `promtool check metrics` has nothing to say about it.
# Plain bash: /dev/tcp, no curl.
#
# usage: demo_metrics_promtool.sh SERVER-BINARY

set -u
server_bin=$1
. "$(dirname "${BASH_SOURCE[0]}")/demo_script_lib.sh"

SOCKJS_METRICS_TOKEN= "$server_bin" --quiet --port 0 --threads 2 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 50); do grep -q 'event=listening' "$work/server.log" && break; sleep 0.1; done
port=$(sed -n 's/.*event=listening url=http:\/\/[^ ]*:\([0-9]*\) .*/\1/p' "$work/server.log")
[ -n "$port" ] || { echo "FAIL the demo did not start"; cat "$work/server.log"; echo "0 passed, 1 failed"; exit 1; }

# post PATH [BODY]: the body of one HTTP/1.0 POST.
post() {
  timeout 5 bash -c '
    exec 3<>/dev/tcp/127.0.0.1/$0 || exit 1
    printf "POST %s HTTP/1.0\r\nContent-Length: %d\r\n\r\n%s" "$1" "${#2}" "$2" >&3
    sed "1,/^\r$/d" <&3' "$port" "$1" "${2:-}"
}
get_metrics() {
  timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$0; printf "GET /metrics HTTP/1.0\r\n\r\n" >&3; sed "1,/^\r$/d" <&3' "$port"
}

sid=$RANDOM$RANDOM
check "an /echo xhr session opens" test "$(post /echo/000/$sid/xhr)" = o
post /echo/000/$sid/xhr_send '["one","two"]' >/dev/null
check "/echo echoes both messages" test "$(post /echo/000/$sid/xhr)" = 'a["one","two"]'
check "a /close session is closed by the application" test "$(post /close/000/$RANDOM$RANDOM/xhr)" = o

m=$(get_metrics)
has() { grep -qxF "$1" <<<"$m"; }
check "the demo's counter: demo_echo_messages_total 2" has "demo_echo_messages_total 2"
check "its HELP and TYPE" grep -qxF "# TYPE demo_echo_messages_total counter" <<<"$m"
check "sessions opened, by service" has 'sockjs_sessions_opened_total{service="/echo"} 1'
check "the open /echo session, by service and transport" has 'sockjs_sessions{service="/echo",transport="xhr"} 1'
check "closed with 3000 (a listed code)" has 'sockjs_sessions_closed_total{service="/close",code="3000"} 1'
check "the session-duration histogram of /close" has 'sockjs_session_duration_seconds_count{service="/close"} 1'
check "the handler histogram of /echo's on_message" \
  has 'sockjs_handler_duration_seconds_count{service="/echo",handler="on_message"} 2'
printf '%s\n' "$m" >"$work/metrics.txt"
promtool check metrics <"$work/metrics.txt" >"$work/promtool.out" 2>&1
status=$?
check "promtool check metrics: exit 0" test "$status" = 0
check "promtool check metrics: nothing to say" test ! -s "$work/promtool.out"
[ -s "$work/promtool.out" ] && cat "$work/promtool.out"

kill -TERM "$server_pid"; wait "$server_pid"; server_pid=''
finish
