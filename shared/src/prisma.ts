/**
 * The Prisma client over node-postgres (Prisma 7's driver adapter: no native query engine, which
 * could not be downloaded here anyway). One client per process, made in main.ts and passed in.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client';
import type { ReadinessCheck } from './http-app';

export { PrismaClient, Prisma } from './generated/prisma/client';
export type * from './generated/prisma/models';

/**
 * `app` names its connections (`holdfast-<app>` in pg_stat_activity), so an operator, and
 * bench:all's per-process CPU, can tell whose queries a backend runs. A DATABASE_URL that sets
 * application_name itself keeps it.
 */
export function createPrismaClient(databaseUrl: string, app?: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, ...(app ? { application_name: `holdfast-${app}` } : {}) }) });
}

export function databaseReadiness(prisma: PrismaClient): ReadinessCheck {
  return {
    name: 'postgresql',
    check: async () => {
      await prisma.$queryRaw`SELECT 1`;
    },
  };
}
