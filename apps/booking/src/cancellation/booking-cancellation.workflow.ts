/**
 * A customer's cancellation: CONFIRMED -> CANCELLING -> refund -> seats released -> CANCELLED.
 * A refund that cannot be made (refused, or still failing after the retries) becomes a manual
 * review, and the booking is cancelled all the same: nothing is lost silently.
 */
import type { Task, WorkflowContext } from '@dapr/dapr';
import { callActivityWithRetry, retryPolicySchema } from '@holdfast/shared';
import { CANCELLATION_ACTIVITIES as A, type CancellingBooking } from './booking-cancellation.activities';

export const BOOKING_CANCELLATION_WORKFLOW = 'bookingCancellation';
export const cancellationInstanceId = (bookingId: string) => `cancel-${bookingId}`;

export interface CancellationInput {
  bookingId: string;
  correlationId?: string;
}

export interface CancellationOutput {
  bookingId: string;
  status: 'CANCELLED';
  refundId?: string;
  manualReview: boolean;
}

/** Refunds: 4 attempts, waiting 1 s, 2 s, 4 s. */
export const REFUND_POLICY = retryPolicySchema.parse({ maxAttempts: 4, firstRetryIntervalMs: 1000, backoffCoefficient: 2 });
/** Our own database and actors: a few quick retries ride out a restart. */
const LOCAL_POLICY = retryPolicySchema.parse({ maxAttempts: 5, firstRetryIntervalMs: 500, backoffCoefficient: 2 });

export async function* bookingCancellation(ctx: WorkflowContext, input: CancellationInput): AsyncGenerator<Task<unknown>, CancellationOutput, any> {
  const booking = yield* callActivityWithRetry<CancellationInput, CancellingBooking>(ctx, A.markCancelling, input, LOCAL_POLICY);
  if (booking.alreadyCancelled) return { bookingId: booking.bookingId, status: 'CANCELLED', manualReview: false };

  let refundId: string | undefined;
  // An offline payment (seed 004) is paid back by the box office: markCancelling opened its review.
  // No new task here, so cancellations in flight when this was deployed replay unchanged.
  let manualReview = booking.offlineRefund === true;
  if (booking.captureId) {
    try {
      ({ refundId } = yield* callActivityWithRetry<unknown, { refundId: string }>(ctx, A.refund, { bookingId: booking.bookingId, captureId: booking.captureId, amount: booking.amount }, REFUND_POLICY));
    } catch (error) {
      manualReview = true;
      yield* callActivityWithRetry(ctx, A.recordManualReview, { bookingId: booking.bookingId, reason: error instanceof Error ? error.message : String(error) }, LOCAL_POLICY);
    }
  }
  yield* callActivityWithRetry(ctx, A.releaseSeats, { bookingId: booking.bookingId, holdId: booking.holdId, showId: booking.showId }, LOCAL_POLICY);
  yield* callActivityWithRetry(ctx, A.cancelConcessions, { bookingId: booking.bookingId }, LOCAL_POLICY);
  yield* callActivityWithRetry(ctx, A.markCancelled, { bookingId: booking.bookingId, refundId, manualReview, correlationId: input.correlationId }, LOCAL_POLICY);
  return { bookingId: booking.bookingId, status: 'CANCELLED', refundId, manualReview };
}
