#!/usr/bin/env bash
# docs/admin/*.png, the pictures of docs/admin.md, taken by the admin console's own browser tests
# (tests/browser, jest project `browser`) at each moment the walk-through shows: the same flows
# that assert the console's behaviour, so a picture is of a page that passed its test.
#   npm run admin:screenshots
# The tests run on the integration tests' ports and database, so they wait for any other test run
# holding the lock ($HOLDFAST_TEST_LOCK, default /tmp/holdfast-integration.lock). The pictures go to
# a scratch directory first and replace docs/admin/*.png only when every test passed: a failed run
# leaves the committed set whole.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

bash scripts/setup.sh --test

out="$ROOT/docs/admin"
scratch="$ROOT/.data/admin-screenshots"
rm -rf "$scratch"
mkdir -p "$scratch" "$out"

lock=${HOLDFAST_TEST_LOCK:-/tmp/holdfast-integration.lock}
echo "admin-screenshots: running the browser tests (waiting for $lock if another test run holds it)"
ADMIN_SCREENSHOTS_DIR="$scratch" flock "$lock" npx jest --selectProjects browser --runInBand --forceExit

shopt -s nullglob
taken=("$scratch"/*.png)
if (( ${#taken[@]} == 0 )); then
  echo "admin-screenshots: the tests passed but took no picture" >&2
  exit 1
fi
rm -f "$out"/*.png
mv "${taken[@]}" "$out"/
rm -rf "$scratch"
echo "admin-screenshots: ${#taken[@]} pictures in docs/admin/"
