import { compensationPlan, describeStop, finalStatusOf, noHoldings, recordCapture, type Holdings } from './compensation';

/** Holdings as the saga builds them: authorizations first, captures consuming them. */
function held(steps: { authorizationId?: string; reservationId?: string; captureId?: string; labelId?: string }): Holdings {
  const holdings = noHoldings();
  if (steps.authorizationId) holdings.authorizations.push(steps.authorizationId);
  if (steps.reservationId) holdings.reservationId = steps.reservationId;
  if (steps.captureId) recordCapture(holdings, steps.authorizationId!, steps.captureId);
  if (steps.labelId) holdings.labelId = steps.labelId;
  return holdings;
}
const actions = (steps: Parameters<typeof held>[0]) => compensationPlan(held(steps)).map((c) => c.action);

describe('compensation plan', () => {
  it('when the saga stops after authorizing only (rejected, timed out, reserve failed), then the authorization is released', () => {
    expect(compensationPlan(held({ authorizationId: 'auth_1' }))).toEqual([{ action: 'releaseAuthorization', authorizationId: 'auth_1' }]);
  });

  it('when the capture failed, then the reservation is released before the authorization', () => {
    expect(actions({ authorizationId: 'a', reservationId: 'r' })).toEqual(['releaseReservation', 'releaseAuthorization']);
  });

  it('when the label failed after the capture, then the capture is refunded and the reservation released, and the consumed authorization is left alone', () => {
    expect(actions({ authorizationId: 'a', reservationId: 'r', captureId: 'c' })).toEqual(['refundCapture', 'releaseReservation']);
  });

  it('when a label was accepted (cancel during the label step), then it is cancelled first', () => {
    expect(actions({ authorizationId: 'a', reservationId: 'r', captureId: 'c', labelId: 'l' })).toEqual(['cancelLabel', 'refundCapture', 'releaseReservation']);
  });

  it('when nothing was done, then there is nothing to undo', () => {
    expect(compensationPlan(noHoldings())).toEqual([]);
  });

  it('when a down-payment order stops after both payments were captured, then both are refunded, the latest first', () => {
    const holdings = held({ authorizationId: 'a1', reservationId: 'r', captureId: 'c1' });
    holdings.authorizations.push('a2');
    recordCapture(holdings, 'a2', 'c2');
    expect(compensationPlan(holdings)).toEqual([
      { action: 'refundCapture', captureId: 'c2' }, { action: 'refundCapture', captureId: 'c1' }, { action: 'releaseReservation', reservationId: 'r' },
    ]);
  });

  it('when a capture got no answer, then releasing its authorization carries what to refund should it turn out captured', () => {
    const holdings = held({ authorizationId: 'a', reservationId: 'r' });
    holdings.uncertainCapture = { authorizationId: 'a', keyStep: 'capture', amount: 500 };
    expect(compensationPlan(holdings)).toEqual([
      { action: 'releaseReservation', reservationId: 'r' },
      { action: 'releaseAuthorization', authorizationId: 'a', ifCaptured: { keyStep: 'capture', amount: 500 } },
    ]);
  });

  it('when a down payment expires unpaid, then only the reservation is released', () => {
    expect(actions({ reservationId: 'r' })).toEqual(['releaseReservation']);
    expect(finalStatusOf({ reason: 'unpaid' })).toBe('failed');
    expect(finalStatusOf({ reason: 'not_validated' })).toBe('failed');
  });

  it('when the saga stops, then rejection, cancellation and everything else end in their own statuses', () => {
    expect(finalStatusOf({ reason: 'rejected', detail: 'x' })).toBe('rejected');
    expect(finalStatusOf({ reason: 'cancelled' })).toBe('cancelled');
    expect(finalStatusOf({ reason: 'approval_timed_out' })).toBe('failed');
    expect(finalStatusOf({ reason: 'step_failed', step: 'reserve', detail: 'out of stock' })).toBe('failed');
    expect(describeStop({ reason: 'step_failed', step: 'reserve', detail: 'out of stock' })).toBe('reserve failed: out of stock');
  });
});
