#!/usr/bin/env bash
# Builds the cargo fuzz targets (fuzz/fuzz_targets) with libFuzzer's coverage instrumentation and
# AddressSanitizer, the flags `cargo fuzz build` uses, and runs each for a bounded time from its
# committed corpus (fuzz/corpus/TARGET: real clients' requests and stored batches) and its
# regressions (fuzz/regressions/TARGET: every input that once crashed). Fails on a crash, a leak,
# a timeout, RSS above -rss_limit_mb or one allocation above -malloc_limit_mb (the targets also
# abort on their own allocation limit). ./test.sh runs it; so can a developer:
#
#   fuzz/run.sh [SECONDS_PER_TARGET (default 60)] [TARGET ...]
#
# The instrumented build goes to $KASKADE_CACHE/fuzz-target-TOOLCHAIN (apart from the main
# build: other flags). The toolchain is nightly when rustup has it (as `cargo fuzz`), else stable
# with RUSTC_BOOTSTRAP=1 for -Zsanitizer; KASKADE_FUZZ_TOOLCHAIN=nightly|stable picks one. A crash leaves its input in $KASKADE_CACHE/fuzz-artifacts;
# copy it into fuzz/regressions/TARGET/ once fixed. Prints each target's executions and peak RSS.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${KASKADE_CACHE:-$HOME/.cache/kaskade}
secs=${1:-60}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(request_frame record_batch response_frame)

triple=x86_64-unknown-linux-gnu
toolchain=${KASKADE_FUZZ_TOOLCHAIN:-auto}
if [[ $toolchain == auto ]]; then
  toolchain=stable
  rustup toolchain list 2>/dev/null | grep -q '^nightly' && toolchain=nightly
fi
if [[ $toolchain == nightly ]]; then
  cargo=(cargo +nightly)
else
  cargo=(env RUSTC_BOOTSTRAP=1 cargo +stable)
fi
export CARGO_TARGET_DIR="$cache/fuzz-target-$toolchain"
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Zsanitizer=address -Cdebug-assertions -Coverflow-checks"
# ASan's leak checker does not run under ptrace-less sandboxes reliably; leaks are not what we hunt.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=0}

echo "== building fuzz targets (${cargo[*]} build --release --target $triple)" >&2
(cd "$here" && "${cargo[@]}" build --quiet --release --target "$triple" --bins)

failed=0
for t in "${targets[@]}"; do
  work=$(mktemp -d)
  artifacts="$cache/fuzz-artifacts/$t/"
  mkdir -p "$artifacts"
  seeds=("$here/corpus/$t")
  [[ -d $here/regressions/$t ]] && seeds+=("$here/regressions/$t")
  echo "== fuzzing $t for ${secs}s from ${seeds[*]#"$here/"}" >&2
  set +e
  "$CARGO_TARGET_DIR/$triple/release/$t" "$work" "${seeds[@]}" \
    -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=128 \
    -print_final_stats=1 -artifact_prefix="$artifacts" >"$work.log" 2>&1
  rc=$?
  set -e
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work.log" | grep -o '[0-9]*$' || echo "?")
  rss=$(grep -o 'stat::peak_rss_mb: *[0-9]*' "$work.log" | grep -o '[0-9]*$' || echo "?")
  if ((rc == 0)); then
    echo "fuzz $t: ok, $execs executions, peak RSS ${rss} MB, $(ls "$work" | wc -l) new corpus entries" >&2
  else
    echo "fuzz $t: FAILED (exit $rc) after $execs executions; the log's end:" >&2
    tail -40 "$work.log" >&2
    echo "crash inputs are in $artifacts" >&2
    failed=1
  fi
  rm -rf "$work" "$work.log"
done
exit $failed
