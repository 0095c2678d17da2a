#!/usr/bin/env bash
# Install everything the e2e suite needs, idempotently; a second run only checks markers.
#   Debian packages (kcat, curl, mariadb-server, postgresql; a JDK and Maven if missing), Apache Kafka's jars (kafka/fetch.sh),
#   Apache Kafka Connect's (connect/fetch.sh), Tansu (tansu/install.sh), a Python venv at
#   $KASKADE_CACHE/venv with the clients, and the npm packages of e2e/interop/js when it has a
#   package.json, and etcd, kube-apiserver, helm and the node tier's Kubernetes binaries built
#   from the Go module proxy (e2e/k8s/controlplane/build.sh --with-node; needs Go and openssl),
#   with containerd, runc, the CNI plugins, iptables, nftables and conntrack from Debian.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
repo=$(cd "$PEERS_DIR/../.." && pwd)
t0=$SECONDS
step() { log "== $*"; }

# -- Debian packages: install what is missing; apt-get update only when apt lacks a candidate.
apt_pkgs=(kcat openssl curl) # curl: connect/start.sh's ready check
# The databases of the JDBC connectors' tests: the tests start servers of their own
# (mariadb/start.sh, postgres/start.sh) on free loopback ports; Debian's services are not used.
apt_pkgs+=(mariadb-server mariadb-client postgresql)
# The node tier of e2e/k8s (REAL-NODE.md): a container runtime and the pods' network, and a static
# busybox for the test client image.
apt_pkgs+=(containerd runc containernetworking-plugins iptables nftables conntrack busybox-static)
command -v java >/dev/null || apt_pkgs+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || apt_pkgs+=(maven)
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=(); ((EUID == 0)) || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  for p in "${missing[@]}"; do
    if ! apt-cache policy "$p" 2>/dev/null | grep -q 'Candidate: [^(]'; then
      step "apt-get update (no candidate for $p)"
      "${sudo[@]}" apt-get update -qq
      break
    fi
  done
  step "apt-get install ${missing[*]}"
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
else
  step "Debian packages present: ${apt_pkgs[*]}"
fi

# -- Debian's own database services are never used (the tests start servers of their own on free
# ports, never 3306/5432) and never left running: a postinst starts them wherever services may
# start (systemd, or no policy-rc.d forbidding it). Stop any that runs; disable the ones this run
# installed. Checking costs two file tests. KASKADE_KEEP_SYSTEM_DATABASES=1 leaves them alone.
if [[ -z ${KASKADE_KEEP_SYSTEM_DATABASES:-} ]]; then
  sudo=(); ((EUID == 0)) || sudo=(sudo)
  running=()
  [[ -f /run/mysqld/mysqld.pid ]] && kill -0 "$(cat /run/mysqld/mysqld.pid 2>/dev/null)" 2>/dev/null && running+=(mariadb)
  compgen -G '/run/postgresql/*.pid' >/dev/null && running+=(postgresql)
  # The node tier runs a containerd of its own (state under its run directory); Debian's service
  # would share /run/containerd with it.
  pgrep -x containerd >/dev/null 2>&1 && [[ -S /run/containerd/containerd.sock ]] && running+=(containerd)
  for svc in "${running[@]}"; do
    step "stopping Debian's $svc service (tests do not use it)"
    "${sudo[@]}" service "$svc" stop >&2 || log "warning: could not stop $svc"
  done
  for svc_pkg in mariadb:mariadb-server postgresql:postgresql containerd:containerd; do
    svc=${svc_pkg%%:*}
    [[ " ${missing[*]} " == *" ${svc_pkg#*:} "* ]] || continue
    step "disabling Debian's $svc service at boot"
    if [[ -d /run/systemd/system ]]; then
      "${sudo[@]}" systemctl disable --now "$svc" >&2 || true
    else
      "${sudo[@]}" update-rc.d "$svc" disable >/dev/null 2>&1 || true
    fi
  done
fi

# -- The peers.
step "Apache Kafka jars: $("$PEERS_DIR/kafka/fetch.sh")"
step "Apache Kafka Connect jars: $("$PEERS_DIR/connect/fetch.sh")"
step "Tansu: $("$PEERS_DIR/tansu/install.sh")"

# -- Python clients in a venv (pip's own cache is reused).
venv="$KASKADE_CACHE/venv"
reqs=("$PEERS_DIR/requirements.txt")
[[ -f $repo/e2e/interop/python/requirements.txt ]] && reqs+=("$repo/e2e/interop/python/requirements.txt")
sum=$(cat "${reqs[@]}" | sha256sum | cut -d' ' -f1)
if [[ ! -x $venv/bin/python || ! -f $venv/.kaskade-reqs || $(<"$venv/.kaskade-reqs") != "$sum" ]]; then
  step "Python venv $venv: pip install -r ${reqs[*]}"
  [[ -x $venv/bin/python ]] || python3 -m venv "$venv"
  pip_args=()
  for r in "${reqs[@]}"; do pip_args+=(-r "$r"); done
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "${pip_args[@]}" >&2
  echo "$sum" >"$venv/.kaskade-reqs"
else
  step "Python venv $venv up to date"
fi

# -- JavaScript clients, when e2e/interop/js is there.
js="$repo/e2e/interop/js"
if [[ -f $js/package.json ]]; then
  lock=$js/package-lock.json
  sum=$(cat "$js/package.json" "$lock" 2>/dev/null | sha256sum | cut -d' ' -f1)
  stamp=$js/node_modules/.kaskade-stamp
  if [[ ! -f $stamp || $(<"$stamp") != "$sum" ]]; then
    if [[ -f $lock ]]; then npm_cmd=ci; else npm_cmd=install; fi
    step "npm $npm_cmd in $js"
    (cd "$js" && npm "$npm_cmd" --no-audit --no-fund --loglevel=error >&2)
    cat "$js/package.json" "$lock" 2>/dev/null | sha256sum | cut -d' ' -f1 >"$stamp"
  else
    step "npm packages in $js up to date"
  fi
fi

# -- etcd, kube-apiserver and helm for e2e/k8s, and the node tier's kubelet, controller-manager,
# scheduler, kube-proxy and CoreDNS (about 10 minutes the first time, then a cache hit).
step "Kubernetes binaries: $(bash "$repo/e2e/k8s/controlplane/build.sh" --with-node)"

step "done in $((SECONDS - t0)) s"
