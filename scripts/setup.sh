#!/usr/bin/env bash
# Everything the platform and the tests need on a fresh machine, idempotent and quick when done:
# npm packages, the Dapr runtime (built once from its Go module), PostgreSQL and Redis, the Prisma
# client and the database migrations. `npm start` and `npm test` both call it.
#   setup.sh          for the platform (database holdfast)
#   setup.sh --test   for the tests (database holdfast_test)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
started=$(date +%s%N)

major=$(node -p 'process.versions.node.split(".")[0]')
if (( major < 20 )); then echo "setup: Node.js 20 or newer is needed (found $(node --version))" >&2; exit 1; fi

# npm packages: install when missing or older than the lock file.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: installing npm packages"
  npm ci --no-audit --no-fund
fi

bash scripts/dapr-runtime.sh
bash scripts/infra.sh start

if [[ "${1:-}" == "--test" ]]; then
  export HOLDFAST_PG_DATABASE=holdfast_test
  # Your own test database wins; without one, tests share your DATABASE_URL (docs/ports.md).
  if [[ -n "${TEST_DATABASE_URL:-}" ]]; then export DATABASE_URL=$TEST_DATABASE_URL; fi
fi
DATABASE_URL=$(bash scripts/infra.sh env DATABASE_URL)
export DATABASE_URL

# Prisma client: generated offline (docs/migrations.md); regenerated only when the schema changed.
generated=shared/src/generated/prisma/client.ts
if [[ ! -f "$generated" || shared/prisma/schema.prisma -nt "$generated" ]]; then
  bash scripts/prisma/generate.sh >/dev/null && touch "$generated"
  echo "setup: Prisma client generated"
fi

node scripts/prisma/schema-engine.mjs deploy
echo "setup: ready in $(( ($(date +%s%N) - started) / 1000000 )) ms"
