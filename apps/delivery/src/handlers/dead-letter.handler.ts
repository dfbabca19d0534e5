/**
 * A message its subscriber gave up on (DROP, or Dapr's inbound retries spent) arrives on the
 * subscription's dead-letter topic: it is stored for operators, with what the subscriber last saw.
 * A refund that ends here is FAILED: manual review, and a refund.alert above the threshold.
 */
import type { Logger } from 'pino';
import { recordDeadLetter, TOPICS, type CloudEvent, type PrismaClient } from '@holdfast/shared';
import type { DeliveryStatus } from '../domain/outcome';
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
    if (topic === TOPICS.refundRequested) {
      const job = typeof data.refundKey === 'string' ? await deps.refunds.failForGood(data.refundKey, deps.refundAlertThreshold) : null;
      failure = job ? { attempts: job.attempts, lastError: job.lastError ?? undefined } : { lastError: 'the refund request was invalid' };
    } else {
      failure = await deps.notifications.failureOfEvent(topic, event.id);
    }
    await recordDeadLetter(deps.prisma, {
      pubsubName: deps.pubsubName, topic, deadLetterTopic, event, lastError: failure.lastError ?? 'the subscriber gave up (see its log)', attempts: failure.attempts,
      correlationId: typeof data.correlationId === 'string' ? data.correlationId : undefined,
    });
    deps.onDeadLetter?.(topic);
    deps.logger.warn({ topic, eventId: event.id, attempts: failure.attempts, lastError: failure.lastError }, 'dead letter stored');
    return 'SUCCESS';
  };
}
