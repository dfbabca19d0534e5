#!/usr/bin/env bash
# Everything the platform and the tests need on a fresh machine, idempotent and quick when done:
# npm packages, the Dapr runtime (built once from its Go module), PostgreSQL and Redis, the Prisma
# client and the database migrations. `npm start` and `npm test` both call it.
#   setup.sh          for the platform (DATABASE_URL, else the local database holdfast)
#   setup.sh --test   for the tests: the database of `infra.sh test-database-url` (TEST_DATABASE_URL,
#                     else <db>_test beside your DATABASE_URL, created here if missing, else the
#                     local holdfast_test); never your DATABASE_URL's own database unless you set
#                     HOLDFAST_TEST_ON_DATABASE_URL=yes
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
started=$(date +%s%N)

# First, before anything starts: every missing system package, named in one message (root installs them).
check=(--setup); if [[ "${1:-}" == "--test" ]]; then check+=(--test); fi
bash scripts/infra.sh check "${check[@]}"

# npm packages: install when missing or older than the lock file.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: installing npm packages"
  npm ci --no-audit --no-fund
fi

bash scripts/dapr-runtime.sh
bash scripts/infra.sh start

if [[ "${1:-}" == "--test" ]]; then
  your_database_url=${DATABASE_URL:-}
  DATABASE_URL=$(bash scripts/infra.sh test-database-url)
  # On your server (not the local one, where infra.sh made holdfast_test): make the test database if
  # it is missing, connecting through your DATABASE_URL when it is on the same server.
  if [[ -n "$your_database_url" || -n "${TEST_DATABASE_URL:-}" ]]; then
    TEST_URL=$DATABASE_URL YOUR_URL=$your_database_url node -e '
      const { Client } = require("pg");
      const target = new URL(process.env.TEST_URL);
      const name = decodeURIComponent(target.pathname.slice(1));
      const server = (u) => `${u.hostname}:${u.port || 5432}`;
      const your = process.env.YOUR_URL ? new URL(process.env.YOUR_URL) : undefined;
      const viaPostgres = new URL(target); viaPostgres.pathname = "/postgres";
      const admin = your && server(your) === server(target) ? your : viaPostgres;
      (async () => {
        const probe = new Client({ connectionString: target.toString() });
        try { await probe.connect(); await probe.end(); return; } catch (error) { if (error.code !== "3D000") throw error; }
        const client = new Client({ connectionString: admin.toString() });
        await client.connect();
        try {
          await client.query(`CREATE DATABASE "${name.replace(/"/g, "\"\"")}"`);
          console.log(`setup: created the test database ${name} on ${server(target)}`);
        } finally { await client.end(); }
      })().catch((error) => {
        console.error(`setup: the test database ${name} on ${server(target)} is missing and cannot be created (${error.message}); create it, or set TEST_DATABASE_URL to a database the tests may write to`);
        process.exit(1);
      });'
  fi
else
  DATABASE_URL=$(bash scripts/infra.sh env DATABASE_URL)
fi
export DATABASE_URL

# Prisma client: generated offline (docs/migrations.md); regenerated only when the schema changed.
generated=shared/src/generated/prisma/client.ts
if [[ ! -f "$generated" || shared/prisma/schema.prisma -nt "$generated" ]]; then
  bash scripts/prisma/generate.sh >/dev/null && touch "$generated"
  echo "setup: Prisma client generated"
fi

node scripts/prisma/schema-engine.mjs deploy
echo "setup: ready in $(( ($(date +%s%N) - started) / 1000000 )) ms"
