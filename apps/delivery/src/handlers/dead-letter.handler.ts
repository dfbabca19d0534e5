/**
 * A message its subscriber gave up on (DROP, or Dapr's inbound retries spent) arrives on the
 * subscription's dead-letter topic: it is stored for operators, with what the subscriber last saw.
 * A refund that ends here is FAILED: manual review, and a refund.alert above the threshold.
 */
import type { Logger } from 'pino';
import { recordDeadLetter, TOPICS, type CloudEvent, type PrismaClient } from '@holdfast/shared';
import type { DeliveryStatus } from '../domain/outcome';
import { failureKindOfRefund, failureKindOfSends, type FailureKind } from '../domain/dead-letter-policy';
import type { NotificationsRepository } from '../data/notifications.repository';
import type { RefundsRepository } from '../data/refunds.repository';

export interface DeadLetterDeps {
  prisma: PrismaClient;
  pubsubName: string;
  notifications: NotificationsRepository;
  refunds: RefundsRepository;
  refundAlertThreshold: number;
  logger: Logger;
  onDeadLetter?: (topic: string) => void;
}

export function deadLetterHandler(topic: string, deadLetterTopic: string, deps: DeadLetterDeps) {
  return async (_data: unknown, event: CloudEvent): Promise<DeliveryStatus> => {
    const data = (event.data ?? {}) as { refundKey?: unknown; correlationId?: unknown };
    let failure: { attempts?: number; lastError?: string } = {};
    let failureKind: FailureKind;
    if (topic === TOPICS.refundRequested) {
      const job = typeof data.refundKey === 'string' ? await deps.refunds.failForGood(data.refundKey, deps.refundAlertThreshold) : null;
      failure = job ? { attempts: job.attempts, lastError: job.lastError ?? undefined } : { lastError: 'the refund request was invalid' };
      failureKind = failureKindOfRefund(job);
    } else {
      failure = await deps.notifications.failureOfEvent(topic, event.id);
      // Sends still PENDING gave up on transient failures; FAILED ones were refused; none: the data was invalid.
      const sends = await deps.prisma.notification.findMany({ where: { topic, eventId: event.id, status: { not: 'SENT' } }, select: { status: true } });
      failureKind = failureKindOfSends(sends.map((s) => s.status));
    }
    await recordDeadLetter(deps.prisma, {
      pubsubName: deps.pubsubName, topic, deadLetterTopic, event, lastError: failure.lastError ?? 'the subscriber gave up (see its log)', attempts: failure.attempts,
      correlationId: typeof data.correlationId === 'string' ? data.correlationId : undefined, failureKind,
    });
    deps.onDeadLetter?.(topic);
    deps.logger.warn({ topic, eventId: event.id, attempts: failure.attempts, lastError: failure.lastError, failureKind }, 'dead letter stored');
    return 'SUCCESS';
  };
}
