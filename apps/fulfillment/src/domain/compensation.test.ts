import { compensationPlan, describeStop, finalStatusOf } from './compensation';

const actions = (holdings: Parameters<typeof compensationPlan>[0]) => compensationPlan(holdings).map((c) => c.action);

describe('compensation plan', () => {
  it('when the saga stops after authorizing only (rejected, timed out, reserve failed), then the authorization is released', () => {
    expect(compensationPlan({ authorizationId: 'auth_1' })).toEqual([{ action: 'releaseAuthorization', authorizationId: 'auth_1' }]);
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
    expect(compensationPlan({})).toEqual([]);
  });

  it('when the saga stops, then rejection, cancellation and everything else end in their own statuses', () => {
    expect(finalStatusOf({ reason: 'rejected', detail: 'x' })).toBe('rejected');
    expect(finalStatusOf({ reason: 'cancelled' })).toBe('cancelled');
    expect(finalStatusOf({ reason: 'approval_timed_out' })).toBe('failed');
    expect(finalStatusOf({ reason: 'step_failed', step: 'reserve', detail: 'out of stock' })).toBe('failed');
    expect(describeStop({ reason: 'step_failed', step: 'reserve', detail: 'out of stock' })).toBe('reserve failed: out of stock');
  });
});
