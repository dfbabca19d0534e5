import { retryPlan } from './manual-review-retry';

describe('retryPlan', () => {
  it('when a hold review names its capture, then the hold\'s own refund key and amount', () => {
    expect(retryPlan({ kind: 'hold-refund', bookingId: null, data: { holdId: 'h1', captureId: 'cap_1', amount: 2500 } }))
      .toEqual({ retry: true, captureId: 'cap_1', amount: 2500, idempotencyKey: 'hold-h1-refund' });
  });

  it('when a hold review has no capture (the provider did not answer), then no retry', () => {
    expect(retryPlan({ kind: 'hold-refund', bookingId: null, data: { holdId: 'h1', captureId: null, amount: 2500 } }).retry).toBe(false);
    expect(retryPlan({ kind: 'hold-refund', bookingId: null, data: null }).retry).toBe(false);
  });

  it('when a cancellation refund failed, then the booking\'s refund key, its capture and the decided amount', () => {
    expect(retryPlan({ kind: 'REFUND', bookingId: 'b1', data: null }, { captureId: 'cap_2', amount: 1200 }))
      .toEqual({ retry: true, captureId: 'cap_2', amount: 1200, idempotencyKey: 'booking-b1-refund' });
  });

  it('when the booking has no capture or refunds nothing, or the review is of another kind, then no retry', () => {
    expect(retryPlan({ kind: 'REFUND', bookingId: 'b1', data: null }, { captureId: null, amount: 1200 }).retry).toBe(false);
    expect(retryPlan({ kind: 'REFUND', bookingId: 'b1', data: null }, { captureId: 'c', amount: 0 }).retry).toBe(false);
    expect(retryPlan({ kind: 'REFUND', bookingId: 'b1', data: null }).retry).toBe(false);
    expect(retryPlan({ kind: 'OFFLINE_REFUND', bookingId: 'b1', data: {} }).retry).toBe(false);
  });
});
