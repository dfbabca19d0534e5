/**
 * A sidecar alone with the admin console's app id (`admin`), as the gateway sidecar is started:
 * calls through it reach the apps as the console's do (dapr-caller-app-id admin, only the console's
 * exact routes), for integration tests of what the apps honour from the console alone (the
 * X-Holdfast-Actor header, the console-only routes) without starting the console itself. It uses
 * the console's test ports (ADMIN_TEST_PORTS): never in the same run as startAdminStack.
 */
import { join } from 'node:path';
import { startSidecar, waitForSidecar } from '../../scripts/devstack/runtime';
import { ROOT, sidecarProcessEnv, type Connections } from '../../scripts/devstack/env';
import { ADMIN_TEST_PORTS } from './admin-stack';
import { call } from './app-stack';
import { loadTestRun, TEST_DATA_DIR, TEST_LOG_DIR } from './test-env';

export interface ConsoleSidecar {
  /** Invokes `app` through the `admin` sidecar, with its API token, as the console does. */
  invoke<T = unknown>(app: string, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

export async function startConsoleSidecar(logName = 'console-sidecar'): Promise<ConsoleSidecar> {
  const run = loadTestRun();
  const connections = {
    DATABASE_URL: run.databaseUrl, REDIS_HOST: run.redisHost, REDIS_PORT: run.redisPort, REDIS_PASSWORD: run.redisPassword, PAYMENTS_WEBHOOK_SECRET: run.paymentsWebhookSecret,
  } as Connections;
  const sidecar = startSidecar({
    appId: 'admin', httpPort: ADMIN_TEST_PORTS.daprHttp, grpcPort: ADMIN_TEST_PORTS.daprGrpc, metricsPort: ADMIN_TEST_PORTS.metrics, internalGrpcPort: ADMIN_TEST_PORTS.metrics + 1,
    resourcesPath: join(ROOT, 'components'), configFilePath: join(ROOT, 'components', 'config-admin.yaml'), runDir: TEST_DATA_DIR,
    logLevel: process.env.HOLDFAST_TEST_DAPR_LOG_LEVEL ?? 'info',
    env: sidecarProcessEnv(process.env, connections, { daprApiToken: run.daprApiToken, appApiToken: '' }, run.providersUrl, 'admin'),
    output: join(TEST_LOG_DIR, `${logName}-dapr.log`),
  });
  await waitForSidecar(sidecar, ADMIN_TEST_PORTS.daprHttp, run.daprApiToken, 60_000);
  return {
    invoke<T>(app: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
      return call<T>(`http://127.0.0.1:${ADMIN_TEST_PORTS.daprHttp}/v1.0/invoke/${app}/method${path}`, method, { ...headers, 'dapr-api-token': run.daprApiToken }, body);
    },
    stop: () => sidecar.stop(),
  };
}
