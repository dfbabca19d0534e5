/**
 * The payment provider's webhook events, each processed once. Receiving one is a single
 * transaction: the row is inserted first (or, when the id is known, its `deliveries` counted and
 * the row locked), so concurrent deliveries of one event queue on that row; then the event is
 * acted on and its outcome written, together with the changes it causes. A PROCESSED or IGNORED
 * event delivered again changes nothing but `deliveries`; a FAILED one is processed again.
 */
import { Prisma, type PrismaClient } from '@holdfast/shared';
import { HANDLED_EVENT_TYPES, refundNotice, type VerifiedEvent } from '../domain/payment-webhooks';

export type WebhookEventStatus = 'PROCESSED' | 'IGNORED' | 'FAILED';

export interface WebhookReceipt {
  eventId: string;
  status: WebhookEventStatus;
  /** Already PROCESSED or IGNORED by an earlier delivery: nothing was done this time. */
  duplicate: boolean;
  deliveries: number;
  error: string | null;
}

type Outcome = { status: WebhookEventStatus; error: string | null };

export function createWebhooksRepository(prisma: PrismaClient) {
  /** `charge.refunded`: the booking and its payments become REFUNDED, audited. */
  async function applyRefund(tx: Prisma.TransactionClient, event: VerifiedEvent, correlationId?: string): Promise<Outcome> {
    const notice = refundNotice(event.payload);
    if (!notice.ok) return { status: 'FAILED', error: notice.error };
    const { bookingId, refundId, amount, currency } = notice.value;
    // Locked: a cancellation saga or another refund event for this booking waits for us, and we for them.
    const [booking] = await tx.$queryRaw<Array<{ status: string }>>`SELECT status::text AS status FROM bookings WHERE id = ${bookingId}::uuid FOR UPDATE`;
    if (!booking) return { status: 'FAILED', error: `No booking ${bookingId} (refund ${refundId}).` };
    // Already refunded (an earlier refund event of this booking): nothing more to change.
    if (booking.status === 'REFUNDED') return { status: 'PROCESSED', error: null };
    await tx.payment.updateMany({ where: { bookingId }, data: { status: 'REFUNDED', refundId } });
    await tx.booking.update({ where: { id: bookingId }, data: { status: 'REFUNDED' } });
    await tx.auditLog.create({
      data: {
        entity: 'booking', entityId: bookingId, action: 'refunded', fromState: booking.status, toState: 'REFUNDED', correlationId,
        data: { refundId, amount, currency, webhookEventId: event.id },
      },
    });
    return { status: 'PROCESSED', error: null };
  }

  async function process(tx: Prisma.TransactionClient, event: VerifiedEvent, correlationId?: string): Promise<Outcome> {
    if (!(HANDLED_EVENT_TYPES as readonly string[]).includes(event.type)) return { status: 'IGNORED', error: null };
    return applyRefund(tx, event, correlationId);
  }

  return {
    async receive(event: VerifiedEvent, correlationId?: string): Promise<WebhookReceipt> {
      return prisma.$transaction(async (tx) => {
        // A new row starts FAILED, which nobody else sees before we commit: a concurrent delivery of
        // the same id waits on the unique index, then counts itself and reads our final status.
        const [row] = await tx.$queryRaw<Array<{ status: WebhookEventStatus; deliveries: number }>>`
          INSERT INTO webhook_events (id, type, payload, status, deliveries)
          VALUES (${event.id}, ${event.type}, ${JSON.stringify(event.payload)}::jsonb, 'FAILED', 1)
          ON CONFLICT (id) DO UPDATE SET deliveries = webhook_events.deliveries + 1
          RETURNING status::text AS status, deliveries`;
        if (!row) throw new Error(`webhook event ${event.id}: the insert returned no row`);
        if (row.status !== 'FAILED') return { eventId: event.id, status: row.status, duplicate: true, deliveries: row.deliveries, error: null };
        const outcome = await process(tx, event, correlationId);
        await tx.webhookEvent.update({
          where: { id: event.id },
          data: { status: outcome.status, error: outcome.error, processedAt: outcome.status === 'FAILED' ? null : new Date() },
        });
        return { eventId: event.id, status: outcome.status, duplicate: false, deliveries: row.deliveries, error: outcome.error };
      }, { timeout: 15_000 });
    },

    list(filter: { status?: WebhookEventStatus; limit: number }) {
      return prisma.webhookEvent.findMany({ where: filter.status ? { status: filter.status } : {}, orderBy: { receivedAt: 'desc' }, take: filter.limit });
    },
  };
}
export type WebhooksRepository = ReturnType<typeof createWebhooksRepository>;
