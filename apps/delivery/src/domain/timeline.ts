/**
 * A booking's or an order's story as the delivery app recorded it (issue 13's timeline); pure.
 * Each notification's attempts come one by one from notification_attempts (its time, outcome,
 * error, the provider's message id), never from the attempts counter; refunds from their job's
 * own times (created, processed, failed); dead letters from their first failure and replay.
 */
import type { RelatedLink, TimelineEvent, TimelinePart } from '@holdfast/shared';

export interface NotificationFacts {
  id: string; channel: string; kind: string | null; topic: string; recipient: string; status: string; correlationId: string | null; createdAt: Date; sentAt: Date | null;
  providerMessageId: string | null;
  /** A resend (issue 13): the notification it sends again, and who asked. */
  resendOf?: string | null; requestedBy?: string | null;
  attemptLog: Array<{ attempt: number; at: Date; outcome: string; providerStatus: number | null; providerAnswer: string | null; error: string | null }>;
}
export interface RefundFacts {
  id: string; amount: number; currency: string; status: string; attempts: number; lastError: string | null; providerRefundId: string | null; correlationId: string | null;
  createdAt: Date; processedAt: Date | null; failedAt: Date | null; manualReviewId: string | null;
}
export interface DeadLetterFacts {
  id: string; topic: string; status: string; lastError: string | null; attempts: number | null; deadLetterCount: number; correlationId: string | null;
  firstFailedAt: Date; lastFailedAt: Date; replayedAt: Date | null;
}
export interface DeliveryFacts { notifications: NotificationFacts[]; refunds: RefundFacts[]; deadLetters: DeadLetterFacts[] }

const corr = (c: string | null) => (c ? { correlationId: c } : {});
const money = (amount: number, currency: string) => `${(amount / 100).toFixed(2)} ${currency}`;

function notificationEvents(n: NotificationFacts): TimelineEvent[] {
  const message = n.channel === 'email' ? `${n.kind ?? n.topic} email` : n.channel === 'sms' ? 'SMS' : 'WhatsApp message';
  // A resend is told as one, with who asked, and its attempts are its own (never the original's).
  const what = n.resendOf ? `${message}, resent` : message;
  const link: RelatedLink = { kind: 'notification', id: n.id, label: what };
  const queued: TimelineEvent = n.resendOf
    ? {
      at: n.createdAt.toISOString(), app: 'delivery', kind: `${n.channel}.resend`, summary: `${message[0]!.toUpperCase()}${message.slice(1)} to ${n.recipient} resent${n.requestedBy ? ` at ${n.requestedBy}'s request` : ''}: queued as a new message.`,
      ...(n.requestedBy ? { actor: n.requestedBy } : {}), ...corr(n.correlationId), links: [link, { kind: 'notification', id: n.resendOf, label: `the ${message} it resends` }],
    }
    : { at: n.createdAt.toISOString(), app: 'delivery', kind: `${n.channel}.queued`, summary: `${what[0]!.toUpperCase()}${what.slice(1)} to ${n.recipient} queued.`, ...corr(n.correlationId), links: [link] };
  return [
    queued,
    ...n.attemptLog.map((a): TimelineEvent => ({
      at: a.at.toISOString(), app: 'delivery', kind: `${n.channel}.attempt`, attempt: a.attempt, status: a.outcome.toUpperCase(),
      summary: a.outcome === 'sent' ? `${what} attempt ${a.attempt}: sent.` : `${what} attempt ${a.attempt}: ${a.outcome}${a.providerStatus ? ` (${a.providerStatus})` : ''}.`,
      ...(a.error ? { error: a.error } : {}), ...(a.outcome === 'sent' && (a.providerAnswer ?? n.providerMessageId) ? { providerId: (a.providerAnswer ?? n.providerMessageId)! } : {}),
      ...corr(n.correlationId), links: [link],
    })),
  ];
}

function refundEvents(r: RefundFacts): TimelineEvent[] {
  const link: RelatedLink = { kind: 'refund', id: r.id, label: money(r.amount, r.currency) };
  return [
    { at: r.createdAt.toISOString(), app: 'delivery', kind: 'refund.requested', summary: `Refund of ${money(r.amount, r.currency)} requested.`, status: 'PENDING', ...corr(r.correlationId), links: [link] },
    ...(r.processedAt ? [{ at: r.processedAt.toISOString(), app: 'delivery' as const, kind: 'refund.processed', summary: `Refund paid after ${r.attempts} attempt(s).`, status: 'PROCESSED', ...(r.providerRefundId ? { providerId: r.providerRefundId } : {}), ...corr(r.correlationId), links: [link] }] : []),
    ...(r.failedAt ? [{ at: r.failedAt.toISOString(), app: 'delivery' as const, kind: 'refund.failed', summary: `Refund failed after ${r.attempts} attempt(s): in manual review.`, status: 'FAILED', ...(r.lastError ? { error: r.lastError } : {}), ...corr(r.correlationId), links: [link] }] : []),
  ];
}

function deadLetterEvents(d: DeadLetterFacts): TimelineEvent[] {
  const link: RelatedLink = { kind: 'dead-letter', id: d.id, label: d.topic };
  return [
    { at: d.firstFailedAt.toISOString(), app: 'delivery', kind: 'dead-letter', summary: `A ${d.topic} message was dead-lettered${d.attempts ? ` after ${d.attempts} attempt(s)` : ''}${d.deadLetterCount > 1 ? ` (${d.deadLetterCount} times, last ${d.lastFailedAt.toISOString()})` : ''}.`, status: d.status, ...(d.lastError ? { error: d.lastError } : {}), ...corr(d.correlationId), links: [link] },
    ...(d.replayedAt ? [{ at: d.replayedAt.toISOString(), app: 'delivery' as const, kind: 'dead-letter.replayed', summary: `The ${d.topic} dead letter was replayed (${d.status}).`, status: d.status, ...corr(d.correlationId), links: [link] }] : []),
  ];
}

export function deliveryTimeline(facts: DeliveryFacts): TimelinePart {
  return {
    events: [...facts.notifications.flatMap(notificationEvents), ...facts.refunds.flatMap(refundEvents), ...facts.deadLetters.flatMap(deadLetterEvents)],
    related: [
      ...facts.refunds.map((r): RelatedLink => ({ kind: 'refund', id: r.id, label: `${money(r.amount, r.currency)} ${r.status}` })),
      ...facts.deadLetters.map((d): RelatedLink => ({ kind: 'dead-letter', id: d.id, label: `${d.topic} ${d.status}` })),
    ],
  };
}
