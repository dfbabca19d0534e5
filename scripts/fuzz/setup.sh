#!/usr/bin/env bash
# The fuzzer of tests/integration/openapi-fuzz.test.ts: Schemathesis from PyPI in a venv of its own,
# one per version for every checkout on this machine (like the Dapr binaries), so a fresh clone
# finds it built: ~/.cache/holdfast/fuzz-venv-<version>, or HOLDFAST_FUZZ_VENV. Idempotent: a venv
# already holding the pinned version is kept as it is. Prints the schemathesis command's path last.
# Needs python3 with venv and ensurepip (Debian/Ubuntu: python3-venv): installed with apt-get when
# run as root, else it stops with what to install.
set -euo pipefail
cd "$(dirname "$0")/../.."
SCHEMATHESIS_VERSION=4.32.5
VENV="${HOLDFAST_FUZZ_VENV:-$HOME/.cache/holdfast/fuzz-venv-$SCHEMATHESIS_VERSION}"
mkdir -p "$(dirname "$VENV")"
# Two checkouts' tests at once: one builds, the other waits and finds it built.
exec 9>"$VENV.lock"
flock 9
if [ -x "$VENV/bin/schemathesis" ] && [ "$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null)" = "$SCHEMATHESIS_VERSION" ]; then
  echo "$VENV/bin/schemathesis"
  exit 0
fi

# Debian's python3 has the venv module without ensurepip until python3-venv (python3.X-venv) is installed.
has_venv() { command -v python3 >/dev/null && python3 -c 'import venv, ensurepip' >/dev/null 2>&1; }
if ! has_venv; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "fuzz: installing python3-venv with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq python3 python3-venv >/dev/null
    if ! has_venv; then
      version=$(python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
      apt-get install -y -qq "python$version-venv" >/dev/null || true
    fi
  fi
  if ! has_venv; then
    echo "fuzz: Schemathesis needs python3 with venv and ensurepip: install python3-venv (apt-get install python3-venv, as root), then run scripts/fuzz/setup.sh again" >&2
    exit 1
  fi
fi

rm -rf "$VENV"
python3 -m venv "$VENV" || { rm -rf "$VENV"; echo "fuzz: python3 -m venv $VENV failed (is python3-venv installed?)" >&2; exit 1; }
if ! "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"; then
  rm -rf "$VENV"
  echo "fuzz: pip could not install schemathesis==$SCHEMATHESIS_VERSION from PyPI (network or proxy?)" >&2
  exit 1
fi
echo "fuzz: schemathesis $SCHEMATHESIS_VERSION in $VENV" >&2
echo "$VENV/bin/schemathesis"
