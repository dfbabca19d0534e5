/** The side effects of cancelling a booking; each is idempotent, since a workflow may run it again. */
import type { WorkflowActivityContext } from '@dapr/dapr';
import { ACTOR_TYPES, invokeActor, NonRetryableError, type PrismaClient, type SidecarSettings } from '@holdfast/shared';
import type { PaymentsClient } from '../adapters/payments.client';

export const CANCELLATION_ACTIVITIES = {
  markCancelling: 'markBookingCancelling',
  refund: 'refundBookingPayment',
  recordManualReview: 'recordRefundManualReview',
  releaseSeats: 'releaseBookingSeats',
  cancelConcessions: 'cancelBookingConcessions',
  markCancelled: 'markBookingCancelled',
} as const;

/** The manual review a cancelled offline payment opens: the box office pays the money back and closes it. */
export const OFFLINE_REFUND_REVIEW = 'OFFLINE_REFUND';

export interface CancellingBooking {
  bookingId: string;
  holdId: string;
  showId: string;
  captureId: string | null;
  amount: number;
  /** CANCELLED already (a replay after the end, or a second request): nothing left to do. */
  alreadyCancelled: boolean;
  /**
   * Paid at a box office (cash, card terminal, transfer): no provider holds the money, so the box
   * office pays it back by hand; an OFFLINE_REFUND manual review (method, amount, who took it) was opened.
   */
  offlineRefund?: boolean;
}

export function createCancellationActivities(deps: { prisma: PrismaClient; payments: PaymentsClient; sidecar: SidecarSettings }) {
  const { prisma } = deps;

  async function markBookingCancelling(_ctx: WorkflowActivityContext, input: { bookingId: string; correlationId?: string }): Promise<CancellingBooking> {
    return prisma.$transaction(async (tx) => {
      // Row-locked: the delivery app's show-cancellation refund claims the same booking (CONFIRMED ->
      // REFUNDING) under the same lock, so exactly one of the two refunds it.
      await tx.$queryRaw`SELECT 1 FROM bookings WHERE id = ${input.bookingId}::uuid FOR UPDATE`;
      const booking = await tx.booking.findUniqueOrThrow({ where: { id: input.bookingId }, include: { payments: true } });
      if (booking.status === 'CONFIRMED') {
        await tx.booking.update({ where: { id: booking.id }, data: { status: 'CANCELLING' } });
        await tx.auditLog.create({ data: { entity: 'booking', entityId: booking.id, action: 'cancelling', fromState: 'CONFIRMED', toState: 'CANCELLING', correlationId: input.correlationId } });
      }
      const payment = booking.payments.find((p) => p.captureId);
      // Issue 19: the refund decided under the booking's lock when it moved to CANCELLING (the policy's,
      // or an admin's override), never recomputed from a state that has changed since. None (a saga
      // started before the policy existed): the whole amount, as then.
      const decided = await tx.bookingCancellation.findUnique({ where: { bookingId: booking.id } });
      const refundAmount = decided ? decided.refundAmount : booking.amount;
      // REFUNDING/REFUNDED: the show was cancelled and its refund job owns the refund (delivery app);
      // refunding here too would pay twice (the two paths reach different provider operations).
      const settled = booking.status === 'CANCELLED' || booking.status === 'REFUNDING' || booking.status === 'REFUNDED';
      const offline = booking.payments.find((p) => p.method !== 'CARD' && p.status === 'CAPTURED');
      if (offline && !settled && refundAmount > 0) {
        // Once per booking (the unique kind and booking), however often this activity runs.
        await tx.manualReview.upsert({
          where: { kind_bookingId: { kind: OFFLINE_REFUND_REVIEW, bookingId: booking.id } },
          create: {
            kind: OFFLINE_REFUND_REVIEW, bookingId: booking.id, reason: `pay back ${Math.min(refundAmount, offline.amount)} ${offline.currency} (${offline.method.toLowerCase()}) at the box office`,
            data: { paymentId: offline.id, method: offline.method, amount: Math.min(refundAmount, offline.amount), paid: offline.amount, currency: offline.currency, recordedBy: offline.recordedBy, reference: offline.reference },
          },
          update: {},
        });
      }
      // Nothing to refund (a policy keeping it all, an override of 0): no capture to refund from, so the saga calls no provider.
      return { bookingId: booking.id, holdId: booking.holdId, showId: booking.showId, captureId: refundAmount > 0 ? payment?.captureId ?? null : null, amount: refundAmount, alreadyCancelled: settled, offlineRefund: Boolean(offline) && refundAmount > 0 };
    });
  }

  async function refundBookingPayment(_ctx: WorkflowActivityContext, input: { bookingId: string; captureId: string; amount: number }): Promise<{ refundId: string }> {
    const result = await deps.payments.refund({ captureId: input.captureId, amount: input.amount }, `booking-${input.bookingId}-refund`);
    if (result.ok) return result.value;
    if (result.kind === 'unavailable') throw new Error(`refund provider unavailable (${result.status ?? 'no answer'})`);
    throw new NonRetryableError(`refund refused with ${result.status}`);
  }

  async function recordRefundManualReview(_ctx: WorkflowActivityContext, input: { bookingId: string; reason: string }): Promise<void> {
    await prisma.manualReview.upsert({
      where: { kind_bookingId: { kind: 'REFUND', bookingId: input.bookingId } },
      create: { kind: 'REFUND', bookingId: input.bookingId, reason: input.reason },
      update: { reason: input.reason },
    });
  }

  async function releaseBookingSeats(_ctx: WorkflowActivityContext, input: { bookingId: string; holdId: string; showId: string }): Promise<void> {
    const seatIds = (await prisma.bookingSeat.findMany({ where: { bookingId: input.bookingId }, select: { seatId: true } })).map((s) => s.seatId);
    await prisma.$transaction([
      prisma.bookingSeat.updateMany({ where: { bookingId: input.bookingId, releasedAt: null }, data: { releasedAt: new Date() } }),
      prisma.seatClaim.deleteMany({ where: { holdId: input.holdId, kind: 'SOLD' } }),
    ]);
    await invokeActor(deps.sidecar, ACTOR_TYPES.show, input.showId, 'releaseSold', { holdId: input.holdId, seatIds });
  }

  /** The kitchen does not prepare for a cancelled booking: its order and reminder go. */
  async function cancelBookingConcessions(_ctx: WorkflowActivityContext, input: { bookingId: string }): Promise<void> {
    const order = await prisma.concessionOrder.findUnique({ where: { bookingId: input.bookingId } });
    if (order) await invokeActor(deps.sidecar, ACTOR_TYPES.kitchenPrep, order.id, 'cancel');
  }

  async function markBookingCancelled(_ctx: WorkflowActivityContext, input: { bookingId: string; refundId?: string; manualReview: boolean; correlationId?: string }): Promise<void> {
    await prisma.$transaction(async (tx) => {
      const { count } = await tx.booking.updateMany({ where: { id: input.bookingId, status: 'CANCELLING' }, data: { status: 'CANCELLED' } });
      if (count === 0) return;
      if (input.refundId) await tx.payment.updateMany({ where: { bookingId: input.bookingId }, data: { status: 'REFUNDED', refundId: input.refundId } });
      await tx.outboxEvent.create({ data: { aggregateId: input.bookingId, type: 'booking.cancelled', correlationId: input.correlationId, payload: { bookingId: input.bookingId, refunded: Boolean(input.refundId), refundId: input.refundId ?? null, manualReview: input.manualReview } } });
      await tx.auditLog.create({ data: { entity: 'booking', entityId: input.bookingId, action: 'cancelled', fromState: 'CANCELLING', toState: 'CANCELLED', correlationId: input.correlationId, data: { refundId: input.refundId ?? null, manualReview: input.manualReview } } });
    });
  }

  return {
    [CANCELLATION_ACTIVITIES.markCancelling]: markBookingCancelling,
    [CANCELLATION_ACTIVITIES.refund]: refundBookingPayment,
    [CANCELLATION_ACTIVITIES.recordManualReview]: recordRefundManualReview,
    [CANCELLATION_ACTIVITIES.releaseSeats]: releaseBookingSeats,
    [CANCELLATION_ACTIVITIES.cancelConcessions]: cancelBookingConcessions,
    [CANCELLATION_ACTIVITIES.markCancelled]: markBookingCancelled,
  };
}
