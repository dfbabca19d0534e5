/**
 * One app and its own daprd, for one test file: start, crash (SIGKILL) and restart the app while
 * its sidecar keeps running, and talk to both. startSkeletonStack and startBookingStack pick the app.
 */
import { join } from 'node:path';
import { startProcess, type RunningProcess } from '../../scripts/devstack/processes';
import { startSidecar, untilReady, waitForSidecar, type SidecarSpec } from '../../scripts/devstack/runtime';
import { appProcessEnv, ROOT, sidecarProcessEnv, type Connections } from '../../scripts/devstack/env';
import { httpOk, poll } from '../../scripts/devstack/wait';
import { loadTestRun, TEST_DATA_DIR, TEST_LOG_DIR, TEST_PORTS, type TestRun } from './test-env';

export interface AppStackOptions {
  appId: string;
  /** Entry point, relative to the repository root. */
  entry: string;
  ports: { app: number; daprHttp: number; daprGrpc: number; metrics: number };
  env?: Record<string, string>;
  logName?: string;
  /** Extra node flags, e.g. --cpu-prof for the benchmark. */
  nodeArgs?: string[];
  /** The sidecar's components and resiliency (default components/): a test may run an operator's edited copy. */
  resourcesPath?: string;
  /** A database of this stack's own (app and sidecar state store) instead of the run's shared one. */
  databaseUrl?: string;
  /** The app's DATABASE_URL only (its sidecar keeps the run's): e.g. a closed port, to see the app without PostgreSQL. */
  appDatabaseUrl?: string;
  /** Wait for the app's /readyz before returning (default true; false for an app meant to be unready). */
  waitReady?: boolean;
}

export type SkeletonStack = AppStack;

export interface AppStack {
  run: TestRun;
  appUrl: string;
  sidecarUrl: string;
  sidecarGrpcPort: number;
  /** SIGKILL: the app dies as in a crash, mid-whatever-it-was-doing. */
  killApp(): Promise<void>;
  startApp(): Promise<void>;
  /** SIGKILL of the app's daprd, then a new one on the same ports (the app keeps running). */
  restartSidecar(): Promise<void>;
  stop(): Promise<void>;
  /** Calls the skeleton app directly (with the app token, as its sidecar would). */
  app<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Calls the sidecar's HTTP API. */
  dapr<T = unknown>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T }>;
  /** Calls the app as a client would: service invocation through the gateway, with the client credential. */
  invoke<T = unknown>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: T }>;
}

/** One HTTP call with a JSON body; the answer parsed when it is JSON, else its text. */
export async function call<T>(url: string, method: string, headers: Record<string, string>, body?: unknown) {
  const response = await fetch(url, {
    method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed as T };
}

export function startSkeletonStack(options: { env?: Record<string, string>; logName?: string } = {}): Promise<AppStack> {
  return startAppStack({
    appId: 'skeleton', entry: 'tests/skeleton/main.ts', env: options.env, logName: options.logName ?? 'skeleton',
    ports: { app: TEST_PORTS.skeletonApp, daprHttp: TEST_PORTS.skeletonDaprHttp, daprGrpc: TEST_PORTS.skeletonDaprGrpc, metrics: TEST_PORTS.skeletonMetrics },
  });
}

export function startBookingStack(options: { env?: Record<string, string>; logName?: string; nodeArgs?: string[]; databaseUrl?: string; appDatabaseUrl?: string; waitReady?: boolean } = {}): Promise<AppStack> {
  return startAppStack({
    appId: 'booking', entry: 'apps/booking/src/main.ts', env: options.env, logName: options.logName ?? 'booking', nodeArgs: options.nodeArgs, databaseUrl: options.databaseUrl,
    appDatabaseUrl: options.appDatabaseUrl, waitReady: options.waitReady,
    ports: { app: TEST_PORTS.bookingApp, daprHttp: TEST_PORTS.bookingDaprHttp, daprGrpc: TEST_PORTS.bookingDaprGrpc, metrics: TEST_PORTS.bookingMetrics },
  });
}

export function startFulfillmentStack(options: { env?: Record<string, string>; logName?: string; nodeArgs?: string[]; databaseUrl?: string } = {}): Promise<AppStack> {
  return startAppStack({
    appId: 'fulfillment', entry: 'apps/fulfillment/src/main.ts', env: options.env, logName: options.logName ?? 'fulfillment', nodeArgs: options.nodeArgs, databaseUrl: options.databaseUrl,
    ports: { app: TEST_PORTS.fulfillmentApp, daprHttp: TEST_PORTS.fulfillmentDaprHttp, daprGrpc: TEST_PORTS.fulfillmentDaprGrpc, metrics: TEST_PORTS.fulfillmentMetrics },
  });
}

export function startDeliveryStack(options: { env?: Record<string, string>; logName?: string; nodeArgs?: string[]; resourcesPath?: string; databaseUrl?: string } = {}): Promise<AppStack> {
  return startAppStack({
    appId: 'delivery', entry: 'apps/delivery/src/main.ts', env: options.env, logName: options.logName ?? 'delivery', nodeArgs: options.nodeArgs, resourcesPath: options.resourcesPath, databaseUrl: options.databaseUrl,
    ports: { app: TEST_PORTS.deliveryApp, daprHttp: TEST_PORTS.deliveryDaprHttp, daprGrpc: TEST_PORTS.deliveryDaprGrpc, metrics: TEST_PORTS.deliveryMetrics },
  });
}

export async function startAppStack(options: AppStackOptions): Promise<AppStack> {
  const run = loadTestRun();
  const connections: Connections = {
    DATABASE_URL: options.databaseUrl ?? run.databaseUrl, REDIS_HOST: run.redisHost, REDIS_PORT: run.redisPort, REDIS_PASSWORD: run.redisPassword,
    DAPR_API_TOKEN: run.daprApiToken, APP_API_TOKEN: run.appApiToken, ADMIN_API_TOKEN: run.adminApiToken, MANAGER_API_TOKEN: run.managerApiToken, TICKET_SIGNING_KEY: run.ticketSigningKey,
    PAYMENTS_WEBHOOK_SECRET: run.paymentsWebhookSecret, SENDGRID_API_KEY: run.sendgridApiKey,
    CLIENT_API_TOKEN: run.clientApiToken, ORDER_DECISION_KEYS: run.orderDecisionKeys,
    // A test's named managers (fulfillment's MANAGERS): a credential, so it reaches the app as one, not from the environment.
    MANAGERS: options.env?.MANAGERS ?? '',
  };
  const tokens = { daprApiToken: run.daprApiToken, appApiToken: run.appApiToken };
  const ports = { appPort: options.ports.app, daprHTTPPort: options.ports.daprHttp, daprGRPCPort: options.ports.daprGrpc };
  const logName = options.logName ?? options.appId;
  const appUrl = `http://127.0.0.1:${ports.appPort}`;
  const sidecarUrl = `http://127.0.0.1:${ports.daprHTTPPort}`;

  let app: RunningProcess | undefined;
  const startApp = async () => {
    app = startProcess({
      name: options.appId, command: process.execPath, args: [...(options.nodeArgs ?? []), '--require', 'tsx/cjs', options.entry], cwd: ROOT,
      env: { ...appProcessEnv({ ...process.env, LOG_LEVEL: 'info', ...options.env }, connections, tokens, ports, run.providersUrl, options.appId), ...(options.appDatabaseUrl ? { DATABASE_URL: options.appDatabaseUrl } : {}) },
      output: join(TEST_LOG_DIR, `${logName}.log`),
    });
    await untilReady(app, () => httpOk(`${appUrl}/healthz`), 60_000);
  };

  await startApp();
  // HOLDFAST_TEST_DAPR_LOG_LEVEL=debug makes the test sidecars log every message they handle (for hunting a lost one).
  const sidecarSpec: SidecarSpec = {
    appId: options.appId, appPort: ports.appPort, httpPort: ports.daprHTTPPort, grpcPort: ports.daprGRPCPort, internalGrpcPort: options.ports.metrics + 1,
    metricsPort: options.ports.metrics, resourcesPath: options.resourcesPath ?? join(ROOT, 'components'), configFilePath: join(ROOT, 'components', `config-${options.appId}.yaml`), runDir: TEST_DATA_DIR,
    placementAddress: run.placementAddress, schedulerAddress: run.schedulerAddress, logLevel: process.env.HOLDFAST_TEST_DAPR_LOG_LEVEL ?? 'info', appHealthCheckPath: '/healthz',
    env: sidecarProcessEnv(process.env, connections, tokens, run.providersUrl, options.appId), output: join(TEST_LOG_DIR, `${logName}-dapr.log`),
  };
  let sidecar = startSidecar(sidecarSpec);
  await waitForSidecar(sidecar, ports.daprHTTPPort, run.daprApiToken, 60_000);
  if (options.waitReady !== false) await untilReady(app!, () => httpOk(`${appUrl}/readyz`), 30_000);

  return {
    run, appUrl, sidecarUrl, sidecarGrpcPort: ports.daprGRPCPort,
    killApp: async () => app?.kill(),
    // A restarted app is back for clients once its sidecar's health check has seen it again.
    startApp: async () => {
      await startApp();
      await poll('the app through the gateway', async () => (await call(`${run.gatewayUrl}/v1.0/invoke/${options.appId}/method/healthz`, 'GET', { 'dapr-api-token': run.clientApiToken })).status,
        (status) => status === 200, 30_000, 200);
    },
    restartSidecar: async () => {
      await sidecar.kill();
      sidecar = startSidecar(sidecarSpec);
      await waitForSidecar(sidecar, ports.daprHTTPPort, run.daprApiToken, 60_000);
    },
    stop: async () => {
      await app?.stop();
      await sidecar.stop();
    },
    app: (method, path, body) => call(`${appUrl}${path}`, method, { 'dapr-api-token': run.appApiToken }, body),
    dapr: (method, path, body, headers = {}) => call(`${sidecarUrl}${path}`, method, { ...headers, 'dapr-api-token': run.daprApiToken }, body),
    invoke: (method, path, body, headers = {}) =>
      call(`${run.gatewayUrl}/v1.0/invoke/${options.appId}/method${path}`, method, { ...headers, 'dapr-api-token': run.clientApiToken }, body),
  };
}

/** Polls `read` until `accept` holds, returning the accepted value; fails with what it last saw. */
export function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 30_000, intervalMs = 250): Promise<T> {
  return poll('condition', read, accept, timeoutMs, intervalMs);
}
