/**
 * Once per `npm test`: placement and scheduler on test ports, and the providers app (the outside
 * world needs no sidecar). scripts/setup.sh --test has already built Dapr, started PostgreSQL and
 * Redis and migrated the test database.
 */
import { execFileSync } from 'node:child_process';
import { rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startProcess, stopAll } from '../../scripts/devstack/processes';
import { startControlPlane, startSidecar, untilReady, waitForSidecar } from '../../scripts/devstack/runtime';
import { readConnections, ROOT, runTokens, sidecarProcessEnv } from '../../scripts/devstack/env';
import { httpOk } from '../../scripts/devstack/wait';
import { saveTestRun, TEST_DATA_DIR, TEST_LOG_DIR, TEST_PORTS } from './test-env';

export default async function globalSetup(): Promise<void> {
  rmSync(TEST_DATA_DIR, { recursive: true, force: true });
  mkdirSync(TEST_LOG_DIR, { recursive: true });
  // As scripts/setup.sh --test: TEST_DATABASE_URL, else <db>_test beside the user's DATABASE_URL, else the
  // local holdfast_test; never DATABASE_URL's own database unless HOLDFAST_TEST_ON_DATABASE_URL=yes.
  const testDatabaseUrl = execFileSync('bash', [join(ROOT, 'scripts', 'infra.sh'), 'test-database-url'], { encoding: 'utf8' }).trim();
  const connections = readConnections({ ...process.env, DATABASE_URL: testDatabaseUrl });
  const tokens = runTokens({ ...connections, DAPR_API_TOKEN: '', APP_API_TOKEN: '' });

  const controlPlane = await startControlPlane(TEST_PORTS, join(TEST_DATA_DIR, 'scheduler'), (name) => join(TEST_LOG_DIR, `${name}.log`));
  const providers = startProcess({
    name: 'providers', command: process.execPath, args: ['--require', 'tsx/cjs', 'src/main.ts'], cwd: join(ROOT, 'apps', 'providers'),
    // Calm by default: each test pins the outcomes it needs (PUT /admin/chaos) and resets after.
    env: {
      ...process.env, APP_PORT: String(TEST_PORTS.providers), LOG_LEVEL: 'info', PROVIDERS_CHAOS_FILE: join(ROOT, 'apps', 'providers', 'chaos.calm.yaml'),
      // Signed payment webhooks go to the booking app of the test that runs one.
      PAYMENTS_WEBHOOK_URL: `http://127.0.0.1:${TEST_PORTS.bookingApp}/webhooks/payments`, PAYMENTS_WEBHOOK_SECRET: connections.PAYMENTS_WEBHOOK_SECRET,
    }, output: join(TEST_LOG_DIR, 'providers.log'),
  });
  const providersUrl = `http://127.0.0.1:${TEST_PORTS.providers}`;
  await untilReady(providers, () => httpOk(`${providersUrl}/healthz`));
  // The client gateway, as npm start runs it: tests call the apps through it with the client credential.
  const gateway = startSidecar({
    appId: 'gateway', httpPort: TEST_PORTS.gatewayDaprHttp, grpcPort: TEST_PORTS.gatewayDaprGrpc, metricsPort: TEST_PORTS.gatewayMetrics,
    resourcesPath: join(ROOT, 'components'), configFilePath: join(ROOT, 'components', 'config-gateway.yaml'), runDir: TEST_DATA_DIR,
    logLevel: process.env.HOLDFAST_TEST_DAPR_LOG_LEVEL ?? 'info',
    env: sidecarProcessEnv(process.env, connections, { daprApiToken: connections.CLIENT_API_TOKEN, appApiToken: '' }, providersUrl, 'gateway'),
    output: join(TEST_LOG_DIR, 'gateway-dapr.log'),
  });
  await waitForSidecar(gateway, TEST_PORTS.gatewayDaprHttp, connections.CLIENT_API_TOKEN, 60_000);

  saveTestRun({
    databaseUrl: connections.DATABASE_URL, redisHost: connections.REDIS_HOST, redisPort: connections.REDIS_PORT,
    redisPassword: connections.REDIS_PASSWORD, daprApiToken: tokens.daprApiToken, appApiToken: tokens.appApiToken, adminApiToken: connections.ADMIN_API_TOKEN, managerApiToken: connections.MANAGER_API_TOKEN, ticketSigningKey: connections.TICKET_SIGNING_KEY,
    paymentsWebhookSecret: connections.PAYMENTS_WEBHOOK_SECRET, sendgridApiKey: connections.SENDGRID_API_KEY,
    clientApiToken: connections.CLIENT_API_TOKEN, orderDecisionKeys: connections.ORDER_DECISION_KEYS,
    gatewayUrl: `http://127.0.0.1:${TEST_PORTS.gatewayDaprHttp}`, gatewayGrpcPort: TEST_PORTS.gatewayDaprGrpc,
    providersUrl, placementAddress: controlPlane.placementAddress, schedulerAddress: controlPlane.schedulerAddress,
  });
  // globalTeardown runs in the same process but may load modules afresh: hand it the stop function.
  (globalThis as Record<string, unknown>).__holdfastStopAll = stopAll;
}
