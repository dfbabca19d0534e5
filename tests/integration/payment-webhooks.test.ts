/**
 * Signed payment webhooks, Stripe's scheme, on a real sidecar: the booking app reads the signing
 * secret from its Dapr secret store, refuses unsigned, wrongly signed and stale deliveries, processes
 * each event id once however often (and however concurrently) it arrives, and records what it
 * could not process. End to end, a refund made at the providers app reaches the booking as a
 * signed `charge.refunded` webhook.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import Stripe from 'stripe';
import { eventually, startBookingStack, type AppStack } from '../support/app-stack';
import { resetProviders } from '../support/providers-client';
import { loadTestRun } from '../support/test-env';

let stack: AppStack;
let db: Client;
let showId: string;
let secret: string;
let providersUrl: string;
let seat = 0;

interface Booking { bookingId: string; status: string; amount: number; currency: string }
interface Answer { status: number; body: { received?: boolean; duplicate?: boolean; status?: string; code?: string; reason?: string } }

beforeAll(async () => {
  ({ paymentsWebhookSecret: secret, providersUrl } = loadTestRun());
  stack = await startBookingStack({ logName: 'payment-webhooks' });
  db = new Client({ connectionString: stack.run.databaseUrl });
  await db.connect();
  const created = await stack.invoke<{ showId: string }>('POST', '/api/admin/shows', {
    title: 'Refunds', startsAt: new Date(Date.now() + 86_400_000).toISOString(),
    venue: { name: 'Globe', sections: [{ name: 'Stalls', zone: 'front', rows: [{ label: 'A', seats: 30 }] }] },
    policy: { currency: 'EUR', zonePrices: { front: 4000 } },
  }, { authorization: `Bearer ${stack.run.adminApiToken}` });
  expect(created.status).toBe(201);
  showId = created.body.showId;
});
afterAll(async () => {
  await db?.end();
  await stack?.stop();
});
beforeEach(() => resetProviders());

/** A confirmed, paid booking of one new seat. */
async function confirmedBooking(): Promise<Booking> {
  const hold = await stack.invoke<{ holdId: string }>('POST', `/api/shows/${showId}/holds`, { seatIds: [`STALLS-A-${++seat}`], customerId: 'c-refund', customerEmail: 'ada@example.com' });
  expect(hold.status).toBe(201);
  const booking = await stack.invoke<Booking>('POST', `/api/holds/${hold.body.holdId}/confirm`, { payment: { token: 'tok_visa' } }, { 'idempotency-key': randomUUID() });
  expect(booking.status).toBe(201);
  return booking.body;
}

function refundEvent(bookingId: string, overrides: { id?: string; type?: string } = {}) {
  const refundId = `re_${randomUUID().replace(/-/g, '')}`;
  return {
    id: overrides.id ?? `evt_${randomUUID().replace(/-/g, '')}`, object: 'event', type: overrides.type ?? 'charge.refunded', created: Math.floor(Date.now() / 1000),
    data: { object: { id: refundId, object: 'refund', amount: 4000, currency: 'eur', status: 'succeeded', metadata: { bookingId, refundKey: `booking-${bookingId}-refund` } } },
  };
}

/** Posts to the app's own port, as the provider does: no dapr-api-token, only the signature. */
async function deliver(body: string, signature: string | undefined): Promise<Answer> {
  const response = await fetch(`${stack.appUrl}/webhooks/payments`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...(signature === undefined ? {} : { 'stripe-signature': signature }) }, body,
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}
const sign = (payload: string, options: { secret?: string; timestamp?: number } = {}) =>
  Stripe.webhooks.generateTestHeaderString({ payload, secret: options.secret ?? secret, timestamp: options.timestamp ?? Math.floor(Date.now() / 1000) });
const deliverSigned = (event: object) => {
  const payload = JSON.stringify(event);
  return deliver(payload, sign(payload));
};

const webhookRow = async (id: string) =>
  (await db.query('SELECT status::text AS status, deliveries, error, type FROM webhook_events WHERE id = $1', [id])).rows[0] as { status: string; deliveries: number; error: string | null; type: string } | undefined;
const bookingState = async (bookingId: string) => {
  const booking = (await db.query('SELECT status::text AS status FROM bookings WHERE id = $1', [bookingId])).rows[0] as { status: string };
  const payments = (await db.query('SELECT status::text AS status, refund_id AS "refundId" FROM payments WHERE booking_id = $1', [bookingId])).rows as Array<{ status: string; refundId: string | null }>;
  const audits = (await db.query("SELECT from_state AS \"fromState\", to_state AS \"toState\", data FROM audit_log WHERE entity = 'booking' AND entity_id = $1 AND action = 'refunded'", [bookingId])).rows as Array<{ fromState: string; toState: string; data: { refundId: string } }>;
  return { status: booking.status, payments, audits };
};

describe('payment webhooks: signature', () => {
  it('when the signature is wrong, stale or missing, then it is a 400 WEBHOOK_SIGNATURE_INVALID and nothing is recorded or changed', async () => {
    const booking = await confirmedBooking();
    const event = refundEvent(booking.bookingId);
    const payload = JSON.stringify(event);

    expect(await deliver(payload, sign(payload, { secret: 'whsec_not_the_secret' }))).toMatchObject({ status: 400, body: { code: 'WEBHOOK_SIGNATURE_INVALID', reason: 'SIGNATURE_MISMATCH' } });
    expect(await deliver(payload.replace('4000', '400000'), sign(payload))).toMatchObject({ status: 400, body: { code: 'WEBHOOK_SIGNATURE_INVALID' } });
    expect(await deliver(payload, sign(payload, { timestamp: Math.floor(Date.now() / 1000) - 301 }))).toMatchObject({ status: 400, body: { code: 'WEBHOOK_SIGNATURE_INVALID', reason: 'TIMESTAMP_OUTSIDE_TOLERANCE' } });
    expect(await deliver(payload, undefined)).toMatchObject({ status: 400, body: { code: 'WEBHOOK_SIGNATURE_INVALID', reason: 'MISSING_HEADER' } });

    expect(await webhookRow(event.id)).toBeUndefined();
    expect(await bookingState(booking.bookingId)).toMatchObject({ status: 'CONFIRMED', payments: [{ status: 'CAPTURED', refundId: null }], audits: [] });
  });

  it('when another path is called without the app token, then it is still refused: only /webhooks/ is exempt', async () => {
    const response = await fetch(`${stack.appUrl}/api/admin/webhooks`, { headers: { authorization: `Bearer ${stack.run.adminApiToken}` } });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { code: string }).code).toBe('APP_TOKEN_INVALID');
  });
});

describe('payment webhooks: once per event', () => {
  it('when the same event is delivered twice, then it is processed once: one row with 2 deliveries, the booking refunded once, one audit entry', async () => {
    const booking = await confirmedBooking();
    const event = refundEvent(booking.bookingId);

    expect(await deliverSigned(event)).toEqual({ status: 200, body: { received: true, status: 'PROCESSED' } });
    expect(await deliverSigned(event)).toEqual({ status: 200, body: { received: true, duplicate: true } });

    expect(await webhookRow(event.id)).toEqual({ status: 'PROCESSED', deliveries: 2, error: null, type: 'charge.refunded' });
    const state = await bookingState(booking.bookingId);
    expect(state.status).toBe('REFUNDED');
    expect(state.payments).toEqual([{ status: 'REFUNDED', refundId: event.data.object.id }]);
    expect(state.audits).toEqual([{ fromState: 'CONFIRMED', toState: 'REFUNDED', data: expect.objectContaining({ refundId: event.data.object.id, webhookEventId: event.id }) }]);
    expect((await stack.invoke<{ status: string }>('GET', `/api/bookings/${booking.bookingId}`)).body.status).toBe('REFUNDED');
  });

  it('when one event arrives several times at once, then exactly one delivery processes it', async () => {
    const booking = await confirmedBooking();
    const event = refundEvent(booking.bookingId);
    const payload = JSON.stringify(event);
    const answers = await Promise.all(Array.from({ length: 5 }, () => deliver(payload, sign(payload))));

    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers.filter((a) => a.body.status === 'PROCESSED')).toHaveLength(1);
    expect(answers.filter((a) => a.body.duplicate)).toHaveLength(4);
    expect(await webhookRow(event.id)).toMatchObject({ status: 'PROCESSED', deliveries: 5 });
    expect((await bookingState(booking.bookingId)).audits).toHaveLength(1);
  });

  it('when an event type is not one we act on, then it is recorded IGNORED and acknowledged, and its redelivery is a duplicate', async () => {
    const booking = await confirmedBooking();
    const event = refundEvent(booking.bookingId, { type: 'charge.refund.updated' });
    expect(await deliverSigned(event)).toEqual({ status: 200, body: { received: true, status: 'IGNORED' } });
    expect(await deliverSigned(event)).toEqual({ status: 200, body: { received: true, duplicate: true } });
    expect(await webhookRow(event.id)).toMatchObject({ status: 'IGNORED', deliveries: 2 });
    expect((await bookingState(booking.bookingId)).status).toBe('CONFIRMED');
  });
});

describe('payment webhooks: failures', () => {
  it('when an event names an unknown booking, then it is recorded FAILED with a 500 (the provider retries), listed for admins, and processed again on redelivery', async () => {
    const unknown = randomUUID();
    const event = refundEvent(unknown);
    const first = await deliverSigned(event);
    expect(first).toMatchObject({ status: 500, body: { code: 'WEBHOOK_PROCESSING_FAILED' } });
    expect(await webhookRow(event.id)).toMatchObject({ status: 'FAILED', deliveries: 1, error: expect.stringContaining(`No booking ${unknown}`) });

    const admin = { authorization: `Bearer ${stack.run.adminApiToken}` };
    const listed = await stack.invoke<{ events: Array<{ id: string; status: string; error: string; deliveries: number; type: string }> }>('GET', '/api/admin/webhooks?status=FAILED', undefined, admin);
    expect(listed.status).toBe(200);
    expect(listed.body.events.find((e) => e.id === event.id)).toMatchObject({ status: 'FAILED', type: 'charge.refunded', deliveries: 1, error: expect.stringContaining(unknown) });
    expect(listed.body.events.every((e) => e.status === 'FAILED')).toBe(true);
    expect((await stack.invoke('GET', '/api/admin/webhooks?status=FAILED')).status).toBe(401);
    expect((await stack.invoke<{ code: string }>('GET', '/api/admin/webhooks?status=LOST', undefined, admin))).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });

    // A FAILED event is not a duplicate: its redelivery is processed again (and fails again here).
    expect(await deliverSigned(event)).toMatchObject({ status: 500, body: { code: 'WEBHOOK_PROCESSING_FAILED' } });
    expect(await webhookRow(event.id)).toMatchObject({ status: 'FAILED', deliveries: 2 });
  });
});

describe('payment webhooks: end to end from the providers app', () => {
  it('when a refund is made at the provider, then its signed charge.refunded webhook refunds the booking, and a resend changes nothing more', async () => {
    const booking = await confirmedBooking();
    const response = await fetch(`${providersUrl}/refunds`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': `booking-${booking.bookingId}-refund` },
      body: JSON.stringify({ amount: booking.amount, currency: booking.currency, paymentReference: booking.bookingId, reason: 'show cancelled', metadata: { bookingId: booking.bookingId, refundKey: `booking-${booking.bookingId}-refund` } }),
    });
    expect(response.status).toBe(200);
    const { refundId } = (await response.json()) as { refundId: string };

    const refunded = await eventually(() => bookingState(booking.bookingId), (s) => s.status === 'REFUNDED', 20_000);
    expect(refunded.payments).toEqual([{ status: 'REFUNDED', refundId }]);
    expect(refunded.audits).toHaveLength(1);

    interface Delivery { eventId: string; type: string; status: string; attempts: number; lastStatus: number }
    const listed = await eventually(
      async () => ((await (await fetch(`${providersUrl}/admin/webhooks?objectId=${refundId}`)).json()) as { deliveries: Delivery[] }).deliveries,
      (d) => d[0]?.status === 'delivered',
    );
    expect(listed).toEqual([expect.objectContaining({ type: 'charge.refunded', status: 'delivered', lastStatus: 200 })]);
    const eventId = listed[0]!.eventId;
    expect(await webhookRow(eventId)).toMatchObject({ status: 'PROCESSED', deliveries: listed[0]!.attempts });

    const resend = await fetch(`${providersUrl}/admin/webhooks/${eventId}/resend`, { method: 'POST' });
    expect(resend.status).toBe(200);
    expect(await resend.json()).toMatchObject({ eventId, attempt: { status: 200, manual: true } });
    expect(await webhookRow(eventId)).toMatchObject({ status: 'PROCESSED', deliveries: listed[0]!.attempts + 1 });
    const after = await bookingState(booking.bookingId);
    expect(after.status).toBe('REFUNDED');
    expect(after.payments).toEqual([{ status: 'REFUNDED', refundId }]);
    expect(after.audits).toHaveLength(1);
  });
});
