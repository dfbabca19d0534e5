/**
 * The delivery-and-money section's rules, pure: dead letters grouped by topic, the delivery
 * figures summed into the few numbers the charts follow, and the ring buffer of samples over the
 * last hour (kept in the console's memory: a restart starts a new hour, which is all a glance needs).
 */
import { z } from 'zod';
import { formatMoney } from '../../domain/format';
import { recordedErrorInWords } from '../../domain/recorded-words';

export const deadLetterSchema = z.object({
  id: z.string(), topic: z.string(), status: z.string(), lastError: z.string().nullable().optional(), attempts: z.number().nullable().optional(),
  deadLetterCount: z.number().optional(), failureKind: z.string().nullable().optional(), firstFailedAt: z.string().optional(), lastFailedAt: z.string().optional(),
  correlationId: z.string().nullable().optional(), eventId: z.string().optional(),
  event: z.object({ data: z.record(z.string(), z.unknown()).optional() }).passthrough().nullable().optional(),
});
export type DeadLetter = z.infer<typeof deadLetterSchema>;

/** Statuses an operator may replay (delivery refuses the others with 409). */
export const REPLAYABLE = new Set(['PENDING', 'MANUAL_REVIEW']);

export interface TopicGroup { topic: string; letters: DeadLetter[]; replayable: number }

/** Dead letters by topic (alphabetical), newest failure first within a topic. */
export function groupByTopic(letters: readonly DeadLetter[]): TopicGroup[] {
  const groups = new Map<string, DeadLetter[]>();
  for (const letter of letters) groups.set(letter.topic, [...(groups.get(letter.topic) ?? []), letter]);
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([topic, list]) => ({
    topic,
    letters: [...list].sort((a, b) => (b.lastFailedAt ?? '').localeCompare(a.lastFailedAt ?? '')),
    replayable: list.filter((l) => REPLAYABLE.has(l.status)).length,
  }));
}

/** What the letter's event was about, for the row: its booking, show or refund. */
export function letterSubject(letter: DeadLetter): string {
  const data = letter.event?.data ?? {};
  for (const key of ['bookingId', 'orderId', 'showId', 'refundKey']) {
    const value = data[key];
    if (typeof value === 'string') return `${key.replace(/Id$|Key$/, '')} ${value}`;
  }
  return letter.eventId ? `event ${letter.eventId}` : '';
}

export const figuresSchema = z.object({
  channels: z.array(z.object({
    topic: z.string(), channel: z.string(), pending: z.number(), delivered: z.number(), retried: z.number(), failed: z.number(),
    deadLettered: z.number(), replayed: z.number(), oldestPendingAgeSeconds: z.number().nullable(),
  })),
  outbox: z.object({ pending: z.number(), oldestPendingAgeSeconds: z.number().nullable() }),
  deadLetters: z.array(z.object({ topic: z.string(), status: z.string(), count: z.number() })),
}).passthrough();
export type DeliveryFigures = z.infer<typeof figuresSchema>;

/** The numbers the charts follow. Counters (delivered, failed, retried) are totals since the records began. */
export interface Sample { at: string; delivered: number; failed: number; retried: number; pending: number; deadLettered: number; outboxPending: number }
export const SERIES = ['delivered', 'failed', 'retried', 'pending', 'deadLettered', 'outboxPending'] as const;

export function sampleOf(figures: DeliveryFigures, at: Date): Sample {
  const sum = (pick: (c: DeliveryFigures['channels'][number]) => number) => figures.channels.reduce((n, c) => n + pick(c), 0);
  return {
    at: at.toISOString(), delivered: sum((c) => c.delivered), failed: sum((c) => c.failed), retried: sum((c) => c.retried), pending: sum((c) => c.pending),
    deadLettered: figures.deadLetters.filter((l) => l.status === 'PENDING' || l.status === 'REPLAYING' || l.status === 'MANUAL_REVIEW').reduce((n, l) => n + l.count, 0),
    outboxPending: figures.outbox.pending,
  };
}

/** A fixed-size ring of samples: the oldest falls off when a new one comes in. */
export class RingBuffer<T> {
  private readonly items: T[] = [];
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
  }
  push(item: T): void {
    this.items.push(item);
    if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity);
  }
  /** Oldest first. */
  toArray(): T[] {
    return [...this.items];
  }
  get length(): number {
    return this.items.length;
  }
}

/** An hour of samples taken every `sampleSeconds`, plus the one at the start. */
export const hourCapacity = (sampleSeconds: number): number => Math.ceil(3600 / sampleSeconds) + 1;

export const REFUND_STATUSES = ['FAILED', 'PENDING', 'PROCESSED'] as const;
export const refundTabSchema = z.enum(REFUND_STATUSES).catch('FAILED');

export const refundSchema = z.object({
  id: z.string(), bookingId: z.string(), showId: z.string().nullable().optional(), amount: z.number(), currency: z.string(), status: z.string(),
  attempts: z.number(), lastError: z.string().nullable().optional(), manualReviewId: z.string().nullable().optional(), reason: z.string().nullable().optional(),
  createdAt: z.string().optional(), providerRefundId: z.string().nullable().optional(),
});
export type Refund = z.infer<typeof refundSchema>;

/** Minor units (delivery's refunds) as every page writes money (formatMoney): 4500 EUR → "€45.00". */
export const money = (minor: number, currency: string): string => formatMoney(minor / 100, currency);

/** A resolution from the form: a reason is required, and Retry-and-resolve asks booking to retry first. */
export const resolveFormSchema = z.object({
  resolution: z.string().trim().min(1, 'Say how the review was resolved.').max(500, 'A resolution may be at most 500 characters.'),
  retry: z.enum(['yes', 'no']).default('no').transform((v) => v === 'yes'),
});

/** A recorded error as words for a table cell (domain/recorded-words), a dash when none was recorded. */
export const readableError = (error: string | null | undefined): string => recordedErrorInWords(error) || '—';
