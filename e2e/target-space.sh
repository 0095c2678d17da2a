#!/usr/bin/env bash
# Keeps a reused Cargo target directory from filling the disk. Cargo never collects the
# artifacts of older builds (other checkouts, other feature sets, older test binaries), so a
# long-lived cache grows until a link fails with "No space left on device" — which is how a CI
# run once failed. Below KASKADE_MIN_FREE_GIB (default 25) free on the target's filesystem,
# this removes the incremental caches, then the debug tree; the next build is colder, never broken.
set -euo pipefail
target=${1:?usage: target-space.sh TARGET_DIR}
min_gib=${KASKADE_MIN_FREE_GIB:-25}
[[ -d $target ]] || exit 0
free_gib() { echo $(( $(df --output=avail -k "$target" | tail -1) / 1024 / 1024 )); }
for dir in "$target/debug/incremental" "$target/release/incremental" "$target/debug"; do
  (( $(free_gib) >= min_gib )) && exit 0
  if [[ -d $dir ]]; then
    echo "== $(free_gib) GiB free (< $min_gib): removing $dir ($(du -sh "$dir" | cut -f1))"
    rm -rf "$dir"
  fi
done
echo "== $(free_gib) GiB free on the target directory's filesystem"
