#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/*_fuzz.cpp) with clang-14 in build-fuzz/ and runs each:
#   scripts/fuzz.sh                     every target for 20 s (CI; FUZZ_SECONDS overrides)
#   scripts/fuzz.sh --seconds 300       every target for 300 s
#   scripts/fuzz.sh --runs 10000000     every target for 10 million executions
#   scripts/fuzz.sh [options] router_fuzz payload_fuzz    only these targets
# Corpus of a target: build-fuzz/corpus/<t>/ (kept between runs; new inputs go there), seeded
# from tests/data (fuzz/extract_seeds.py -> build-fuzz/seeds/<t>/) and from fuzz/corpus/<t>/
# when that exists; dictionary fuzz/<t>.dict when it exists. Crash inputs land in
# build-fuzz/crashes/<t>/. Prints per target executions, coverage (cov/ft) and crashes; the
# last line is `N passed, M failed` (one per target) and the exit status is non-zero on a crash.
# FUZZ_BUILD_DIR (default build-fuzz) puts all of that elsewhere, e.g. for a long run beside CI's.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=${FUZZ_SECONDS:-20}
runs=
targets=()
while (($#)); do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done

dir=${FUZZ_BUILD_DIR:-build-fuzz}
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# -O1 with assertions on (no NDEBUG): the usual trade-off for fuzzing speed vs. checks.
if [[ ! -f $dir/CMakeCache.txt ]]; then
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$dir" -DSOCKJS_FUZZ=ON -DSOCKJS_BUILD_TESTS=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
    -DSOCKJS_WERROR="$([[ ${CI:-} == true ]] && echo ON || echo OFF)" "${launcher[@]}" </dev/null ||
    exit 1
fi
cmake --build "$dir" -j2 --target sockjs_fuzz </dev/null || exit 1

python3 fuzz/extract_seeds.py tests/data "$dir/seeds" || exit 1
if ((${#targets[@]} == 0)); then
  for f in fuzz/*_fuzz.cpp; do targets+=("$(basename "$f" .cpp)"); done
fi

if [[ -n $runs ]]; then limit=(-runs="$runs"); else limit=(-max_total_time="$seconds"); fi
passed=0
failed=0
rows=()
for t in "${targets[@]}"; do
  bin=$dir/fuzz/$t
  [[ -x $bin ]] || { rows+=("$(printf '%-28s not built' "$t")"); failed=$((failed + 1)); continue; }
  mkdir -p "$dir/corpus/$t" "$dir/seeds/$t" "$dir/crashes/$t"
  corpora=("$dir/corpus/$t" "$dir/seeds/$t")
  [[ -d fuzz/corpus/$t ]] && corpora+=("fuzz/corpus/$t")
  dict=()
  [[ -f fuzz/$t.dict ]] && dict=(-dict="fuzz/$t.dict")
  log=$dir/$t.log
  printf '\n=== %s (%s)\n' "$t" "${limit[*]}"
  start=$SECONDS
  before=$(find "$dir/crashes/$t" -type f | wc -l)
  # -timeout: one input taking over 10 s is a hang; -rss_limit_mb: memory bound per process.
  "$bin" "${limit[@]}" "${dict[@]}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$dir/crashes/$t/" "${corpora[@]}" </dev/null >"$log" 2>&1
  rc=$?
  tail -n 15 "$log"
  execs=$(grep -Eo 'stat::number_of_executed_units: [0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -n 1)
  cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1)
  crashes=$(($(find "$dir/crashes/$t" -type f | wc -l) - before))
  ((rc != 0 && crashes == 0)) && crashes=1
  ((crashes == 0)) && passed=$((passed + 1)) || failed=$((failed + 1))
  rows+=("$(printf '%-28s execs %-10s %-22s crashes %s  (%ss)' "$t" "${execs:-?}" "${cov:-cov: ?}" \
    "$crashes" $((SECONDS - start)))")
done

printf '\n=== fuzz summary\n'
printf '%s\n' "${rows[@]}"
echo "$passed passed, $failed failed"
((failed == 0))
