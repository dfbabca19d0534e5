/** The fulfillment app beside its sidecar. Foundation only: health, readiness and metrics; features come with their issues. */
import { createLogger, createPrismaClient, daprAppEnv, databaseReadiness, exitOnStartupFailure, loadConfig, startDaprApp } from '@holdfast/shared';

async function main() {
  const config = loadConfig(daprAppEnv(3002));
  const logger = createLogger('fulfillment', config.LOG_LEVEL);
  const prisma = createPrismaClient(config.DATABASE_URL);
  await startDaprApp({
    name: 'fulfillment',
    settings: config,
    logger,
    readiness: [databaseReadiness(prisma)],
    onShutdown: [() => prisma.$disconnect()],
  });
}

main().catch((error) => exitOnStartupFailure(undefined, error));
