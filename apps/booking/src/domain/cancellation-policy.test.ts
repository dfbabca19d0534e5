import { cancellationCutoff, decideCancellation, type CancellationPolicyInput } from './cancellation-policy';

const startsAt = new Date('2026-12-24T20:00:00Z');
const base: CancellationPolicyInput = {
  bookingStatus: 'CONFIRMED', showStatus: 'SCHEDULED', amountPaid: 5_000, tickets: [{ usedAt: null }, { usedAt: null }],
  showStartsAt: startsAt, cutoffMinutes: 60, concessions: null, preparingConcessions: { kind: 'no-refund' },
  now: new Date('2026-12-24T12:00:00Z'),
};
const until = new Date('2026-12-24T19:00:00Z');

describe('the customer cancellation policy', () => {
  it('when the booking is confirmed and it is before the cut-off, then it is allowed and refunded in full', () => {
    expect(decideCancellation(base)).toEqual({ allowed: true, until, refundAmount: 5_000, breakdown: { tickets: 5_000, concessions: 0, fee: 0 } });
  });

  it('when it is exactly the cut-off instant, then it is still allowed; a millisecond later it is CANCELLATION_CLOSED', () => {
    expect(decideCancellation({ ...base, now: until }).allowed).toBe(true);
    expect(decideCancellation({ ...base, now: new Date(until.getTime() + 1) })).toMatchObject({ allowed: false, code: 'CANCELLATION_CLOSED', until, refundAmount: 0 });
  });

  it('when the show has started or ended, then it is SHOW_STARTED (before CANCELLATION_CLOSED)', () => {
    expect(decideCancellation({ ...base, now: startsAt })).toMatchObject({ allowed: false, code: 'SHOW_STARTED' });
    expect(decideCancellation({ ...base, now: new Date(startsAt.getTime() + 3_600_000) })).toMatchObject({ allowed: false, code: 'SHOW_STARTED' });
    // An end known and passed, with a start in the future (a show moved): still no cancellation.
    expect(decideCancellation({ ...base, showStartsAt: new Date('2026-12-25T20:00:00Z'), showEndsAt: new Date('2026-12-24T11:00:00Z') })).toMatchObject({ allowed: false, code: 'SHOW_STARTED' });
  });

  it('when any ticket was scanned, then it is TICKET_USED, whatever the time', () => {
    const tickets = [{ usedAt: null }, { usedAt: new Date('2026-12-24T11:00:00Z') }];
    expect(decideCancellation({ ...base, tickets })).toMatchObject({ allowed: false, code: 'TICKET_USED', refundAmount: 0 });
    expect(decideCancellation({ ...base, tickets, now: startsAt })).toMatchObject({ code: 'TICKET_USED' });
  });

  it('when the booking is cancelling or cancelled, then BOOKING_CANCELLED; refunding or refunded (its show cancelled), then SHOW_CANCELLED', () => {
    for (const status of ['CANCELLING', 'CANCELLED']) expect(decideCancellation({ ...base, bookingStatus: status })).toMatchObject({ allowed: false, code: 'BOOKING_CANCELLED' });
    for (const status of ['REFUNDING', 'REFUNDED']) expect(decideCancellation({ ...base, bookingStatus: status })).toMatchObject({ allowed: false, code: 'SHOW_CANCELLED' });
  });

  it('when the cut-off is 0, then a cancellation is allowed up to the start', () => {
    expect(decideCancellation({ ...base, cutoffMinutes: 0, now: new Date(startsAt.getTime() - 1) })).toMatchObject({ allowed: true, until: startsAt });
  });

  it('when concessions are pending, then they are refunded with the tickets', () => {
    expect(decideCancellation({ ...base, concessions: { amount: 1_200, status: 'PENDING' } })).toMatchObject({
      allowed: true, refundAmount: 5_000, breakdown: { tickets: 3_800, concessions: 1_200, fee: 0 },
    });
  });

  it('when concessions are preparing under no-refund, then their part is kept', () => {
    expect(decideCancellation({ ...base, concessions: { amount: 1_200, status: 'PREPARING' } })).toMatchObject({
      allowed: true, refundAmount: 3_800, breakdown: { tickets: 3_800, concessions: 1_200, fee: 1_200 },
    });
  });

  it('when concessions are preparing under a fee, then the fee is kept, never more than the concessions part', () => {
    expect(decideCancellation({ ...base, concessions: { amount: 1_200, status: 'PREPARING' }, preparingConcessions: { kind: 'fee', fee: 300 } })).toMatchObject({
      allowed: true, refundAmount: 4_700, breakdown: { tickets: 3_800, concessions: 1_200, fee: 300 },
    });
    expect(decideCancellation({ ...base, concessions: { amount: 1_200, status: 'PREPARING' }, preparingConcessions: { kind: 'fee', fee: 9_999 } })).toMatchObject({ refundAmount: 3_800, breakdown: { fee: 1_200 } });
  });

  it('when the concessions order was cancelled (never prepared), then its part is refunded without a fee', () => {
    expect(decideCancellation({ ...base, concessions: { amount: 1_200, status: 'CANCELLED' } })).toMatchObject({ refundAmount: 5_000, breakdown: { tickets: 3_800, concessions: 1_200, fee: 0 } });
  });

  it('when the show was cancelled (its bookings left to their customers), then everything is refunded whatever the cut-off, a scan, the start or the kitchen', () => {
    const cancelled = { ...base, showStatus: 'CANCELLED', now: new Date(startsAt.getTime() + 60_000), tickets: [{ usedAt: new Date('2026-12-24T19:55:00Z') }], concessions: { amount: 1_200, status: 'PREPARING' } };
    expect(decideCancellation(cancelled)).toEqual({ allowed: true, until, refundAmount: 5_000, breakdown: { tickets: 3_800, concessions: 1_200, fee: 0 } });
  });

  it('when refused, then nothing is refunded but the breakdown still says the parts', () => {
    expect(decideCancellation({ ...base, now: startsAt, concessions: { amount: 1_000, status: 'PENDING' } })).toEqual({
      allowed: false, code: 'SHOW_STARTED', until, refundAmount: 0, breakdown: { tickets: 4_000, concessions: 1_000, fee: 0 },
    });
  });

  it('cancellationCutoff is the start minus the cut-off minutes', () => {
    expect(cancellationCutoff(startsAt, 90)).toEqual(new Date('2026-12-24T18:30:00Z'));
  });
});
