#!/usr/bin/env bash
# Makes sure helm, kube-apiserver and an etcd of the pinned versions are in $HOLDFAST_K8S_TOOLS
# (default ~/.cache/holdfast/k8s-tools), built from their Go modules: no release download works
# here (docs/kubernetes-validation.md). Each binary sits in a folder named by its version, so a
# warm run is a sub-second no-op and a version bump builds only what changed.
#   tools.sh            build what is missing, then print the bin folders (one per line)
#   tools.sh path NAME  print the path of one binary (helm | kube-apiserver | etcd), building it if missing
# Builds run at low priority (nice 19): on a shared 2-core machine other work keeps the CPU.
set -euo pipefail

HELM_VERSION="${HELM_VERSION:-3.19.0}"
KUBERNETES_VERSION="${KUBERNETES_VERSION:-1.34.3}"
ETCD_VERSION="${ETCD_VERSION:-3.6.5}"
TOOLS_DIR="${HOLDFAST_K8S_TOOLS:-$HOME/.cache/holdfast/k8s-tools}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

command -v go >/dev/null || { echo "k8s-tools: Go is needed to build helm and kube-apiserver (none on PATH)" >&2; exit 1; }
mkdir -p "$TOOLS_DIR"
# A binary already built is answered at once, without the lock: another tool may be building
# meanwhile (kube-apiserver takes minutes) and a caller asking for helm must not wait on it.
if [[ "${1:-}" == "path" ]]; then
  case "${2:-}" in
    helm) built="$TOOLS_DIR/helm-v$HELM_VERSION/helm" ;;
    kube-apiserver) built="$TOOLS_DIR/kubernetes-v$KUBERNETES_VERSION/kube-apiserver" ;;
    etcd) built="$TOOLS_DIR/etcd-v$ETCD_VERSION/etcd" ;;
    *) built="" ;;
  esac
  if [[ -n "$built" && -x "$built" ]]; then echo "$built"; exit 0; fi
fi
exec 9>"$TOOLS_DIR/.build.lock"
flock 9

log() { echo "k8s-tools: $*" >&2; }
module_dir() { go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'; }

build_helm() {
  local dir="$TOOLS_DIR/helm-v$HELM_VERSION"
  [[ -x "$dir/helm" ]] && return 0
  local started=$(date +%s)
  log "building helm v$HELM_VERSION from its Go module (about 4 minutes, once per machine)"
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
  GOBIN="$dir.tmp" CGO_ENABLED=0 nice -n 19 go install -trimpath -ldflags "-s -w" "helm.sh/helm/v3/cmd/helm@v$HELM_VERSION"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
  log "helm built in $(( $(date +%s) - started )) s"
}

build_kube_apiserver() {
  local dir="$TOOLS_DIR/kubernetes-v$KUBERNETES_VERSION"
  [[ -x "$dir/kube-apiserver" ]] && return 0
  local started=$(date +%s)
  log "building kube-apiserver v$KUBERNETES_VERSION from its Go module (15-25 minutes, once per machine)"
  local src; src=$(module_dir "k8s.io/kubernetes@v$KUBERNETES_VERSION")
  [[ -d "$src" ]] || { log "go mod download of k8s.io/kubernetes@v$KUBERNETES_VERSION failed"; exit 1; }
  local work="$TOOLS_DIR/build/kubernetes-$KUBERNETES_VERSION"
  rm -rf "$work" && mkdir -p "$(dirname "$work")" && cp -R "$src" "$work" && chmod -R u+w "$work"
  # The module zip leaves staging/ out; its modules are published as k8s.io/X v0.<minor>.<patch>.
  local staging="v0.${KUBERNETES_VERSION#*.}"
  rm -f "$work/go.work" "$work/go.work.sum"
  sed -i -E "s#^([[:space:]]*)(k8s.io/[a-z0-9-]+) => ./staging/src/k8s.io/[a-z0-9-]+#\1\2 => \2 $staging#" "$work/go.mod"
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
  (cd "$work" && GOFLAGS=-mod=mod CGO_ENABLED=0 nice -n 19 go build -trimpath -ldflags "-s -w" -o "$dir.tmp/kube-apiserver" ./cmd/kube-apiserver)
  rm -rf "$dir" && mv "$dir.tmp" "$dir" && rm -rf "$work"
  log "kube-apiserver built in $(( $(date +%s) - started )) s"
}

build_etcd() {
  local dir="$TOOLS_DIR/etcd-v$ETCD_VERSION"
  [[ -x "$dir/etcd" ]] && return 0
  local started=$(date +%s)
  log "building etcd v$ETCD_VERSION (embedded server, scripts/k8s/etcd) from its Go module"
  local work="$TOOLS_DIR/build/etcd-$ETCD_VERSION"
  rm -rf "$work" && mkdir -p "$work" && cp "$HERE/etcd/main.go" "$work/"
  (cd "$work" && go mod init holdfast.local/etcd >/dev/null 2>&1 \
    && GOFLAGS=-mod=mod go get "go.etcd.io/etcd/server/v3@v$ETCD_VERSION" >/dev/null 2>&1 \
    && GOFLAGS=-mod=mod CGO_ENABLED=0 nice -n 19 go build -trimpath -ldflags "-s -w" -o "$dir.tmp/etcd" .)
  rm -rf "$dir" && mv "$dir.tmp" "$dir" && rm -rf "$work"
  log "etcd built in $(( $(date +%s) - started )) s"
}

case "${1:-all}" in
  path)
    case "${2:-}" in
      helm) build_helm; echo "$TOOLS_DIR/helm-v$HELM_VERSION/helm" ;;
      kube-apiserver) build_kube_apiserver; echo "$TOOLS_DIR/kubernetes-v$KUBERNETES_VERSION/kube-apiserver" ;;
      etcd) build_etcd; echo "$TOOLS_DIR/etcd-v$ETCD_VERSION/etcd" ;;
      *) echo "usage: tools.sh path helm|kube-apiserver|etcd" >&2; exit 2 ;;
    esac ;;
  all)
    build_helm; build_etcd; build_kube_apiserver
    echo "$TOOLS_DIR/helm-v$HELM_VERSION"; echo "$TOOLS_DIR/etcd-v$ETCD_VERSION"; echo "$TOOLS_DIR/kubernetes-v$KUBERNETES_VERSION" ;;
  *) echo "usage: tools.sh [all | path NAME]" >&2; exit 2 ;;
esac
