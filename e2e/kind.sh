#!/usr/bin/env bash
# End to end on a real cluster (kind), for a machine with Docker, kind, helm and kubectl: build
# both images, load them into a fresh kind cluster, install the chart, apply the development
# KafkaCluster and its Topics, wait for Ready, then produce and consume through the bootstrap
# Service from a pod running the `kaskade` image. Cleans up after itself.
#
#   e2e/kind.sh
#
# Environment: KIND_CLUSTER (default kaskade-e2e), TAG (image tag, default e2e),
# KEEP_CLUSTER=1 (leave the cluster running), SKIP_BUILD=1 (images already built and tagged),
# RECORDS (default 100000).
set -euo pipefail
cd "$(dirname "$0")/.."

cluster="${KIND_CLUSTER:-kaskade-e2e}"
tag="${TAG:-e2e}"
records="${RECORDS:-100000}"
broker_image="ghcr.io/kaskade-dev/kaskade:$tag"
operator_image="ghcr.io/kaskade-dev/kaskade-operator:$tag"
operator_ns=kaskade-system
ns=kaskade-e2e
ctx="kind-$cluster"
t0=$SECONDS

step() { printf '\n==> %s (%ss)\n' "$*" "$((SECONDS - t0))"; }
k() { kubectl --context "$ctx" "$@"; }

for tool in docker kind helm kubectl; do
  command -v "$tool" >/dev/null || { echo "e2e/kind.sh needs $tool on PATH" >&2; exit 2; }
done

diagnose() {
  echo "---- diagnostics ----" >&2
  k get kafkaclusters,topics,statefulsets,pods,services,configmaps,pdb -A -o wide >&2 || true
  k -n "$ns" get kafkaclusters,topics -o yaml >&2 || true
  k -n "$ns" describe pods >&2 || true
  k -n "$ns" logs --all-containers --prefix -l app.kubernetes.io/name=kaskade --tail=200 >&2 || true
  k -n "$operator_ns" logs deployment/kaskade-operator --tail=300 >&2 || true
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
fi

step "kind cluster $cluster"
kind delete cluster --name "$cluster" >/dev/null 2>&1 || true
kind create cluster --name "$cluster" --wait 120s
kind load docker-image --name "$cluster" "$broker_image" "$operator_image"

step "helm install the operator"
helm --kube-context "$ctx" install kaskade-operator charts/kaskade-operator \
  --namespace "$operator_ns" --create-namespace \
  --set image.tag="$tag" --set brokerImage.tag="$tag" --set logLevel=debug \
  --wait --timeout 3m

step "apply the development cluster and its topics"
k create namespace "$ns"
k -n "$ns" apply -f examples/kafkacluster-dev.yaml
k -n "$ns" wait kafkacluster/dev --for=condition=Ready --timeout=5m
k -n "$ns" apply -f examples/topics.yaml
k -n "$ns" wait topic --all --for=condition=Ready --timeout=3m
k -n "$ns" get kafkaclusters,topics,statefulsets,services,pods

# Runs the kaskade image once as a pod with ARGS, waits for it to finish, prints its logs and
# fails when the pod did not succeed.
run_pod() {
  local name="$1"
  shift
  k -n "$ns" run "$name" --image "$broker_image" --image-pull-policy IfNotPresent --restart Never -- "$@"
  k -n "$ns" wait "pod/$name" --for=jsonpath='{.status.phase}'=Succeeded --timeout=5m || true
  k -n "$ns" logs "pod/$name"
  local phase
  phase="$(k -n "$ns" get "pod/$name" -o jsonpath='{.status.phase}')"
  k -n "$ns" delete "pod/$name" --wait=false >/dev/null
  [[ "$phase" == Succeeded ]] || { echo "pod $name ended $phase" >&2; return 1; }
}

step "produce $records records to orders through dev-bootstrap:9092"
run_pod producer perf produce --bootstrap-server dev-bootstrap:9092 --topic orders \
  --num-records "$records" --record-size 512 --quiet

step "consume them back"
run_pod consumer perf consume --bootstrap-server dev-bootstrap:9092 --topic orders \
  --messages "$records" --timeout 30000

step "the broker pod's own probe"
k -n "$ns" exec dev-broker-0 -c broker -- kaskade probe --bootstrap-server localhost:9092

step "delete the topics and the cluster"
k -n "$ns" delete -f examples/topics.yaml --wait --timeout=2m
k -n "$ns" delete kafkacluster/dev --wait --timeout=2m

step "e2e/kind.sh passed"
