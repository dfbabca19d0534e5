/**
 * Checkout through the booking app's sidecar, paying through the providers app: a confirmed hold
 * becomes a booking with signed tickets, is charged once however often it is confirmed, and a
 * confirmation racing the expiry has exactly one outcome.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { eventually, startBookingStack, type AppStack } from '../support/app-stack';
import { paymentCallsAbout, providerResources, recordedCalls, resetProviders, setChaos } from '../support/providers-client';
import { REFUND_POLICY } from '../../apps/booking/src/cancellation/booking-cancellation.workflow';
import { verifyTicket } from '../../apps/booking/src/domain/tickets';

let stack: AppStack;
let db: Client;
let showId: string;

interface Booking { bookingId: string; status: string; amount: number; seats: string[]; tickets: Array<{ seatId: string; qrPayload: string }> }

beforeAll(async () => {
  stack = await startBookingStack({ logName: 'booking-checkout' });
  db = new Client({ connectionString: stack.run.databaseUrl });
  await db.connect();
  const created = await stack.invoke<{ showId: string }>('POST', '/api/admin/shows', {
    title: 'Hamlet', startsAt: new Date(Date.now() + 86_400_000).toISOString(),
    venue: { name: 'Rose', sections: [{ name: 'Stalls', zone: 'front', rows: [{ label: 'A', seats: 20 }] }, { name: 'Circle', zone: 'upper', rows: [{ label: 'A', seats: 20 }] }] },
    policy: { currency: 'EUR', zonePrices: { front: 6000, upper: 3500 } },
  }, { authorization: `Bearer ${stack.run.adminApiToken}` });
  showId = created.body.showId;
});
afterAll(async () => {
  await db?.end();
  await stack?.stop();
});
beforeEach(() => resetProviders());

async function placeHold(seatIds: string[], ttlSeconds = 300): Promise<{ holdId: string; expiresAt: string }> {
  const response = await stack.invoke<{ holdId: string; expiresAt: string }>('POST', `/api/shows/${showId}/holds`, { seatIds, customerId: 'c-9', customerEmail: 'ada@example.com', ttlSeconds });
  expect(response.status).toBe(201);
  return response.body;
}
const confirm = (holdId: string, token: string, key: string = randomUUID()) =>
  stack.invoke<Booking & { code?: string }>('POST', `/api/holds/${holdId}/confirm`, { payment: { token } }, { 'idempotency-key': key });
const holdStatus = async (holdId: string) => (await stack.invoke<{ status: string }>('GET', `/api/holds/${holdId}`)).body.status;
const seatStatus = async (seatId: string) => (await stack.invoke<{ seats: Array<{ id: string; status: string }> }>('GET', `/api/shows/${showId}/seats`)).body.seats.find((s) => s.id === seatId)?.status;
const captures = async (holdId: string) => (await recordedCalls({ domain: 'payment', operation: 'capture', idempotencyKey: `hold-${holdId}-capture` })).filter((c) => c.outcome === 'ok' && !c.replayed);

describe('checkout on a real sidecar', () => {
  it('when a hold is confirmed with tok_visa, then it becomes a booking with signed tickets, its seats SOLD, charged once', async () => {
    const { holdId } = await placeHold(['STALLS-A-1', 'CIRCLE-A-1']);
    const response = await confirm(holdId, 'tok_visa');
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ status: 'CONFIRMED', amount: 9500, seats: ['CIRCLE-A-1', 'STALLS-A-1'] });
    for (const ticket of response.body.tickets) {
      expect(verifyTicket(stack.run.ticketSigningKey, ticket.qrPayload)).toEqual({ valid: true, claims: { bookingId: response.body.bookingId, showId, seatId: ticket.seatId } });
    }
    expect(await seatStatus('STALLS-A-1')).toBe('SOLD');
    expect(await holdStatus(holdId)).toBe('CONFIRMED');
    expect(await captures(holdId)).toHaveLength(1);
    const { rows } = await db.query("SELECT type FROM outbox_events WHERE aggregate_id = $1", [response.body.bookingId]);
    expect(rows).toEqual([{ type: 'booking.confirmed' }]);
  });

  it('when a ticket is scanned at the door, then the first scan is valid, the next already-used, a forged one invalid', async () => {
    const { holdId } = await placeHold(['STALLS-A-8', 'STALLS-A-9']);
    const booking = (await confirm(holdId, 'tok_visa')).body;
    const door = { authorization: `Bearer ${stack.run.adminApiToken}` };
    const scan = (qrPayload: string, headers: Record<string, string> = door) => stack.invoke<{ result: string; reason?: string; seatId?: string }>('POST', '/api/tickets/verify', { qrPayload }, headers);
    const ticket = booking.tickets[0]!;

    expect((await scan(ticket.qrPayload)).body).toMatchObject({ result: 'valid', seatId: ticket.seatId });
    expect((await scan(ticket.qrPayload)).body).toMatchObject({ result: 'already-used', seatId: ticket.seatId });
    expect((await scan(booking.tickets[1]!.qrPayload)).body.result).toBe('valid');
    const forged = `${ticket.qrPayload.slice(0, -4)}AAAA`;
    expect((await scan(forged)).body).toMatchObject({ result: 'invalid', reason: 'BAD_SIGNATURE' });
    expect(await scan(ticket.qrPayload, {})).toMatchObject({ status: 401, body: { code: 'ADMIN_AUTH_REQUIRED' } });

    const png = await fetch(`${stack.sidecarUrl}/v1.0/invoke/booking/method/api/bookings/${booking.bookingId}/tickets/${ticket.seatId}.png`, { headers: { 'dapr-api-token': stack.run.daprApiToken } });
    expect([png.status, png.headers.get('content-type')]).toEqual([200, 'image/png']);
    const pdf = await fetch(`${stack.sidecarUrl}/v1.0/invoke/booking/method/api/bookings/${booking.bookingId}/tickets.pdf`, { headers: { 'dapr-api-token': stack.run.daprApiToken } });
    expect(pdf.status).toBe(200);
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('when a confirmation is repeated with its Idempotency-Key, then it gets the same booking and nothing is charged again', async () => {
    const { holdId } = await placeHold(['STALLS-A-2']);
    const key = randomUUID();
    const first = await confirm(holdId, 'tok_visa', key);
    const again = await Promise.all([confirm(holdId, 'tok_visa', key), confirm(holdId, 'tok_visa', key)]);
    expect(again.map((r) => r.status)).toEqual([201, 201]);
    expect(again.map((r) => r.body.bookingId)).toEqual([first.body.bookingId, first.body.bookingId]);
    expect(await captures(holdId)).toHaveLength(1);
    // Seed 004 (docs/contracts.md): a confirmed hold confirmed again with another key answers its booking (200), not 409.
    expect(await confirm(holdId, 'tok_visa', randomUUID())).toMatchObject({ status: 200, body: { bookingId: first.body.bookingId, status: 'CONFIRMED' } });
    expect(await captures(holdId)).toHaveLength(1);
  });

  // Issue 15 ("one record"): a hold lives in its row and its booking, not in a copy in Dapr's state
  // store. The answers above (the replay 201, the other key's 200) are read from those rows.
  it('when a hold is placed, confirmed and confirmed again, then its HoldActor keeps no actor state: the row and the booking are the record', async () => {
    const { holdId } = await placeHold(['STALLS-A-19']);
    const key = randomUUID();
    const first = await confirm(holdId, 'tok_visa', key);
    expect(first.status).toBe(201);
    expect(await confirm(holdId, 'tok_visa', key)).toMatchObject({ status: 201, body: { bookingId: first.body.bookingId } });
    const { rows } = await db.query("SELECT key FROM dapr.dapr_state WHERE key LIKE '%HoldActor||' || $1 || '||%'", [holdId]);
    expect(rows).toEqual([]);
    expect((await db.query('SELECT payment_request IS NOT NULL AS asked, status::text AS status FROM holds WHERE id = $1', [holdId])).rows).toEqual([{ asked: true, status: 'CONFIRMED' }]);
  });

  it('when the card is declined, then there is no booking and no charge, and the customer may pay again', async () => {
    const { holdId } = await placeHold(['STALLS-A-3']);
    expect(await confirm(holdId, 'tok_chargeDeclined')).toMatchObject({ status: 402, body: { code: 'PAYMENT_DECLINED' } });
    expect(await holdStatus(holdId)).toBe('ACTIVE');
    expect(await captures(holdId)).toHaveLength(0);
    expect((await confirm(holdId, 'tok_visa')).status).toBe(201);
  });

  // Seed 004 (docs/contracts.md): without an Idempotency-Key the hold id is the key (it was a 400 IDEMPOTENCY_KEY_REQUIRED).
  it('when a confirmation has no Idempotency-Key, then the hold is its key: a booking, and a repeat gets the same one, charged once', async () => {
    const { holdId } = await placeHold(['STALLS-A-4']);
    const response = await stack.invoke<Booking>('POST', `/api/holds/${holdId}/confirm`, { payment: { token: 'tok_visa' } });
    expect(response).toMatchObject({ status: 201, body: { status: 'CONFIRMED', seats: ['STALLS-A-4'] } });
    const again = await stack.invoke<Booking>('POST', `/api/holds/${holdId}/confirm`, { payment: { token: 'tok_visa' } });
    expect(again).toMatchObject({ status: 201, body: { bookingId: response.body.bookingId } });
    expect(await captures(holdId)).toHaveLength(1);
    const malformed = await stack.invoke<{ code: string }>('POST', `/api/holds/${holdId}/confirm`, { payment: { token: 'tok_visa' } }, { 'idempotency-key': 'short' });
    expect(malformed).toMatchObject({ status: 400, body: { code: 'INVALID_IDEMPOTENCY_KEY' } });
  });

  it('when a hold has expired, then confirming it is a 410 and charges nothing', async () => {
    const { holdId } = await placeHold(['STALLS-A-5'], 5);
    await eventually(() => holdStatus(holdId), (s) => s === 'EXPIRED', 15_000, 100);
    expect(await confirm(holdId, 'tok_visa')).toMatchObject({ status: 410, body: { code: 'HOLD_EXPIRED' } });
    expect(await paymentCallsAbout({}, holdId)).toHaveLength(0);
  });

  it('when the capture\'s answer is lost (it did charge) and the customer walks away, then the hold\'s expiry refunds it', async () => {
    const { holdId } = await placeHold(['CIRCLE-A-10'], 10);
    // The capture happens, but answers after the booking app's 5 s payment timeout.
    await setChaos({ 'payment.capture': { outcomes: { ok: 1 }, latencyMs: 6_000 } });
    const confirm = await stack.invoke<{ code: string }>('POST', `/api/holds/${holdId}/confirm`, { payment: { token: 'tok_visa' } }, { 'idempotency-key': randomUUID() });
    expect(confirm).toMatchObject({ status: 503, body: { code: 'PAYMENT_UNAVAILABLE' } });
    await eventually(() => stack.invoke<{ status: string }>('GET', `/api/holds/${holdId}`), (h) => h.body.status === 'EXPIRED', 30_000);
    const resources = await providerResources(holdId);
    expect(resources.map((r) => `${r.kind}:${r.status}`).sort()).toEqual(['authorization:refunded', 'capture:refunded', 'refund:refunded']);
    // One charge, one refund: the expiry replayed the capture's key instead of charging again.
    expect((await paymentCallsAbout({ operation: 'capture' }, holdId)).filter((c) => c.status === 200 && !c.replayed)).toHaveLength(1);
    expect((await db.query('SELECT count(*)::int AS n FROM bookings WHERE hold_id = $1', [holdId])).rows[0].n).toBe(0);
  });

  it('when the show\'s policy changed since the hold, then confirmation re-quotes it (twice at most), then escalates', async () => {
    const admin = { authorization: `Bearer ${stack.run.adminApiToken}` };
    const setPrice = async (front: number) => {
      const response = await stack.invoke<{ policyVersion: number; changed: boolean }>('PUT', `/api/admin/shows/${showId}/policy`, { currency: 'EUR', zonePrices: { front, upper: 3500 } }, admin);
      expect(response.status).toBe(200);
      return response.body;
    };
    const metric = async (name: string) => {
      const text = await (await fetch(`${stack.appUrl}/metrics`)).text();
      return Number(text.match(new RegExp(`^${name}\\{[^}]*\\} (\\d+)`, 'm'))?.[1] ?? 0);
    };
    const recoveredBefore = await metric('holdfast_policy_drift_recoveries_total');
    const escalatedBefore = await metric('holdfast_policy_drift_escalations_total');

    // Recovered once: the hold made at 6000 is sold at the new price.
    const once = await placeHold(['STALLS-A-6']);
    await setPrice(6500);
    const sold = await confirm(once.holdId, 'tok_visa');
    expect(sold).toMatchObject({ status: 201, body: { amount: 6500 } });

    // Two recoveries (each followed by a declined card), then the third change escalates.
    const { holdId } = await placeHold(['STALLS-A-7']);
    await setPrice(7000);
    expect((await confirm(holdId, 'tok_chargeDeclined')).status).toBe(402);
    await setPrice(7500);
    expect((await confirm(holdId, 'tok_chargeDeclined')).status).toBe(402);
    const latest = await setPrice(8000);
    expect(await confirm(holdId, 'tok_visa')).toMatchObject({ status: 409, body: { code: 'POLICY_CHANGED' } });
    expect(await captures(holdId)).toHaveLength(0);

    const { rows } = await db.query("SELECT payload FROM outbox_events WHERE type = 'policy.escalated' AND payload->>'holdId' = $1", [holdId]);
    expect(rows).toHaveLength(1);
    expect(rows[0].payload).toMatchObject({ showId, oldPolicyHash: expect.any(String), newPolicyHash: expect.any(String) });
    expect(rows[0].payload.oldPolicyHash).not.toBe(rows[0].payload.newPolicyHash);
    expect(latest.changed).toBe(true);
    expect(await metric('holdfast_policy_drift_recoveries_total')).toBe(recoveredBefore + 3);
    expect(await metric('holdfast_policy_drift_escalations_total')).toBe(escalatedBefore + 1);
  });

  it('when an admin saves the same policy again, then its version does not change', async () => {
    const admin = { authorization: `Bearer ${stack.run.adminApiToken}` };
    const body = { currency: 'EUR', zonePrices: { front: 9000, upper: 3500 } };
    const first = await stack.invoke<{ policyVersion: number }>('PUT', `/api/admin/shows/${showId}/policy`, body, admin);
    const second = await stack.invoke<{ policyVersion: number; changed: boolean }>('PUT', `/api/admin/shows/${showId}/policy`, body, admin);
    expect(second.body).toMatchObject({ policyVersion: first.body.policyVersion, changed: false });
  });

  it('when confirmations race the expiry, then each hold ends exactly one way: sold and charged, or expired and free', async () => {
    const seats = ['STALLS-A-10', 'STALLS-A-11', 'STALLS-A-12', 'STALLS-A-13', 'STALLS-A-14'];
    const holds = await Promise.all(seats.map((seat) => placeHold([seat], 5)));
    // Fire each confirmation around its expiry: a little before, at, and a little after.
    const outcomes = await Promise.all(holds.map(async (hold, i) => {
      const at = Date.parse(hold.expiresAt) + (i - 2) * 40;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
      return (await confirm(hold.holdId, 'tok_visa')).status;
    }));
    for (const [i, hold] of holds.entries()) {
      // Settled, not slept on: each hold reaches its end (confirmed or expired) within its ttl and generous slack.
      const status = await eventually(() => holdStatus(hold.holdId), (s) => s === 'CONFIRMED' || s === 'EXPIRED', Math.max(0, Date.parse(hold.expiresAt) - Date.now()) + 30_000, 250);
      const [seat, charged] = [await seatStatus(seats[i]!), (await captures(hold.holdId)).length];
      if (outcomes[i] === 201) expect({ status, seat, charged }).toEqual({ status: 'CONFIRMED', seat: 'SOLD', charged: 1 });
      else expect({ outcome: outcomes[i], status, seat, charged }).toEqual({ outcome: 410, status: 'EXPIRED', seat: 'AVAILABLE', charged: 0 });
    }
  });

  describe('cancellation by the customer', () => {
    const cancel = (bookingId: string) => stack.invoke<{ status: string }>('POST', `/api/bookings/${bookingId}/cancel`);
    const bookingStatus = async (bookingId: string) => (await stack.invoke<{ status: string }>('GET', `/api/bookings/${bookingId}`)).body.status;
    const refunds = (bookingId: string) => recordedCalls({ domain: 'payment', operation: 'refund', idempotencyKey: `booking-${bookingId}-refund` });
    const reviews = async (bookingId: string) => (await db.query('SELECT kind, status FROM manual_reviews WHERE booking_id = $1', [bookingId])).rows;

    async function bookSeat(seat: string): Promise<string> {
      const { holdId } = await placeHold([seat]);
      return (await confirm(holdId, 'tok_visa')).body.bookingId;
    }

    it('when a customer cancels, then the booking is refunded once, its seat is free and a second cancel changes nothing', async () => {
      const bookingId = await bookSeat('CIRCLE-A-5');
      expect((await cancel(bookingId)).status).toBe(202);
      await eventually(() => bookingStatus(bookingId), (s) => s === 'CANCELLED', 30_000);
      expect(await seatStatus('CIRCLE-A-5')).toBe('AVAILABLE');
      expect((await refunds(bookingId)).filter((c) => c.outcome === 'ok')).toHaveLength(1);
      expect(await cancel(bookingId)).toMatchObject({ status: 200, body: { status: 'CANCELLED' } });
      expect(await refunds(bookingId)).toHaveLength(1);
      const { rows } = await db.query("SELECT payload FROM outbox_events WHERE aggregate_id = $1 AND type = 'booking.cancelled'", [bookingId]);
      expect(rows).toEqual([{ payload: expect.objectContaining({ refunded: true, manualReview: false }) }]);
      expect((await placeHold(['CIRCLE-A-5'])).holdId).toBeDefined();
    });

    it('when the refund keeps failing, then after the retries the booking is cancelled with a manual review, not a silent loss', async () => {
      const bookingId = await bookSeat('CIRCLE-A-6');
      await setChaos({ 'payment.refund': { outcomes: { '503': 1 } } });
      await cancel(bookingId);
      await eventually(() => bookingStatus(bookingId), (s) => s === 'CANCELLED', 60_000);
      expect(await refunds(bookingId)).toHaveLength(REFUND_POLICY.maxAttempts);
      expect(await reviews(bookingId)).toEqual([{ kind: 'REFUND', status: 'OPEN' }]);
    });

    it('when the refund is refused outright, then it is not retried and goes to manual review', async () => {
      const bookingId = await bookSeat('CIRCLE-A-7');
      await setChaos({ 'payment.refund': { outcomes: { '400': 1 } } });
      await cancel(bookingId);
      await eventually(() => bookingStatus(bookingId), (s) => s === 'CANCELLED', 30_000);
      expect(await refunds(bookingId)).toHaveLength(1);
      expect(await reviews(bookingId)).toEqual([{ kind: 'REFUND', status: 'OPEN' }]);
    });
  });
});
