#!/usr/bin/env bash
# Generates the Prisma client into shared/src/generated/prisma. The CLI insists on a schema-engine
# path even for `generate`, which needs no engine; the native one cannot be downloaded here, so we
# name an existing file unless you name a real engine yourself (docs/migrations.md).
set -euo pipefail
cd "$(dirname "$0")/../../shared"
PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-$PWD/prisma.config.ts}" npx prisma generate
