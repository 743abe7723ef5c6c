#!/usr/bin/env bash
# Sets up the machine, builds, and runs the demo server (build/bin/sockjs-server) on
# 127.0.0.1:8081 in the foreground; Ctrl-C stops it. Arguments, if any, replace the server's
# default ones (`bash scripts/demo.sh --help` lists them).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
cmake -S . -B build
cmake --build build -j2 --target sockjs_server_demo   # just the server, not the tests
# The browser client (wasm core + JS glue) for the chat page the server serves at /demo/.
emcmake cmake -S . -B build-wasm
cmake --build build-wasm -j2 --target sockjs_client_package

server=build/bin/sockjs-server
(($#)) || set -- --host 127.0.0.1 --port 8081 --static js
echo "demo: browser chat on /broadcast at http://127.0.0.1:8081/demo/ (with the default arguments)"
echo "demo: starting $server $* (Ctrl-C stops it; --help lists its options)"
exec "$server" "$@"
