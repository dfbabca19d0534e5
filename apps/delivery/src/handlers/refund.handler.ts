/** refund.requested → one refund through the refund gateway binding, under the refund's own idempotency key. */
import type { Logger } from 'pino';
import { COMPONENTS, type CloudEvent } from '@holdfast/shared';
import type { RefundRequested } from '../domain/events';
import type { DeliveryStatus } from '../domain/outcome';
import type { BindingsClient } from '../adapters/bindings.client';
import type { RefundsRepository } from '../data/refunds.repository';

export function refundHandler(deps: { refunds: RefundsRepository; bindings: BindingsClient; logger: Logger }) {
  return async (request: RefundRequested, event: CloudEvent): Promise<DeliveryStatus> => {
    const job = await deps.refunds.open(request, event.id, event);
    const log = deps.logger.child({ refundJobId: job.id, refundKey: job.refundKey, bookingId: job.bookingId });
    if (job.status === 'PROCESSED') return 'SUCCESS';
    if (job.status === 'FAILED') {
      // In manual review: only POST /api/admin/refunds/:id/retry (or a dead-letter replay) puts it back to PENDING first.
      log.warn('refund.requested for a refund in manual review: ignored');
      return 'SUCCESS';
    }
    const claim = await deps.refunds.claim(job.id);
    if (claim !== 'go') {
      const reason = claim === 'done' ? 'the booking was already refunded' : "the customer's own cancellation refunds this booking";
      await deps.refunds.settledElsewhere(job.id, reason);
      log.info({ reason }, 'refund not sent: settled by another path');
      return 'SUCCESS';
    }
    const outcome = await deps.bindings.post({
      binding: COMPONENTS.refundBinding,
      body: { amount: job.amount, currency: job.currency, paymentReference: request.paymentReference, reason: job.reason ?? undefined, metadata: { bookingId: job.bookingId, refundKey: job.refundKey } },
      idempotencyKey: job.refundKey, correlationId: request.correlationId,
    }, 'refundId');
    if (outcome.kind === 'sent') {
      await deps.refunds.processed(job.id, 1, outcome.providerId);
      log.info({ providerRefundId: outcome.providerId }, 'refund processed');
      return 'SUCCESS';
    }
    await deps.refunds.attemptFailed(job.id, 1, outcome.reason);
    log.warn({ outcome: outcome.kind, reason: outcome.reason }, 'refund attempt failed');
    return outcome.kind === 'refused' ? 'DROP' : 'RETRY';
  };
}
