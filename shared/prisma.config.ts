import { defineConfig } from 'prisma/config';

// The native schema engine cannot be downloaded on our machines; `prisma generate` only needs the
// variable to name an existing file (docs/migrations.md). Where the engine exists, unset it.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= __filename;

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  // process.env, not env(): generate must work without a database configured.
  datasource: { url: process.env.DATABASE_URL },
});
