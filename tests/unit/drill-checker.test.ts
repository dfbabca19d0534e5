/** The fault drill's checker (drill/checker.ts) finds what it must, from planted records (issue 16). */
import { checkInvariants, formatReport, keys, type DrillRecords, type ProviderCall } from '../../drill/checker';

const ok = (domain: string, operation: string, idempotencyKey: string): ProviderCall => ({ domain, operation, idempotencyKey, outcome: 'ok', replayed: false });
const at = (iso: string) => new Date(`2026-12-03T10:00:${iso}Z`);

/** A settled drill with nothing wrong: a kept booking, one the customer cancelled, one of a cancelled show refunded, an order shipped, one undone. */
function cleanRecords(): DrillRecords {
  const kept = { id: 'b-kept', holdId: 'h-kept', showId: 's-1', status: 'CONFIRMED' as const, customerPhone: null, paidByCard: true };
  const cancelled = { id: 'b-cancelled', holdId: 'h-cancelled', showId: 's-1', status: 'CANCELLED' as const, customerPhone: null, paidByCard: true };
  const refunded = { id: 'b-refunded', holdId: 'h-refunded', showId: 's-2', status: 'REFUNDED' as const, customerPhone: '+4915112345678', paidByCard: true };
  const bookings = [kept, cancelled, refunded];
  return {
    bookings,
    bookingSeats: [
      { bookingId: 'b-kept', showId: 's-1', seatId: 'A-1', releasedAt: null },
      { bookingId: 'b-cancelled', showId: 's-1', seatId: 'A-2', releasedAt: at('05') },
      { bookingId: 'b-refunded', showId: 's-2', seatId: 'B-1', releasedAt: at('09') },
    ],
    cancelledShowIds: ['s-2'],
    notifications: [
      ...bookings.map((b) => ({ key: keys.ticketEmail(b.id), status: 'SENT' as const, lastError: null })),
      { key: keys.showCancelledSms('b-refunded'), status: 'SENT', lastError: null },
    ],
    refundJobs: [{ bookingId: 'b-refunded', refundKey: keys.showCancelRefund('b-refunded'), status: 'PROCESSED', manualReviewId: null }],
    outbox: [{ id: 'e-1', type: 'booking.confirmed', aggregateId: 'b-kept', publishedAt: at('01') }, { id: 'e-notice', type: 'booking.show-cancelled', aggregateId: 'b-refunded', publishedAt: at('08') }],
    deadLetters: [
      { id: 'd-1', topic: 'booking.confirmed', status: 'REPLAYED', manualReviewReason: null },
      { id: 'd-2', topic: 'refund.requested', status: 'MANUAL_REVIEW', manualReviewReason: 'the refund gateway refused it (400)' },
    ],
    orders: [{ id: 'o-shipped', status: 'shipped' }, { id: 'o-failed', status: 'failed' }],
    providerCalls: [
      ...bookings.map((b) => ok('payment', 'capture', keys.capture(b.holdId))),
      ...bookings.map((b) => ok('email', 'send', keys.ticketEmail(b.id))),
      // A retry answered from the provider's memory of the key is not a second side effect.
      { ...ok('email', 'send', keys.ticketEmail('b-kept')), replayed: true },
      // A failed call is no side effect at all.
      { ...ok('payment', 'capture', keys.capture('h-kept')), outcome: '500' },
      ok('payment', 'refund', keys.cancellationRefund('b-cancelled')),
      ok('refund', 'create', keys.showCancelRefund('b-refunded')),
      ok('sms', 'send', keys.showCancelledSms('b-refunded')),
      // A confirmation that failed after its capture, undone by a refund: money back, no booking.
      ok('payment', 'capture', keys.capture('h-undone')),
      ok('payment', 'refund', keys.undoRefund('h-undone')),
    ],
    providerResources: [
      { id: 'auth-1', kind: 'authorization', status: 'captured', reference: 'o-shipped' },
      { id: 'cap-1', kind: 'capture', status: 'captured', reference: 'o-shipped', parentId: 'auth-1' },
      { id: 'res-1', kind: 'reservation', status: 'reserved', reference: 'o-shipped' },
      { id: 'auth-2', kind: 'authorization', status: 'released', reference: 'o-failed' },
      { id: 'res-2', kind: 'reservation', status: 'released', reference: 'o-failed' },
    ],
    activeHoldSamples: [{ holdId: 'h-other', expiresAt: at('10'), seenAt: at('11') }],
  };
}

const violationsOf = (records: DrillRecords) => Object.fromEntries(checkInvariants(records).invariants.filter((i) => i.violations.length > 0).map((i) => [i.name, i.violations]));

describe('the drill checker', () => {
  it('when nothing went wrong, then every invariant holds and each counted what it checked', () => {
    const report = checkInvariants(cleanRecords());
    expect(violationsOf(cleanRecords())).toEqual({});
    expect(report.ok).toBe(true);
    expect(Object.fromEntries(report.invariants.map((i) => [i.name, i.checked]))).toEqual({
      'captured-once': 3, 'capture-needs-booking': 5, 'ticket-emailed-once': 3, 'refunded-once': 3, 'cancelled-seats-released': 3,
      'seat-sold-once': 3, 'holds-expire': 1, 'sagas-finish-clean': 2, 'outbox-published': 2, 'dead-letters-handled': 2,
      'show-cancel-sms-once': 1, 'refund-jobs-finish': 1,
    });
    expect(formatReport(report)).toContain('checker: no violation');
  });

  it('when a booking was refunded twice (customer cancellation and show-cancellation refund), then refunded-once names it', () => {
    const records = cleanRecords();
    records.providerCalls.push(ok('payment', 'refund', keys.cancellationRefund('b-refunded')));
    expect(violationsOf(records)).toEqual({ 'refunded-once': [{ subject: 'b-refunded', detail: 'REFUNDED with 2 accepted refunds' }] });
  });

  it('when a ticket email was never accepted by the provider, then ticket-emailed-once names the booking', () => {
    const records = cleanRecords();
    records.providerCalls = records.providerCalls.filter((c) => c.idempotencyKey !== keys.ticketEmail('b-kept'));
    records.notifications[0]!.status = 'PENDING';
    expect(violationsOf(records)).toEqual({ 'ticket-emailed-once': [{ subject: 'b-kept', detail: `${keys.ticketEmail('b-kept')}: never accepted by the provider (notification PENDING)` }] });
  });

  it('when a cancelled booking of a show still on keeps its seat, then cancelled-seats-released names it; a cancelled show\'s bookings keep theirs unreported (the show sells nothing again)', () => {
    const records = cleanRecords();
    records.bookingSeats = records.bookingSeats.map((s) => ({ ...s, releasedAt: null }));
    expect(violationsOf(records)).toEqual({ 'cancelled-seats-released': [{ subject: 'b-cancelled', detail: 'seat A-2 of show s-1 still sold' }] });
  });

  it('when a seat is in two unreleased bookings, then seat-sold-once names the seat and both bookings', () => {
    const records = cleanRecords();
    records.bookings.push({ id: 'b-twice', holdId: 'h-twice', showId: 's-1', status: 'CONFIRMED', customerPhone: null, paidByCard: false });
    records.bookingSeats.push({ bookingId: 'b-twice', showId: 's-1', seatId: 'A-1', releasedAt: null });
    records.notifications.push({ key: keys.ticketEmail('b-twice'), status: 'SENT', lastError: null });
    records.providerCalls.push(ok('email', 'send', keys.ticketEmail('b-twice')));
    expect(violationsOf(records)).toEqual({ 'seat-sold-once': [{ subject: 's-1/A-1', detail: 'sold to 2 bookings: b-kept, b-twice' }] });
  });

  it('when an email was sent twice, a booking captured twice, or a kept booking refunded, then each is reported', () => {
    const records = cleanRecords();
    records.providerCalls.push(ok('email', 'send', keys.ticketEmail('b-cancelled')), ok('payment', 'capture', keys.capture('h-kept')), ok('payment', 'refund', keys.cancellationRefund('b-kept')));
    expect(violationsOf(records)).toEqual({
      'captured-once': [{ subject: 'b-kept', detail: `${keys.capture('h-kept')}: 2 accepted captures` }],
      'ticket-emailed-once': [{ subject: 'b-cancelled', detail: `${keys.ticketEmail('b-cancelled')}: accepted by the provider 2 times` }],
      'refunded-once': [{ subject: 'b-kept', detail: 'kept (CONFIRMED) but refunded 1 times' }],
    });
  });

  it('when money was captured for a confirmation that made no booking and never refunded, then capture-needs-booking reports the hold', () => {
    const records = cleanRecords();
    records.providerCalls.push(ok('payment', 'capture', keys.capture('h-lost')));
    expect(violationsOf(records)).toEqual({ 'capture-needs-booking': [{ subject: 'hold h-lost', detail: 'captured 1 times with no booking, refunded 0 times' }] });
  });

  it('when a saga is unfinished or a failed one still holds a reservation, or charged twice, then sagas-finish-clean reports each', () => {
    const records = cleanRecords();
    records.orders.push({ id: 'o-stuck', status: 'awaiting_approval' });
    records.providerResources.find((r) => r.id === 'res-2')!.status = 'reserved';
    records.providerResources.push({ id: 'cap-2', kind: 'capture', status: 'captured', reference: 'o-shipped', parentId: 'auth-1' });
    expect(violationsOf(records)).toEqual({
      'sagas-finish-clean': [
        { subject: 'o-shipped', detail: 'authorization auth-1 captured 2 times' },
        { subject: 'o-failed', detail: 'failed but still holds reservation res-2 (reserved)' },
        { subject: 'o-stuck', detail: 'still awaiting_approval after the platform settled' },
      ],
    });
  });

  it('when a hold stayed ACTIVE past its expiry while the scheduler was frozen, then only the lateness beyond the outage and its recovery allowance counts', () => {
    const records = cleanRecords();
    // Due at :10, the scheduler frozen :05-:20, so expiry may take until :50 (30 s to recover) plus the 2 s grace.
    records.expiryPathOutages = [{ from: at('05'), to: at('20') }];
    records.activeHoldSamples.push({ holdId: 'h-frozen', expiresAt: at('10'), seenAt: at('51') });
    expect(violationsOf(records)).toEqual({});
    records.activeHoldSamples.push({ holdId: 'h-frozen', expiresAt: at('10'), seenAt: at('55') });
    expect(violationsOf(records)).toEqual({ 'holds-expire': [{ subject: 'h-frozen', detail: 'seen ACTIVE 5.0 s after its expiry' }] });
  });

  it('when a hold stayed ACTIVE past its expiry plus the grace, an outbox row was never published, or a dead letter waits with no reason, then each is reported', () => {
    const records = cleanRecords();
    records.activeHoldSamples.push({ holdId: 'h-late', expiresAt: at('10'), seenAt: at('12') }, { holdId: 'h-late', expiresAt: at('10'), seenAt: at('15') });
    records.outbox.push({ id: 'e-2', type: 'refund.requested', aggregateId: 'b-refunded', publishedAt: null });
    records.deadLetters.push({ id: 'd-3', topic: 'booking.confirmed', status: 'PENDING', manualReviewReason: null }, { id: 'd-4', topic: 'booking.confirmed', status: 'MANUAL_REVIEW', manualReviewReason: null });
    expect(violationsOf(records)).toEqual({
      'holds-expire': [{ subject: 'h-late', detail: 'seen ACTIVE 5.0 s after its expiry' }],
      'outbox-published': [{ subject: 'e-2', detail: 'refund.requested of b-refunded never published' }],
      'dead-letters-handled': [
        { subject: 'd-3', detail: 'booking.confirmed: PENDING after the platform settled' },
        { subject: 'd-4', detail: 'booking.confirmed: MANUAL_REVIEW without a reason' },
      ],
    });
  });

  it('when a cancelled show\'s SMS was lost, a refund is stuck or a cancellation never finished, then each is reported; a refusal for good and a refund in manual review are not', () => {
    const records = cleanRecords();
    records.providerCalls = records.providerCalls.filter((c) => c.idempotencyKey !== keys.showCancelledSms('b-refunded'));
    records.notifications.find((n) => n.key === keys.showCancelledSms('b-refunded'))!.status = 'PENDING';
    records.bookings.push(
      { id: 'b-waiting', holdId: 'h-waiting', showId: 's-2', status: 'REFUNDING', customerPhone: '+4915100000000', paidByCard: true },
      { id: 'b-stuck', holdId: 'h-stuck', showId: 's-2', status: 'CANCELLING', customerPhone: null, paidByCard: true },
    );
    records.refundJobs.push({ bookingId: 'b-waiting', refundKey: keys.showCancelRefund('b-waiting'), status: 'FAILED', manualReviewId: 'mr-1' });
    records.outbox.push({ id: 'e-notice-2', type: 'booking.show-cancelled', aggregateId: 'b-waiting', publishedAt: at('08') });
    // Cancelled by its customer before the show was: the show's cancellation found it gone and texts nobody.
    records.bookings.push({ id: 'b-gone', holdId: 'h-gone', showId: 's-2', status: 'CANCELLED', customerPhone: '+4915100000001', paidByCard: true });
    records.providerCalls.push(ok('payment', 'refund', keys.cancellationRefund('b-gone')));
    for (const b of ['b-waiting', 'b-stuck', 'b-gone']) {
      records.providerCalls.push(ok('payment', 'capture', keys.capture(`h-${b.slice(2)}`)), ok('email', 'send', keys.ticketEmail(b)));
      records.notifications.push({ key: keys.ticketEmail(b), status: 'SENT', lastError: null });
    }
    // b-waiting's SMS was refused for good (an invalid number): recorded with its reason, not a loss.
    records.notifications.push({ key: keys.showCancelledSms('b-waiting'), status: 'FAILED', lastError: '400 invalid number' });
    records.refundJobs.push({ bookingId: 'b-other', refundKey: keys.showCancelRefund('b-other'), status: 'PENDING', manualReviewId: null });
    expect(violationsOf(records)).toEqual({
      'refunded-once': [{ subject: 'b-stuck', detail: 'CANCELLING after the platform settled: a cancellation never finished' }],
      'show-cancel-sms-once': [{ subject: 'b-refunded', detail: `${keys.showCancelledSms('b-refunded')}: never accepted by the provider (notification PENDING)` }],
      'refund-jobs-finish': [{ subject: keys.showCancelRefund('b-other'), detail: 'still PENDING after the platform settled' }],
    });
    expect(formatReport(checkInvariants(records))).toMatch(/FAIL refunded-once \(6 checked, 1 violations\)/);
  });
});
