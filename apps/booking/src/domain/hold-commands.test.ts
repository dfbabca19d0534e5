import { isSameOfflinePayment, OFFLINE_PAYMENT_DEDUP_MS, offlinePaymentSchema } from './hold-commands';

describe('offline payments (seed 004)', () => {
  const recordedAt = '2026-01-11T10:00:00.000Z';
  const at = (ms: number) => Date.parse(recordedAt) + ms;

  it('when the same amount comes again within 5 minutes, then it is the same payment; later, or another amount, it is not', () => {
    expect(OFFLINE_PAYMENT_DEDUP_MS).toBe(5 * 60_000);
    expect(isSameOfflinePayment({ amount: 4000, recordedAt }, 4000, at(0))).toBe(true);
    expect(isSameOfflinePayment({ amount: 4000, recordedAt }, 4000, at(5 * 60_000 - 1))).toBe(true);
    expect(isSameOfflinePayment({ amount: 4000, recordedAt }, 4000, at(5 * 60_000))).toBe(false);
    expect(isSameOfflinePayment({ amount: 4000, recordedAt }, 4001, at(1_000))).toBe(false);
  });

  it('when the document\'s input {bookingId, amount, method, staffId} comes, then it is accepted; an unknown method or field is not', () => {
    expect(offlinePaymentSchema.safeParse({ bookingId: '8f0c7c5e-3c1b-4d0e-9a47-1f3a2b4c5d6e', amount: 4000, method: 'cash', staffId: 'staff-1' }).success).toBe(true);
    expect(offlinePaymentSchema.safeParse({ amount: 4000, method: 'card_terminal', recordedBy: 'staff-1', reference: 'slip-1' }).success).toBe(true);
    expect(offlinePaymentSchema.safeParse({ amount: 4000, method: 'cheque', recordedBy: 'staff-1' }).success).toBe(false);
    expect(offlinePaymentSchema.safeParse({ amount: 40.5, method: 'cash', recordedBy: 'staff-1' }).success).toBe(false);
    expect(offlinePaymentSchema.safeParse({ amount: 4000, method: 'cash', recordedBy: 'staff-1', price: 1 }).success).toBe(false);
    expect(offlinePaymentSchema.safeParse({ amount: 4000, method: 'cash' }).success).toBe(false);
  });
});
