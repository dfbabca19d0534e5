/**
 * Delivery figures per topic and channel, straight from the records (notifications, refund jobs,
 * dead letters, the outbox): what GET /api/monitoring/delivery shows and /metrics exports.
 */
import type { PrismaClient } from '@holdfast/shared';

export interface ChannelFigures {
  topic: string;
  channel: string;
  pending: number;
  delivered: number;
  /** Messages that needed more than one provider attempt. */
  retried: number;
  failed: number;
  /** In the dead-letter store now, waiting for an operator. */
  deadLettered: number;
  replayed: number;
  oldestPendingAgeSeconds: number | null;
}

/** Seed 001's email queue: whether it sends, its schedule, and what waits in it. */
export interface EmailQueueFigures {
  /** FEATURE_EMAIL_QUEUE_ENABLED: false means the email channel is disabled (emails recorded DISABLED, none sent). */
  enabled: boolean;
  channel: 'enabled' | 'disabled';
  requestReceivedEnabled: boolean;
  maxAttempts: number;
  retryBaseSeconds: number;
  /** Not settled, no attempt made yet. */
  pending: number;
  /** Not settled, a retry scheduled (a Dapr scheduler job). */
  waitingRetry: number;
  disabled: number;
  skipped: number;
  failed: number;
}

export interface EmailQueueSettings {
  enabled: boolean;
  requestReceivedEnabled: boolean;
  maxAttempts: number;
  retryBaseSeconds: number;
}

export interface DeliveryFigures {
  channels: ChannelFigures[];
  email: EmailQueueFigures;
  outbox: { pending: number; oldestPendingAgeSeconds: number | null };
  deadLetters: Array<{ topic: string; status: string; count: number }>;
}

interface Row {
  topic: string; channel: string; pending: bigint; delivered: bigint; retried: bigint; failed: bigint; dead_lettered: bigint; replayed: bigint; oldest_pending: Date | null;
}

const age = (since: Date | null, now: number) => (since ? Math.max(0, (now - since.getTime()) / 1000) : null);

export function createMonitoringRepository(prisma: PrismaClient, email: EmailQueueSettings = { enabled: true, requestReceivedEnabled: true, maxAttempts: 5, retryBaseSeconds: 60 }) {
  return {
    async figures(): Promise<DeliveryFigures> {
      const now = Date.now();
      const rows = await prisma.$queryRaw<Row[]>`
        SELECT n.topic, n.channel::text AS channel,
          count(*) FILTER (WHERE n.status = 'PENDING') AS pending,
          count(*) FILTER (WHERE n.status = 'SENT') AS delivered,
          count(*) FILTER (WHERE n.attempts > 1) AS retried,
          count(*) FILTER (WHERE n.status = 'FAILED') AS failed,
          count(*) FILTER (WHERE dl.status IN ('PENDING', 'REPLAYING') AND n.status <> 'SENT') AS dead_lettered,
          count(*) FILTER (WHERE dl.status = 'REPLAYED') AS replayed,
          min(n.created_at) FILTER (WHERE n.status = 'PENDING') AS oldest_pending
        FROM notifications n LEFT JOIN dead_letters dl ON dl.topic = n.topic AND dl.event_id = n.event_id
        GROUP BY n.topic, n.channel
        UNION ALL
        SELECT 'refund.requested', 'refund',
          count(*) FILTER (WHERE r.status = 'PENDING'),
          count(*) FILTER (WHERE r.status = 'PROCESSED'),
          count(*) FILTER (WHERE r.attempts > 1),
          count(*) FILTER (WHERE r.status = 'FAILED'),
          count(*) FILTER (WHERE dl.status IN ('PENDING', 'REPLAYING') AND r.status <> 'PROCESSED'),
          count(*) FILTER (WHERE dl.status = 'REPLAYED'),
          min(r.created_at) FILTER (WHERE r.status = 'PENDING')
        FROM refund_jobs r LEFT JOIN dead_letters dl ON dl.topic = 'refund.requested' AND dl.event_id = r.event_id
        HAVING count(*) > 0
        ORDER BY 1, 2`;
      const [outbox] = await prisma.$queryRaw<Array<{ pending: bigint; oldest: Date | null }>>`
        SELECT count(*) AS pending, min(created_at) AS oldest FROM outbox_events WHERE published_at IS NULL`;
      const letters = await prisma.deadLetter.groupBy({ by: ['topic', 'status'], _count: { _all: true } });
      const [queue] = await prisma.$queryRaw<Array<{ pending: bigint; waiting: bigint; disabled: bigint; skipped: bigint; failed: bigint }>>`
        SELECT count(*) FILTER (WHERE status = 'PENDING' AND next_attempt_at IS NULL) AS pending,
          count(*) FILTER (WHERE status = 'PENDING' AND next_attempt_at IS NOT NULL) AS waiting,
          count(*) FILTER (WHERE status = 'DISABLED') AS disabled,
          count(*) FILTER (WHERE status = 'SKIPPED') AS skipped,
          count(*) FILTER (WHERE status = 'FAILED') AS failed
        FROM notifications WHERE channel = 'email'`;
      return {
        channels: rows.map((r) => ({
          topic: r.topic, channel: r.channel, pending: Number(r.pending), delivered: Number(r.delivered), retried: Number(r.retried), failed: Number(r.failed),
          deadLettered: Number(r.dead_lettered), replayed: Number(r.replayed), oldestPendingAgeSeconds: age(r.oldest_pending, now),
        })),
        email: {
          ...email, channel: email.enabled ? 'enabled' : 'disabled',
          pending: Number(queue?.pending ?? 0), waitingRetry: Number(queue?.waiting ?? 0), disabled: Number(queue?.disabled ?? 0), skipped: Number(queue?.skipped ?? 0), failed: Number(queue?.failed ?? 0),
        },
        outbox: { pending: Number(outbox?.pending ?? 0), oldestPendingAgeSeconds: age(outbox?.oldest ?? null, now) },
        deadLetters: letters.map((l) => ({ topic: l.topic, status: l.status, count: l._count._all })),
      };
    },
  };
}
export type MonitoringRepository = ReturnType<typeof createMonitoringRepository>;
