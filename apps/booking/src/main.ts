/** The booking app beside its sidecar: shows, seat holds (actors that expire by reminder). */
import { z } from 'zod';
import { createLogger, createPrismaClient, daprAppEnv, databaseReadiness, exitOnStartupFailure, loadConfig, startDaprApp } from '@holdfast/shared';
import { createShowsRepository } from './data/shows.repository';
import { createHoldsRepository } from './data/holds.repository';
import { createShowActor } from './actors/show.actor';
import { createHoldActor } from './actors/hold.actor';
import { showsRouter } from './http/shows.routes';
import { holdsRouter } from './http/holds.routes';

async function main() {
  const config = loadConfig({
    ...daprAppEnv(3000),
    /** Bearer token for /api/admin/*. */
    ADMIN_API_TOKEN: z.string().min(16),
  });
  const logger = createLogger('booking', config.LOG_LEVEL);
  const prisma = createPrismaClient(config.DATABASE_URL);
  const shows = createShowsRepository(prisma);
  const holds = createHoldsRepository(prisma);

  await startDaprApp({
    name: 'booking',
    settings: config,
    logger,
    readiness: [databaseReadiness(prisma)],
    routes: (app) => {
      app.use(showsRouter({ shows, adminToken: config.ADMIN_API_TOKEN }));
      app.use(holdsRouter({ shows, sidecar: config }));
    },
    register: async (server) => {
      await server.actor.init();
      await server.actor.registerActor(createShowActor({ shows, logger }));
      await server.actor.registerActor(createHoldActor({ holds, sidecar: config, logger }));
    },
    onShutdown: [() => prisma.$disconnect()],
  });
}

main().catch((error) => exitOnStartupFailure(undefined, error));
