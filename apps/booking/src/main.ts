/** The booking app beside its sidecar. Foundation only: health, readiness and metrics; features come with their issues. */
import { createLogger, createPrismaClient, daprAppEnv, databaseReadiness, exitOnStartupFailure, loadConfig, startDaprApp } from '@holdfast/shared';

async function main() {
  const config = loadConfig(daprAppEnv(3000));
  const logger = createLogger('booking', config.LOG_LEVEL);
  const prisma = createPrismaClient(config.DATABASE_URL);
  await startDaprApp({
    name: 'booking',
    settings: config,
    logger,
    readiness: [databaseReadiness(prisma)],
    onShutdown: [() => prisma.$disconnect()],
  });
}

main().catch((error) => exitOnStartupFailure(undefined, error));
