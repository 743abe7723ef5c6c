#!/usr/bin/env bash
# demo_security_flags.sh: the demo server's security flags reach the server: --origins refuses
# a foreign Origin (WebSocket handshake and xhr) and admits a listed one, --metrics-token (and
# SOCKJS_METRICS_TOKEN) guards /metrics. (--bind-sessions needs a second source address, which
# the library test "security: a session bound ..." covers.) Plain bash: /dev/tcp, no curl.
#
# usage: demo_security_flags.sh SERVER-BINARY

set -u
server_bin=$1
. "$(dirname "${BASH_SOURCE[0]}")/demo_script_lib.sh"

start() {  # start [env assignments...] -- flags...: sets $port
  : >"$work/server.log"
  env "$@" 2>"$work/server.log" &
  server_pid=$!
  for _ in $(seq 50); do grep -q 'event=listening' "$work/server.log" && break; sleep 0.1; done
  port=$(sed -n 's/.*event=listening url=http:\/\/[^ ]*:\([0-9]*\) .*/\1/p' "$work/server.log")
}
stop() { kill -TERM "$server_pid"; wait "$server_pid"; server_pid=''; }
# status METHOD PATH [HEADER...]: the status code of one request (its first line only).
status() {
  local method=$1 path=$2; shift 2
  timeout 5 bash -c '
    exec 3<>/dev/tcp/127.0.0.1/$0 || exit 1
    { printf "%s %s HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n" "$1" "$2"; shift 2
      for h in "$@"; do printf "%s\r\n" "$h"; done; printf "\r\n"; } >&3
    head -c 12 <&3 | cut -c10-12' "$port" "$method" "$path" "$@"
}
upgrade=("Upgrade: websocket" "Connection: Upgrade" "Sec-WebSocket-Version: 13" "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==")

start SOCKJS_METRICS_TOKEN= "$server_bin" --quiet --port 0 --origins "https://app.example, https://b.example" \
  --metrics-token s3cret
check "--origins: a foreign page's WebSocket handshake gets 403" \
  test "$(status GET /echo/websocket "Origin: https://evil.example" "${upgrade[@]}")" = 403
check "--origins: a listed page's handshake gets 101" \
  test "$(status GET /echo/websocket "Origin: https://b.example" "${upgrade[@]}")" = 101
check "--origins: every service (/broadcast xhr) refuses the foreign page" \
  test "$(status POST /broadcast/0/abc/xhr "Origin: https://evil.example")" = 403
check "--metrics-token: /metrics without the token gets 401" test "$(status GET /metrics)" = 401
check "--metrics-token: /metrics with it gets 200" test "$(status GET /metrics "Authorization: Bearer s3cret")" = 200
stop

start SOCKJS_METRICS_TOKEN=from-env "$server_bin" --quiet --port 0
check "SOCKJS_METRICS_TOKEN guards /metrics" test "$(status GET /metrics)" = 401
check "SOCKJS_METRICS_TOKEN: the right token gets 200" test "$(status GET /metrics "Authorization: Bearer from-env")" = 200
check "no --origins: any page's handshake gets 101 (the default)" \
  test "$(status GET /echo/websocket "Origin: https://evil.example" "${upgrade[@]}")" = 101
stop

finish
