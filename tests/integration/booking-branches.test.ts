/**
 * Booking branches issue 18 found without a test, each through the booking app's real sidecar,
 * PostgreSQL and the providers app: a retried hold expiry, the ShowActor rebuilding its seats from
 * the database's claims, kitchen reminders re-registered at start, refund webhooks for a cancelled
 * booking, the show and hold refusals (TOO_MANY_SEATS, VENUE_TOO_LARGE, SHOW_IN_THE_PAST) and an
 * unknown ticket at the door.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import Stripe from 'stripe';
import { eventually, startBookingStack, type AppStack } from '../support/app-stack';
import { recordedCalls, resetProviders } from '../support/providers-client';
import { TEST_LOG_DIR } from '../support/test-env';
import { signTicket } from '../../apps/booking/src/domain/tickets';
import { MAX_SEATS_PER_VENUE } from '../../apps/booking/src/domain/seat-map';

const LOG_NAME = 'booking-branches';
/** Slack after an instant a reminder is due at (or a saga's retries): fixed and generous, not a guess at the machine's speed. */
const SLACK_MS = 30_000;

let stack: AppStack;
let db: Client;
const admin = () => ({ authorization: `Bearer ${stack.run.adminApiToken}` });

beforeAll(async () => {
  stack = await startBookingStack({ logName: LOG_NAME });
  db = new Client({ connectionString: stack.run.databaseUrl });
  await db.connect();
  expect((await stack.invoke('PUT', '/api/admin/concessions/POPCORN', { name: 'Popcorn', price: 450 }, admin())).status).toBe(200);
});
afterAll(async () => {
  await db?.end();
  await stack?.stop();
});
beforeEach(() => resetProviders());

interface Hold { holdId: string; status: string; expiresAt: string; code?: string }
interface Booking { bookingId: string; status: string; amount: number; concessionOrderId?: string; tickets: Array<{ seatId: string; qrPayload: string }> }

async function createShow(options: { title?: string; startsInSeconds?: number; seats?: number; prepLeadMinutes?: number; maxSeatsPerHold?: number } = {}): Promise<string> {
  const response = await stack.invoke<{ showId: string }>('POST', '/api/admin/shows', {
    title: options.title ?? `Branches ${randomUUID()}`, startsAt: new Date(Date.now() + (options.startsInSeconds ?? 86_400) * 1000).toISOString(),
    ...(options.prepLeadMinutes === undefined ? {} : { prepLeadMinutes: options.prepLeadMinutes }),
    venue: { name: 'Swan', sections: [{ name: 'Stalls', zone: 'front', rows: [{ label: 'A', seats: options.seats ?? 10 }] }] },
    policy: { currency: 'EUR', zonePrices: { front: 3000 }, ...(options.maxSeatsPerHold === undefined ? {} : { maxSeatsPerHold: options.maxSeatsPerHold }) },
  }, admin());
  expect(response.status).toBe(201);
  return response.body.showId;
}
const hold = (showId: string, seatIds: string[], extra: Record<string, unknown> = {}) =>
  stack.invoke<Hold>('POST', `/api/shows/${showId}/holds`, { seatIds, customerId: 'c-branches', customerEmail: 'ada@example.com', ...extra });
const confirm = (holdId: string, concessions: unknown[] = []) =>
  stack.invoke<Booking>('POST', `/api/holds/${holdId}/confirm`, { payment: { token: 'tok_visa' }, concessions }, { 'idempotency-key': randomUUID() });
async function book(showId: string, seatId: string, concessions: unknown[] = []): Promise<Booking> {
  const placed = await hold(showId, [seatId]);
  expect(placed.status).toBe(201);
  const booked = await confirm(placed.body.holdId, concessions);
  expect(booked.status).toBe(201);
  return booked.body;
}
const holdStatus = async (holdId: string) => (await stack.invoke<Hold>('GET', `/api/holds/${holdId}`)).body.status;
const seatStatus = async (showId: string, seatId: string) =>
  (await stack.invoke<{ seats: Array<{ id: string; status: string }> }>('GET', `/api/shows/${showId}/seats`)).body.seats.find((s) => s.id === seatId)?.status;
const count = async (sql: string, params: unknown[]) => (await db.query(sql, params)).rows[0].n as number;
const appLog = () => readFileSync(join(TEST_LOG_DIR, `${LOG_NAME}.log`), 'utf8');

describe('a retried hold expiry', () => {
  it('when the first expiry turn fails half-way and the reminder fires again, then the hold is expired once: its seat released once, one booking.hold.expired event', async () => {
    const showId = await createShow();
    const ttlSeconds = 8;
    const placed = await hold(showId, ['STALLS-A-1'], { ttlSeconds });
    expect(placed.status).toBe(201);
    const { holdId } = placed.body;
    const expiresAt = Date.parse(placed.body.expiresAt);
    // The database refuses this hold's expiry audit line: the expiry's transaction (hold row, claims,
    // audit, event) fails after its first writes and rolls back, as a database failing mid-turn would.
    const fn = `issue18_fail_expiry_${holdId.replace(/-/g, '')}`;
    await db.query(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
      IF NEW.entity = 'hold' AND NEW.entity_id = '${holdId}' AND NEW.action = 'expired' THEN RAISE EXCEPTION 'issue 18: expiry refused once'; END IF;
      RETURN NEW; END $$`);
    try {
      await db.query(`CREATE TRIGGER ${fn} BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION ${fn}()`);
      // Armed before the hold was due (else the first turn may have succeeded already).
      expect(Date.now()).toBeLessThan(expiresAt);
      const failed = (log: string) => log.split('\n').filter((line) => line.includes('hold expiry failed; retrying') && line.includes(holdId)).length;
      await eventually(async () => failed(appLog()), (n) => n >= 1, Math.max(0, expiresAt - Date.now()) + SLACK_MS, 250);
      // The turn failed mid-work: the hold is still ACTIVE with its seat claimed, no expiry written.
      expect((await db.query('SELECT status::text AS status FROM holds WHERE id = $1', [holdId])).rows).toEqual([{ status: 'ACTIVE' }]);
      expect(await count('SELECT count(*)::int AS n FROM seat_claims WHERE hold_id = $1', [holdId])).toBe(1);
      expect(await count("SELECT count(*)::int AS n FROM outbox_events WHERE type = 'booking.hold.expired' AND payload->>'holdId' = $1", [holdId])).toBe(0);
    } finally {
      await db.query(`DROP TRIGGER IF EXISTS ${fn} ON audit_log`);
      await db.query(`DROP FUNCTION IF EXISTS ${fn}()`);
    }

    // The reminder fires again (its period after the due time) and this time the expiry goes through.
    await eventually(() => holdStatus(holdId), (s) => s === 'EXPIRED', SLACK_MS, 250);
    expect(await seatStatus(showId, 'STALLS-A-1')).toBe('AVAILABLE');
    expect(await count('SELECT count(*)::int AS n FROM seat_claims WHERE hold_id = $1', [holdId])).toBe(0);
    expect(await count("SELECT count(*)::int AS n FROM outbox_events WHERE type = 'booking.hold.expired' AND payload->>'holdId' = $1", [holdId])).toBe(1);
    expect(await count("SELECT count(*)::int AS n FROM audit_log WHERE entity = 'hold' AND entity_id = $1 AND action = 'expired'", [holdId])).toBe(1);
    // Released once: another customer's hold on the seat is not released by anything this hold does later.
    const next = await hold(showId, ['STALLS-A-1'], { customerId: 'c-next' });
    expect(next.status).toBe(201);
    expect(await holdStatus(holdId)).toBe('EXPIRED');
    expect(await seatStatus(showId, 'STALLS-A-1')).toBe('HELD');
  });
});

describe('the ShowActor and the database', () => {
  // Issue 15 changed this rule: the ShowActor keeps no state of its own any more (the database's
  // claims are the one record); it used to keep a key per taken seat, rebuilt from the claims.
  it('when the ShowActor is activated afresh (its app restarted), then it reads the database\'s seat claims, refuses a claimed seat, and keeps no copy in the state store', async () => {
    const showId = await createShow();
    const first = await hold(showId, ['STALLS-A-3'], { customerId: 'c-first' });
    expect(first.status).toBe(201);
    const actorKeys = `booking||ShowActor||${showId}||%`;

    // The app dies (its activation with it) while the hold is still ACTIVE.
    await stack.killApp();
    expect((await db.query('SELECT status::text AS status FROM holds WHERE id = $1', [first.body.holdId])).rows).toEqual([{ status: 'ACTIVE' }]);
    await stack.startApp();

    const second = await hold(showId, ['STALLS-A-3'], { customerId: 'c-second' });
    expect(second).toMatchObject({ status: 409, body: { code: 'SEAT_UNAVAILABLE' } });
    expect((await db.query('SELECT hold_id AS "holdId" FROM seat_claims WHERE show_id = $1 AND seat_id = $2', [showId, 'STALLS-A-3'])).rows).toEqual([{ holdId: first.body.holdId }]);
    // A free seat is still granted, and no seat is kept twice (Dapr's state store has none of them).
    expect((await hold(showId, ['STALLS-A-4'], { customerId: 'c-second' })).status).toBe(201);
    const keys = (await db.query('SELECT key FROM dapr.dapr_state WHERE key LIKE $1', [actorKeys])).rows as Array<{ key: string }>;
    expect(keys.filter((k) => k.key.includes('||seat:'))).toEqual([]);
  });
});

describe('kitchen reminders at start', () => {
  it('when a pending kitchen order has lost its reminder, then the restarted app re-registers it and the order is prepared', async () => {
    const leadSeconds = 10;
    const showId = await createShow({ startsInSeconds: 60 + leadSeconds, seats: 4, prepLeadMinutes: 1 });
    const lost = await book(showId, 'STALLS-A-1', [{ sku: 'POPCORN', quantity: 1 }]);
    // A witness on the same show: same prep instant, its reminder kept.
    const kept = await book(showId, 'STALLS-A-2', [{ sku: 'POPCORN', quantity: 1 }]);
    const order = async (id: string) => (await db.query('SELECT status::text AS status, prep_at AS "prepAt" FROM concession_orders WHERE id = $1', [id])).rows[0] as { status: string; prepAt: Date };
    const deleted = await stack.dapr('DELETE', `/v1.0/actors/KitchenPrepActor/${lost.concessionOrderId}/reminders/prep`);
    expect(deleted.status).toBeLessThan(300);

    // Once the witness is prepared, the instant has passed: the order without a reminder is still PENDING.
    const { prepAt } = await order(kept.concessionOrderId!);
    await eventually(() => order(kept.concessionOrderId!), (o) => o.status === 'PREPARING', Math.max(0, prepAt.getTime() - Date.now()) + SLACK_MS, 250);
    expect(await order(lost.concessionOrderId!)).toEqual({ status: 'PENDING', prepAt });

    await stack.killApp();
    // Pending at the kill.
    expect((await order(lost.concessionOrderId!)).status).toBe('PENDING');
    await stack.startApp();
    await eventually(() => order(lost.concessionOrderId!), (o) => o.status === 'PREPARING', SLACK_MS, 250);
    expect(appLog()).toContain('kitchen prep reminders re-registered');
  });
});

describe('refund webhooks for a cancelled booking', () => {
  const secret = () => stack.run.paymentsWebhookSecret;
  function refundEvent(bookingId: string, refundId: string, amount: number) {
    return {
      id: `evt_${randomUUID().replace(/-/g, '')}`, object: 'event', type: 'charge.refunded', created: Math.floor(Date.now() / 1000),
      data: { object: { id: refundId, object: 'refund', amount, currency: 'eur', status: 'succeeded', metadata: { bookingId, refundKey: `booking-${bookingId}-refund` } } },
    };
  }
  /** To the app's own port, as the provider posts: only the signature. */
  async function deliver(event: object) {
    const payload = JSON.stringify(event);
    const response = await fetch(`${stack.appUrl}/webhooks/payments`, {
      method: 'POST', body: payload,
      headers: { 'content-type': 'application/json', 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret: secret(), timestamp: Math.floor(Date.now() / 1000) }) },
    });
    return { status: response.status, body: await response.json() as Record<string, unknown> };
  }
  const state = async (bookingId: string) => ({
    status: (await db.query('SELECT status::text AS status FROM bookings WHERE id = $1', [bookingId])).rows[0].status as string,
    payments: (await db.query('SELECT status::text AS status, refund_id AS "refundId" FROM payments WHERE booking_id = $1', [bookingId])).rows,
    refundedAudits: await count("SELECT count(*)::int AS n FROM audit_log WHERE entity = 'booking' AND entity_id = $1 AND action = 'refunded'", [bookingId]),
  });

  it('when a cancelled booking gets its refund webhook and then a second refund event, then it is marked refunded once and the second changes nothing', async () => {
    const showId = await createShow();
    const booking = await book(showId, 'STALLS-A-5');
    expect((await stack.invoke('POST', `/api/bookings/${booking.bookingId}/cancel`)).status).toBe(202);
    await eventually(async () => (await state(booking.bookingId)).status, (s) => s === 'CANCELLED', SLACK_MS, 250);
    const cancelled = await state(booking.bookingId);
    expect(cancelled.payments).toEqual([{ status: 'REFUNDED', refundId: expect.any(String) }]);
    expect(cancelled.refundedAudits).toBe(0);
    const refundId = cancelled.payments[0].refundId as string;
    const refundCalls = async () => (await recordedCalls({ domain: 'payment', operation: 'refund', idempotencyKey: `booking-${booking.bookingId}-refund` })).filter((c) => c.outcome === 'ok' && !c.replayed);
    expect(await refundCalls()).toHaveLength(1);

    // The provider's webhook for that refund: the cancelled booking becomes REFUNDED, audited from CANCELLED.
    const first = refundEvent(booking.bookingId, refundId, booking.amount);
    expect(await deliver(first)).toEqual({ status: 200, body: { received: true, status: 'PROCESSED' } });
    expect(await state(booking.bookingId)).toEqual({ status: 'REFUNDED', payments: [{ status: 'REFUNDED', refundId }], refundedAudits: 1 });
    expect((await db.query("SELECT from_state AS \"from\", to_state AS \"to\" FROM audit_log WHERE entity = 'booking' AND entity_id = $1 AND action = 'refunded'", [booking.bookingId])).rows)
      .toEqual([{ from: 'CANCELLED', to: 'REFUNDED' }]);

    // A second refund event (another event, another refund id) for the same booking: recorded, acted on not at all.
    const second = refundEvent(booking.bookingId, `re_${randomUUID().replace(/-/g, '')}`, booking.amount);
    expect(await deliver(second)).toEqual({ status: 200, body: { received: true, status: 'PROCESSED' } });
    expect(await state(booking.bookingId)).toEqual({ status: 'REFUNDED', payments: [{ status: 'REFUNDED', refundId }], refundedAudits: 1 });
    expect((await db.query('SELECT status::text AS status, deliveries FROM webhook_events WHERE id = ANY($1) ORDER BY received_at', [[first.id, second.id]])).rows)
      .toEqual([{ status: 'PROCESSED', deliveries: 1 }, { status: 'PROCESSED', deliveries: 1 }]);
    // No money moved for either event: still the saga's one refund.
    expect(await refundCalls()).toHaveLength(1);
  });
});

describe('refusals that write nothing', () => {
  it('when a hold asks for more seats than the show\'s policy allows, then it is a 400 TOO_MANY_SEATS and no hold or claim is written', async () => {
    const showId = await createShow({ maxSeatsPerHold: 2 });
    const refused = await hold(showId, ['STALLS-A-1', 'STALLS-A-2', 'STALLS-A-3']);
    expect(refused).toMatchObject({ status: 400, body: { code: 'TOO_MANY_SEATS' } });
    expect(await count('SELECT count(*)::int AS n FROM holds WHERE show_id = $1', [showId])).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM seat_claims WHERE show_id = $1', [showId])).toBe(0);
    expect(await seatStatus(showId, 'STALLS-A-1')).toBe('AVAILABLE');
    // The policy's own number is allowed.
    expect((await hold(showId, ['STALLS-A-1', 'STALLS-A-2'])).status).toBe(201);
  });

  it('when a venue has more seats than the largest allowed, then it is a 400 VENUE_TOO_LARGE and no show is written', async () => {
    const title = `Too large ${randomUUID()}`;
    // 20 sections x 2 rows x 500 seats, and one seat more.
    const sections = Array.from({ length: 20 }, (_, i) => ({ name: `Block ${i + 1}`, zone: 'back', rows: [{ label: 'A', seats: 500 }, { label: 'B', seats: 500 }] }));
    sections.push({ name: 'Extra', zone: 'back', rows: [{ label: 'A', seats: 1 }] });
    expect(sections.reduce((n, s) => n + s.rows.reduce((m, r) => m + r.seats, 0), 0)).toBe(MAX_SEATS_PER_VENUE + 1);
    const refused = await stack.invoke<{ code: string }>('POST', '/api/admin/shows', {
      title, startsAt: new Date(Date.now() + 86_400_000).toISOString(), venue: { name: `Stadium ${title}`, sections },
    }, admin());
    expect(refused).toMatchObject({ status: 400, body: { code: 'VENUE_TOO_LARGE' } });
    expect(await count('SELECT count(*)::int AS n FROM shows WHERE title = $1', [title])).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM venues WHERE name = $1', [`Stadium ${title}`])).toBe(0);
  });

  it('when a show starts in the past, then it is a 400 SHOW_IN_THE_PAST and no show is written', async () => {
    const title = `Yesterday ${randomUUID()}`;
    const refused = await stack.invoke<{ code: string }>('POST', '/api/admin/shows', {
      title, startsAt: new Date(Date.now() - 60_000).toISOString(),
      venue: { name: `Hall ${title}`, sections: [{ name: 'Floor', zone: 'floor', rows: [{ label: 'A', seats: 2 }] }] },
    }, admin());
    expect(refused).toMatchObject({ status: 400, body: { code: 'SHOW_IN_THE_PAST' } });
    expect(await count('SELECT count(*)::int AS n FROM shows WHERE title = $1', [title])).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM venues WHERE name = $1', [`Hall ${title}`])).toBe(0);
  });
});

describe('the door', () => {
  it('when a correctly signed ticket names no booking, then the scan answers invalid UNKNOWN_TICKET and nothing is marked used', async () => {
    const showId = await createShow();
    const booking = await book(showId, 'STALLS-A-7');
    const usedOfShow = () => count('SELECT count(*)::int AS n FROM booking_seats s JOIN bookings b ON b.id = s.booking_id WHERE b.show_id = $1 AND s.used_at IS NOT NULL', [showId]);
    const usedBefore = await usedOfShow();
    // Signed with the real key, for a booking that does not exist (the same show and seat as a real one).
    const unknown = signTicket(stack.run.ticketSigningKey, { bookingId: randomUUID(), showId, seatId: 'STALLS-A-7' });
    const scan = (qrPayload: string) => stack.invoke<{ result: string; reason?: string }>('POST', '/api/tickets/verify', { qrPayload }, admin());
    expect(await scan(unknown)).toMatchObject({ status: 200, body: { result: 'invalid', reason: 'UNKNOWN_TICKET', showId, seatId: 'STALLS-A-7' } });
    // Scanned again, still unknown (not already-used): nothing was recorded for it.
    expect(await scan(unknown)).toMatchObject({ status: 200, body: { result: 'invalid', reason: 'UNKNOWN_TICKET' } });
    expect(await count('SELECT count(*)::int AS n FROM booking_seats WHERE qr_payload = $1', [unknown])).toBe(0);
    expect(await usedOfShow()).toBe(usedBefore);
    // The real ticket for that seat is untouched: its first scan is still the valid one.
    expect(await scan(booking.tickets[0]!.qrPayload)).toMatchObject({ status: 200, body: { result: 'valid', seatId: 'STALLS-A-7' } });
    expect(await usedOfShow()).toBe(usedBefore + 1);
  });
});
