/**
 * Refund jobs: PENDING until the gateway pays (PROCESSED, and the booking and its payment REFUNDED
 * in the same transaction) or every retry failed (FAILED, with a manual review and, above the alert
 * threshold, a refund.alert event through the outbox).
 */
import { Prisma, type PrismaClient } from '@holdfast/shared';
import { needsRefundAlert } from '../domain/messages';
import type { RefundRequested } from '../domain/events';

export const REFUND_REVIEW_KIND = 'refund-job';

export function createRefundsRepository(prisma: PrismaClient) {
  return {
    open(request: RefundRequested, eventId: string, event: unknown) {
      return prisma.refundJob.upsert({
        where: { refundKey: request.refundKey },
        create: {
          refundKey: request.refundKey, bookingId: request.bookingId, showId: request.showId ?? null, amount: request.amount, currency: request.currency,
          reason: request.reason, eventId, event: event as Prisma.InputJsonValue, correlationId: request.correlationId,
        },
        update: {},
      });
    },

    /**
     * Claims the booking's refund for this job before any money moves: CONFIRMED becomes REFUNDING
     * (the customer's own cancellation then refunds nothing). Answers 'go' when this job owns the
     * refund (now or from an earlier delivery), 'refunded-elsewhere' when the customer's cancellation
     * (CANCELLING, CANCELLED) owns it, 'done' when the booking is REFUNDED already.
     */
    async claim(jobId: string): Promise<'go' | 'refunded-elsewhere' | 'done'> {
      return prisma.$transaction(async (tx) => {
        const job = await tx.refundJob.findUniqueOrThrow({ where: { id: jobId } });
        const [booking] = await tx.$queryRaw<Array<{ status: string }>>`SELECT status::text AS status FROM bookings WHERE id = ${job.bookingId}::uuid FOR UPDATE`;
        if (!booking) return 'go';
        if (booking.status === 'REFUNDED') return 'done';
        if (booking.status === 'CANCELLING' || booking.status === 'CANCELLED') return 'refunded-elsewhere';
        if (booking.status === 'CONFIRMED') {
          await tx.booking.update({ where: { id: job.bookingId }, data: { status: 'REFUNDING' } });
          await tx.auditLog.create({ data: { entity: 'booking', entityId: job.bookingId, action: 'refunding', fromState: 'CONFIRMED', toState: 'REFUNDING', correlationId: job.correlationId, data: { refundJobId: job.id, refundKey: job.refundKey } } });
        }
        return 'go';
      });
    },

    /** Nothing to pay: the booking was refunded by another path. The job ends PROCESSED, saying so. */
    settledElsewhere(jobId: string, reason: string) {
      return prisma.refundJob.updateMany({ where: { id: jobId, status: { not: 'PROCESSED' } }, data: { status: 'PROCESSED', processedAt: new Date(), lastError: reason } });
    },

    async processed(jobId: string, attempts: number, providerRefundId: string | null) {
      return prisma.$transaction(async (tx) => {
        const job = await tx.refundJob.update({ where: { id: jobId }, data: { status: 'PROCESSED', processedAt: new Date(), providerRefundId, lastError: null, attempts: { increment: attempts } } });
        // Locked: the payment provider's charge.refunded webhook (booking app) may settle the same booking at the same moment.
        const [booking] = await tx.$queryRaw<Array<{ status: string }>>`SELECT status::text AS status FROM bookings WHERE id = ${job.bookingId}::uuid FOR UPDATE`;
        await tx.payment.updateMany({ where: { bookingId: job.bookingId, status: { in: ['CAPTURED', 'REFUNDED'] } }, data: { status: 'REFUNDED', refundId: providerRefundId } });
        if (booking && booking.status !== 'REFUNDED') {
          await tx.booking.update({ where: { id: job.bookingId }, data: { status: 'REFUNDED' } });
          await tx.auditLog.create({ data: { entity: 'booking', entityId: job.bookingId, action: 'refunded', fromState: booking.status, toState: 'REFUNDED', correlationId: job.correlationId, data: { refundJobId: job.id, refundKey: job.refundKey, providerRefundId, amount: job.amount } } });
        }
        if (job.manualReviewId) await tx.manualReview.update({ where: { id: job.manualReviewId }, data: { status: 'RESOLVED' } });
        return job;
      });
    },

    attemptFailed(jobId: string, attempts: number, reason: string) {
      return prisma.refundJob.update({ where: { id: jobId }, data: { lastError: reason, attempts: { increment: attempts } } });
    },


    /** Every retry is spent: FAILED, a manual review, and an alert above the threshold (major units). */
    async failForGood(refundKey: string, alertThresholdMajor: number) {
      return prisma.$transaction(async (tx) => {
        // Locked: a delivery of the same refund may still be running and commit PROCESSED meanwhile
        // (overlapping deliveries); a paid refund must never be marked FAILED.
        const [locked] = await tx.$queryRaw<Array<{ id: string }>>`SELECT id::text FROM refund_jobs WHERE refund_key = ${refundKey} FOR UPDATE`;
        const job = locked ? await tx.refundJob.findUnique({ where: { id: locked.id } }) : null;
        if (!job || job.status === 'PROCESSED') return job;
        const reason = `refund ${job.refundKey} failed after every retry: ${job.lastError ?? 'unknown error'}`;
        const data = { refundJobId: job.id, refundKey: job.refundKey, amount: job.amount, currency: job.currency, lastError: job.lastError } as Prisma.InputJsonValue;
        const review = await tx.manualReview.upsert({
          where: { kind_bookingId: { kind: REFUND_REVIEW_KIND, bookingId: job.bookingId } },
          create: { kind: REFUND_REVIEW_KIND, bookingId: job.bookingId, reason, data },
          update: { status: 'OPEN', reason, data },
        });
        const failed = await tx.refundJob.update({ where: { id: job.id }, data: { status: 'FAILED', failedAt: new Date(), manualReviewId: review.id } });
        // Only the first failure of this round alerts: a redelivered dead letter finds the job FAILED already.
        if (job.status !== 'FAILED' && needsRefundAlert(job.amount, alertThresholdMajor)) {
          await tx.outboxEvent.create({
            data: { aggregateId: job.bookingId, type: 'refund.alert', correlationId: job.correlationId, payload: { refundJobId: job.id, bookingId: job.bookingId, amount: job.amount, currency: job.currency, lastError: job.lastError, manualReviewId: review.id } },
          });
        }
        return failed;
      });
    },


    /** Undo a requeue whose replay could not be published: back to FAILED, in manual review. */
    unqueueEvents(eventIds: string[]) {
      return prisma.refundJob.updateMany({ where: { eventId: { in: eventIds }, status: 'PENDING' }, data: { status: 'FAILED', failedAt: new Date() } });
    },

    /** From manual review back to PENDING: the FAILED jobs of these refund.requested events (the caller publishes them again). */
    requeueEvents(eventIds: string[]) {
      return prisma.refundJob.updateMany({ where: { eventId: { in: eventIds }, status: 'FAILED' }, data: { status: 'PENDING', failedAt: null } });
    },

    find(jobId: string) {
      return prisma.refundJob.findUnique({ where: { id: jobId } });
    },

    list(status: 'PENDING' | 'PROCESSED' | 'FAILED' | undefined, limit: number) {
      return prisma.refundJob.findMany({ where: status ? { status } : {}, orderBy: { createdAt: 'desc' }, take: limit });
    },
  };
}
export type RefundsRepository = ReturnType<typeof createRefundsRepository>;
