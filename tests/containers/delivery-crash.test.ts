/**
 * The delivery container killed (SIGKILL) while 50 ticket emails are in flight, then started again
 * (the kubelet's restart of the same container): every email delivered exactly once, judged by the
 * providers app's record (one accepted send per idempotency key; a replayed key is no second send).
 */
import { bookSeat, createShow, startWorld, ticketKey, type ConfirmedBooking, type World } from '../support/containers/world';

/**
 * The delivery knobs this file sets through the chart's delivery.env, as tests/integration/delivery-tickets.test.ts
 * does: emails retry quickly, and a message the crash lost comes back through the stuck-message
 * sweeper after STUCK_AFTER_SECONDS (kept above pub/sub's 120 s processingTimeout, as docs/delivery.md asks).
 */
const DELIVERY = { STUCK_AFTER_SECONDS: 150, STUCK_SWEEP_INTERVAL_SECONDS: 5, EMAIL_MAX_ATTEMPTS: 20, EMAIL_RETRY_BASE_SECONDS: 1, EMAIL_RETRY_MAX_SECONDS: 1 };
/** The sweeper's whole window (a row must be stuck that long, then wait for the next sweep), three times over. */
const ALL_SENT_WAIT_MS = 3 * (DELIVERY.STUCK_AFTER_SECONDS + DELIVERY.STUCK_SWEEP_INTERVAL_SECONDS) * 1000;
const EMAILS = 50;
/** Slow sends keep many emails at the provider at the moment of the kill. */
const SEND_LATENCY_MS = 1_500;

let world: World;

beforeAll(async () => {
  world = await startWorld('delivery-crash', ['gateway', 'providers', 'booking', 'delivery'], {
    delivery: { env: Object.fromEntries(Object.entries(DELIVERY).map(([k, v]) => [k, String(v)])) },
  });
}, 900_000);
afterAll(() => world?.stop());

const sentRows = async (bookings: ConfirmedBooking[]) => (await world.db.query<{ n: string }>(
  "SELECT count(*) AS n FROM notifications WHERE booking_id = ANY($1::uuid[]) AND topic = 'booking.confirmed' AND channel = 'email' AND status = 'SENT'", [bookings.map((b) => b.bookingId)])).rows[0]!.n;

describe('the delivery container killed mid-work', () => {
  it('when the delivery container is killed with SIGKILL while 50 ticket emails are in flight and started again, then every email reaches the provider exactly once', async () => {
    await world.providers.setChaos({ 'email.send': { outcomes: { ok: 1 }, latencyMs: SEND_LATENCY_MS } });
    const showId = await createShow(world, 'Crash Course', 1);
    const bookings: ConfirmedBooking[] = [];
    // Bookings keep coming while the first emails go out; the kill lands in the middle of both.
    const booking = (async () => {
      for (let i = 0; i < EMAILS; i += 5) bookings.push(...(await Promise.all([0, 1, 2, 3, 4].map((k) => bookSeat(world, showId, i + k)))));
    })();
    const keys = () => new Set(bookings.map((b) => ticketKey(b.bookingId)));
    const acceptedOfOurs = async () => [...(await world.providers.acceptedByKey('email', 'send')).keys()].filter((k) => keys().has(k)).length;
    const deadline = Date.now() + 3 * 60_000;
    while ((await acceptedOfOurs()) < 5) {
      if (Date.now() > deadline) throw new Error('no 5 emails reached the provider in 3 minutes');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    await world.tier.killApp('delivery');
    // Mid-work, by the records: some emails delivered (the provider accepted them), some not yet.
    const acceptedAtKill = await acceptedOfOurs();
    expect(acceptedAtKill).toBeGreaterThan(0);
    expect(acceptedAtKill).toBeLessThan(EMAILS);
    await booking;
    expect(bookings).toHaveLength(EMAILS);
    expect(Number(await sentRows(bookings))).toBeLessThan(EMAILS);

    await world.tier.restartApp('delivery');
    // Normally within seconds. A message the crash lost comes back through the stuck-message sweeper (docs/container-tier.md).
    const deadlineAll = Date.now() + ALL_SENT_WAIT_MS;
    while (Number(await sentRows(bookings)) < EMAILS) {
      if (Date.now() > deadlineAll) throw new Error(`only ${await sentRows(bookings)} of ${EMAILS} emails SENT after ${ALL_SENT_WAIT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    const accepted = await world.providers.acceptedByKey('email', 'send');
    for (const key of keys()) expect({ key, sends: accepted.get(key)?.length ?? 0 }).toEqual({ key, sends: 1 });
  }, 1_200_000);
});
