import { defineConfig } from 'prisma/config';

// Offline, scripts/prisma/generate.sh points PRISMA_SCHEMA_ENGINE_BINARY at a placeholder for
// `prisma generate`; nothing here does, so `prisma migrate deploy` uses the real engine wherever
// it can be downloaded (the Kubernetes migration Job).
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  // process.env, not env(): generate must work without a database configured.
  datasource: { url: process.env.DATABASE_URL },
});
