/**
 * Seed 004 (error recovery workflows), driven as the document's client drives it: through the
 * gateway with the client credential (`stack.invoke`), the admin bearer token where security asks
 * for more than the document, and the Stripe webhook on the booking app's port as Stripe calls it.
 * docs/contracts.md's "Seed 004" rows name these tests.
 *
 * One describe block per section of the document. The health checks and the dead-letter
 * re-processing (Monitoring & Alerting) belong in describe blocks of their own at the end.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import Stripe from 'stripe';
import { eventually, startBookingStack, type AppStack } from '../../support/app-stack';
import { paymentCallsAbout, recordedCalls, resetProviders } from '../../support/providers-client';
import { loadTestRun } from '../../support/test-env';

let stack: AppStack;
let db: Client;
let showId: string;
let seat = 0;
/** Stalls seats cost 4000 (minor units, EUR) under the show's policy. */
const SEAT_PRICE = 4000;

interface Booking { bookingId: string; holdId: string; status: string; amount: number; currency: string; seats: string[] }
interface Problem { code: string; detail?: string; expected?: number; currency?: string }
interface OfflineAnswer extends Booking { payment: { paymentId: string; method: string; amount: number; recordedBy: string; reference: string | null; status: string }; duplicate?: boolean }

beforeAll(async () => {
  stack = await startBookingStack({ logName: 'contract-seed-004' });
  db = new Client({ connectionString: stack.run.databaseUrl });
  await db.connect();
  const created = await stack.invoke<{ showId: string }>('POST', '/api/admin/shows', {
    title: 'Error recovery', startsAt: new Date(Date.now() + 86_400_000).toISOString(),
    venue: { name: 'Slot', sections: [{ name: 'Stalls', zone: 'front', rows: [{ label: 'A', seats: 60 }] }] },
    policy: { currency: 'EUR', zonePrices: { front: SEAT_PRICE } },
  }, admin());
  expect(created.status).toBe(201);
  showId = created.body.showId;
});
afterAll(async () => {
  await db?.end();
  await stack?.stop();
});
beforeEach(() => resetProviders());

function admin(): Record<string, string> {
  return { authorization: `Bearer ${stack.run.adminApiToken}` };
}
const nextSeats = (n = 1) => Array.from({ length: n }, () => `STALLS-A-${++seat}`);

async function placeHold(seatIds: string[], ttlSeconds = 300, customerId = 'user-004'): Promise<{ holdId: string; expiresAt: string }> {
  const response = await stack.invoke<{ holdId: string; expiresAt: string }>('POST', `/api/shows/${showId}/holds`, { seatIds, customerId, customerEmail: 'user@example.com', ttlSeconds });
  expect(response.status).toBe(201);
  return response.body;
}
const holdStatus = async (holdId: string) => (await stack.invoke<{ status: string }>('GET', `/api/holds/${holdId}`)).body.status;
const seatStatus = async (seatId: string) => (await stack.invoke<{ seats: Array<{ id: string; status: string }> }>('GET', `/api/shows/${showId}/seats`)).body.seats.find((s) => s.id === seatId)?.status;
const outbox = async (type: string, where: string, value: string) =>
  (await db.query(`SELECT payload FROM outbox_events WHERE type = $1 AND ${where} = $2`, [type, value])).rows.map((r: { payload: unknown }) => r.payload);
const captures = async (holdId: string) => (await recordedCalls({ domain: 'payment', operation: 'capture', idempotencyKey: `hold-${holdId}-capture` })).filter((c) => c.outcome === 'ok' && !c.replayed);


describe('seed 004: booking hold expiration and the confirmation racing it', () => {
  it('when a hold is confirmed without an Idempotency-Key, then the hold is the key and it becomes a booking', async () => {
    const { holdId } = await placeHold(nextSeats());
    const confirmed = await stack.invoke<Booking>('POST', `/api/holds/${holdId}/confirm`, { payment: { token: 'tok_visa' } });
    expect(confirmed).toMatchObject({ status: 201, body: { holdId, status: 'CONFIRMED', amount: SEAT_PRICE } });
    expect(await holdStatus(holdId)).toBe('CONFIRMED');
  });

  it('when a confirmed hold is confirmed again (another key or none), then it returns the existing booking with 200 and charges nothing more', async () => {
    const { holdId } = await placeHold(nextSeats());
    const first = await stack.invoke<Booking>('POST', `/api/holds/${holdId}/confirm`, { payment: { token: 'tok_visa' } }, { 'idempotency-key': randomUUID() });
    expect(first.status).toBe(201);
    const other = await stack.invoke<Booking>('POST', `/api/holds/${holdId}/confirm`, { payment: { token: 'tok_visa' } }, { 'idempotency-key': randomUUID() });
    expect(other).toMatchObject({ status: 200, body: { bookingId: first.body.bookingId, status: 'CONFIRMED' } });
    const none = await stack.invoke<Booking>('POST', `/api/holds/${holdId}/confirm`, { payment: { token: 'tok_visa' } });
    expect(none).toMatchObject({ status: 200, body: { bookingId: first.body.bookingId } });
    expect(await captures(holdId)).toHaveLength(1);
    expect((await db.query('SELECT count(*)::int AS n FROM bookings WHERE hold_id = $1', [holdId])).rows[0].n).toBe(1);
  });

  it('when a hold expires (its 5 s reminder, the clock shortened by ttlSeconds), then its seats are released, booking.hold.expired is written once, and a confirmation is a 410 "Hold has expired"', async () => {
    const seatIds = nextSeats(2);
    const ttlSeconds = 5;
    const { holdId, expiresAt } = await placeHold(seatIds, ttlSeconds, 'user-expiring');
    // Bounded at three times the hold's ttlSeconds, as every timing here.
    await eventually(() => holdStatus(holdId), (s) => s === 'EXPIRED', 3 * ttlSeconds * 1000, 100);
    expect(await seatStatus(seatIds[0]!)).toBe('AVAILABLE');

    const late = await stack.invoke<Problem>('POST', `/api/holds/${holdId}/confirm`, { payment: { token: 'tok_visa' } });
    expect(late).toMatchObject({ status: 410, body: { code: 'HOLD_EXPIRED', detail: expect.stringContaining('Hold has expired. Please create a new booking.') } });
    expect(await paymentCallsAbout({}, holdId)).toHaveLength(0);

    // Written in the transaction that ended the hold; the delivery app's outbox relay publishes it on topic booking.hold.expired.
    const events = await outbox('booking.hold.expired', "payload->>'holdId'", holdId);
    expect(events).toEqual([{ holdId, showId, customerId: 'user-expiring', seatIds: [...seatIds].sort(), expiresAt: new Date(expiresAt).toISOString(), expiredAt: expect.any(String) }]);
    expect(Date.parse((events[0] as { expiredAt: string }).expiredAt)).toBeGreaterThanOrEqual(Date.parse(expiresAt));
  });

  it('when a hold is released by its customer, then no booking.hold.expired is written (only expiries are)', async () => {
    const { holdId } = await placeHold(nextSeats());
    expect((await stack.invoke('DELETE', `/api/holds/${holdId}`)).status).toBe(200);
    expect(await outbox('booking.hold.expired', "payload->>'holdId'", holdId)).toEqual([]);
  });
});

describe('seed 004: double-booking prevention', () => {
  it('when two users hold the same slot at the same time, then exactly one gets it and the other a 409 "no longer available"', async () => {
    const [contested] = nextSeats();
    const answers = await Promise.all(['user-a', 'user-b'].map((customerId) =>
      stack.invoke<{ holdId?: string; code?: string }>('POST', `/api/shows/${showId}/holds`, { seatIds: [contested], customerId, customerEmail: `${customerId}@example.com` })));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    expect(answers.find((a) => a.status === 409)!.body.code).toBe('SEAT_UNAVAILABLE');
    expect((await db.query('SELECT count(*)::int AS n FROM seat_claims WHERE show_id = $1 AND seat_id = $2', [showId, contested])).rows[0].n).toBe(1);
  });
});

describe('seed 004: Stripe webhook delivery (POST /webhooks/stripe)', () => {
  let secret: string;
  beforeAll(() => {
    ({ paymentsWebhookSecret: secret } = loadTestRun());
  });

  /** As Stripe calls it: the app's public port, no credential but the `stripe-signature` header. */
  async function deliver(path: string, body: string, signature: string | undefined) {
    const response = await fetch(`${stack.appUrl}${path}`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...(signature === undefined ? {} : { 'stripe-signature': signature }) }, body,
    });
    return { status: response.status, body: (await response.json()) as { received?: boolean; duplicate?: boolean; status?: string; code?: string } };
  }
  const sign = (payload: string, withSecret = secret) => Stripe.webhooks.generateTestHeaderString({ payload, secret: withSecret, timestamp: Math.floor(Date.now() / 1000) });

  async function paidBooking(): Promise<Booking> {
    const { holdId } = await placeHold(nextSeats());
    return (await stack.invoke<Booking>('POST', `/api/holds/${holdId}/confirm`, { payment: { token: 'tok_visa' } })).body;
  }
  const refundEvent = (bookingId: string) => ({
    id: `evt_${randomUUID().replace(/-/g, '')}`, object: 'event', type: 'charge.refunded', created: Math.floor(Date.now() / 1000),
    data: { object: { id: `re_${randomUUID().replace(/-/g, '')}`, object: 'refund', amount: SEAT_PRICE, currency: 'eur', status: 'succeeded', metadata: { bookingId } } },
  });

  it('when Stripe delivers a signed event, then it is {received: true}; delivered again, {received: true, duplicate: true}, processed once', async () => {
    const booking = await paidBooking();
    const payload = JSON.stringify(refundEvent(booking.bookingId));
    const first = await deliver('/webhooks/stripe', payload, sign(payload));
    expect(first).toMatchObject({ status: 200, body: { received: true } });
    expect(first.body.duplicate).toBeUndefined();
    expect(await deliver('/webhooks/stripe', payload, sign(payload))).toEqual({ status: 200, body: { received: true, duplicate: true } });
    expect((await stack.invoke<{ status: string }>('GET', `/api/bookings/${booking.bookingId}`)).body.status).toBe('REFUNDED');
    expect((await db.query("SELECT count(*)::int AS n FROM audit_log WHERE entity = 'booking' AND entity_id = $1 AND action = 'refunded'", [booking.bookingId])).rows[0].n).toBe(1);
  });

  it('when the signature does not verify, then it is a 400 and nothing is recorded', async () => {
    const booking = await paidBooking();
    const event = refundEvent(booking.bookingId);
    const payload = JSON.stringify(event);
    expect(await deliver('/webhooks/stripe', payload, sign(payload, 'whsec_not_the_secret'))).toMatchObject({ status: 400, body: { code: 'WEBHOOK_SIGNATURE_INVALID' } });
    expect(await deliver('/webhooks/stripe', payload, undefined)).toMatchObject({ status: 400, body: { code: 'WEBHOOK_SIGNATURE_INVALID' } });
    expect((await db.query('SELECT count(*)::int AS n FROM webhook_events WHERE id = $1', [event.id])).rows[0].n).toBe(0);
    expect((await stack.invoke<{ status: string }>('GET', `/api/bookings/${booking.bookingId}`)).body.status).toBe('CONFIRMED');
  });

  it('when one event comes on /webhooks/payments and again on /webhooks/stripe, then they are one endpoint: the second is a duplicate', async () => {
    const booking = await paidBooking();
    const payload = JSON.stringify(refundEvent(booking.bookingId));
    expect(await deliver('/webhooks/payments', payload, sign(payload))).toMatchObject({ status: 200, body: { received: true, status: 'PROCESSED' } });
    expect(await deliver('/webhooks/stripe', payload, sign(payload))).toEqual({ status: 200, body: { received: true, duplicate: true } });
  });
});

describe('seed 004: offline payment recording (box office, admin token)', () => {
  const record = (holdId: string, body: Record<string, unknown>, headers: Record<string, string> = admin()) =>
    stack.invoke<OfflineAnswer & Problem>('POST', `/api/admin/holds/${holdId}/offline-payment`, body, headers);
  const payments = async (holdId: string) =>
    (await db.query('SELECT p.id, p.method::text AS method, p.amount, p.recorded_by AS "recordedBy", p.authorization_id AS "authorizationId", p.status::text AS status FROM payments p JOIN bookings b ON b.id = p.booking_id WHERE b.hold_id = $1', [holdId])).rows;

  it('when staff record a cash payment with the document\'s input {bookingId, amount, method, staffId}, then the hold becomes a CONFIRMED booking with its payment, audited, and the ticket email goes out as usual', async () => {
    const seatIds = nextSeats(2);
    const { holdId } = await placeHold(seatIds);
    const answer = await record(holdId, { bookingId: holdId, amount: 2 * SEAT_PRICE, method: 'cash', staffId: 'staff-17' });
    expect(answer).toMatchObject({
      status: 201,
      body: { holdId, status: 'CONFIRMED', amount: 2 * SEAT_PRICE, currency: 'EUR', payment: { method: 'cash', amount: 2 * SEAT_PRICE, recordedBy: 'staff-17', status: 'RECORDED' } },
    });
    const { bookingId, payment } = answer.body;
    expect(await payments(holdId)).toEqual([{ id: payment.paymentId, method: 'CASH', amount: 2 * SEAT_PRICE, recordedBy: 'staff-17', authorizationId: null, status: 'CAPTURED' }]);
    const audit = (await db.query("SELECT data, at FROM audit_log WHERE entity = 'payment' AND entity_id = $1 AND action = 'offline-recorded'", [payment.paymentId])).rows;
    expect(audit).toEqual([{ data: expect.objectContaining({ bookingId, method: 'cash', amount: 2 * SEAT_PRICE, recordedBy: 'staff-17' }), at: expect.any(Date) }]);
    expect(await outbox('booking.confirmed', 'aggregate_id', bookingId)).toHaveLength(1);
    expect(await seatStatus(seatIds[0]!)).toBe('SOLD');
    expect(await paymentCallsAbout({}, holdId, bookingId)).toHaveLength(0);
  });

  it('when the same booking and amount are recorded again within 5 minutes (a retry, or two clicks at once), then it is the same payment, not a second one', async () => {
    const { holdId } = await placeHold(nextSeats());
    const body = { amount: SEAT_PRICE, method: 'card_terminal', recordedBy: 'staff-3', reference: 'slip-0042' };
    const both = await Promise.all([record(holdId, body), record(holdId, body)]);
    expect(both.map((a) => a.status).sort()).toEqual([200, 201]);
    const again = await record(holdId, body);
    expect(again).toMatchObject({ status: 200, body: { duplicate: true, payment: { paymentId: both[0]!.body.payment.paymentId, reference: 'slip-0042' } } });
    expect(new Set([...both, again].map((a) => a.body.payment.paymentId)).size).toBe(1);
    expect(await payments(holdId)).toHaveLength(1);
    // Another amount for a paid booking is not a second payment either.
    expect(await record(holdId, { ...body, amount: SEAT_PRICE + 1 })).toMatchObject({ status: 409, body: { code: 'HOLD_ALREADY_CONFIRMED' } });
    // And a card confirmation of the paid hold answers its booking, charging nothing.
    expect(await stack.invoke<Booking>('POST', `/api/holds/${holdId}/confirm`, { payment: { token: 'tok_visa' } })).toMatchObject({ status: 200, body: { bookingId: again.body.bookingId } });
    expect(await paymentCallsAbout({}, holdId, again.body.bookingId)).toHaveLength(0);
  });

  it('when the amount is not the hold\'s price, then it is refused (422 AMOUNT_MISMATCH, the expected amount named) and nothing is written', async () => {
    const { holdId } = await placeHold(nextSeats());
    const wrong = await record(holdId, { amount: SEAT_PRICE - 1, method: 'cash', recordedBy: 'staff-9' });
    expect(wrong).toMatchObject({ status: 422, body: { code: 'AMOUNT_MISMATCH', expected: SEAT_PRICE, currency: 'EUR' } });
    expect(await holdStatus(holdId)).toBe('ACTIVE');
    expect((await db.query('SELECT count(*)::int AS n FROM bookings WHERE hold_id = $1', [holdId])).rows[0].n).toBe(0);
    expect((await db.query("SELECT count(*)::int AS n FROM audit_log WHERE entity = 'payment' AND data->>'holdId' = $1", [holdId])).rows[0].n).toBe(0);
    expect(await record(holdId, { amount: SEAT_PRICE, method: 'cheque', recordedBy: 'staff-9' })).toMatchObject({ status: 400 });
    expect(await record(holdId, { amount: SEAT_PRICE, method: 'cash' })).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    expect(await record(holdId, { amount: SEAT_PRICE, method: 'cash', recordedBy: 'staff-9', staffId: 'staff-8' })).toMatchObject({ status: 409, body: { code: 'RECORDED_BY_CONFLICT' } });
    expect(await record(holdId, { amount: SEAT_PRICE, method: 'cash', staffId: 'staff-9', bookingId: randomUUID() })).toMatchObject({ status: 409, body: { code: 'BOOKING_ID_MISMATCH' } });
    expect(await holdStatus(holdId)).toBe('ACTIVE');
  });

  it('when the caller has no admin token (the client credential alone), then it is a 401 and nothing is recorded', async () => {
    const { holdId } = await placeHold(nextSeats());
    expect(await record(holdId, { amount: SEAT_PRICE, method: 'cash', recordedBy: 'staff-1' }, {})).toMatchObject({ status: 401, body: { code: 'ADMIN_AUTH_REQUIRED' } });
    expect(await record(holdId, { amount: SEAT_PRICE, method: 'cash', recordedBy: 'staff-1' }, { authorization: 'Bearer not-the-admin-token-at-all' })).toMatchObject({ status: 401 });
    expect(await holdStatus(holdId)).toBe('ACTIVE');
  });

  it('when an offline-paid booking is cancelled, then it is CANCELLED with its seats free and the refund is left to the box office (an OFFLINE_REFUND manual review), no card refund', async () => {
    const seatIds = nextSeats();
    const { holdId } = await placeHold(seatIds);
    const paid = await record(holdId, { amount: SEAT_PRICE, method: 'transfer', recordedBy: 'staff-5', reference: 'IBAN-TRX-77' });
    expect(paid.status).toBe(201);
    const { bookingId } = paid.body;
    expect((await stack.invoke<{ status: string }>('POST', `/api/bookings/${bookingId}/cancel`, {})).status).toBe(202);
    await eventually(async () => (await stack.invoke<{ status: string }>('GET', `/api/bookings/${bookingId}`)).body.status, (s) => s === 'CANCELLED', 30_000, 200);
    expect(await seatStatus(seatIds[0]!)).toBe('AVAILABLE');
    const reviews = (await db.query('SELECT kind, status::text AS status, data FROM manual_reviews WHERE booking_id = $1', [bookingId])).rows;
    expect(reviews).toEqual([{ kind: 'OFFLINE_REFUND', status: 'OPEN', data: expect.objectContaining({ paymentId: paid.body.payment.paymentId, method: 'TRANSFER', amount: SEAT_PRICE, recordedBy: 'staff-5' }) }]);
    expect(await outbox('booking.cancelled', 'aggregate_id', bookingId)).toEqual([expect.objectContaining({ bookingId, refunded: false, manualReview: true })]);
    expect(await paymentCallsAbout({}, holdId, bookingId)).toHaveLength(0);
  });
});
