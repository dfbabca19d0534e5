/**
 * Seed 003's jobs as the fulfillment saga runs them. The document's queue (pgmq, a polling worker)
 * is replaced by what the saga already has: each job runs at the end of an OrderActor reminder
 * (the down-payment expiry, the validation timeout) as a workflow activity, retried on the
 * document's schedule by durable workflow timers; the monitoring endpoints count the ledger
 * (order_jobs) beside the outbox, the timers and the dead letters. Pure: no Dapr, express or Prisma.
 */
import { z } from 'zod';

export const JOB_TYPES = ['ORDER_AUTO_REFUND', 'ORDER_EXPIRE_DP', 'NOTIFICATION_SEND_WHATSAPP', 'STOCK_RELEASE'] as const;
export type JobType = (typeof JOB_TYPES)[number];

/** The document's priorities: kept in each job's record; the saga runs a job when its timer fires, so none waits behind another. */
export const JOB_PRIORITY: Record<JobType, 'high' | 'normal' | 'low'> = {
  ORDER_AUTO_REFUND: 'high', ORDER_EXPIRE_DP: 'high', STOCK_RELEASE: 'normal', NOTIFICATION_SEND_WHATSAPP: 'low',
};

export const JOB_STATUSES = ['pending', 'processing', 'completed', 'failed', 'dead'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** The document's retry schedule: 5 s, 30 s, 5 min, then no more (max 3 retries). */
export const DEFAULT_JOB_RETRY_DELAYS_SECONDS = [5, 30, 300];

/** JOB_RETRY_DELAYS_SECONDS: comma-separated waits before each retry; their count is the most retries. */
export const jobRetryDelaysSchema = z.string().default(DEFAULT_JOB_RETRY_DELAYS_SECONDS.join(','))
  .transform((v) => v.split(',').map((d) => d.trim()).filter(Boolean).map(Number))
  .pipe(z.array(z.number().min(0.1).max(86_400)).max(10));

/** A job's ledger id: one job per type and subject, so asking twice records (and runs) it once. */
export const jobId = (type: JobType, subject: string) => `${type}:${subject}`;

/** What an order-bound job applies to (the read model's view of the order), for a job asked for by hand. */
export function jobApplies(type: 'ORDER_EXPIRE_DP' | 'ORDER_AUTO_REFUND', order: { status: string; downPaymentAmount: number | null; finishedAt: Date | null }): string | undefined {
  if (order.finishedAt) return 'ORDER_FINISHED';
  if (type === 'ORDER_EXPIRE_DP') return order.status === 'pending_dp' ? undefined : 'NOT_PENDING_DP';
  return order.status === 'awaiting_approval' && order.downPaymentAmount !== null ? undefined : 'NOT_AWAITING_VALIDATION';
}

export type JobCounts = Record<JobStatus, number> & { retries: number; lastActivityAt: Date | null };

export interface MonitoringSources {
  jobs: Partial<Record<JobType, JobCounts>>;
  /** Orders waiting on a timer, by the timer. */
  timers: { approval: number; downPayment: number; validation: number; oldestDueAt: Date | null };
  outbox: { pending: number; oldestCreatedAt: Date | null };
  deadLetters: { pending: number; replaying: number; replayed: number; manualReview: number };
  /** Jobs that died (no retry left) in the last 24 hours: what makes the health degraded. */
  recentDeadJobs: number;
}

const emptyCounts = (): JobCounts => ({ pending: 0, processing: 0, completed: 0, failed: 0, dead: 0, retries: 0, lastActivityAt: null });
const ageSeconds = (since: Date | null, now: Date) => (since ? Math.max(0, Math.round((now.getTime() - since.getTime()) / 1000)) : null);

/**
 * GET /api/monitoring/queue/stats: the document's getQueueStats() over our sources. `pending` counts
 * jobs scheduled and not yet due (orders waiting on their timer) plus outbox events not yet
 * published; `queueDepth` is everything not finished (pending + processing + failed awaiting a retry).
 */
export function queueStats(sources: MonitoringSources, now: Date) {
  const jobs = Object.fromEntries(JOB_TYPES.map((type) => [type, sources.jobs[type] ?? emptyCounts()])) as Record<JobType, JobCounts>;
  const sum = (status: JobStatus | 'retries') => JOB_TYPES.reduce((n, type) => n + jobs[type][status], 0);
  const timersWaiting = sources.timers.approval + sources.timers.downPayment + sources.timers.validation;
  const pending = sum('pending') + timersWaiting + sources.outbox.pending;
  const processing = sum('processing');
  const failed = sum('failed');
  const dead = sum('dead') + sources.deadLetters.pending;
  return {
    queueDepth: pending + processing + failed,
    pending, processing, completed: sum('completed'), failed, dead, retries: sum('retries'),
    oldestPendingAgeSeconds: ageSeconds(sources.outbox.oldestCreatedAt, now),
    byType: Object.fromEntries(JOB_TYPES.map((type) => {
      const { lastActivityAt: _last, ...counts } = jobs[type];
      return [type, counts];
    })),
    timers: { approval: sources.timers.approval, downPayment: sources.timers.downPayment, validation: sources.timers.validation },
    outbox: { pending: sources.outbox.pending, oldestPendingAgeSeconds: ageSeconds(sources.outbox.oldestCreatedAt, now) },
    deadLetters: sources.deadLetters,
    timestamp: now.toISOString(),
  };
}

/** The latest job activity of any type. */
export function lastActivity(sources: MonitoringSources): Date | null {
  return Object.values(sources.jobs).reduce<Date | null>((latest, c) => (c?.lastActivityAt && (!latest || c.lastActivityAt > latest) ? c.lastActivityAt : latest), null);
}

/**
 * GET /api/monitoring/queue/health: the worker is the workflow runtime (it runs every job's
 * activity). Unhealthy when it is not running or the database does not answer; degraded when a
 * job died in the last 24 hours, a pub/sub dead letter waits for a person, or the outbox lags past `outboxLagSeconds`.
 */
export function queueHealth(input: { workerRunning: boolean; databaseOk: boolean; sources?: MonitoringSources; outboxLagSeconds: number; now: Date }) {
  const { sources, now } = input;
  const stats = sources ? queueStats(sources, now) : undefined;
  const lagging = (stats?.outbox.oldestPendingAgeSeconds ?? 0) > input.outboxLagSeconds;
  const status: 'healthy' | 'degraded' | 'unhealthy' = !input.workerRunning || !input.databaseOk ? 'unhealthy'
    : (sources && (sources.recentDeadJobs > 0 || sources.deadLetters.pending > 0 || lagging)) ? 'degraded' : 'healthy';
  const last = sources ? lastActivity(sources) : null;
  return {
    status,
    healthy: status !== 'unhealthy',
    worker: { healthy: input.workerRunning, running: input.workerRunning, lastActivity: last ? last.toISOString() : null },
    checks: {
      database: input.databaseOk ? 'ok' : 'down',
      workflowRuntime: input.workerRunning ? 'running' : 'stopped',
      dead: stats?.dead ?? null,
      deadJobsLast24h: sources?.recentDeadJobs ?? null,
      outboxLagSeconds: stats?.outbox.oldestPendingAgeSeconds ?? null,
    },
    timestamp: now.toISOString(),
  };
}
