/**
 * The job ledger (order_jobs) and the monitoring reads over the platform's real queues: the
 * outbox (outbox_events not yet published), the timers (orders waiting on an OrderActor reminder,
 * by kind) and the pub/sub dead letters (dead_letters). Every write is idempotent: an activity
 * that runs again records the same attempt, never a second job.
 */
import type { PrismaClient } from '@holdfast/shared';
import { JOB_STATUSES, JOB_TYPES, type JobCounts, type JobStatus, type JobType, type MonitoringSources } from '../domain/jobs';

export function createJobsRepository(prisma: PrismaClient) {
  return {
    /** An attempt starts (attempt numbers come from the workflow, so a re-run activity counts once). */
    async attempt(job: { id: string; type: JobType; orderId?: string | null; payload?: Record<string, unknown> }, attempt: number) {
      await prisma.$executeRaw`
        INSERT INTO order_jobs (id, type, order_id, status, attempts, payload, updated_at)
        VALUES (${job.id}, ${job.type}, ${job.orderId ?? null}, 'processing', ${attempt}, ${JSON.stringify(job.payload ?? {})}::jsonb, now())
        ON CONFLICT (id) DO UPDATE SET
          status = CASE WHEN order_jobs.status IN ('completed') THEN order_jobs.status ELSE 'processing' END,
          attempts = GREATEST(order_jobs.attempts, EXCLUDED.attempts), updated_at = now()`;
    },

    async completed(id: string) {
      await prisma.$executeRaw`UPDATE order_jobs SET status = 'completed', last_error = NULL, finished_at = COALESCE(finished_at, now()), updated_at = now() WHERE id = ${id}`;
    },

    /** An attempt failed: `dead` when no retry is left. */
    async failed(id: string, error: string, dead: boolean) {
      const status: JobStatus = dead ? 'dead' : 'failed';
      await prisma.$executeRaw`
        UPDATE order_jobs SET status = ${status}, last_error = ${error.slice(0, 2000)}, finished_at = CASE WHEN ${dead} THEN now() ELSE finished_at END, updated_at = now()
        WHERE id = ${id} AND status <> 'completed'`;
    },

    find(id: string) {
      return prisma.orderJob.findUnique({ where: { id } });
    },

    forOrder(orderId: string) {
      return prisma.orderJob.findMany({ where: { orderId }, orderBy: { createdAt: 'asc' } });
    },

    /** What the monitoring endpoints count: one read of each source. */
    async sources(): Promise<MonitoringSources> {
      const [jobRows, timerRows, outboxRows, deadRows, recentDead] = await Promise.all([
        prisma.$queryRaw<Array<{ type: string; status: string; n: number; retries: number; last: Date | null }>>`
          SELECT type, status, count(*)::int AS n, COALESCE(sum(GREATEST(attempts - 1, 0)), 0)::int AS retries, max(updated_at) AS last
          FROM order_jobs GROUP BY type, status`,
        prisma.$queryRaw<Array<{ approval: number; down_payment: number; validation: number; oldest: Date | null }>>`
          SELECT count(*) FILTER (WHERE status = 'awaiting_approval' AND down_payment_amount IS NULL)::int AS approval,
                 count(*) FILTER (WHERE status = 'pending_dp')::int AS down_payment,
                 count(*) FILTER (WHERE status = 'awaiting_approval' AND down_payment_amount IS NOT NULL)::int AS validation,
                 min(updated_at) AS oldest
          FROM orders WHERE finished_at IS NULL AND status IN ('awaiting_approval', 'pending_dp')`,
        prisma.$queryRaw<Array<{ pending: number; oldest: Date | null }>>`
          SELECT count(*)::int AS pending, min(created_at) AS oldest FROM outbox_events WHERE published_at IS NULL`,
        prisma.$queryRaw<Array<{ status: string; n: number }>>`SELECT status::text AS status, count(*)::int AS n FROM dead_letters GROUP BY status`,
        prisma.$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM order_jobs WHERE status = 'dead' AND updated_at > now() - interval '24 hours'`,
      ]);
      const jobs: Partial<Record<JobType, JobCounts>> = {};
      for (const row of jobRows) {
        if (!(JOB_TYPES as readonly string[]).includes(row.type) || !(JOB_STATUSES as readonly string[]).includes(row.status)) continue;
        const counts = (jobs[row.type as JobType] ??= { pending: 0, processing: 0, completed: 0, failed: 0, dead: 0, retries: 0, lastActivityAt: null });
        counts[row.status as JobStatus] += Number(row.n);
        counts.retries += Number(row.retries);
        if (row.last && (!counts.lastActivityAt || row.last > counts.lastActivityAt)) counts.lastActivityAt = row.last;
      }
      const timers = timerRows[0];
      const dead = Object.fromEntries(deadRows.map((r) => [r.status, Number(r.n)]));
      return {
        jobs,
        timers: { approval: Number(timers?.approval ?? 0), downPayment: Number(timers?.down_payment ?? 0), validation: Number(timers?.validation ?? 0), oldestDueAt: timers?.oldest ?? null },
        outbox: { pending: Number(outboxRows[0]?.pending ?? 0), oldestCreatedAt: outboxRows[0]?.oldest ?? null },
        deadLetters: { pending: dead.PENDING ?? 0, replaying: dead.REPLAYING ?? 0, replayed: dead.REPLAYED ?? 0, manualReview: dead.MANUAL_REVIEW ?? 0 },
        recentDeadJobs: Number(recentDead[0]?.n ?? 0),
      };
    },
  };
}
export type JobsRepository = ReturnType<typeof createJobsRepository>;

