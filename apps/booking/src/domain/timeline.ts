/**
 * A booking's story as the booking app recorded it (issue 13's timeline): rows in, events out;
 * pure. Every event is a row with its own time: the audit lines (hold placed, expired, released,
 * booking confirmed, cancelling, cancelled, refunded, offline payments), the payment row, the
 * cancellation decision, the manual reviews opened and resolved, and the outbox events with their
 * correlation ids. No time is derived: a fact without a row of its own is left out.
 */
import type { RelatedLink, TimelineEvent, TimelinePart } from '@holdfast/shared';

export interface AuditRow { entity: string; entityId: string; action: string; fromState: string | null; toState: string | null; data: unknown; correlationId: string | null; at: Date }
export interface PaymentRow { id: string; method: string; authorizationId: string | null; captureId: string | null; refundId: string | null; amount: number; currency: string; status: string; recordedBy: string | null; createdAt: Date }
export interface OutboxRow { id: string; type: string; correlationId: string | null; createdAt: Date; publishedAt: Date | null }
export interface ReviewRow { id: string; kind: string; reason: string; status: string; createdAt: Date; resolvedAt: Date | null; resolvedBy: string | null; resolution: string | null }
export interface CancellationRow { by: string; actor: string; reason: string | null; refundAmount: number; currency: string; createdAt: Date }

export interface BookingFacts {
  booking: { id: string; holdId: string; showId: string; status: string; amount: number; currency: string; customerEmail: string; createdAt: Date };
  show?: { id: string; title: string };
  audit: AuditRow[];
  payments: PaymentRow[];
  outbox: OutboxRow[];
  reviews: ReviewRow[];
  cancellation?: CancellationRow;
}

const money = (amount: number, currency: string) => `${(amount / 100).toFixed(2)} ${currency}`;
const record = (data: unknown): Record<string, unknown> => (data && typeof data === 'object' && !Array.isArray(data) ? data as Record<string, unknown> : {});
const text = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

function auditSummary(row: AuditRow): string {
  const data = record(row.data);
  switch (`${row.entity}.${row.action}`) {
    case 'hold.placed': return `Seats held (${Array.isArray(data.seatIds) ? data.seatIds.length : '?'}).`;
    case 'hold.expired': return 'The hold expired.';
    case 'hold.released': return 'The hold was released.';
    case 'hold.requoted': return `The hold was re-quoted under policy version ${String(data.policyVersion ?? '?')}.`;
    case 'hold.policy-escalated': return 'The show\'s policy kept changing: escalated to the admins.';
    case 'booking.confirmed': return 'Booking confirmed and paid.';
    case 'booking.cancelling': return 'Cancellation started.';
    case 'booking.cancelled': return data.refundId ? `Booking cancelled and refunded (${String(data.refundId)}).` : data.manualReview ? 'Booking cancelled; the refund waits for a person.' : 'Booking cancelled.';
    case 'booking.refunded': return `Refunded ${typeof data.amount === 'number' ? money(data.amount, String(data.currency ?? '')) : ''} after the show's cancellation.`.replace('  ', ' ');
    case 'payment.offline-recorded': return `Payment taken at the box office (${String(data.method ?? '').toLowerCase()}).`;
    case 'manual-review.resolved': return `Manual review resolved: ${String(data.resolution ?? '')}`;
    default: return `${row.entity} ${row.action}${row.toState ? ` (${row.toState})` : ''}.`;
  }
}

function auditEvent(row: AuditRow): TimelineEvent {
  const data = record(row.data);
  const actor = text(data.recordedBy) ?? text(data.resolvedBy) ?? text(data.cancelledBy);
  const providerId = text(data.refundId);
  const links: RelatedLink[] = row.entity === 'manual-review' ? [{ kind: 'manual-review', id: row.entityId }] : [];
  return {
    at: row.at.toISOString(), app: 'booking', kind: `${row.entity}.${row.action}`, summary: auditSummary(row),
    ...(row.correlationId ? { correlationId: row.correlationId } : {}), ...(row.toState ? { status: row.toState } : {}),
    ...(providerId ? { providerId } : {}), ...(actor ? { actor } : {}), ...(links.length ? { links } : {}),
  };
}

function paymentEvent(p: PaymentRow, correlationId?: string): TimelineEvent {
  const card = p.method === 'CARD';
  const ids = [p.authorizationId && `authorization ${p.authorizationId}`, p.captureId && `capture ${p.captureId}`, p.refundId && `refund ${p.refundId}`].filter(Boolean).join(', ');
  return {
    at: p.createdAt.toISOString(), app: 'booking', kind: card ? 'payment.captured' : 'payment.offline', status: p.status,
    summary: card ? `Card payment of ${money(p.amount, p.currency)} authorized and captured${ids ? ` (${ids})` : ''}.` : `${money(p.amount, p.currency)} paid at the box office (${p.method.toLowerCase()}).`,
    ...(p.captureId ?? p.authorizationId ? { providerId: (p.captureId ?? p.authorizationId)! } : {}),
    ...(p.recordedBy ? { actor: p.recordedBy } : {}), ...(correlationId ? { correlationId } : {}),
  };
}

/** The booking app's part of a booking's timeline. */
export function bookingTimeline(facts: BookingFacts): TimelinePart {
  const { booking } = facts;
  const confirmedCorrelation = facts.audit.find((a) => a.entity === 'booking' && a.action === 'confirmed')?.correlationId ?? undefined;
  // The audit's resolution line and the review row's resolvedAt are one fact: the audit line (with its correlation id) tells it.
  const auditedResolutions = new Set(facts.audit.filter((a) => a.entity === 'manual-review' && a.action === 'resolved').map((a) => a.entityId));
  const events: TimelineEvent[] = [
    ...facts.audit.map(auditEvent),
    ...facts.payments.map((p) => paymentEvent(p, confirmedCorrelation)),
    ...facts.outbox.map((o): TimelineEvent => ({
      at: o.createdAt.toISOString(), app: 'booking', kind: 'outbox.event', summary: `Event ${o.type} written${o.publishedAt ? ` (published ${o.publishedAt.toISOString()})` : ' (not published yet)'}.`,
      status: o.publishedAt ? 'PUBLISHED' : 'PENDING', ...(o.correlationId ? { correlationId: o.correlationId } : {}),
    })),
    ...facts.reviews.flatMap((r): TimelineEvent[] => [
      { at: r.createdAt.toISOString(), app: 'booking', kind: 'manual-review.opened', summary: `Manual review opened (${r.kind}): ${r.reason}`, status: 'OPEN', links: [{ kind: 'manual-review', id: r.id }] },
      ...(r.resolvedAt && !auditedResolutions.has(r.id) ? [{ at: r.resolvedAt.toISOString(), app: 'booking' as const, kind: 'manual-review.resolved', summary: `Manual review resolved: ${r.resolution ?? ''}`, status: 'RESOLVED', ...(r.resolvedBy ? { actor: r.resolvedBy } : {}), links: [{ kind: 'manual-review' as const, id: r.id }] }] : []),
    ]),
    ...(facts.cancellation ? [{
      at: facts.cancellation.createdAt.toISOString(), app: 'booking' as const, kind: 'cancellation.decided', actor: facts.cancellation.actor,
      summary: `Cancellation decided by ${facts.cancellation.by === 'ADMIN' ? 'an admin' : 'the customer'}: refund ${money(facts.cancellation.refundAmount, facts.cancellation.currency)}${facts.cancellation.reason ? ` (${facts.cancellation.reason})` : ''}.`,
    }] : []),
  ];
  const related: RelatedLink[] = [
    { kind: 'booking', id: booking.id, label: `${booking.status}, ${money(booking.amount, booking.currency)}` },
    { kind: 'show', id: booking.showId, ...(facts.show ? { label: facts.show.title } : {}) },
    ...facts.reviews.map((r): RelatedLink => ({ kind: 'manual-review', id: r.id, label: `${r.kind} ${r.status}` })),
  ];
  return { events, related };
}
