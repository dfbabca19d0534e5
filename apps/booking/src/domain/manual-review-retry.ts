/**
 * Which refund a manual review's retry asks for again, decided from the review and what the booking
 * app recorded; pure. The retry replays the very call the app made, under the same idempotency
 * key, so a refund that did land at the provider is answered again and never paid twice.
 */

/** A hold that ended without a booking (HoldActor.settlePayment) and a customer's cancellation whose refund failed (the cancellation saga). */
export const RETRYABLE_KINDS = ['hold-refund', 'REFUND'] as const;

export interface ReviewFacts {
  kind: string;
  bookingId: string | null;
  data: unknown;
}

export interface BookingRefundFacts {
  /** The captured card payment's capture id, if any. */
  captureId: string | null;
  /** The refund decided at cancellation (BookingCancellation), else the booking's amount. */
  amount: number;
}

export type RetryPlan =
  | { retry: true; captureId: string; amount: number; idempotencyKey: string }
  | { retry: false; reason: string };

const holdData = (data: unknown): { holdId?: string; captureId?: string | null; amount?: number } =>
  (data && typeof data === 'object' ? data : {}) as { holdId?: string; captureId?: string | null; amount?: number };

export function retryPlan(review: ReviewFacts, booking?: BookingRefundFacts): RetryPlan {
  if (review.kind === 'hold-refund') {
    const { holdId, captureId, amount } = holdData(review.data);
    // Without a capture id the money may still be authorized, not captured: only a person knows what to do.
    if (!holdId || !captureId || typeof amount !== 'number') return { retry: false, reason: 'this hold review names no captured payment to refund' };
    return { retry: true, captureId, amount, idempotencyKey: `hold-${holdId}-refund` };
  }
  if (review.kind === 'REFUND') {
    if (!review.bookingId || !booking) return { retry: false, reason: 'the booking of this review is not found' };
    if (!booking.captureId) return { retry: false, reason: 'the booking has no captured card payment' };
    if (booking.amount <= 0) return { retry: false, reason: 'the cancellation refunds nothing' };
    return { retry: true, captureId: booking.captureId, amount: booking.amount, idempotencyKey: `booking-${review.bookingId}-refund` };
  }
  return { retry: false, reason: `a ${review.kind} review has no automatic retry: resolve it once it is done by hand` };
}
