/** The booking app beside its sidecar: shows, seat holds (actors that expire by reminder). */
import { z } from 'zod';
import { Counter } from 'prom-client';
import { DaprWorkflowClient, WorkflowRuntime } from '@dapr/dapr';
import { COMPONENTS, envFlag, createLogger, SchedulerJobs, serveJobs, createPrismaClient, daprAppEnv, databaseReadiness, exitOnStartupFailure, loadConfig, readSecret, startDaprApp, waitForSidecarOutbound } from '@holdfast/shared';
import { healthFromReadiness, httpHealthCheck, redisHealthCheck, superviseWorkflowWorker, type WorkflowWorkerSupervisor } from '@holdfast/shared';
import { createShowsRepository } from './data/shows.repository';
import { createHoldsRepository } from './data/holds.repository';
import { createBookingsRepository } from './data/bookings.repository';
import { createWebhooksRepository } from './data/webhooks.repository';
import { createManualReviewsRepository } from './data/manual-reviews.repository';
import { createBookingTimeline } from './data/timeline.repository';
import { createPaymentsClient } from './adapters/payments.client';
import { createShowActor } from './actors/show.actor';
import { createKitchenPrepActor, reschedulePendingKitchenPrep } from './actors/kitchen-prep.actor';
import { createHoldActor } from './actors/hold.actor';
import { createHoldExpiryActor } from './actors/hold-expiry.actor';
import { bookingCancellation, BOOKING_CANCELLATION_WORKFLOW } from './cancellation/booking-cancellation.workflow';
import { createCancellationActivities } from './cancellation/booking-cancellation.activities';
import { cancellationJobHandlers, DEFAULT_CANCELLATION_SAGA_CHECK_SECONDS } from './cancellation/cancellation-safety-net';
import { createShowCancellationActivities, SHOW_CANCELLATION_WORKFLOW, showCancellation } from './cancellation/show-cancellation.workflow';
import { BOOKING_ADMIN_ROUTES, BOOKING_INVOCABLE_PATHS, mountBookingRawBodyRoutes, mountBookingRoutes, type BookingRoutesDeps } from './http/routes';

/** The key of the payment provider's webhook signing secret in the Dapr secret store. */
const WEBHOOK_SECRET_KEY = 'PAYMENTS_WEBHOOK_SECRET';

async function main() {
  const config = loadConfig({
    ...daprAppEnv(3000),
    /** Bearer token for /api/admin/*. */
    ADMIN_API_TOKEN: z.string().min(16),
    /** HMAC key that signs ticket QR payloads; changing it invalidates every ticket issued. */
    TICKET_SIGNING_KEY: z.string().min(32),
    /** The payment provider (locally the providers app). */
    PROVIDERS_URL: z.string().url(),
    PAYMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
    /** host:port of the pub/sub's Redis, for GET /health only (no password: docs/health.md); unset, /health does not check it. */
    REDIS_ADDRESS: z.string().regex(/^[^\s:]+:\d+$/).optional(),
    /** How long an idle actor stays in memory (Dapr's default is 60m; a hold is idle after its first call). */
    ACTOR_IDLE_TIMEOUT: z.string().regex(/^\d+(ms|s|m|h)$/).default('1m'),
    /** A cancelled show with more tickets sold than this refunds every booking (fewer: SMS and email only). */
    SHOW_CANCEL_REFUND_THRESHOLD: z.coerce.number().int().min(0).default(200),
    /** The most seats one customer may hold at once (active holds) on one show: no one hoards a ticket drop. */
    MAX_HELD_SEATS_PER_CUSTOMER: z.coerce.number().int().min(1).max(100_000).default(20),
    /** How long a new hold may reuse a show read by an earlier one (0 turns the cache off). */
    SHOW_CACHE_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
    /** Venue seats (zone, neighbours; immutable) kept in memory for new holds. */
    SEAT_CACHE_SIZE: z.coerce.number().int().min(0).max(10_000_000).default(200_000),
    /**
     * The secret in the Dapr secret store that holds the key PAYMENTS_WEBHOOK_SECRET: the variable's
     * own name locally (secretstores.local.env), the Kubernetes Secret `holdfast-secrets` in a cluster.
     */
    PAYMENTS_WEBHOOK_SECRET_NAME: z.string().min(1).default(WEBHOOK_SECRET_KEY),
    /** How old a webhook's signature may be (Stripe's default: 300 s). */
    PAYMENTS_WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
    /** Seed 001's kill switch: false refuses any policy drift at confirmation (409 POLICY_CHANGED) instead of re-quoting (at most 2) then escalating. */
    FEATURE_POLICY_REQUOTE_ENABLED: envFlag(true),
    /** Issue 19: minutes before showtime after which a customer cannot cancel (a show's own cancellationCutoffMinutes wins). */
    CANCELLATION_CUTOFF_MINUTES: z.coerce.number().int().min(0).max(30 * 24 * 60).default(60),
    /** Issue 19: concessions the kitchen is preparing at a customer's cancellation: no-refund keeps their part, fee keeps CANCELLATION_PREPARING_CONCESSIONS_FEE of it. */
    CANCELLATION_PREPARING_CONCESSIONS: z.enum(['no-refund', 'fee']).default('no-refund'),
    /** Issue 19: the fee (minor units, at most the concessions' part) under CANCELLATION_PREPARING_CONCESSIONS=fee. */
    CANCELLATION_PREPARING_CONCESSIONS_FEE: z.coerce.number().int().min(0).max(2_147_483_647).default(0),
    /** Seconds after a cancellation's request at which the scheduler's safety-net job starts its saga if the request did not (died after the commit). */
    CANCELLATION_SAGA_CHECK_SECONDS: z.coerce.number().int().min(1).max(86_400).default(DEFAULT_CANCELLATION_SAGA_CHECK_SECONDS),
  });
  const logger = createLogger('booking', config.LOG_LEVEL);
  const prisma = createPrismaClient(config.DATABASE_URL, 'booking');
  const shows = createShowsRepository(prisma, { showTtlMs: config.SHOW_CACHE_TTL_MS, seatEntries: config.SEAT_CACHE_SIZE });
  const holds = createHoldsRepository(prisma);
  const bookings = createBookingsRepository(prisma);
  const payments = createPaymentsClient(config.PROVIDERS_URL, config.PAYMENT_TIMEOUT_MS);
  const webhooks = createWebhooksRepository(prisma);
  // Read from the secret store once the sidecar is up (afterStart); until then webhooks answer 503.
  let webhookSecret: string | undefined;

  // Workflows speak gRPC to the sidecar. The worker starts once the sidecar answers (it gives up at once otherwise).
  const grpc = { daprHost: config.DAPR_HOST, daprPort: String(config.DAPR_GRPC_PORT), daprApiToken: config.DAPR_API_TOKEN };
  const workflowRuntime = new WorkflowRuntime(grpc)
    .registerWorkflowWithName(BOOKING_CANCELLATION_WORKFLOW, bookingCancellation)
    .registerWorkflowWithName(SHOW_CANCELLATION_WORKFLOW, showCancellation);
  const activities = { ...createCancellationActivities({ prisma, payments, sidecar: config }), ...createShowCancellationActivities({ shows, sidecar: config }) };
  for (const [name, activity] of Object.entries(activities)) workflowRuntime.registerActivityWithName(name, activity);
  const workflowClient = new DaprWorkflowClient(grpc);
  let workflowWorker: WorkflowWorkerSupervisor | undefined;
  const routeDeps: BookingRoutesDeps = {
    shows, bookings, webhooks, workflows: workflowClient, sidecar: config, logger,
    placement: { shows, holds, sidecar: config, logger, maxHeldSeatsPerCustomer: config.MAX_HELD_SEATS_PER_CUSTOMER }, adminToken: config.ADMIN_API_TOKEN, ticketKey: config.TICKET_SIGNING_KEY,
    holds, refundThreshold: config.SHOW_CANCEL_REFUND_THRESHOLD,
    cancellation: {
      defaultCutoffMinutes: config.CANCELLATION_CUTOFF_MINUTES,
      preparingConcessions: config.CANCELLATION_PREPARING_CONCESSIONS === 'fee' ? { kind: 'fee', fee: config.CANCELLATION_PREPARING_CONCESSIONS_FEE } : { kind: 'no-refund' },
    }, webhookSecret: () => webhookSecret, webhookToleranceSeconds: config.PAYMENTS_WEBHOOK_TOLERANCE_SECONDS,
    jobs: new SchedulerJobs(config), cancellationSagaCheckSeconds: config.CANCELLATION_SAGA_CHECK_SECONDS,
    reviews: createManualReviewsRepository(prisma), payments, timeline: createBookingTimeline(prisma),
  };

  await startDaprApp({
    name: 'booking',
    settings: config,
    // What clients reach through the gateway; the SDK's actor, pub/sub and config routes are not among them.
    invocablePaths: BOOKING_INVOCABLE_PATHS,
    adminRoutes: BOOKING_ADMIN_ROUTES,
    logger,
    readiness: [databaseReadiness(prisma), {
      name: 'payments-webhook-secret',
      check: async () => {
        if (!webhookSecret) throw new Error('the payments webhook secret is not read yet');
      },
    }],
    // GET /health (docs/health.md): without PostgreSQL nothing works (unhealthy); Redis down, the outbox
    // keeps the events until the relay can publish (degraded); the payment provider down fails confirmations only (degraded).
    health: [
      healthFromReadiness(databaseReadiness(prisma), true, 'database'),
      ...(config.REDIS_ADDRESS ? [redisHealthCheck(config.REDIS_ADDRESS, false)] : []),
      httpHealthCheck('payments', new URL('/healthz', config.PROVIDERS_URL).toString(), false),
    ],
    actorSettings: { actorIdleTimeout: config.ACTOR_IDLE_TIMEOUT },
    // The payment provider calls /webhooks/payments directly, not through a sidecar, so it has no
    // dapr-api-token: each delivery is authenticated by its Stripe-Signature instead. Only that
    // prefix is exempt; every other route still requires the app token.
    publicPaths: ['/webhooks/'],
    rawBodyRoutes: (app) => mountBookingRawBodyRoutes(app, routeDeps),
    routes: (app) => {
      mountBookingRoutes(app, routeDeps);
      // POST /job/cancellation-<bookingId> from the app's own sidecar (no dapr-caller-app-id: the invocation
      // guard lets it through; a client's invocation is refused, /job/ is in no invocable path).
      serveJobs(app, cancellationJobHandlers({ bookings, workflows: workflowClient, logger }), logger);
    },
    register: async (server, metrics) => {
      const policyDrift = {
        recoveries: new Counter({ name: 'holdfast_policy_drift_recoveries_total', help: 'Holds re-quoted under a changed show policy', registers: [metrics.registry] }),
        escalations: new Counter({ name: 'holdfast_policy_drift_escalations_total', help: 'Holds whose policy kept changing, escalated to admins', registers: [metrics.registry] }),
        rejections: new Counter({ name: 'holdfast_policy_drift_rejections_total', help: 'Policy drifts refused at confirmation because re-quoting is off (FEATURE_POLICY_REQUOTE_ENABLED=false)', registers: [metrics.registry] }),
        incompleteSnapshots: new Counter({ name: 'holdfast_hold_snapshot_incomplete_total', help: 'Confirmations refused because the hold lacks its metadata (422 HOLD_SNAPSHOT_INCOMPLETE; seed 001: should stay 0)', registers: [metrics.registry] }),
      };
      await server.actor.init();
      await server.actor.registerActor(createShowActor({ shows, logger, sidecar: config }));
      await server.actor.registerActor(createHoldExpiryActor({ holds, sidecar: config, logger }));
      await server.actor.registerActor(createKitchenPrepActor({ prisma, logger, sidecar: config }));
      await server.actor.registerActor(createHoldActor({ shows, holds, bookings, payments, ticketKey: config.TICKET_SIGNING_KEY, maxHeldSeatsPerCustomer: config.MAX_HELD_SEATS_PER_CUSTOMER, sidecar: config, logger, policyDrift, policyRequote: config.FEATURE_POLICY_REQUOTE_ENABLED }));
    },
    afterStart: async () => {
      await waitForSidecarOutbound(config);
      // Missing or empty: the app refuses to start (exitOnStartupFailure), naming the store and secret.
      webhookSecret = await readSecret(config, COMPONENTS.secretStore, config.PAYMENTS_WEBHOOK_SECRET_NAME, WEBHOOK_SECRET_KEY).catch((error: unknown) => {
        throw new Error(`The payment webhooks cannot be verified: ${error instanceof Error ? error.message : String(error)}`);
      });
      workflowWorker = await superviseWorkflowWorker(workflowRuntime, logger);
      // A reminder for every pending kitchen order, in case a confirmation died between its commit
      // and its reminder. Idempotent; the app serves meanwhile.
      void reschedulePendingKitchenPrep(bookings, config, logger);
    },
    onShutdown: [() => workflowWorker?.stop() ?? workflowRuntime.stop(), () => workflowClient.stop(), () => prisma.$disconnect()],
  });
}

main().catch((error) => exitOnStartupFailure(undefined, error));
