#!/usr/bin/env bash
# Builds and tests everything, the way CI does (CI=true makes warnings errors):
#   1. scripts/setup.sh (installs only what is missing)
#   2. native build in build/ and its CTest suite (core, server, native client, consumer)
#   3. wasm build in build-wasm/ and its CTest suite (the core's tests under node)
#   4. the wasm and native core test binaries must list the same test cases
#   5. the npm suites (`npm test`, browser tests), when package.json defines them
#   6. sanitizers: every fuzz target for 20 s (scripts/fuzz.sh, clang-14, ASan + UBSan); the
#      native suite under ASan + UBSan (build-asan/); the server and net tests under TSan
#      (build-tsan/)
# Every step runs even after a failure; the last line sums them all: `N passed, M failed`.
# The exit status is non-zero on any failure.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
passed=0
failed=0
summary=()

step() { printf '\n=== %s\n' "$*"; }
verdict() { (($1 == 0)) && echo 'ok  ' || echo 'FAIL'; }
# A step that is not a test suite (setup, a build, a check) counts as one test.
count_step() { # name rc
  if (($2 == 0)); then passed=$((passed + 1)); summary+=("ok    $1")
  else failed=$((failed + 1)); summary+=("FAIL  $1 (exit $2)"); fi
}

# Runs ctest in a build dir and adds its counts (from ctest's own closing line).
run_ctest() { # name build-dir [ctest options...]
  local log=$logs/ctest-$1.log rc
  ctest --test-dir "$2" --output-on-failure --no-tests=error --timeout 300 -j2 "${@:3}" </dev/null 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  local line
  line=$(grep -Eo '[0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
  if [[ $line =~ ^([0-9]+)\ tests?\ failed\ out\ of\ ([0-9]+)$ ]]; then
    local f=${BASH_REMATCH[1]} t=${BASH_REMATCH[2]}
    passed=$((passed + t - f)); failed=$((failed + f))
    summary+=("$(verdict "$rc")  $1 (ctest): $t tests, $f failing")
    # ctest can fail with every test passed (e.g. a broken test list): still a failure.
    ((rc != 0 && f == 0)) && count_step "$1: ctest exit status" "$rc"
  else
    count_step "$1: ctest (no summary line)" "$rc"
  fi
}

# Runs an npm script and adds its counts (node's test runner: TAP `# pass N` / `# fail N`, or
# the spec reporter's `ℹ pass N`); output without counts counts as one test.
run_npm() { # script
  local log=$logs/npm-$1.log rc
  npm run --silent "$1" </dev/null 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  local p f
  p=$(grep -Eo '^(# |ℹ )pass [0-9]+' "$log" | tail -n 1 | grep -Eo '[0-9]+$')
  f=$(grep -Eo '^(# |ℹ )fail [0-9]+' "$log" | tail -n 1 | grep -Eo '[0-9]+$')
  if [[ -n $p && -n $f ]]; then
    passed=$((passed + p)); failed=$((failed + f))
    summary+=("$(verdict "$rc")  npm $1: $((p + f)) tests, $f failing")
    ((rc != 0 && f == 0)) && count_step "npm $1: exit status" "$rc"
  else
    count_step "npm $1" "$rc"
  fi
}

step setup
bash scripts/setup.sh </dev/null
count_step setup $?

step "native build (build/)"
if [[ ${CI:-} == true ]]; then
  cmake --preset ci </dev/null    # build/, warnings are errors
else
  cmake -S . -B build </dev/null
fi && cmake --build build -j2 </dev/null
native_rc=$?
count_step "native build" $native_rc

step "wasm build (build-wasm/)"
emcmake cmake -S . -B build-wasm </dev/null && cmake --build build-wasm -j2 </dev/null
wasm_rc=$?
count_step "wasm build" $wasm_rc

if ((native_rc == 0)); then
  step "native tests"
  run_ctest native build
fi
if ((wasm_rc == 0)); then
  step "wasm tests"
  run_ctest wasm build-wasm
fi

if ((native_rc == 0 && wasm_rc == 0)); then
  step "the same core test cases natively and in wasm"
  build/bin/sockjs_core_tests --list-test-names-only </dev/null >"$logs/native.list"
  node --no-experimental-fetch build-wasm/bin/sockjs_core_tests.js --list-test-names-only \
    </dev/null >"$logs/wasm.list"
  native_n=$(grep -c . "$logs/native.list")
  wasm_n=$(grep -c . "$logs/wasm.list")
  echo "native: $native_n test cases, wasm: $wasm_n test cases"
  diff "$logs/native.list" "$logs/wasm.list" && ((native_n > 0))
  count_step "core test cases: $native_n native = $wasm_n wasm" $?
fi

# npm suites: `npm test` when package.json defines it.
if [[ -f package.json ]] &&
   node -e 'process.exit(require("./package.json").scripts?.test ? 0 : 1)' 2>/dev/null; then
  step "npm test"
  run_npm test
fi

# Sanitizers. A finding fails the test it happens in: UBSan stops at the first report (by
# default it only prints), ASan and TSan exit non-zero.
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
werror=$([[ ${CI:-} == true ]] && echo ON || echo OFF)
ccache_launcher=()
command -v ccache >/dev/null && ccache_launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

step "fuzz smoke run (build-fuzz/, every target ${FUZZ_SECONDS:-20} s)"
bash scripts/fuzz.sh </dev/null 2>&1 | tee "$logs/fuzz.log"
fuzz_rc=${PIPESTATUS[0]}
if [[ $(tail -n 1 "$logs/fuzz.log") =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
  passed=$((passed + BASH_REMATCH[1])); failed=$((failed + BASH_REMATCH[2]))
  summary+=("$(verdict "$fuzz_rc")  fuzz: $((BASH_REMATCH[1] + BASH_REMATCH[2])) targets, ${BASH_REMATCH[2]} failing")
else
  count_step "fuzz smoke run" "$fuzz_rc"
fi

# The profile-guided build (scripts/pgo-build.sh, what bench/run.sh --pgo measures): it builds,
# trains (1 s per workload here) and the optimised server passes the generator's checks.
step "profile-guided build (build-pgo/)"
bash scripts/pgo-build.sh --seconds 1 build-pgo </dev/null
count_step "profile-guided build" $?

# The consumer tests build a separate project against the installed package, which does not
# carry the sanitizer flags; they test packaging, not code, and run in the plain build above.
# The scale, soak and cluster tests measure capacity, RSS and failover times against fixed
# bounds, which an unoptimized ASan build (with its quarantine inflating RSS) cannot meet on
# 2 cores, and take minutes each; they run in the plain build above.
step "native tests under ASan + UBSan (build-asan/)"
cmake --preset asan -DSOCKJS_WERROR="$werror" "${ccache_launcher[@]}" </dev/null &&
  cmake --build --preset asan </dev/null
asan_rc=$?
count_step "asan build" $asan_rc
((asan_rc == 0)) && run_ctest asan build-asan -E '^(consumer|scale|soak|cluster): '

# TSan on the server and net tests, where the loops, the application's threads and stop()
# meet; the native client's tests are left out to keep these steps within ~15 minutes.
step "server and net tests under TSan (build-tsan/)"
cmake --preset tsan -DSOCKJS_WERROR="$werror" "${ccache_launcher[@]}" </dev/null &&
  cmake --build --preset tsan --target sockjs_server_tests sockjs_net_tests </dev/null
tsan_rc=$?
count_step "tsan build" $tsan_rc
# (Not the two Python suites against the demo binary: only the test binaries are built here.)
((tsan_rc == 0)) && run_ctest tsan build-tsan -R '^(server|net)\.' -E '^server\.websocket_(rfc6455|interop)$'

step summary
printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed"
((failed == 0))
