#!/usr/bin/env bash
# The fuzzer of tests/integration/openapi-fuzz.test.ts: Schemathesis from PyPI in a venv of its own
# (.data/fuzz-venv). Idempotent: a venv already holding the pinned version is kept as it is.
set -euo pipefail
cd "$(dirname "$0")/../.."
SCHEMATHESIS_VERSION=4.32.5
VENV=.data/fuzz-venv
if [ -x "$VENV/bin/schemathesis" ] && [ "$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null)" = "$SCHEMATHESIS_VERSION" ]; then
  exit 0
fi
python3 -m venv --help >/dev/null 2>&1 || { echo "fuzz: python3 with venv is needed (apt-get install python3-venv)" >&2; exit 1; }
rm -rf "$VENV"
python3 -m venv "$VENV" || { echo "fuzz: python3 -m venv failed (apt-get install python3-venv)" >&2; exit 1; }
"$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
echo "fuzz: schemathesis $SCHEMATHESIS_VERSION in $VENV"
