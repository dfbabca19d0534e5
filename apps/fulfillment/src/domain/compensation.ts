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
 *   down payment unpaid in time                  -> release the reservation
 *   down payment paid, not validated in time     -> refund the down payment, release the reservation
 */

/** What the completed steps left at the providers, in the order they were made. */
export interface Holdings {
  /** Authorizations not (yet) captured. */
  authorizations: string[];
  /** Captured payments (a down-payment order has two: the down payment and the balance). */
  captures: string[];
  reservationId?: string;
  /** A label accepted by the carrier, finished or still in progress. */
  labelId?: string;
  /** A capture whose last attempt got no answer: it may have happened. */
  uncertainCapture?: { authorizationId: string; keyStep: string; amount: number };
}

export const noHoldings = (): Holdings => ({ authorizations: [], captures: [] });

export type Compensation =
  | { action: 'cancelLabel'; labelId: string }
  | { action: 'refundCapture'; captureId: string }
  | { action: 'releaseReservation'; reservationId: string }
  /** `ifCaptured`: the capture under this key may have happened; if the release is refused as captured, refund it. */
  | { action: 'releaseAuthorization'; authorizationId: string; ifCaptured?: { keyStep: string; amount: number } };

/** Undo in reverse: the label, then the captures (latest first), the reservation, the open authorizations. */
export function compensationPlan(holdings: Holdings): Compensation[] {
  const plan: Compensation[] = [];
  if (holdings.labelId) plan.push({ action: 'cancelLabel', labelId: holdings.labelId });
  for (const captureId of [...holdings.captures].reverse()) plan.push({ action: 'refundCapture', captureId });
  if (holdings.reservationId) plan.push({ action: 'releaseReservation', reservationId: holdings.reservationId });
  for (const authorizationId of [...holdings.authorizations].reverse()) {
    const uncertain = holdings.uncertainCapture?.authorizationId === authorizationId ? holdings.uncertainCapture : undefined;
    plan.push({ action: 'releaseAuthorization', authorizationId, ...(uncertain ? { ifCaptured: { keyStep: uncertain.keyStep, amount: uncertain.amount } } : {}) });
  }
  return plan;
}

/** A capture consumes its authorization: from then on it is refunded, not released. */
export function recordCapture(holdings: Holdings, authorizationId: string, captureId: string): void {
  holdings.authorizations = holdings.authorizations.filter((id) => id !== authorizationId);
  holdings.captures.push(captureId);
}

/** Why an order stopped short of shipping, and the status it ends in. */
export type Stop =
  | { reason: 'rejected'; detail: string }
  | { reason: 'approval_timed_out' }
  | { reason: 'unpaid' }
  | { reason: 'not_validated' }
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
    case 'unpaid': return 'the down payment was not paid in time; the stock is released';
    case 'not_validated': return 'not validated in time; the down payment is refunded and the stock released';
    case 'cancelled': return 'cancelled';
    case 'step_failed': return `${stop.step} failed: ${stop.detail}`;
  }
}
