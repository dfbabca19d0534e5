/**
 * What to undo when an order cannot finish: every completed step that left something behind at a
 * provider, undone in reverse order. A captured payment is refunded, which also settles its
 * authorization, so the authorization is released only when nothing was captured. Pure.
 *
 * The design's table follows from this one rule:
 *   rejected, approval timed out, reserve failed -> release the authorization
 *   capture failed                               -> release the reservation, release the authorization
 *   label failed                                 -> refund the capture, release the reservation
 *   notification failed                          -> nothing (the order ships; the failure is recorded)
 *   cancelled at any moment                      -> undo what completed, label included
 */

/** What a completed step left at a provider. */
export interface Holdings {
  authorizationId?: string;
  reservationId?: string;
  captureId?: string;
  /** A label accepted by the carrier, finished or still in progress. */
  labelId?: string;
}

export type Compensation =
  | { action: 'cancelLabel'; labelId: string }
  | { action: 'refundCapture'; captureId: string }
  | { action: 'releaseReservation'; reservationId: string }
  | { action: 'releaseAuthorization'; authorizationId: string };

export function compensationPlan(holdings: Holdings): Compensation[] {
  const plan: Compensation[] = [];
  if (holdings.labelId) plan.push({ action: 'cancelLabel', labelId: holdings.labelId });
  if (holdings.captureId) plan.push({ action: 'refundCapture', captureId: holdings.captureId });
  if (holdings.reservationId) plan.push({ action: 'releaseReservation', reservationId: holdings.reservationId });
  if (holdings.authorizationId && !holdings.captureId) plan.push({ action: 'releaseAuthorization', authorizationId: holdings.authorizationId });
  return plan;
}

/** Why an order stopped short of shipping, and the status it ends in. */
export type Stop =
  | { reason: 'rejected'; detail: string }
  | { reason: 'approval_timed_out' }
  | { reason: 'cancelled' }
  | { reason: 'step_failed'; step: string; detail: string };

export function finalStatusOf(stop: Stop): 'rejected' | 'failed' | 'cancelled' {
  if (stop.reason === 'rejected') return 'rejected';
  if (stop.reason === 'cancelled') return 'cancelled';
  return 'failed';
}

export function describeStop(stop: Stop): string {
  switch (stop.reason) {
    case 'rejected': return `rejected by the manager: ${stop.detail}`;
    case 'approval_timed_out': return 'no manager decision before the approval timeout';
    case 'cancelled': return 'cancelled';
    case 'step_failed': return `${stop.step} failed: ${stop.detail}`;
  }
}
