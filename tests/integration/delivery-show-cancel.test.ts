/**
 * An admin cancels a show: every customer is told (SMS and email) and, above the refund threshold
 * (200 tickets by default), refunded, each once, through the outbox, pub/sub and the delivery app.
 * A second cancel call changes nothing and sends nothing.
 */
import { TOPICS } from '@holdfast/shared';
import { eventually, startDeliveryStack } from '../support/app-stack';
import { acceptedByKey, recordedCalls, resetProviders, setChaos } from '../support/providers-client';
import { book, createShow, notificationsOf, seatIds, startDeliveryWorld, type ConfirmedBooking, type DeliveryWorld } from '../support/delivery-fixtures';
import { redeliveryQuietMs } from '../support/resiliency';

let world: DeliveryWorld;
const PHONE = '+4915112345678';

beforeAll(async () => {
  // The sweeper republishes a message left PENDING for 150 s (above processingTimeout): see the kill test.
  world = await startDeliveryWorld('delivery-show-cancel', { deliveryEnv: { STUCK_AFTER_SECONDS: '150', STUCK_SWEEP_INTERVAL_SECONDS: '5' } });
});
afterAll(async () => world?.stop());
beforeEach(() => resetProviders());

interface Progress {
  status: string; bookings: number; ticketsSold: number; smsQueued: number; emailsQueued: number; refundsQueued: number;
  delivery: { messages: { sent: number; failed: number; sms: { sent: number; pending: number }; email: { sent: number; pending: number }; whatsapp?: { sent: number; failed: number } }; refunds: { processed: number; failed: number; manualReview: number; pending: number } };
}

const cancel = (showId: string) => world.booking.invoke<Record<string, unknown>>('POST', `/api/admin/shows/${showId}/cancel`, { reason: 'the roof is leaking' }, world.admin);
const progress = (showId: string) => world.booking.invoke<Progress>('GET', `/api/admin/shows/${showId}/cancellation`, undefined, world.admin);

/** Accepted provider calls per key, counted. */
const accepted = async (domain: string, operation: string) => new Map([...(await acceptedByKey(domain, operation))].map(([key, calls]) => [key, calls.length]));

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
    // Calls about this show and its bookings only (another file's leftover work may still reach the providers).
    const ours = async () => (await recordedCalls()).filter((c) => c.idempotencyKey !== null && [showId, ...ids].some((id) => c.idempotencyKey!.includes(id))).length;
    const callsBefore = await ours();
    const second = await cancel(showId);
    expect(second.body).toEqual(first.body);
    // Longer than one more redelivery could wait.
    await new Promise((resolve) => setTimeout(resolve, redeliveryQuietMs()));
    const { rows: [after] } = await world.db.query('SELECT count(*)::int AS n FROM outbox_events WHERE aggregate_id = ANY($1)', [[showId, ...ids]]);
    expect(after.n).toBe(before.n);
    expect(await ours()).toBe(callsBefore);
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
    expect((await recordedCalls({ domain: 'refund', operation: 'create' })).filter((c) => ids.some((id) => c.idempotencyKey?.includes(id)))).toHaveLength(0);
    expect((await notificationsOf(world, ids, TOPICS.bookingShowCancelled)).map((r) => r.status)).toEqual(new Array(60).fill('SENT'));
    const { rows } = await world.db.query("SELECT count(*)::int AS n FROM refund_jobs WHERE booking_id = ANY($1::uuid[])", [ids]);
    expect(rows[0].n).toBe(0);
    expect((await progress(showId)).body.delivery.refunds).toMatchObject({ processed: 0, pending: 0 });
  }, 240_000);

  it('when the delivery app is killed halfway through a cancellation fan-out, then after its restart every SMS, email and refund is sent once', async () => {
    // Slow providers keep the fan-out in flight when the app dies.
    await setChaos({ 'sms.send': { outcomes: { ok: 1 }, latencyMs: 1_000 }, 'refund.create': { outcomes: { ok: 1 }, latencyMs: 1_000 }, 'email.send': { outcomes: { ok: 1 }, latencyMs: 500 } });
    const showId = await createShow(world, 'Power Cut', 6);
    const bookings = await fiveSeatBookings(showId, 41);
    const ids = bookings.map((b) => b.bookingId);
    expect((await cancel(showId)).body).toMatchObject({ ticketsSold: 205, smsQueued: 41, emailsQueued: 41, refundsQueued: 41 });
    await eventually(async () => (await recordedCalls({ domain: 'sms', operation: 'send' })).filter((c) => ids.some((id) => c.idempotencyKey?.includes(id))).length, (n) => n >= 5, 60_000, 100);

    await world.delivery.killApp();
    // The crash landed mid-work: read with the app dead, SMS and refunds of this show were still unsent.
    const smsSentAtKill = (await notificationsOf(world, ids, TOPICS.bookingShowCancelled)).filter((r) => r.channel === 'sms' && r.status === 'SENT').length;
    const { rows: [refundsAtKill] } = await world.db.query("SELECT count(*) FILTER (WHERE status = 'PROCESSED')::int AS processed FROM refund_jobs WHERE booking_id = ANY($1::uuid[])", [ids]);
    expect(smsSentAtKill).toBeLessThan(41);
    expect(refundsAtKill.processed).toBeLessThan(41);
    await world.delivery.startApp();
    // Normally within seconds; up to STUCK_AFTER_SECONDS more if a message was lost (the sweeper republishes it).
    await eventually(() => progress(showId), (p) => p.body.delivery.refunds.processed === 41 && p.body.delivery.messages.sent === 82, 300_000, 1_000);

    const [sms, email, refunds] = await Promise.all([accepted('sms', 'send'), accepted('email', 'send'), accepted('refund', 'create')]);
    for (const id of ids) {
      expect(sms.get(`booking-${id}-show-cancelled-sms`)).toBe(1);
      expect(email.get(`booking-${id}-show-cancelled-email`)).toBe(1);
      expect(refunds.get(`booking-${id}-refund`)).toBe(1);
    }
  }, 420_000);

  it('when the delivery app is configured for SMS and WhatsApp, then each customer gets one message on each channel and one email', async () => {
    await world.delivery.stop();
    world.delivery = await startDeliveryStack({ logName: 'delivery-show-cancel-whatsapp', env: { NOTICE_PHONE_CHANNELS: 'sms,whatsapp' } });
    const showId = await createShow(world, 'Two Channels', 1);
    const bookings = await book(world, showId, [seatIds(0, 2), seatIds(2, 2)], { phone: PHONE });
    await cancel(showId);
    const done = await eventually(() => progress(showId), (p) => p.body.delivery.messages.sent === 6, 60_000, 500);
    expect(done.body.delivery.messages).toMatchObject({ whatsapp: { sent: 2, failed: 0 }, sms: { sent: 2 }, email: { sent: 2 } });
    const calls = (await recordedCalls({ domain: 'sms', operation: 'send' })).filter((c) => c.outcome === 'ok' && !c.replayed);
    for (const { bookingId } of bookings) {
      for (const channel of ['sms', 'whatsapp']) {
        const sent = calls.filter((c) => c.idempotencyKey === `booking-${bookingId}-show-cancelled-${channel}`);
        expect(sent).toHaveLength(1);
        expect(sent[0]!.request).toMatchObject({ to: PHONE, channel });
      }
    }
  }, 120_000);
});
