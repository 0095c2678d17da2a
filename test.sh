#!/usr/bin/env bash
# The project's test command: installs what the tests need (idempotently, reusing caches),
# then formatting, lints and every test. Used by .ci/run and by developers alike.
#
#   ./test.sh            everything
#   ./test.sh -- ARGS    extra arguments for `cargo test` (e.g. `-- --test resilience crash::`)
#   ./test.sh --quick    the edit-compile-test loop: formatting, lints, unit tests and the broker's
#                        own protocol tests (in-process and spawned, no peer); installs nothing
set -euo pipefail
cd "$(dirname "$0")"
export KASKADE_CACHE=${KASKADE_CACHE:-$HOME/.cache/kaskade}
# A target directory outside the clone is reused when it exists (warm builds); cold otherwise.
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$KASKADE_CACHE/target}
export CARGO_TERM_COLOR=never
# A reused target directory only grows (every path and feature set keeps its own artifacts):
# when the disk runs low, drop the incremental caches, then the whole debug tree (a cold build).
bash e2e/target-space.sh "$CARGO_TARGET_DIR"
# The Kubernetes tests (e2e/k8s) must run here: fail rather than skip when no control plane starts.
export KASKADE_E2E_REQUIRE=1
t0=$SECONDS
step() { printf '\n==> %s (%ss)\n' "$*" "$((SECONDS - t0))"; }

if [[ ${1:-} == "--quick" ]]; then
  step "cargo fmt --check"
  cargo fmt --all --check
  step "cargo clippy --all-targets -D warnings"
  cargo clippy --workspace --all-targets --quiet -- -D warnings
  step "unit tests, and the tests that need no peer (kaskade --test broker, the fuzz corpus, the operator's builders)"
  cargo test --workspace --lib --bins --quiet
  cargo test --quiet -p kaskade --test broker
  cargo test --quiet -p kaskade-broker --test fuzz_corpus
  cargo test --quiet -p kaskade-operator --test builder_snapshots
  step "quick tests passed (./test.sh runs everything)"
  exit 0
fi

step "installing test dependencies (Debian packages, Apache Kafka, Tansu, Python, npm, the Kubernetes binaries)"
bash e2e/peers/install.sh

step "rustup components"
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt

step "cargo fmt --check"
cargo fmt --all --check
(cd fuzz && cargo fmt --check)

step "cargo clippy --all-targets -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "cargo build of the binaries black-box tests run (kaskade-operator, kaskade)"
cargo build -p kaskade-operator -p kaskade
step "cargo build --release of the binaries the node tier packs into images"
cargo build --release -p kaskade-operator -p kaskade

step "cargo test"
shift_args=()
[[ ${1:-} == "--" ]] && { shift; shift_args=("$@"); }
cargo test --workspace "${shift_args[@]}"

# libFuzzer over the committed corpus and regressions; fails on a crash, a timeout, or an
# allocation or RSS over its limits (fuzz/run.sh). KASKADE_FUZZ_SECONDS=0 skips it.
fuzz_secs=${KASKADE_FUZZ_SECONDS:-60}
if ((fuzz_secs > 0)); then
  step "fuzz targets (fuzz/run.sh, ${fuzz_secs}s each)"
  bash fuzz/run.sh "$fuzz_secs"
fi

step "all tests passed"
