#!/usr/bin/env bash
# Builds etcd, kube-apiserver and helm from the Go module proxy into a cache shared between runs.
# Prints the bin directory. Idempotent: a binary built from the same go.mod/go.sum is reused.
# Each wrapper module is a directory here: its own main.go (etcd, kube-apiserver), or a `tool`
# line in go.mod naming the main package to build (helm), plus optional extra `ldflags`.
# Usage: e2e/k8s/controlplane/build.sh [--with-node]   (also kubelet, controller-manager, scheduler,
#        kube-proxy and CoreDNS for the node tier)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${KASKADE_CACHE:-$HOME/.cache/kaskade}/k8s"
mkdir -p "$cache/bin"
# One build at a time (test processes and test.sh may start together); the loser reuses the result.
exec 9>"$cache/.build.lock"
flock 9
export CGO_ENABLED=0 GOFLAGS=-mod=mod

build() { # name [package [module directory]]
  local name="$1" pkg="${2:-.}" dir="$here/${3:-$1}"
  local files=("$dir/go.mod" "$dir/go.sum")
  [[ -f "$dir/main.go" ]] && files+=("$dir/main.go")
  [[ -f "$dir/$pkg/main.go" && "$pkg" != . ]] && files+=("$dir/$pkg/main.go")
  local extra=""
  [[ -f "$dir/ldflags" ]] && { files+=("$dir/ldflags"); extra="$(tr '\n' ' ' <"$dir/ldflags")"; }
  local key; key="$(cat "${files[@]}" | sha256sum | cut -c1-16)"
  local out="$cache/bin/$name-$key"
  if [[ ! -x "$out" ]]; then
    echo "building $name (a few minutes the first time; cached in $cache)" >&2
    (cd "$dir" && go build -trimpath -ldflags "-s -w $extra" -o "$out.tmp" "$pkg")
    mv "$out.tmp" "$out"
  fi
  ln -sf "$out" "$cache/bin/$name"
}

build etcd
build kube-apiserver
build helm helm.sh/helm/v3/cmd/helm
if [[ ${1:-} == --with-node ]]; then
  # The node tier (REAL-NODE.md): one module, one main package per command, and CoreDNS.
  for cmd in kubelet kube-controller-manager kube-scheduler kube-proxy; do
    build "$cmd" "./$cmd" node
  done
  build coredns github.com/coredns/coredns
fi
echo "$cache/bin"
