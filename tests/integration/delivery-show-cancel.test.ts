/**
 * An admin cancels a show: every customer is told (SMS and email) and, above the refund threshold
 * (200 tickets by default), refunded, each once, through the outbox, pub/sub and the delivery app.
 * A second cancel call changes nothing and sends nothing.
 */
import { TOPICS } from '@holdfast/shared';
import { eventually } from '../support/app-stack';
import { recordedCalls, resetProviders } from '../support/providers-client';
import { book, createShow, notificationsOf, seatIds, startDeliveryWorld, type ConfirmedBooking, type DeliveryWorld } from '../support/delivery-fixtures';

let world: DeliveryWorld;
const PHONE = '+4915112345678';

beforeAll(async () => {
  world = await startDeliveryWorld('delivery-show-cancel');
});
afterAll(async () => world?.stop());
beforeEach(() => resetProviders());

interface Progress {
  status: string; bookings: number; ticketsSold: number; smsQueued: number; emailsQueued: number; refundsQueued: number;
  delivery: { messages: { sent: number; failed: number; sms: { sent: number; pending: number }; email: { sent: number; pending: number } }; refunds: { processed: number; failed: number; manualReview: number; pending: number } };
}

const cancel = (showId: string) => world.booking.invoke<Record<string, unknown>>('POST', `/api/admin/shows/${showId}/cancel`, { reason: 'the roof is leaking' }, world.admin);
const progress = (showId: string) => world.booking.invoke<Progress>('GET', `/api/admin/shows/${showId}/cancellation`, undefined, world.admin);

/** Accepted provider calls per key (a replayed key's answer is not a second send). */
async function accepted(domain: string, operation: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const call of await recordedCalls({ domain, operation })) {
    if (call.outcome === 'ok' && !call.replayed && call.idempotencyKey) counts.set(call.idempotencyKey, (counts.get(call.idempotencyKey) ?? 0) + 1);
  }
  return counts;
}

/** `count` bookings of 5 seats each. */
const fiveSeatBookings = (showId: string, count: number): Promise<ConfirmedBooking[]> =>
  book(world, showId, Array.from({ length: count }, (_, i) => seatIds(i * 5, 5)), { phone: PHONE });

describe('admin show cancellation fan-out', () => {
  it('when a show with 250 tickets sold is cancelled, then every booking gets one SMS, one email and one refund; a second cancel sends nothing', async () => {
    const showId = await createShow(world, 'Full House', 6);
    const bookings = await fiveSeatBookings(showId, 50);
    const ids = bookings.map((b) => b.bookingId);

    const first = await cancel(showId);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ showId, status: 'CANCELLED', bookings: 50, ticketsSold: 250, smsQueued: 50, emailsQueued: 50, refundsQueued: 50 });

    const done = await eventually(() => progress(showId), (p) => p.body.delivery.refunds.processed === 50 && p.body.delivery.messages.sent === 100, 120_000, 1_000);
    expect(done.body.delivery).toMatchObject({ messages: { failed: 0, sms: { sent: 50, pending: 0 }, email: { sent: 50, pending: 0 } }, refunds: { processed: 50, failed: 0, manualReview: 0, pending: 0 } });

    const sms = await accepted('sms', 'send');
    const refunds = await accepted('refund', 'create');
    for (const id of ids) {
      expect(sms.get(`booking-${id}-show-cancelled-sms`)).toBe(1);
      expect(refunds.get(`booking-${id}-refund`)).toBe(1);
    }
    const { rows } = await world.db.query("SELECT b.status AS booking, p.status AS payment FROM bookings b JOIN payments p ON p.booking_id = b.id WHERE b.id = ANY($1::uuid[])", [ids]);
    expect(rows).toHaveLength(50);
    expect(rows.every((r) => r.booking === 'REFUNDED' && r.payment === 'REFUNDED')).toBe(true);

    // The same summary again; no new outbox event, no new provider call.
    const { rows: [before] } = await world.db.query('SELECT count(*)::int AS n FROM outbox_events WHERE aggregate_id = ANY($1)', [[showId, ...ids]]);
    const callsBefore = (await recordedCalls()).length;
    const second = await cancel(showId);
    expect(second.body).toEqual(first.body);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const { rows: [after] } = await world.db.query('SELECT count(*)::int AS n FROM outbox_events WHERE aggregate_id = ANY($1)', [[showId, ...ids]]);
    expect(after.n).toBe(before.n);
    expect((await recordedCalls()).length).toBe(callsBefore);
  }, 240_000);

  it('when a show with 150 tickets sold is cancelled, then every booking gets its SMS and email and nobody is refunded', async () => {
    const showId = await createShow(world, 'Half House', 6);
    const bookings = await fiveSeatBookings(showId, 30);
    const ids = bookings.map((b) => b.bookingId);

    const cancelled = await cancel(showId);
    expect(cancelled.body).toMatchObject({ bookings: 30, ticketsSold: 150, smsQueued: 30, emailsQueued: 30, refundsQueued: 0 });
    await eventually(() => progress(showId), (p) => p.body.delivery.messages.sent === 60, 120_000, 1_000);

    const sms = await accepted('sms', 'send');
    for (const id of ids) expect(sms.get(`booking-${id}-show-cancelled-sms`)).toBe(1);
    expect((await recordedCalls({ domain: 'refund', operation: 'create' }))).toHaveLength(0);
    expect((await notificationsOf(world, ids, TOPICS.bookingShowCancelled)).map((r) => r.status)).toEqual(new Array(60).fill('SENT'));
    const { rows } = await world.db.query("SELECT count(*)::int AS n FROM refund_jobs WHERE booking_id = ANY($1::uuid[])", [ids]);
    expect(rows[0].n).toBe(0);
    expect((await progress(showId)).body.delivery.refunds).toMatchObject({ processed: 0, pending: 0 });
  }, 240_000);
});
