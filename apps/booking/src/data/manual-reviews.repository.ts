/** The booking app's manual reviews (refunds it could not finish by itself), for the admin console: list and resolve. */
import type { Prisma, PrismaClient } from '@holdfast/shared';
import type { BookingRefundFacts } from '../domain/manual-review-retry';

export interface ReviewListQuery {
  status?: 'OPEN' | 'RESOLVED';
  kind?: string;
  limit: number;
  after?: { createdAt: Date; id: string };
}

export type ResolveOutcome = { kind: 'resolved'; review: ManualReviewRow } | { kind: 'not-found' } | { kind: 'not-open'; status: string };
export type ManualReviewRow = Prisma.ManualReviewGetPayload<object>;

export function createManualReviewsRepository(prisma: PrismaClient) {
  return {
    /** Newest first, keyset-paged (one more than asked: the caller knows a next page exists). */
    list(query: ReviewListQuery) {
      return prisma.manualReview.findMany({
        where: {
          status: query.status, kind: query.kind,
          ...(query.after ? { OR: [{ createdAt: { lt: query.after.createdAt } }, { createdAt: query.after.createdAt, id: { lt: query.after.id } }] } : {}),
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: query.limit + 1,
      });
    },

    find: (id: string) => prisma.manualReview.findUnique({ where: { id } }),

    /** What a cancellation refund's retry needs: the captured card payment and the amount decided at cancellation. */
    async bookingRefund(bookingId: string): Promise<BookingRefundFacts | undefined> {
      const booking = await prisma.booking.findUnique({ where: { id: bookingId }, include: { payments: true } });
      if (!booking) return undefined;
      const decided = await prisma.bookingCancellation.findUnique({ where: { bookingId } });
      const captured = booking.payments.find((p) => p.method === 'CARD' && p.captureId);
      return { captureId: captured?.captureId ?? null, amount: decided ? decided.refundAmount : booking.amount };
    },

    /**
     * Resolves an OPEN review once (the conditional update orders two resolutions: the second finds
     * it resolved), with its audit line; a retried cancellation refund also marks the booking's
     * payment refunded, as the saga does when its own refund succeeds.
     */
    async resolve(id: string, input: { resolution: string; resolvedBy: string; refundId?: string; correlationId?: string }): Promise<ResolveOutcome> {
      return prisma.$transaction(async (tx) => {
        const resolvedAt = new Date();
        const { count } = await tx.manualReview.updateMany({ where: { id, status: 'OPEN' }, data: { status: 'RESOLVED', resolvedAt, resolvedBy: input.resolvedBy, resolution: input.resolution } });
        const review = await tx.manualReview.findUnique({ where: { id } });
        if (!review) return { kind: 'not-found' as const };
        if (count === 0) return { kind: 'not-open' as const, status: review.status };
        if (input.refundId && review.kind === 'REFUND' && review.bookingId) {
          await tx.payment.updateMany({ where: { bookingId: review.bookingId, method: 'CARD', captureId: { not: null }, refundId: null }, data: { status: 'REFUNDED', refundId: input.refundId } });
        }
        await tx.auditLog.create({
          data: {
            entity: 'manual-review', entityId: id, action: 'resolved', fromState: 'OPEN', toState: 'RESOLVED', correlationId: input.correlationId,
            data: { kind: review.kind, bookingId: review.bookingId, resolvedBy: input.resolvedBy, resolution: input.resolution, refundId: input.refundId ?? null },
          },
        });
        return { kind: 'resolved' as const, review };
      });
    },
  };
}
export type ManualReviewsRepository = ReturnType<typeof createManualReviewsRepository>;
