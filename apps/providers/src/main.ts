/** The providers app: the outside world (payment, inventory, shipping, email, SMS, refunds) with chaos. */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { z } from 'zod';
import { createHttpApp, createLogger, invocationGuard, requireAdmin, exitOnStartupFailure, finishHttpApp, httpRequest, listen, loadConfig, port, shutdownOnSignals, sidecarEnv, releaseTranspiler } from '@holdfast/shared/src/base';
import { loadChaosFile } from './chaos-config';
import { adminRouter, createProvidersState, providersRouter } from './providers.routes';
import { WebhookSender } from './domain/webhooks';

/** An unset or empty variable is absent. */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const config = (() => {
  try {
    return loadConfig({
      APP_PORT: port(3001),
      /** 127.0.0.1 locally; 0.0.0.0 in a pod. */
      APP_HOST: z.string().default('127.0.0.1'),
      LOG_LEVEL: sidecarEnv.LOG_LEVEL,
      PROVIDERS_CHAOS_FILE: z.string().default(resolve(__dirname, '..', 'chaos.yaml')),
      /** Overrides the seed in the chaos file. */
      PROVIDERS_CHAOS_SEED: z.coerce.number().int().optional(),
      /** The payment account's webhook endpoint (Stripe-style events, e.g. charge.refunded); unset: no webhooks. */
      PAYMENTS_WEBHOOK_URL: optional(z.string().url()),
      /** The endpoint's signing secret (Stripe's whsec_…); required with PAYMENTS_WEBHOOK_URL. */
      PAYMENTS_WEBHOOK_SECRET: optional(z.string().min(8)),
      /** Before an event's first attempt. */
      PAYMENTS_WEBHOOK_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(200),
      /** Automatic attempts per event, the first included. */
      PAYMENTS_WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
      /** Backoff after the n-th failed attempt: base × 2^(n-1), at most PAYMENTS_WEBHOOK_RETRY_MAX_MS. */
      PAYMENTS_WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(1_000),
      PAYMENTS_WEBHOOK_RETRY_MAX_MS: z.coerce.number().int().min(10).max(86_400_000).default(60_000),
      /** How long an attempt waits for the endpoint's answer. */
      PAYMENTS_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
      /**
       * /admin (chaos rules, every call with its request body) on a port of its own, e.g. on
       * 127.0.0.1 inside a pod, so nothing outside the pod reaches it; unset: on APP_PORT.
       */
      PROVIDERS_ADMIN_PORT: z.coerce.number().int().min(1).max(65535).optional(),
      PROVIDERS_ADMIN_HOST: z.string().default('127.0.0.1'),
      /**
       * Request bodies the call log (GET /admin/calls) keeps at most; past it the oldest calls keep their
       * time, key, outcome and their body's shape, its long strings cut (an email's carries its
       * attachments, ~20 KB: 16 MiB is about 800 whole emails).
       */
      PROVIDERS_CALL_LOG_MAX_MB: z.coerce.number().int().min(1).max(4096).default(16),
      /** Calls the call log keeps at most, oldest dropped first (about 1-2 KB each once its body is trimmed). */
      PROVIDERS_CALL_LOG_MAX_CALLS: z.coerce.number().int().min(100).max(1_000_000).default(20_000),
      /** When set, /admin takes only `Authorization: Bearer <token>` (required in Kubernetes). */
      PROVIDERS_ADMIN_TOKEN: optional(z.string().min(16)),
    });
  } catch (error) {
    return exitOnStartupFailure(undefined, error);
  }
})();

async function main() {
  const logger = createLogger('providers', config.LOG_LEVEL);
  const chaos = loadChaosFile(config.PROVIDERS_CHAOS_FILE);
  if (config.PROVIDERS_CHAOS_SEED !== undefined) chaos.seed = config.PROVIDERS_CHAOS_SEED;
  if (config.PAYMENTS_WEBHOOK_URL && !config.PAYMENTS_WEBHOOK_SECRET) {
    throw new Error('PAYMENTS_WEBHOOK_URL is set but PAYMENTS_WEBHOOK_SECRET is not: webhooks must be signed');
  }
  const webhooks = config.PAYMENTS_WEBHOOK_URL
    ? new WebhookSender(
      {
        url: config.PAYMENTS_WEBHOOK_URL, secret: config.PAYMENTS_WEBHOOK_SECRET!, delayMs: config.PAYMENTS_WEBHOOK_DELAY_MS, maxAttempts: config.PAYMENTS_WEBHOOK_MAX_ATTEMPTS,
        retryBaseMs: config.PAYMENTS_WEBHOOK_RETRY_BASE_MS, retryMaxMs: config.PAYMENTS_WEBHOOK_RETRY_MAX_MS, timeoutMs: config.PAYMENTS_WEBHOOK_TIMEOUT_MS,
      },
      async (url, body, headers, timeoutMs) => httpRequest(url, { method: 'POST', headers, body, timeoutMs }),
      (prefix) => `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
    )
    : undefined;
  const state = createProvidersState(chaos, webhooks, { maxCalls: config.PROVIDERS_CALL_LOG_MAX_CALLS, maxBytes: config.PROVIDERS_CALL_LOG_MAX_MB * 1024 * 1024 });

  const { app } = createHttpApp({ name: 'providers', logger, jsonLimit: '20mb' });
  // Holdfast calls the outside world directly, never by service invocation: through its sidecar
  // (npm start runs one) a client reaches only the probes, never the chaos and call records of /admin.
  app.use(invocationGuard({ self: 'providers', callers: [], paths: [] }));
  const admin = (target: typeof app) => {
    if (config.PROVIDERS_ADMIN_TOKEN) target.use('/admin', requireAdmin(config.PROVIDERS_ADMIN_TOKEN));
    target.use('/admin', adminRouter(state));
  };
  let adminServer: { close(): Promise<void> } | undefined;
  if (config.PROVIDERS_ADMIN_PORT === undefined) {
    admin(app);
  } else {
    const adminApp = createHttpApp({ name: 'providers-admin', logger, jsonLimit: '1mb' }).app;
    admin(adminApp);
    finishHttpApp(adminApp, logger);
    adminServer = await listen(adminApp, config.PROVIDERS_ADMIN_PORT, config.PROVIDERS_ADMIN_HOST);
  }
  app.use(providersRouter(state, logger, { admin: config.PROVIDERS_ADMIN_PORT === undefined }));
  finishHttpApp(app, logger);

  const server = await listen(app, config.APP_PORT, config.APP_HOST);
  await releaseTranspiler();
  logger.info({
    url: `http://${config.APP_HOST}:${config.APP_PORT}`, chaosFile: config.PROVIDERS_CHAOS_FILE, seed: state.seed, paymentsWebhookUrl: config.PAYMENTS_WEBHOOK_URL ?? null,
  }, 'providers listening');
  shutdownOnSignals(logger, [() => server.close(), async () => adminServer?.close()]);
}

main().catch((error) => exitOnStartupFailure(undefined, error));
