/** The fulfillment app beside its sidecar: the order saga (a Dapr workflow), the OrderActor, and the order API. */
import { Counter, Histogram } from 'prom-client';
import { z } from 'zod';
import { DaprWorkflowClient, WorkflowRuntime } from '@dapr/dapr';
import {
  ConfigError, createLogger, createPrismaClient, daprAppEnv, databaseReadiness, exitOnStartupFailure, loadConfig, scheduleWorkflowOnce, seal, startDaprApp, waitForSidecarOutbound,
} from '@holdfast/shared';
import { healthFromReadiness, httpHealthCheck, superviseWorkflowWorker, type WorkflowWorkerSupervisor } from '@holdfast/shared';
import { createProvidersClient } from './adapters/providers.client';
import { createOrdersRepository } from './data/orders.repository';
import { createOrderActor } from './actors/order.actor';
import { createOrderActivities, type OrderMetrics } from './workflow/order-fulfillment.activities';
import { createOrderFulfillment, ORDER_FULFILLMENT_WORKFLOW, type OrderWorkflowInput } from './workflow/order-fulfillment.workflow';
import { createOrderFulfillmentV2, createOrderFulfillmentV3, createOrderFulfillmentV4, ORDER_FULFILLMENT_WORKFLOW_V2, ORDER_FULFILLMENT_WORKFLOW_V3, ORDER_FULFILLMENT_WORKFLOW_V4 } from './workflow/order-fulfillment.v2.workflow';
import { ORDER_JOB_WORKFLOW, orderJob } from './workflow/jobs';
import { createJobsRepository } from './data/jobs.repository';
import { jobRetryDelaysSchema } from './domain/jobs';
import { createFulfillmentTimeline } from './data/timeline.repository';
import { FULFILLMENT_ADMIN_ROUTES, FULFILLMENT_INVOCABLE_PATHS, mountFulfillmentRoutes } from './http/routes';
import { toMinorUnits } from './domain/order';
import { DEFAULT_WORKFLOW_TIMEOUT_SECONDS, maxApprovalTimeoutSeconds, workflowTimeoutProblem } from './domain/order-duration';
import { parseManagers } from './http/manager-auth';

async function main() {
  const config = loadConfig({
    ...daprAppEnv(3002),
    /** Bearer token of the managers' actions: approve, reject, cancel. */
    MANAGER_API_TOKEN: z.string().min(16),
    /** Who holds MANAGER_API_TOKEN, as approvals and cancels made with it record them. */
    MANAGER_API_TOKEN_NAME: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,99}$/).default('manager'),
    /** Managers with a bearer token of their own, `name=token,name=token` (a secret, like MANAGER_API_TOKEN): each approves and cancels as themselves. */
    MANAGERS: z.string().default('').transform((text, ctx) => {
      try {
        return parseManagers(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
    /**
     * Keys that seal order decisions from the routes to the OrderActor and from it to the saga,
     * comma-separated: the first signs, all verify (rotation: docs/security.md). Only this app has them.
     */
    ORDER_DECISION_KEYS: z.string().transform((v) => v.split(',').map((k) => k.trim()).filter(Boolean)).pipe(z.array(z.string().min(32)).min(1)),
    /** The payment, inventory, shipping and notification providers (locally the providers app). */
    PROVIDERS_URL: z.string().url(),
    /** A provider call that has not answered by then counts as failed (and is retried). */
    PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5_000),
    /** How long a manager has to decide when an order does not say (approvalTimeoutSeconds). */
    APPROVAL_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(120),
    /** Orders up to this total (major units) are approved automatically; 0 sends every order to a manager. */
    AUTO_APPROVE_MAX_AMOUNT: z.coerce.number().min(0).default(0),
    /** Orders paid by down payment: how long the customer has to pay it before the order expires and its stock is released. */
    DOWN_PAYMENT_EXPIRY_SECONDS: z.coerce.number().int().min(1).max(7 * 86_400).default(1_800),
    /** ...and, once paid, how long a manager has to validate it before the down payment is refunded. */
    VALIDATION_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(30 * 86_400).default(86_400),
    /** How often the saga checks a label being made, and how long a label may take before the order is undone. */
    LABEL_POLL_SECONDS: z.coerce.number().min(0.2).max(60).default(1),
    LABEL_DEADLINE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
    /**
     * Seed 002's workflow timeout (30 minutes): the longest an order without a down payment may run.
     * The app refuses to start when the settings' worst case exceeds it, and an order asking for an
     * approval timeout that would is a 400 (domain/order-duration.ts). Down-payment orders follow seed 003's timers.
     */
    WORKFLOW_TIMEOUT_SECONDS: z.coerce.number().int().min(60).max(30 * 86_400).default(DEFAULT_WORKFLOW_TIMEOUT_SECONDS),
    ACTOR_IDLE_TIMEOUT: z.string().regex(/^\d+(ms|s|m|h)$/).default('10m'),
    /** Seed 003's jobs (down-payment expiry, auto-refund, WhatsApp, stock release): the waits before each retry; their count is the most retries. */
    JOB_RETRY_DELAYS_SECONDS: jobRetryDelaysSchema,
    /** POST /api/test-queue (run seed 003's jobs by hand, managers only): off (404) unless true. */
    TEST_QUEUE_ENABLED: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
    /** GET /api/monitoring/queue/health says degraded when the outbox's oldest unpublished event is older than this. */
    MONITORING_OUTBOX_LAG_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  });
  // Every wait of the saga is bounded by a setting: their worst case must fit in WORKFLOW_TIMEOUT_SECONDS.
  const timing = { providerTimeoutMs: config.PROVIDER_TIMEOUT_MS, labelPollSeconds: config.LABEL_POLL_SECONDS, labelDeadlineSeconds: config.LABEL_DEADLINE_SECONDS };
  const timingProblem = workflowTimeoutProblem({ ...timing, approvalTimeoutSeconds: config.APPROVAL_TIMEOUT_SECONDS }, config.WORKFLOW_TIMEOUT_SECONDS);
  if (timingProblem) throw new ConfigError([timingProblem]);
  const logger = createLogger('fulfillment', config.LOG_LEVEL);
  const prisma = createPrismaClient(config.DATABASE_URL, 'fulfillment');
  const orders = createOrdersRepository(prisma);
  const providers = createProvidersClient(config.PROVIDERS_URL, config.PROVIDER_TIMEOUT_MS);

  const grpc = { daprHost: config.DAPR_HOST, daprPort: String(config.DAPR_GRPC_PORT), daprApiToken: config.DAPR_API_TOKEN };
  const jobs = createJobsRepository(prisma);
  // Versions (docs/saga.md#versions): new orders start V4; OrderFulfillment (frozen), V2 and V3 stay
  // registered, so the sagas started before replay under their own name and finish as they began.
  const workflowRuntime = new WorkflowRuntime(grpc)
    .registerWorkflowWithName(ORDER_FULFILLMENT_WORKFLOW, createOrderFulfillment(config.ORDER_DECISION_KEYS))
    .registerWorkflowWithName(ORDER_FULFILLMENT_WORKFLOW_V2, createOrderFulfillmentV2(config.ORDER_DECISION_KEYS))
    .registerWorkflowWithName(ORDER_FULFILLMENT_WORKFLOW_V3, createOrderFulfillmentV3(config.ORDER_DECISION_KEYS))
    .registerWorkflowWithName(ORDER_FULFILLMENT_WORKFLOW_V4, createOrderFulfillmentV4(config.ORDER_DECISION_KEYS))
    .registerWorkflowWithName(ORDER_JOB_WORKFLOW, orderJob);
  let workflowWorker: WorkflowWorkerSupervisor | undefined;
  const workflowClient = new DaprWorkflowClient(grpc);
  const orderMetrics: OrderMetrics = { finished: () => undefined };
  for (const [name, activity] of Object.entries(createOrderActivities({ providers, orders, jobs, sidecar: config, logger, metrics: orderMetrics }))) workflowRuntime.registerActivityWithName(name, activity);

  /** An ended saga is never restarted under its order's id (scheduleWorkflowOnce says why). */
  async function startWorkflow(instanceId: string, input: OrderWorkflowInput, customerPhone: string | null, fresh: boolean) {
    await scheduleWorkflowOnce(workflowClient, ORDER_FULFILLMENT_WORKFLOW_V4, { ...input, jobRetryDelaysSeconds: config.JOB_RETRY_DELAYS_SECONDS, ...(customerPhone ? { customerPhone } : {}) }, instanceId, { fresh });
  }

  await startDaprApp({
    name: 'fulfillment',
    settings: config,
    // What clients reach through the gateway; the SDK's actor, pub/sub and config routes are not among them.
    invocablePaths: FULFILLMENT_INVOCABLE_PATHS,
    adminRoutes: FULFILLMENT_ADMIN_ROUTES,
    logger,
    readiness: [databaseReadiness(prisma)],
    // GET /health (docs/health.md): PostgreSQL is critical; the providers down only slow the sagas (retries, timeouts, compensation).
    health: [healthFromReadiness(databaseReadiness(prisma), true, 'database'), httpHealthCheck('providers', new URL('/healthz', config.PROVIDERS_URL).toString(), false)],
    actorSettings: { actorIdleTimeout: config.ACTOR_IDLE_TIMEOUT },
    routes: (app) => {
      mountFulfillmentRoutes(app, {
        timeline: createFulfillmentTimeline(prisma),
        orders, sidecar: config, managerToken: config.MANAGER_API_TOKEN, managerName: config.MANAGER_API_TOKEN_NAME, managers: config.MANAGERS, decisionKeys: config.ORDER_DECISION_KEYS, startWorkflow,
        settings: { defaultApprovalTimeoutSeconds: config.APPROVAL_TIMEOUT_SECONDS, maxApprovalTimeoutSeconds: maxApprovalTimeoutSeconds(timing, config.WORKFLOW_TIMEOUT_SECONDS), autoApproveMaxAmountMinor: toMinorUnits(config.AUTO_APPROVE_MAX_AMOUNT), labelPollSeconds: config.LABEL_POLL_SECONDS, labelDeadlineSeconds: config.LABEL_DEADLINE_SECONDS,
          downPaymentExpirySeconds: config.DOWN_PAYMENT_EXPIRY_SECONDS, validationTimeoutSeconds: config.VALIDATION_TIMEOUT_SECONDS },
        // Seed 003: GET /api/monitoring/* and POST /api/test-queue (http/monitoring.routes.ts).
        monitoring: {
          jobs, workflows: workflowClient, workerRunning: () => workflowWorker?.running() ?? false, databaseOk: () => prisma.$queryRaw`SELECT 1`.then(() => true, () => false),
          settings: { testQueueEnabled: config.TEST_QUEUE_ENABLED, jobRetryDelaysSeconds: config.JOB_RETRY_DELAYS_SECONDS, outboxLagSeconds: config.MONITORING_OUTBOX_LAG_SECONDS,
            downPaymentExpirySeconds: config.DOWN_PAYMENT_EXPIRY_SECONDS, validationTimeoutSeconds: config.VALIDATION_TIMEOUT_SECONDS, approvalTimeoutSeconds: config.APPROVAL_TIMEOUT_SECONDS },
        },
      });
    },
    register: async (server, metrics) => {
      const finished = new Counter({ name: 'holdfast_orders_finished_total', help: 'Orders finished, by final status', labelNames: ['status'], registers: [metrics.registry] });
      const duration = new Histogram({
        name: 'holdfast_order_duration_seconds', help: 'An order\'s creation to its final status', labelNames: ['status'],
        buckets: [0.5, 1, 2, 5, 10, 30, 60, 300, 1800, 86_400], registers: [metrics.registry],
      });
      orderMetrics.finished = (status, durationMs) => {
        finished.inc({ status });
        duration.observe({ status }, durationMs / 1000);
      };
      const raised = new Counter({ name: 'holdfast_order_events_raised_total', help: 'Decisions and cancellations raised into order workflows', labelNames: ['event'], registers: [metrics.registry] });
      await server.actor.init();
      await server.actor.registerActor(createOrderActor({
        logger, decisionKeys: config.ORDER_DECISION_KEYS, sidecar: config,
        // Sealed for the saga, which drops any event it cannot verify (raised by someone else).
        raiseEvent: async (instanceId, name, payload) => {
          await workflowClient.raiseEvent(instanceId, name, seal(config.ORDER_DECISION_KEYS, instanceId, name, payload as object));
          raised.inc({ event: name });
        },
      }));
    },
    afterStart: async () => {
      await waitForSidecarOutbound(config);
      workflowWorker = await superviseWorkflowWorker(workflowRuntime, logger);
    },
    onShutdown: [() => workflowWorker?.stop() ?? workflowRuntime.stop(), () => workflowClient.stop(), () => prisma.$disconnect()],
  });
}

main().catch((error) => exitOnStartupFailure(undefined, error));
