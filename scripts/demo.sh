#!/usr/bin/env bash
# Sets up the machine, builds, and runs the demo server (build/bin/sockjs-server) on
# 127.0.0.1:8081 in the foreground; Ctrl-C stops it. Arguments are passed to the server.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
cmake -S . -B build
cmake --build build -j2

server=build/bin/sockjs-server
if [[ ! -x $server ]]; then
  echo "demo: $server was not built: the server (server/demo/main.cpp) is not written yet." >&2
  exit 1
fi
echo "demo: SockJS services on http://127.0.0.1:8081 (Ctrl-C stops the server)"
exec "$server" "$@"
