/**
 * Stores messages that reached a dead-letter topic, one row per original message however often it
 * dead-letters, so an operator can see and replay them (issue: delivery). Idempotent: a redelivered
 * dead letter only bumps the count and the last failure time.
 */
import { z } from 'zod';
import type { Prisma, PrismaClient } from './prisma';

/** The CloudEvent envelope Dapr delivers; only what we need is required. */
export const cloudEventSchema = z.object({
  id: z.string().min(1),
  source: z.string().optional(),
  type: z.string().optional(),
  topic: z.string().optional(),
  pubsubname: z.string().optional(),
  traceparent: z.string().optional(),
  data: z.unknown().optional(),
}).passthrough();
export type CloudEvent = z.infer<typeof cloudEventSchema>;

export interface DeadLetterInput {
  pubsubName: string;
  /** The topic the message was published to. */
  topic: string;
  deadLetterTopic: string;
  event: CloudEvent;
  lastError?: string;
  attempts?: number;
  correlationId?: string;
  /** TRANSIENT, REFUSED or INVALID: whether the reprocessing job may replay it on its own (apps/delivery/src/domain/dead-letter-policy.ts). */
  failureKind?: 'TRANSIENT' | 'REFUSED' | 'INVALID';
}

/** `prisma` may be a transaction's client: the dead letter then commits with the rest of it, or not at all. */
export async function recordDeadLetter(prisma: PrismaClient | Prisma.TransactionClient, input: DeadLetterInput) {
  const now = new Date();
  return prisma.deadLetter.upsert({
    where: { pubsubName_topic_eventId: { pubsubName: input.pubsubName, topic: input.topic, eventId: input.event.id } },
    create: {
      pubsubName: input.pubsubName,
      topic: input.topic,
      deadLetterTopic: input.deadLetterTopic,
      eventId: input.event.id,
      event: input.event as object,
      lastError: input.lastError,
      attempts: input.attempts,
      correlationId: input.correlationId,
      failureKind: input.failureKind,
      firstFailedAt: now,
      lastFailedAt: now,
    },
    update: { deadLetterCount: { increment: 1 }, lastFailedAt: now, lastError: input.lastError, attempts: input.attempts, failureKind: input.failureKind, manualReviewReason: null, status: 'PENDING' },
  });
}
