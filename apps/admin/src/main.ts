/**
 * The admin console (issue 13): server-rendered pages for admins and managers, beside its own
 * sidecar, which it uses only to call the other apps (service invocation). Browsers reach it on
 * APP_PORT directly. Sign-in, sessions, CSRF and roles: http/; the design: docs/admin-console-design.md.
 */
import { createLogger, createPrismaClient, exitOnStartupFailure, listen, shutdownOnSignals, releaseTranspiler } from '@holdfast/shared';
import { loadAdminConfig } from './config';
import { createSigninAttemptsRepository, startSigninAttemptsPruning } from './data/signin-attempts.repository';
import { buildAdminApp } from './http/app';
import type { AdminSection } from './http/section';
import { createShowsSection, showsConfigSchema } from './sections/shows';
import { deliverySection } from './sections/delivery';
import { approvalsNav, ordersSection } from './sections/orders';
import { timelineSection } from './sections/timeline';

/** The navigation, in this order; a nav-only entry's routes belong to the section before it. */
function sections(): AdminSection[] {
  return [
    createShowsSection(showsConfigSchema.parse(process.env)),
    deliverySection,
    ordersSection,
    { ...approvalsNav, roles: [...approvalsNav.roles], register: () => undefined },
    timelineSection,
  ];
}

async function main() {
  const config = loadAdminConfig();
  const logger = createLogger('admin', config.LOG_LEVEL);
  const prisma = createPrismaClient(config.DATABASE_URL, 'admin');
  const { app } = buildAdminApp({ sections: sections(), settings: config, prisma, logger });
  const stopPruning = startSigninAttemptsPruning(createSigninAttemptsRepository(prisma), logger);
  const server = await listen(app, config.APP_PORT, config.APP_HOST);
  await releaseTranspiler();
  logger.info({ url: `http://${config.APP_HOST}:${config.APP_PORT}`, users: [...config.users.keys()], sidecarHttpPort: config.DAPR_HTTP_PORT }, 'admin console listening');
  shutdownOnSignals(logger, [() => server.close(), async () => stopPruning(), () => prisma.$disconnect()]);
}

main().catch((error) => exitOnStartupFailure(undefined, error));
