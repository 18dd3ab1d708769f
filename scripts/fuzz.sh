#!/usr/bin/env bash
# Fuzz corepool's kernels with cargo-fuzz (libFuzzer + AddressSanitizer).
#
#   npm run fuzz -- <target|all> [seconds]   build, then fuzz each target for `seconds` (default 60)
#   npm run fuzz -- --replay [target|all]    build, then run the committed corpus and the
#                                            regression inputs once (no mutation)
#   npm run fuzz -- --list                   the targets
#
# Targets: fuzz/fuzz_targets/*.rs (harness code in fuzz/src/harness.rs).
# Needs `cargo +nightly` and cargo-fuzz (`cargo install cargo-fuzz --locked`).
#
# Findings: a crash or panic, one allocation over 1 GiB
# (-malloc_limit_mb=1024) or RSS over 2 GiB (-rss_limit_mb=2048) stop the
# run and fail it. An input slower than 2 s (-timeout=2) is kept as
# fuzz/artifacts/<target>/timeout-* and the run goes on (fork mode,
# -ignore_timeouts=1): this build (AddressSanitizer + coverage) runs 12-27x
# slower than the release build, so each one is re-timed in release
# (listed at the end) before it counts as a finding. A replay allows 30 s
# per input, for the same reason.
# libFuzzer writes the input to fuzz/artifacts/<target>/; minimise it with
#   cargo +nightly fuzz tmin -O <target> <file>
# and commit it under fuzz/regressions/<target>/ (tests/fuzz_regressions.rs
# replays those in `cargo test`).
#
# New coverage goes to fuzz/work/<target>/ (not committed); the committed
# seeds in fuzz/corpus/<target>/ are read, never written. Logs:
# fuzz/logs/<target>.log. Env: FUZZ_JOBS (parallel jobs per target,
# default 1), FUZZ_ARGS (extra libFuzzer flags).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
FUZZ=$PWD

TARGETS=(resize metadata render_png render_pdf digest hash_verify)
declare -A DICT=(
  [resize]=image.dict [metadata]=image.dict
  [render_png]=svg.dict [render_pdf]=svg.dict
  [digest]=hash.dict [hash_verify]=hash.dict
)
LIMITS=(-rss_limit_mb=2048 -malloc_limit_mb=1024)
# LeakSanitizer is on for every target (a target listed here with 0 runs
# without it). render_pdf was listed until krilla's gradient leak was fixed
# (vendor/krilla/CHANGES-corepool.md).
declare -A LEAKS=()

usage() {
  sed -n '4,7p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

replay=0
case "${1:-}" in
  --list) printf '%s\n' "${TARGETS[@]}"; exit 0 ;;
  --replay) replay=1; shift ;;
  '' | -h | --help) usage ;;
esac
which=${1:-all}
seconds=${2:-60}
[[ $seconds =~ ^[0-9]+$ ]] || usage
if [ "$which" = all ]; then
  run=("${TARGETS[@]}")
elif [ -n "${DICT[$which]:-}" ]; then
  run=("$which")
else
  echo "unknown target '$which' (one of: ${TARGETS[*]}, all)" >&2
  exit 2
fi

command -v cargo >/dev/null || { echo "cargo not found" >&2; exit 1; }
cargo +nightly --version >/dev/null 2>&1 || { echo "the nightly toolchain is needed: rustup toolchain install nightly" >&2; exit 1; }
cargo fuzz --version >/dev/null 2>&1 || { echo "cargo-fuzz is needed: cargo install cargo-fuzz --locked" >&2; exit 1; }

# One build for every target: release, no debug assertions (as shipped),
# AddressSanitizer, 16 codegen units (a cold build is several times faster
# than with cargo-fuzz's default of 1, for a slightly slower fuzzer).
BUILD=(cargo +nightly fuzz build -O --codegen-units 16 --target-dir "$FUZZ/target")
[ ${#run[@]} -eq 1 ] && BUILD+=("${run[0]}")
echo "== ${BUILD[*]}"
"${BUILD[@]}"
BIN=$FUZZ/target/x86_64-unknown-linux-gnu/release

mkdir -p logs
touch logs/.started
status=0
summary=()
for t in "${run[@]}"; do
  dirs=()
  for d in "corpus/$t" "regressions/$t"; do [ -d "$d" ] && dirs+=("$d"); done
  log=logs/$t.log
  if [ $replay = 1 ]; then
    echo "== replay $t: ${dirs[*]}"
    mkdir -p "artifacts/$t"
    args=("${LIMITS[@]}" -timeout=30 -runs=0 -detect_leaks="${LEAKS[$t]:-1}" -artifact_prefix="artifacts/$t/" "${dirs[@]}")
  else
    mkdir -p "work/$t" "artifacts/$t"
    echo "== fuzz $t for ${seconds}s (log: fuzz/$log)"
    args=("${LIMITS[@]}" -timeout=2 -fork="${FUZZ_JOBS:-1}" -ignore_timeouts=1
      -max_total_time="$seconds" -print_final_stats=1
      -detect_leaks="${LEAKS[$t]:-1}"
      -dict="dicts/${DICT[$t]}" -artifact_prefix="artifacts/$t/"
      "work/$t" "${dirs[@]}")
  fi
  # shellcheck disable=SC2086
  leaks=${LEAKS[$t]:-1}
  if ASAN_OPTIONS="detect_leaks=$leaks${ASAN_OPTIONS:+:$ASAN_OPTIONS}" "$BIN/$t" "${args[@]}" ${FUZZ_ARGS:-} >"$log" 2>&1; then
    result=ok
  else
    result="FAILED (exit $?)"
    status=1
    grep -E 'ERROR|panicked|Test unit written|SUMMARY|deadly signal|out-of-memory|timeout' "$log" | head -20 >&2 || true
  fi
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  summary+=("$(printf '%-12s %-8s %s%s' "$t" "$result" "${execs:+execs $execs  }" "${last:-(no stats line)}")")
done
echo
echo "== summary"
printf '%s\n' "${summary[@]}"
slow=$(find artifacts -name 'timeout-*' -newer logs/.started 2>/dev/null || true)
if [ -n "$slow" ]; then
  echo
  echo "== inputs over 2 s in this (ASan) build; re-time them in the release build"
  echo "   (e.g. copy to fuzz/regressions/<target>/ and run cargo test --release fuzz_regressions):"
  printf '   %s\n' $slow
fi
exit $status
