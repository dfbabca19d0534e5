#!/usr/bin/env bash
# Makes sure daprd, placement and scheduler of the pinned Dapr version are in $DAPR_INSTALL_DIR
# (default ~/.dapr/bin). No Docker and no release downloads here, so we build them from the
# github.com/dapr/dapr Go module. Idempotent: a matching build stamp makes this a sub-second no-op.
# Why 1.18.2 and why a slim daprd: docs/dapr-runtime.md.
set -euo pipefail

DAPR_VERSION="${DAPR_VERSION:-1.18.2}"
DAPR_INSTALL_DIR="${DAPR_INSTALL_DIR:-$HOME/.dapr/bin}"
BUILD_ROOT="${DAPR_BUILD_ROOT:-$HOME/.cache/holdfast/dapr-build}"

# The daprd component registrations we keep (files of cmd/daprd/components/). Everything else is
# deleted before the build, which halves build time and daprd's size and memory.
# zz_notag.go must stay: it only panics when neither build tag is set.
KEEP_COMPONENTS=(
  state_postgres.go state_redis.go state_in-memory.go state_sqlite.go
  pubsub_redis.go pubsub_in-memory.go
  bindings_http.go bindings_cron.go
  secretstores_local_env.go secretstores_local_file.go secretstores_kubernetes.go
  nameresolution_mdns.go nameresolution_kubernetes.go nameresolution_nameformat.go nameresolution_sqlite.go
  middleware_http_bearer.go middleware_http_ratelimit.go middleware_http_routeralias.go
  lock_redis.go configuration_redis.go
  crypto_localstorage.go crypto_kubernetes_secrets.go
  zz_notag.go
)

# Small fixes of ours applied to the modules before the build (docs/dapr-runtime.md#our-patches):
# each is a unified diff against its module's root, dapr/dapr's in dapr-patches/<version>/, that of
# the components-contrib version dapr/dapr requires in its components-contrib/ folder; the content
# of all of them is part of the build stamp.
PATCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/dapr-patches/$DAPR_VERSION"
patches() { [[ -d "$PATCH_DIR" ]] && find "$PATCH_DIR" -name '*.patch' | sort; }
dapr_patches() { [[ -d "$PATCH_DIR" ]] && find "$PATCH_DIR" -maxdepth 1 -name '*.patch' | sort; }
contrib_patches() { [[ -d "$PATCH_DIR/components-contrib" ]] && find "$PATCH_DIR/components-contrib" -name '*.patch' | sort; }

stamp_value() {
  printf '%s %s %s\n' "$DAPR_VERSION" "$(printf '%s\n' "${KEEP_COMPONENTS[@]}" | sort | tr '\n' ' ')" \
    "$(patches | xargs -r cat | sha256sum | cut -c1-16)"
}

STAMP_FILE="$DAPR_INSTALL_DIR/.holdfast-dapr-build"

is_current() {
  [[ -x "$DAPR_INSTALL_DIR/daprd" && -x "$DAPR_INSTALL_DIR/placement" && -x "$DAPR_INSTALL_DIR/scheduler" ]] || return 1
  [[ -f "$STAMP_FILE" && "$(cat "$STAMP_FILE")" == "$(stamp_value)" ]] || return 1
  # The stamp could outlive a binary swapped by hand (e.g. `dapr init`); ask daprd itself.
  [[ "$("$DAPR_INSTALL_DIR/daprd" --version 2>/dev/null | tr -d '[:space:]')" == "$DAPR_VERSION" ]]
}

# One build at a time: a second caller waits, then finds the binaries current.
mkdir -p "$DAPR_INSTALL_DIR"
exec 9>"$DAPR_INSTALL_DIR/.holdfast-build.lock"
flock 9

if is_current; then
  echo "dapr-runtime: daprd, placement and scheduler $DAPR_VERSION present in $DAPR_INSTALL_DIR"
  exit 0
fi

command -v go >/dev/null || { echo "dapr-runtime: Go is needed to build Dapr $DAPR_VERSION (none on PATH)" >&2; exit 1; }

started=$(date +%s)
echo "dapr-runtime: building Dapr $DAPR_VERSION from its Go module (a few minutes, once per machine)"

# dapr/dapr's go.mod has replace directives, so `go install pkg@version` refuses; build in a copy.
module_dir=$(go mod download -json "github.com/dapr/dapr@v$DAPR_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[[ -d "$module_dir" ]] || { echo "dapr-runtime: go mod download of github.com/dapr/dapr@v$DAPR_VERSION failed" >&2; exit 1; }

src="$BUILD_ROOT/dapr-$DAPR_VERSION"
rm -rf "$src"
mkdir -p "$BUILD_ROOT"
cp -R "$module_dir" "$src"
chmod -R u+w "$src"

components_dir="$src/cmd/daprd/components"
for file in "$components_dir"/*; do
  name=$(basename "$file")
  keep=0
  for kept in "${KEEP_COMPONENTS[@]}"; do [[ "$name" == "$kept" ]] && keep=1 && break; done
  [[ $keep == 1 ]] || rm -f "$file"
done

for patch_file in $(dapr_patches); do
  echo "dapr-runtime: applying $(basename "$patch_file")"
  # From / (no repository around it), git apply patches plain files, like patch(1).
  (cd / && git apply --unsafe-paths --directory="$src" -p1 "$patch_file")
done

# components-contrib patches: a writable copy of the version dapr/dapr requires, patched, and
# dapr/dapr's go.mod pointed at it (the replace its go.mod suggests for local development).
if [[ -n "$(contrib_patches)" ]]; then
  contrib_version=$(sed -n 's/^[[:space:]]*github.com\/dapr\/components-contrib \(v[^ ]*\)$/\1/p' "$src/go.mod" | head -1)
  contrib_module=$(go mod download -json "github.com/dapr/components-contrib@$contrib_version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [[ -d "$contrib_module" ]] || { echo "dapr-runtime: go mod download of github.com/dapr/components-contrib@$contrib_version failed" >&2; exit 1; }
  contrib_src="$src/.holdfast-components-contrib"
  cp -R "$contrib_module" "$contrib_src"
  chmod -R u+w "$contrib_src"
  for patch_file in $(contrib_patches); do
    echo "dapr-runtime: applying components-contrib@$contrib_version $(basename "$patch_file")"
    (cd / && git apply --unsafe-paths --directory="$contrib_src" -p1 "$patch_file")
  done
  (cd "$src" && go mod edit -replace "github.com/dapr/components-contrib=./.holdfast-components-contrib")
fi

mkdir -p "$DAPR_INSTALL_DIR"
out="$BUILD_ROOT/out-$DAPR_VERSION"
rm -rf "$out" && mkdir -p "$out"
(
  cd "$src"
  go build -trimpath -tags allcomponents \
    -ldflags "-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=$DAPR_VERSION" \
    -o "$out/" ./cmd/daprd ./cmd/placement ./cmd/scheduler
)
# A rename, not a write in place: sidecars running the old binary keep it, new ones get the new one.
for binary in daprd placement scheduler; do
  cp "$out/$binary" "$DAPR_INSTALL_DIR/.$binary.new" && mv -f "$DAPR_INSTALL_DIR/.$binary.new" "$DAPR_INSTALL_DIR/$binary"
done
rm -rf "$out"
stamp_value > "$STAMP_FILE"
rm -rf "$src"
echo "dapr-runtime: built Dapr $DAPR_VERSION into $DAPR_INSTALL_DIR in $(( $(date +%s) - started ))s"
