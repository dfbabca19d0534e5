/**
 * Seed 003's monitoring and test-queue endpoints over the platform's real sources (the job ledger,
 * the orders waiting on a timer, the outbox, the pub/sub dead letters):
 *   GET  /api/monitoring/queue/stats   the document's getQueueStats()
 *   GET  /api/monitoring/queue/health  the worker (the workflow runtime) and its last activity
 *   GET  /api/monitoring/queue/info    (and /api/monitoring/info) per job type: timer, retries, counts
 *   POST /api/test-queue               run jobs by hand, managers only, off unless TEST_QUEUE_ENABLED
 * The monitoring answers are counts only, no order or customer data: the client credential
 * suffices, as the document calls them without a token.
 */
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { ACTOR_TYPES, AppError, currentCorrelationId, invokeActor, scheduleWorkflowOnce, seal, type SidecarSettings } from '@holdfast/shared';
import type { JobsRepository } from '../data/jobs.repository';
import type { OrdersRepository } from '../data/orders.repository';
import { JOB_PRIORITY, JOB_TYPES, jobApplies, jobId, queueHealth, queueStats, type JobType } from '../domain/jobs';
import type { ActorAnswer, DecisionCommands } from '../actors/order.actor';
import { ORDER_JOB_WORKFLOW, type OrderJobInput } from '../workflow/jobs';
import { requireManager, type ManagerCredential } from './manager-auth';

export interface MonitoringRouterDeps {
  jobs: JobsRepository;
  orders: OrdersRepository;
  sidecar: SidecarSettings;
  /** Every manager credential (MANAGER_API_TOKEN and the personal MANAGERS tokens), as the order routes authenticate them. */
  managerCredentials: readonly ManagerCredential[];
  decisionKeys: readonly string[];
  workflows: Parameters<typeof scheduleWorkflowOnce>[0];
  workerRunning(): boolean;
  databaseOk(): Promise<boolean>;
  settings: {
    testQueueEnabled: boolean; jobRetryDelaysSeconds: number[]; outboxLagSeconds: number;
    downPaymentExpirySeconds: number; validationTimeoutSeconds: number; approvalTimeoutSeconds: number;
  };
}

const orderIdsSchema = z.array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/, 'an order id')).min(1).max(100);
/** The document's body ({ type, orderIds }), and STOCK_RELEASE by product and quantity. */
export const testQueueSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ORDER_AUTO_REFUND'), orderIds: orderIdsSchema }).strict(),
  z.object({ type: z.literal('ORDER_EXPIRE_DP'), orderIds: orderIdsSchema }).strict(),
  z.object({ type: z.literal('NOTIFICATION_SEND_WHATSAPP'), orderIds: orderIdsSchema, message: z.string().trim().min(1).max(1000).optional() }).strict(),
  z.object({
    type: z.literal('STOCK_RELEASE'), productId: z.string().trim().min(1).max(200), quantity: z.number().int().min(1).max(1_000_000),
    /** Names the release: the same jobId again is the same job (run once). Without one, each request is a new release. */
    jobId: z.string().regex(/^[A-Za-z0-9_-]{1,80}$/).optional(),
  }).strict(),
]);

/** One order's answer: queued, or why the job does not apply to it (not an error for the batch). */
export type TestQueueResult = { orderId: string; queued: true; jobId: string } | { orderId: string; queued: false; code: string; detail: string };

const safeInstance = (id: string) => `job-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`.slice(0, 200);

export function monitoringRouter(deps: MonitoringRouterDeps): Router {
  const router = Router();
  // Read when a request comes (the OpenAPI test mounts these routes with stand-in dependencies).
  const settingsOf = () => deps.settings;

  router.get('/api/monitoring/queue/stats', async (_req, res) => {
    res.json(queueStats(await deps.jobs.sources(), new Date()));
  });

  router.get('/api/monitoring/queue/health', async (_req, res) => {
    const databaseOk = await deps.databaseOk();
    const sources = databaseOk ? await deps.jobs.sources().catch(() => undefined) : undefined;
    const health = queueHealth({ workerRunning: deps.workerRunning(), databaseOk: databaseOk && Boolean(sources), sources, outboxLagSeconds: settingsOf().outboxLagSeconds, now: new Date() });
    res.status(health.status === 'unhealthy' ? 503 : 200).json(health);
  });

  const info = async (_req: unknown, res: import('express').Response) => {
    const now = new Date();
    const settings = settingsOf();
    const retry = { delaysSeconds: settings.jobRetryDelaysSeconds, maxRetries: settings.jobRetryDelaysSeconds.length };
    const stats = queueStats(await deps.jobs.sources(), now);
    const timing: Record<JobType, { runs: string; delaySeconds: number | null }> = {
      ORDER_EXPIRE_DP: { runs: 'when a down payment is not paid in time (OrderActor reminder, DOWN_PAYMENT_EXPIRY_SECONDS)', delaySeconds: settings.downPaymentExpirySeconds },
      ORDER_AUTO_REFUND: { runs: 'when a paid down-payment order is not validated in time (OrderActor reminder, VALIDATION_TIMEOUT_SECONDS)', delaySeconds: settings.validationTimeoutSeconds },
      NOTIFICATION_SEND_WHATSAPP: { runs: 'after ORDER_EXPIRE_DP or ORDER_AUTO_REFUND when the order has a customerPhone, or by hand', delaySeconds: null },
      STOCK_RELEASE: { runs: 'by hand (POST /api/test-queue), by product and quantity', delaySeconds: null },
    };
    res.json({
      queue: { name: 'fulfillment-jobs', mechanism: 'Dapr workflow activities started by OrderActor reminders; retries are durable workflow timers', ...stats },
      jobTypes: Object.fromEntries(JOB_TYPES.map((type) => [type, { priority: JOB_PRIORITY[type], ...timing[type], retry, counts: stats.byType[type] }])),
      timers: { ...stats.timers, approvalTimeoutSeconds: settings.approvalTimeoutSeconds },
      worker: { running: deps.workerRunning(), testQueueEnabled: settings.testQueueEnabled },
      timestamp: now.toISOString(),
    });
  };
  router.get('/api/monitoring/queue/info', info);
  router.get('/api/monitoring/info', info);

  // A manager's token first (401 without, as every manager route), then: off unless enabled, and
  // then it does not exist (404, as an unknown route).
  router.post('/api/test-queue', requireManager(deps.managerCredentials, 'Running jobs by hand needs a manager bearer token.'),
    (req, _res, next) => next(settingsOf().testQueueEnabled ? undefined : new AppError(404, 'ROUTE_NOT_FOUND', `No route for ${req.method} ${req.path}.`)),
    async (req, res) => {
      const settings = settingsOf();
      const parsed = testQueueSchema.safeParse(req.body ?? {});
      if (!parsed.success) {
        throw new AppError(400, 'VALIDATION_FAILED', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
      }
      const body = parsed.data;
      const correlationId = currentCorrelationId() ?? randomUUID();
      if (body.type === 'STOCK_RELEASE') {
        const id = jobId('STOCK_RELEASE', `${body.productId}:${body.jobId ?? randomUUID()}`);
        const input: OrderJobInput = { job: { id, type: 'STOCK_RELEASE' }, correlationId, productId: body.productId, quantity: body.quantity, retryDelaysSeconds: settings.jobRetryDelaysSeconds };
        const started = await scheduleWorkflowOnce(deps.workflows, ORDER_JOB_WORKFLOW, input, safeInstance(id));
        res.status(202).json({ type: body.type, jobId: id, queued: started, ...(started ? {} : { code: 'JOB_EXISTS' }) });
        return;
      }
      const results: TestQueueResult[] = [];
      for (const orderId of body.orderIds) {
        const order = await deps.orders.find(orderId);
        if (!order) {
          results.push({ orderId, queued: false, code: 'ORDER_NOT_FOUND', detail: `No order ${orderId}.` });
          continue;
        }
        if (body.type === 'NOTIFICATION_SEND_WHATSAPP') {
          if (!order.customerPhone) {
            results.push({ orderId, queued: false, code: 'NO_PHONE', detail: 'The order has no customerPhone.' });
            continue;
          }
          const id = jobId(body.type, `${orderId}:${order.status}`);
          // The saga's own message for this status (or an earlier request) is the same job: once.
          if (await deps.jobs.find(id)) {
            results.push({ orderId, queued: false, code: 'JOB_EXISTS', detail: `Job ${id} ran or runs already.` });
            continue;
          }
          const input: OrderJobInput = {
            job: { id, type: body.type }, orderId, correlationId: order.correlationId ?? correlationId, to: order.customerPhone,
            message: body.message ?? `Your order ${orderId} is ${order.status.replace(/_/g, ' ')}.`, retryDelaysSeconds: settings.jobRetryDelaysSeconds,
          };
          const started = await scheduleWorkflowOnce(deps.workflows, ORDER_JOB_WORKFLOW, input, safeInstance(id));
          results.push(started ? { orderId, queued: true, jobId: id } : { orderId, queued: false, code: 'JOB_EXISTS', detail: `Job ${id} was asked for already.` });
          continue;
        }
        const notApplicable = jobApplies(body.type, order);
        if (notApplicable) {
          results.push({ orderId, queued: false, code: notApplicable, detail: `The order is ${order.status}: ${body.type} does not apply.` });
          continue;
        }
        // The order's own timer, fired now through its OrderActor: the same turn and the same saga path as the reminder.
        const timer: DecisionCommands['runTimer']['timer'] = body.type === 'ORDER_EXPIRE_DP' ? 'payment' : 'approval';
        const sealed = seal(deps.decisionKeys, orderId, 'runTimer', { timer, issuedAt: new Date().toISOString() });
        const answer = await invokeActor<ActorAnswer>(deps.sidecar, ACTOR_TYPES.order, orderId, 'runTimer', sealed);
        results.push(answer.ok ? { orderId, queued: true, jobId: jobId(body.type, orderId) } : { orderId, queued: false, code: answer.reason, detail: `The order's actor is ${answer.phase}.` });
      }
      res.status(202).json({ type: body.type, results });
    });

  return router;
}
