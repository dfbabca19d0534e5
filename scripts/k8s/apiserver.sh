#!/usr/bin/env bash
# A real kube-apiserver (with its etcd) on loopback, to validate the Helm chart against: every object
# is checked, defaulted and stored by the server itself. No kubelet, no controller manager: nothing
# runs (docs/kubernetes-validation.md).
#   apiserver.sh start   start etcd and kube-apiserver (after stopping one this folder left running), install
#                        the CRDs the chart uses, print the kubeconfig's path
#   apiserver.sh stop    stop exactly what start started (pid files)
#   apiserver.sh env     print `export KUBECONFIG=... HELM=...` for a shell
# With KUBECONFIG set, that cluster is used instead: start starts nothing, only installs missing CRDs.
# Knobs (env): HOLDFAST_K8S_DIR (state: keys, token, etcd data, logs, kubeconfig; default
# <repo>/.data/k8s), K8S_APISERVER_PORT (31443), K8S_ETCD_PORT (31379), K8S_ETCD_PEER_PORT (31380),
# K8S_READY_TIMEOUT (seconds, 120), DAPR_VERSION (1.18.2), PROMETHEUS_OPERATOR_VERSION (0.85.0).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
STATE="${HOLDFAST_K8S_DIR:-$REPO/.data/k8s}"
API_PORT="${K8S_APISERVER_PORT:-31443}"
ETCD_PORT="${K8S_ETCD_PORT:-31379}"
ETCD_PEER_PORT="${K8S_ETCD_PEER_PORT:-31380}"
READY_TIMEOUT="${K8S_READY_TIMEOUT:-120}"
DAPR_VERSION="${DAPR_VERSION:-1.18.2}"
PROMETHEUS_OPERATOR_VERSION="${PROMETHEUS_OPERATOR_VERSION:-0.85.0}"
# The CRDs the chart's objects need, and the release that holds them (helm never deletes crds/).
CRDS_RELEASE=holdfast-crds
CRD_NAMES=(components.dapr.io configurations.dapr.io resiliencies.dapr.io servicemonitors.monitoring.coreos.com)

log() { echo "k8s-apiserver: $*" >&2; }
die() { log "$*"; exit 1; }
tool() { bash "$HERE/tools.sh" path "$1"; }
module_dir() { go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'; }

# A pid file's process, if it is still the binary we started (a pid may have been reused since).
running_pid() {
  local file="$STATE/$1.pid" pid
  [[ -f "$file" ]] || return 1
  pid=$(cat "$file")
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$2" || return 1
  echo "$pid"
}

stop_one() { # name, cmdline marker
  local pid
  if pid=$(running_pid "$1" "$2"); then
    kill "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    log "stopped $1 (pid $pid)"
  fi
  rm -f "$STATE/$1.pid"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

helper() { node "$HERE/local-cluster.mjs" "$@"; }
api() { helper get "https://127.0.0.1:$API_PORT$1" "$STATE/token"; } # GET on our own server, as admin

start_server() {
  local etcd apiserver
  etcd=$(tool etcd)
  apiserver=$(tool kube-apiserver)
  # One left by an interrupted run (its afterAll never ran) is ours: stop it rather than fail.
  stop_one apiserver "$STATE/pki"; stop_one etcd "$STATE/etcd"
  for port in "$API_PORT" "$ETCD_PORT" "$ETCD_PEER_PORT"; do
    port_free "$port" || die "port $port is in use (K8S_APISERVER_PORT, K8S_ETCD_PORT, K8S_ETCD_PEER_PORT move them)"
  done
  # A fresh cluster every start: the check must not depend on what a previous run left. Only a
  # folder this script made (its marker) is wiped.
  if [[ -e "$STATE" ]]; then
    [[ -f "$STATE/.holdfast-k8s" || -z "$(ls -A "$STATE")" ]] || die "$STATE is not ours (no .holdfast-k8s): HOLDFAST_K8S_DIR names another folder?"
    rm -rf "$STATE"
  fi
  mkdir -p "$STATE/pki" && chmod 700 "$STATE" && touch "$STATE/.holdfast-k8s"
  # Whatever fails from here on (die included) leaves nothing running.
  trap '[[ -n "${START_DONE:-}" ]] || { stop_one apiserver "$STATE/pki"; stop_one etcd "$STATE/etcd"; }' EXIT
  helper keys "$STATE/pki"
  (umask 077; helper token >"$STATE/token"
   echo "$(cat "$STATE/token"),holdfast-admin,holdfast-admin,\"system:masters\"" >"$STATE/pki/tokens.csv")

  setsid "$etcd" --data-dir "$STATE/etcd" --client-port "$ETCD_PORT" --peer-port "$ETCD_PEER_PORT" \
    >"$STATE/etcd.log" 2>&1 </dev/null &
  echo $! >"$STATE/etcd.pid"
  for _ in $(seq 1 100); do
    helper get "http://127.0.0.1:$ETCD_PORT/health" >/dev/null && break
    running_pid etcd "$etcd" >/dev/null || die "etcd exited: $(tail -5 "$STATE/etcd.log")"
    sleep 0.2
  done

  setsid "$apiserver" \
    --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --bind-address=127.0.0.1 --secure-port="$API_PORT" --advertise-address=127.0.0.1 \
    --cert-dir="$STATE/pki" \
    --service-account-issuer=https://kubernetes.default.svc \
    --service-account-key-file="$STATE/pki/sa.pub" \
    --service-account-signing-key-file="$STATE/pki/sa.key" \
    --token-auth-file="$STATE/pki/tokens.csv" \
    --authorization-mode=RBAC \
    --profiling=false \
    >"$STATE/apiserver.log" 2>&1 </dev/null &
  echo $! >"$STATE/apiserver.pid"
  local deadline=$((SECONDS + READY_TIMEOUT))
  until api /readyz >/dev/null; do
    running_pid apiserver "$STATE/pki" >/dev/null || die "kube-apiserver exited: $(tail -5 "$STATE/apiserver.log")"
    ((SECONDS < deadline)) || die "kube-apiserver not ready in ${READY_TIMEOUT}s (log: $STATE/apiserver.log)"
    sleep 0.5
  done

  (umask 077; cat >"$STATE/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: holdfast-local
  cluster:
    server: https://127.0.0.1:$API_PORT
    # The server's certificate is self-signed by the server at start (cert-dir): loopback only.
    insecure-skip-tls-verify: true
users:
- name: holdfast-admin
  user:
    token: $(cat "$STATE/token")
contexts:
- name: holdfast-local
  context: {cluster: holdfast-local, user: holdfast-admin}
current-context: holdfast-local
EOF
  )
}

# A chart holding only crds/: helm creates them before anything else, skips those already in the
# cluster (a real one with Dapr installed), and waits until they are established.
install_crds() {
  local helm="$1" kubeconfig="$2" chart="$STATE/crds-chart" dapr prom
  dapr=$(module_dir "github.com/dapr/dapr@v$DAPR_VERSION")
  prom=$(module_dir "github.com/prometheus-operator/prometheus-operator@v$PROMETHEUS_OPERATOR_VERSION")
  [[ -d "$dapr/charts/dapr/crds" ]] || die "no CRDs in github.com/dapr/dapr@v$DAPR_VERSION (go mod download failed?)"
  [[ -d "$prom/example/prometheus-operator-crd" ]] || die "go mod download of prometheus-operator@v$PROMETHEUS_OPERATOR_VERSION failed"
  rm -rf "$chart" && mkdir -p "$chart/crds"
  printf 'apiVersion: v2\nname: %s\nversion: 0.1.0\ndescription: CRDs the Holdfast chart needs (Dapr %s, ServiceMonitor %s)\n' \
    "$CRDS_RELEASE" "$DAPR_VERSION" "$PROMETHEUS_OPERATOR_VERSION" >"$chart/Chart.yaml"
  cp "$dapr"/charts/dapr/crds/*.yaml "$chart/crds/"
  cp "$prom/example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml" "$chart/crds/"
  chmod -R u+w "$chart"
  "$helm" upgrade --install "$CRDS_RELEASE" "$chart" --namespace default --kubeconfig "$kubeconfig" >/dev/null
}

wait_established() {
  local deadline=$((SECONDS + 60)) name
  for name in "${CRD_NAMES[@]}"; do
    until api "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/$name" \
      | node -e 'const c=JSON.parse(require("fs").readFileSync(0,"utf8")).status?.conditions??[];process.exit(c.some(x=>x.type==="Established"&&x.status==="True")?0:1)' 2>/dev/null; do
      ((SECONDS < deadline)) || die "CRD $name not established in 60 s"
      sleep 0.5
    done
  done
}

case "${1:-}" in
  start)
    helm=$(tool helm)
    if [[ -n "${KUBECONFIG:-}" ]]; then
      log "KUBECONFIG is set: using that cluster, starting nothing"
      install_crds "$helm" "$KUBECONFIG"
      echo "$KUBECONFIG"
      exit 0
    fi
    started=$SECONDS
    start_server
    log "kube-apiserver ready on https://127.0.0.1:$API_PORT in $((SECONDS - started)) s"
    install_crds "$helm" "$STATE/kubeconfig"
    wait_established
    START_DONE=1
    log "CRDs established ($((SECONDS - started)) s since start)"
    echo "$STATE/kubeconfig" ;;
  stop)
    [[ -n "${KUBECONFIG:-}" ]] && { log "KUBECONFIG is set: nothing of ours to stop"; exit 0; }
    stop_one apiserver "$STATE/pki"
    stop_one etcd "$STATE/etcd" ;;
  env)
    echo "export KUBECONFIG=${KUBECONFIG:-$STATE/kubeconfig} HELM=$(tool helm)" ;;
  *) echo "usage: apiserver.sh start|stop|env" >&2; exit 2 ;;
esac
