/**
 * Starts an app beside its Dapr sidecar: the shared express app, the app token check, readiness on
 * the sidecar, and an orderly shutdown. An app that hosts actors (`register`) hands the express app
 * to the SDK's DaprServer, which adds the actor and config routes; one that hosts none listens by
 * itself and never loads the SDK (dapr-sdk.ts: about 40 MiB).
 */
import type { DaprServer } from '@dapr/dapr';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { createHttpApp, finishHttpApp, type ReadinessCheck } from './http-app';
import { healthFromReadiness, type HealthCheck } from './health';
import type { Metrics } from './metrics';
import { daprClientOptions, sidecarReadiness, waitForSidecarOutbound, type SidecarSettings } from './sidecar';
import { listen, shutdownOnSignals } from './service';
import { daprSdk } from './dapr-sdk';
import { routeDurableTaskLogs, sdkLoggerService } from './sdk-logger';
import { serveSubscriptions, type Subscription } from './subscriptions';
import { appInvocationPolicy, invocationCallers, invocationGuard } from './invocation-guard';
import { clientRateLimit } from './client-rate-limit';
import { releaseTranspiler } from './transpiler';

export interface DaprAppSettings extends SidecarSettings {
  APP_PORT: number;
  APP_HOST: string;
  APP_API_TOKEN?: string;
  INVOCATION_CALLERS?: string;
  CLIENT_RATE_LIMIT_PER_SECOND?: number;
}

export interface DaprAppOptions {
  name: string;
  settings: DaprAppSettings;
  logger: Logger;
  readiness?: ReadinessCheck[];
  /** GET /health's checks beside the sidecar's (critical, always checked): docs/health.md. */
  health?: HealthCheck[];
  /**
   * Path prefixes clients may reach through service invocation (the gateway); every other route,
   * the SDK's actor and config routes among them, serves only the app's own sidecar.
   */
  invocablePaths: string[];
  /**
   * The routes the admin console (APP_IDS.admin) may reach by invocation, each `METHOD /path` with
   * `:name` for one segment (invocation-guard.ts's RouteRule): exactly the admin and manager routes
   * it calls, nothing by prefix. None: the console cannot invoke the app.
   */
  adminRoutes?: readonly string[];
  /** Adds the app's own routes to the express app, before the SDK's. */
  routes?: (app: Express) => void;
  /** Routes that need the raw request body (signed webhooks), mounted before the JSON parser. */
  rawBodyRoutes?: (app: Express) => void;
  /**
   * Path prefixes outside callers reach directly, without the sidecar's app token: keep them to
   * routes that authenticate each request themselves (a webhook's signature).
   */
  publicPaths?: string[];
  /** Pub/sub subscriptions (served by us, not the SDK: see subscriptions.ts). */
  subscriptions?: Subscription<any>[];
  /** Registers actors on the SDK's DaprServer, before it starts; app metrics go in `metrics.registry`. None: the app hosts no actors and the SDK is not loaded. */
  register?: (server: DaprServer, metrics: Metrics) => Promise<void>;
  /** The app's own metrics, in `metrics.registry` (an app without actors; one with them may do it in `register`). */
  metrics?: (metrics: Metrics) => void;
  /** Runs after the server listens and the sidecar answers (e.g. the workflow worker). */
  afterStart?: () => Promise<void>;
  /** Extra shutdown steps, run after the server stops taking requests. */
  onShutdown?: Array<() => Promise<unknown>>;
  /** Actor runtime settings the sidecar reads from GET /dapr/config. */
  actorSettings?: { actorIdleTimeout?: string; drainOngoingCallTimeout?: string; drainRebalancedActors?: boolean };
}

export interface DaprApp {
  app: Express;
  /** The SDK's server, for an app that hosts actors. */
  server?: DaprServer;
  stop(): Promise<void>;
}

export async function startDaprApp(options: DaprAppOptions): Promise<DaprApp> {
  const { settings, logger } = options;
  if (!settings.APP_API_TOKEN && !['127.0.0.1', 'localhost', '::1'].includes(settings.APP_HOST)) {
    throw new Error(`APP_API_TOKEN is required when the app listens on ${settings.APP_HOST}: anyone who can reach it could call it`);
  }
  // Not ready until the error handlers are mounted (after server.start(), which waits for the
  // sidecar): before that a thrown AppError would reach express's default handler, an HTML page
  // with a stack trace instead of the problem JSON with its code.
  let handlersMounted = false;
  const handlersReadiness: ReadinessCheck = {
    name: 'http-handlers',
    check: async () => {
      if (!handlersMounted) throw new Error('starting: the error handlers are not mounted yet');
    },
  };
  const { app, metrics } = createHttpApp({
    name: options.name,
    logger,
    appApiToken: settings.APP_API_TOKEN,
    publicPaths: options.publicPaths,
    rawBodyRoutes: options.rawBodyRoutes,
    readiness: [sidecarReadiness(settings), handlersReadiness, ...(options.readiness ?? [])],
    health: [healthFromReadiness(sidecarReadiness(settings), true), ...(options.health ?? [])],
  });
  app.use(invocationGuard(appInvocationPolicy(options.name, invocationCallers(settings.INVOCATION_CALLERS), options.invocablePaths, options.adminRoutes)));
  app.use(clientRateLimit({ self: options.name, perSecond: settings.CLIENT_RATE_LIMIT_PER_SECOND ?? 0 }));
  options.routes?.(app);
  // Before the SDK's routes: our GET /dapr/subscribe must answer, not the SDK's empty one.
  serveSubscriptions(app, options.subscriptions ?? [], logger);

  options.metrics?.(metrics);
  const started = options.register
    ? await startWithSdk(app, options, metrics, options.register)
    : await startAlone(app, settings, logger);
  handlersMounted = true;
  await options.afterStart?.();
  await releaseTranspiler();
  logger.info({ url: `http://${settings.APP_HOST}:${settings.APP_PORT}`, sidecarHttpPort: settings.DAPR_HTTP_PORT, actors: Boolean(started.server) }, `${options.name} listening`);

  const stop = async () => {
    await started.stopListening();
    for (const step of options.onShutdown ?? []) await step();
    await started.stopClient();
  };
  shutdownOnSignals(logger, [stop]);
  return { app, server: started.server, stop };
}

interface Started {
  server?: DaprServer;
  stopListening(): Promise<void>;
  stopClient(): Promise<void>;
}

/** How long a stopping app without actors lets requests under way finish (the SDK's server gives them a second too). */
const DRAIN_MS = 1_000;

/** An app without actors: its express app listens on APP_HOST, then waits until the sidecar's APIs answer (as the SDK's server does). */
async function startAlone(app: Express, settings: DaprAppSettings, logger: Logger): Promise<Started> {
  finishHttpApp(app, logger);
  // Stopping: a delivery under way gets DRAIN_MS to finish (else the sidecar delivers it again).
  const listening = await listen(app, settings.APP_PORT, settings.APP_HOST, { drainMs: DRAIN_MS });
  await waitForSidecarOutbound(settings);
  return { stopListening: () => listening.close(), stopClient: async () => undefined };
}

/** An app that hosts actors: the SDK's DaprServer takes the express app and adds the actor and config routes to it. */
async function startWithSdk(app: Express, options: DaprAppOptions, metrics: Metrics, register: NonNullable<DaprAppOptions['register']>): Promise<Started> {
  const { settings, logger } = options;
  const { DaprServer, CommunicationProtocolEnum, LogLevel } = daprSdk();
  // The SDK listens with app.listen(port) on every interface; we bind to APP_HOST instead
  // (127.0.0.1 locally; 0.0.0.0 in a pod, where the kubelet probes the pod IP).
  const listenAll = app.listen.bind(app) as (port: number, host: string) => ReturnType<Express['listen']>;
  (app as unknown as { listen: (port: number) => unknown }).listen = (port: number) => listenAll(port, settings.APP_HOST);

  routeDurableTaskLogs(logger);
  const server = new DaprServer({
    serverHost: settings.APP_HOST,
    serverPort: String(settings.APP_PORT),
    serverHttp: app,
    communicationProtocol: CommunicationProtocolEnum.HTTP,
    maxBodySizeMb: 4,
    logger: { level: LogLevel.Warn, service: sdkLoggerService(logger) },
    clientOptions: { ...daprClientOptions(settings, logger), actor: options.actorSettings },
  });
  await register(server, metrics);
  await server.start();
  // After start(): the SDK adds its routes in start(), and the 404 handler must come last.
  finishHttpApp(app, logger);
  return { server, stopListening: () => server.stop(), stopClient: () => server.client.stop() };
}
