#!/usr/bin/env bash
# `npm run images`: builds Holdfast's images on a machine without an image registry (docs/images.md).
#   holdfast/debian:bookworm-<hash>         Debian bookworm (debootstrap, minbase), imported
#   holdfast/base:bookworm-node20-<hash>    that + this machine's Node 20 (the app images' BASE_IMAGE)
#   holdfast/app:<version>-<rev>, :<version>, :dev   the Dockerfile's app target (every app; the chart's
#                                          default tag is its appVersion, the package version)
#   holdfast/migrate:<version>-<rev>, :<version>, :dev  the Dockerfile's migrate target (the migration Job)
#   holdfast/dapr:<dapr version>            daprd, placement, scheduler from $DAPR_INSTALL_DIR (on debian)
#   holdfast/postgres:15, holdfast/redis:7  bookworm's postgresql-15 and redis-server (on debian)
# Each image is skipped when its inputs are unchanged (debian and base by a hash of their recipe in
# the tag, the server images by one in a label, the app images through Docker's layer cache), so a
# warm run takes seconds. Prints each image's build time and size.
#
#   bash scripts/images.sh [app|dapr|postgres|redis ...]   (default: all; debian and base always)
#
# Knobs (env):
#   HOLDFAST_IMAGES_CACHE   folder for the Debian root filesystem tarball (default ~/.cache/holdfast/images)
#   HOLDFAST_DEBIAN_MIRROR  Debian mirror for debootstrap and apt (default http://deb.debian.org/debian)
#   HOLDFAST_BASE_IMAGE     build every image on this one instead of ours (e.g. node:20-bookworm-slim
#                           where a registry is reachable); then no debootstrap and no import
#   HOLDFAST_EXTRA_CA_DIR   certificate authorities (*.crt) the base trusts besides Debian's, e.g. a
#                           TLS-inspecting proxy's (default /usr/local/share/ca-certificates: the machine's own)
#   DAPR_INSTALL_DIR        where daprd, placement and scheduler are (default ~/.dapr/bin)
#   DAPR_VERSION            their version, the dapr image's tag (default 1.18.2)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HERE="$ROOT/scripts/images"
CACHE="${HOLDFAST_IMAGES_CACHE:-$HOME/.cache/holdfast/images}"
MIRROR="${HOLDFAST_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
DAPR_VERSION="${DAPR_VERSION:-1.18.2}"
DAPR_INSTALL_DIR="${DAPR_INSTALL_DIR:-$HOME/.dapr/bin}"
EXTRA_CA="${HOLDFAST_EXTRA_CA_DIR:-/usr/local/share/ca-certificates}"
# The legacy builder: Debian's engine comes without buildx. The Dockerfiles use nothing BuildKit-only.
export DOCKER_BUILDKIT=0

say() { echo "images: $*"; }
has_image() { docker image inspect "$1" >/dev/null 2>&1; }
label_of() { docker image inspect -f "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true; }
hash_of() { sha256sum | cut -c1-12; }
report() { # image, started (epoch seconds), what happened
  local size; size=$(docker image inspect -f '{{.Size}}' "$1" | awk '{printf "%.0f MB", $1/1000/1000}')
  say "$(printf '%-44s %-7s %4s s  %s' "$1" "$3" "$(( $(date +%s) - $2 ))" "$size")"
}
# Host networking only (scripts/docker-engine.sh): the daemon has no bridge, so builds that fetch
# (npm ci, apt-get) use the host's network. The output goes to a log, shown when a build fails.
build() {
  local log="$CACHE/last-build.log"
  mkdir -p "$CACHE"
  docker build --network host "$@" >"$log" 2>&1 || { tail -n 40 "$log" >&2; say "build failed; whole output: $log"; return 1; }
}

# ---- (a) Debian bookworm minbase, then Node 20 as this machine has it ----
build_debian_rootfs() { # $1: an empty folder of ours to fill
  local rootfs="${1:?}"
  [ "$rootfs" != / ] || exit 1
  # minbase: only Essential and apt. ca-certificates for TLS to npm and the like.
  nice -n 19 debootstrap --variant=minbase --include=ca-certificates bookworm "$rootfs" "$MIRROR" >/dev/null
  printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb %s bookworm-security main\n' \
    "$MIRROR" "$MIRROR" "${MIRROR%/debian}/debian-security" >"$rootfs/etc/apt/sources.list"
  # Nothing may start services inside the chroot, nor later in images built on it.
  printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d" && chmod 755 "$rootfs/usr/sbin/policy-rc.d"
  # Security updates now.
  chroot "$rootfs" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive chroot "$rootfs" apt-get -y -qq upgrade >/dev/null 2>&1
  chroot "$rootfs" apt-get clean
  rm -rf "${rootfs:?}"/var/lib/apt/lists/* "${rootfs:?}"/var/cache/apt/*.bin "${rootfs:?}"/usr/share/doc/* \
    "${rootfs:?}"/usr/share/man/* "${rootfs:?}"/var/log/*.log "${rootfs:?}"/var/log/apt/*
}

build_debian() {
  local tag started tarball rootfs; started=$(date +%s)
  # The recipe and the mirror name the image: change either and it is made again.
  tag="holdfast/debian:bookworm-$( { declare -f build_debian_rootfs; echo "$MIRROR"; } | hash_of)"
  DEBIAN="$tag"
  if has_image "$tag"; then report "$tag" "$started" cached; return; fi
  tarball="$CACHE/debian-${tag#holdfast/debian:}.tar"
  if [ ! -s "$tarball" ]; then
    [ "$(id -u)" = 0 ] || { say "debootstrap needs root: run this once as root, or set HOLDFAST_BASE_IMAGE"; exit 1; }
    command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
    say "making $tag with debootstrap (a few minutes, once per recipe)"
    rootfs="$CACHE/rootfs.tmp"
    rm -rf "$rootfs" && mkdir -p "$rootfs"
    build_debian_rootfs "$rootfs"
    nice -n 19 tar -C "$rootfs" --numeric-owner -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    rm -rf "$rootfs"
  fi
  # docker import keeps files only: the environment a Debian image normally has is set here.
  docker import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'ENV LANG=C.UTF-8' -c 'CMD ["bash"]' -m "Debian bookworm minbase (scripts/images.sh)" \
    "$tarball" "$tag" >/dev/null
  report "$tag" "$started" built
}

build_base() {
  local node tag started ctx; started=$(date +%s)
  node="$(dpkg-query -W -f '${Package} ${Version} ${Architecture}' nodejs 2>/dev/null)" \
    || { say "no nodejs Debian package on this machine to take Node 20 from; set HOLDFAST_BASE_IMAGE"; exit 1; }
  tag="holdfast/base:bookworm-node20-$( { echo "$DEBIAN $node npm $(npm --version)"; cat "$HERE/base.Dockerfile" "$EXTRA_CA"/*.crt 2>/dev/null; } | hash_of)"
  BASE="$tag"
  if has_image "$tag"; then report "$tag" "$started" cached; return; fi
  ctx="$CACHE/base-context"
  rm -rf "$ctx" && mkdir -p "$ctx"
  # Node 20: the files of this machine's nodejs package (its binary needs only glibc, libstdc++ and
  # libgcc_s, which minbase has), and npm and corepack as they are now in /usr/lib/node_modules (npm
  # may have been upgraded since the package put its own there). Directories are left to tar.
  dpkg -L nodejs | grep -vE '^/usr/share/(doc|man)/|^/usr/lib/node_modules/|^/\.$' \
    | while read -r f; do if [ -L "$f" ] || [ -f "$f" ]; then echo "${f#/}"; fi; done \
    | tar -C / --no-recursion -cf "$ctx/node.tar" -T -
  tar -C / -rf "$ctx/node.tar" usr/lib/node_modules
  mkdir -p "$ctx/extra-ca"
  cp "$EXTRA_CA"/*.crt "$ctx/extra-ca/" 2>/dev/null || true
  build --build-arg DEBIAN_IMAGE="$DEBIAN" -f "$HERE/base.Dockerfile" -t "$tag" "$ctx"
  rm -rf "$ctx"
  report "$tag" "$started" built
}

# ---- (b) the app and migration images, from the one Dockerfile ----
build_app() {
  local version rev tag started dirty=''
  version="$(node -p 'require("./package.json").version')"
  rev="$(git -C "$ROOT" rev-parse --short HEAD)"
  # Uncommitted changes in what the image is built from make a tag that says so.
  [ -z "$(git -C "$ROOT" status --porcelain -- Dockerfile .dockerignore package.json package-lock.json tsconfig.json shared apps scripts/prisma)" ] || dirty=-dirty
  tag="$version-$rev$dirty"
  for target in app migrate; do
    started=$(date +%s)
    build --build-arg BASE_IMAGE="$BASE" --build-arg VERSION="$version" --build-arg REVISION="$rev$dirty" \
      --target "$target" -t "holdfast/$target:$tag" -t "holdfast/$target:$version" -t "holdfast/$target:dev" "$ROOT"
    report "holdfast/$target:$tag" "$started" docker  # Docker's layer cache decides what is rebuilt
  done
}

# ---- (c), (d): images whose inputs are hashed into a label, built only when that changes ----
build_labelled() { # tag, inputs hash, context dir, Dockerfile
  local started; started=$(date +%s)
  if [ "$(label_of "$1" holdfast.inputs)" = "$2" ]; then report "$1" "$started" cached; return; fi
  build --build-arg BASE_IMAGE="$DEBIAN" --label "holdfast.inputs=$2" -f "$4" -t "$1" "$3"
  report "$1" "$started" built
}

build_dapr() {
  local bins=(daprd placement scheduler) ctx="$CACHE/dapr-context" inputs b
  for b in "${bins[@]}"; do
    [ -x "$DAPR_INSTALL_DIR/$b" ] || bash "$ROOT/scripts/dapr-runtime.sh"
  done
  # Size and mtime stand for the binaries' content (hashing 200 MB on every run would not be warm).
  inputs="$( { echo "$DEBIAN"; cat "$HERE/dapr.Dockerfile"; for b in "${bins[@]}"; do stat -c '%n %s %Y' "$DAPR_INSTALL_DIR/$b"; done; } | hash_of)"
  rm -rf "$ctx" && mkdir -p "$ctx"
  if [ "$(label_of "holdfast/dapr:$DAPR_VERSION" holdfast.inputs)" != "$inputs" ]; then
    for b in "${bins[@]}"; do ln "$DAPR_INSTALL_DIR/$b" "$ctx/$b" 2>/dev/null || cp "$DAPR_INSTALL_DIR/$b" "$ctx/$b"; done
  fi
  build_labelled "holdfast/dapr:$DAPR_VERSION" "$inputs" "$ctx" "$HERE/dapr.Dockerfile"
  rm -rf "$ctx"
}

build_server() { # name, tag
  local inputs; inputs="$( { echo "$DEBIAN"; cat "$HERE/$1.Dockerfile" "$HERE/$1-entrypoint.sh"; } | hash_of)"
  build_labelled "holdfast/$1:$2" "$inputs" "$HERE" "$HERE/$1.Dockerfile"
}

cd "$ROOT"
bash "$ROOT/scripts/docker-engine.sh" >/dev/null
wanted=(${*:-app dapr postgres redis})
all_started=$(date +%s)
if [ -n "${HOLDFAST_BASE_IMAGE:-}" ]; then
  BASE="$HOLDFAST_BASE_IMAGE" DEBIAN="$HOLDFAST_BASE_IMAGE"
else
  build_debian
  build_base
fi
for what in "${wanted[@]}"; do
  case "$what" in
    app) build_app ;;
    dapr) build_dapr ;;
    postgres) build_server postgres 15 ;;
    redis) build_server redis 7 ;;
    *) echo "usage: $0 [app|dapr|postgres|redis ...]" >&2; exit 2 ;;
  esac
done
say "done in $(( $(date +%s) - all_started )) s"
