# Sourced by the demo's shell tests (demo_*.sh): `check WHAT COMMAND...` counts and prints a
# result, `$work` is a scratch folder, and whatever demo server was started with its pid in
# `$server_pid` is killed on exit. The script ends with `finish`: the closing count line and
# the exit status.
passed=0 failed=0
check() {
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok   $what"; else failed=$((failed + 1)); echo "FAIL $what"; fi
}
work=$(mktemp -d "${TMPDIR:-/tmp}/sockjs-demo-test.XXXXXX")
server_pid=''
cleanup() {
  [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null && kill -KILL "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
