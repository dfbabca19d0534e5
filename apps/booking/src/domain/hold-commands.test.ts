import { isSameOfflinePayment, OFFLINE_PAYMENT_DEDUP_MS, offlinePaymentIdOf, offlinePaymentSchema, parseExpiryReminderData } from './hold-commands';

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

describe('offlinePaymentIdOf', () => {
  it('when a hold is paid offline again (a retried turn), then its payment id is the same, a version 5 UUID, and another hold gets another', () => {
    const hold = '3b2f9a54-7a0e-4c1b-9f55-1c2d3e4f5a6b';
    expect(offlinePaymentIdOf(hold)).toBe(offlinePaymentIdOf(hold));
    expect(offlinePaymentIdOf(hold)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(offlinePaymentIdOf('4b2f9a54-7a0e-4c1b-9f55-1c2d3e4f5a6b')).not.toBe(offlinePaymentIdOf(hold));
  });
  it('matches the uuid package\'s v5 for the same namespace and name', () => {
    // uuid v5('hold-1', '6f0d3c1e-2b7a-4c59-9e18-4a5b7d2c8f31'), computed once with the uuid package 8.3.2.
    expect(offlinePaymentIdOf('hold-1')).toBe('930d932c-374e-5226-8443-2e2fda5c2c88');
  });
});

describe('the hold expiry reminder\'s data', () => {
  const data = { showId: 'show-1', seatIds: ['A-1', 'A-2'] };

  it('when the runtime hands back the object, its JSON text or that text in base64, then the seats are read from each', () => {
    expect(parseExpiryReminderData(data)).toEqual(data);
    expect(parseExpiryReminderData(JSON.stringify(data))).toEqual(data);
    expect(parseExpiryReminderData(Buffer.from(JSON.stringify(data)).toString('base64'))).toEqual(data);
  });

  it('when the reminder carries nothing usable (registered before it carried data), then there is nothing to give back', () => {
    expect(parseExpiryReminderData(undefined)).toBeUndefined();
    expect(parseExpiryReminderData('')).toBeUndefined();
    expect(parseExpiryReminderData({ showId: 'show-1', seatIds: [] })).toBeUndefined();
    expect(parseExpiryReminderData('not json')).toBeUndefined();
  });
});
