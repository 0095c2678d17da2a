#!/usr/bin/env bash
# End to end on a real kind cluster, for a machine with Docker, kind and helm: the node tier's
# scenarios (e2e/k8s/tests/node, the same list `./test.sh` runs on its own one-node cluster) on
# kind instead. Builds both images with their Dockerfiles (as users do), the test client and
# Apache Kafka peer images with our image builder (Kafka's jars from e2e/peers/kafka/fetch.sh,
# the JDK of JAVA_HOME), loads them into a fresh kind cluster (MariaDB is pulled: the example's
# mariadb:11.4), then runs
# `cargo test -p kaskade-e2e --test node` against it: the runner installs the chart, runs every
# scenario in its own namespace and uninstalls the chart. Cleans up after itself.
#
#   e2e/kind.sh [-- FILTER]
#
# Environment: KIND_CLUSTER (default kaskade-e2e), KEEP_CLUSTER=1 (leave the cluster running),
# SKIP_BUILD=1 (images already built and tagged).
set -euo pipefail
cd "$(dirname "$0")/.."

cluster="${KIND_CLUSTER:-kaskade-e2e}"
# The references the scenarios use (kaskade_e2e::image).
broker_image="kaskade.dev/kaskade:e2e"
operator_image="kaskade.dev/kaskade-operator:e2e"
client_image="kaskade.dev/client:e2e"
kafka_image="kaskade.dev/apache-kafka:e2e"
ctx="kind-$cluster"
t0=$SECONDS
filter=()
[[ ${1:-} == "--" ]] && { shift; filter=("$@"); }

step() { printf '\n==> %s (%ss)\n' "$*" "$((SECONDS - t0))"; }
k() { kubectl --context "$ctx" "$@"; }

for tool in docker kind helm kubectl cargo; do
  command -v "$tool" >/dev/null || { echo "e2e/kind.sh needs $tool on PATH" >&2; exit 2; }
done

diagnose() {
  echo "---- diagnostics ----" >&2
  k get kafkaclusters,topics,connectors,statefulsets,deployments,pods,services -A -o wide >&2 || true
  k describe pods -A >&2 || true
  k -n kaskade-system logs deployment/kaskade-operator --tail=300 >&2 || true
  k get events -A --sort-by=.lastTimestamp >&2 || true
}

cleanup() {
  local status=$?
  [[ $status -ne 0 ]] && diagnose
  if [[ "${KEEP_CLUSTER:-0}" == 1 ]]; then
    echo "keeping kind cluster $cluster (kind delete cluster --name $cluster)" >&2
  else
    kind delete cluster --name "$cluster" >/dev/null 2>&1 || true
  fi
  exit "$status"
}
trap cleanup EXIT

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  step "docker build $broker_image and $operator_image"
  DOCKER_BUILDKIT=1 docker build -f broker-image/Dockerfile -t "$broker_image" .
  DOCKER_BUILDKIT=1 docker build -f operator/Dockerfile -t "$operator_image" .
  step "the test images $client_image and $kafka_image"
  e2e/peers/kafka/fetch.sh >/dev/null
  cargo build --release -p kaskade
  out="$(mktemp -d)"
  target="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
  for tarball in $(cargo run -q -p kaskade-e2e --bin kaskade-e2e-images -- "$target/release/kaskade" "$out"); do
    docker load -i "$tarball"
  done
fi

step "kind cluster $cluster"
kind delete cluster --name "$cluster" >/dev/null 2>&1 || true
kind create cluster --name "$cluster" --wait 120s
kind load docker-image --name "$cluster" "$broker_image" "$operator_image" "$client_image" "$kafka_image"

step "the node tier's scenarios on kind"
KUBECONFIG="$(mktemp)"
kind get kubeconfig --name "$cluster" >"$KUBECONFIG"
export KUBECONFIG KASKADE_E2E_USE_KUBECONFIG=1 KASKADE_HELM="$(command -v helm)"
cargo test -p kaskade-e2e --test node -- "${filter[@]}"

step "e2e/kind.sh passed"
