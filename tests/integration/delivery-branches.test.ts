/**
 * The delivery app's branches that give up on a message or hand money to a person: a provider's
 * 4xx refusal of an email, an SMS or a refund ends in the dead letters after one delivery (the
 * sidecar's binding retries, never pub/sub redeliveries or email retries), visible to admins; a
 * refused refund goes to manual review (with a refund.alert above REFUND_ALERT_THRESHOLD, none at or
 * below it), a refund in manual review is not paid by a repeated request, and an admin's retry pays
 * it once; the refund.alert subscriber counts and logs each alert, and stores an invalid one as a
 * dead letter. Through the real stack: the providers app's chaos rules force the answers, and the
 * sidecar runs components/ as committed, so call counts follow components/resiliency.yaml.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMPONENTS, TOPICS } from '@holdfast/shared';
import { eventually } from '../support/app-stack';
import { acceptedByKey, recordedCalls, resetProviders, setChaos } from '../support/providers-client';
import { configuredMaxRetries } from '../support/resiliency';
import { TEST_LOG_DIR } from '../support/test-env';
import { book, createShow, notificationsOf, seatIds, startDeliveryWorld, type DeliveryWorld } from '../support/delivery-fixtures';

const PHONE = '+4915112345678';
const NAME = 'delivery-branches';
/** The email queue's first retry wait in this world (seconds): a refused email must not be retried after it. */
const EMAIL_RETRY_BASE_SECONDS = 1;
/** Major units (EUR): a failed refund above it raises refund.alert. 90: two 45.00 EUR seats are exactly at it, three above. */
const REFUND_ALERT_THRESHOLD = 90;

let world: DeliveryWorld;

beforeAll(async () => {
  // More than 3 tickets sold and a cancelled show refunds every booking: small shows exercise refunds.
  world = await startDeliveryWorld(NAME, {
    bookingEnv: { SHOW_CANCEL_REFUND_THRESHOLD: '3' },
    deliveryEnv: { EMAIL_RETRY_BASE_SECONDS: String(EMAIL_RETRY_BASE_SECONDS), REFUND_ALERT_THRESHOLD: String(REFUND_ALERT_THRESHOLD) },
  });
});
afterAll(async () => world?.stop());
beforeEach(() => resetProviders());

interface DeadLetterView {
  id: string; topic: string; eventId: string; status: string; attempts: number | null; lastError: string | null; failureKind: string | null;
  event: { id: string; data: Record<string, unknown> };
}
interface RefundView { id: string; bookingId: string; status: string; attempts: number; manualReviewId: string | null; lastError: string | null }

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const cancelShow = (showId: string) => world.booking.invoke<Record<string, number>>('POST', `/api/admin/shows/${showId}/cancel`, { reason: 'the band missed its flight' }, world.admin);
/** What an admin sees: the dead letters of `topic` whose event's data has `field` in `values`. */
const deadLettersOf = async (topic: string, field: string, values: string[]) => {
  const listed = await world.delivery.invoke<{ deadLetters: DeadLetterView[] }>('GET', `/api/admin/dead-letters?topic=${encodeURIComponent(topic)}&limit=5000`, undefined, world.admin);
  expect(listed.status).toBe(200);
  return listed.body.deadLetters.filter((l) => values.includes(l.event.data[field] as string));
};
const refundsOf = async (status: string, bookingIds: string[]) =>
  (await world.delivery.invoke<{ refunds: RefundView[] }>('GET', `/api/admin/refunds?status=${status}&limit=5000`, undefined, world.admin)).body.refunds.filter((r) => bookingIds.includes(r.bookingId));
const callsOf = async (domain: string, operation: string, idempotencyKey: string) => (await recordedCalls({ domain, operation, idempotencyKey })).map((c) => c.outcome);
const alertsOf = async (bookingIds: string[]) =>
  (await world.db.query<{ payload: { bookingId: string; amount: number; currency: string; refundJobId: string; manualReviewId: string } }>(
    "SELECT payload FROM outbox_events WHERE type = 'refund.alert' AND aggregate_id = ANY($1)", [bookingIds])).rows.map((r) => r.payload);
/** A counter of the delivery app's /metrics with all of `labels` (0 before its first increment). */
async function metric(name: string, labels: string[] = []): Promise<number> {
  const text = (await world.delivery.app<string>('GET', '/metrics')).body;
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && labels.every((label) => l.includes(label)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}
/** The delivery app's log lines (pino JSON), as the test stack writes them. */
const logLines = () => readFileSync(join(TEST_LOG_DIR, `${NAME}-delivery.log`), 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
/** The refund.alert subscriber's log lines about one refund job. */
const alertLines = (refundJobId: string) => logLines().filter((l) => l.alert === 'refund' && l.refundJobId === refundJobId);
const answered = (status: string) => metric('holdfast_delivery_answers_total', [`topic="${TOPICS.refundRequested}"`, `status="${status}"`]);

describe("a provider's 4xx refusal goes to the dead letters, not retried", () => {
  it('when the email provider refuses a ticket email (400), then it is tried once, recorded FAILED and stored as a REFUSED dead letter an admin can list', async () => {
    await setChaos({ 'email.send': { outcomes: { '400': 1 } } });
    const showId = await createShow(world, 'Refused Mail', 1);
    const [booking] = await book(world, showId, [seatIds(0, 1)]);
    const id = booking!.bookingId;
    const key = `booking-${id}-ticket-email`;

    const [letter] = await eventually(() => deadLettersOf(TOPICS.bookingConfirmed, 'bookingId', [id]), (l) => l.length === 1, 60_000, 250);
    expect(letter).toMatchObject({ status: 'PENDING', failureKind: 'REFUSED', lastError: expect.stringMatching(/^refused: /) });
    expect(letter!.event.id).toBe(letter!.eventId);
    const [row] = await notificationsOf(world, [id], TOPICS.bookingConfirmed);
    expect(row).toMatchObject({ key, channel: 'email', status: 'FAILED', attempts: 1 });
    // Well past the queue's first retry wait (three times it, and slack): still the one call.
    await sleep((3 * EMAIL_RETRY_BASE_SECONDS + 5) * 1_000);
    expect(await callsOf('email', 'send', key)).toEqual(['400']);
    expect((await notificationsOf(world, [id], TOPICS.bookingConfirmed))[0]).toMatchObject({ status: 'FAILED', attempts: 1 });
  }, 120_000);

  it('when the SMS gateway refuses a cancellation notice (400), then only the sidecar retries it, the notice is not redelivered, and it is stored as a REFUSED dead letter an admin can list', async () => {
    await setChaos({ 'sms.send': { outcomes: { '400': 1 } } });
    const showId = await createShow(world, 'Refused Text', 1);
    // One ticket: under this world's refund threshold, so the notice is the only message.
    const [booking] = await book(world, showId, [seatIds(0, 1)], { phone: PHONE });
    const id = booking!.bookingId;
    expect((await cancelShow(showId)).body).toMatchObject({ smsQueued: 1, refundsQueued: 0 });

    const [letter] = await eventually(() => deadLettersOf(TOPICS.bookingShowCancelled, 'bookingId', [id]), (l) => l.length === 1, 60_000, 250);
    // One delivery: its one binding call, which the sidecar's policy retried; the answer DROP, so no pub/sub retry.
    expect(letter).toMatchObject({ status: 'PENDING', failureKind: 'REFUSED', attempts: 1, lastError: expect.stringContaining('received status code 400') });
    expect(await callsOf('sms', 'send', `booking-${id}-show-cancelled-sms`)).toEqual(new Array(1 + configuredMaxRetries(COMPONENTS.smsBinding, 'outbound')).fill('400'));
    const rows = await notificationsOf(world, [id], TOPICS.bookingShowCancelled);
    expect(rows.find((r) => r.channel === 'sms')).toMatchObject({ status: 'FAILED', attempts: 1 });
    await eventually(async () => (await notificationsOf(world, [id], TOPICS.bookingShowCancelled)).find((r) => r.channel === 'email')?.status, (s) => s === 'SENT', 30_000, 250);
    // Listed among the dead letters waiting for someone, by the CLI's and the admin UI's route.
    const pending = await world.delivery.invoke<{ deadLetters: DeadLetterView[] }>('GET', '/api/admin/dead-letters?status=PENDING&limit=5000', undefined, world.admin);
    expect(pending.body.deadLetters.map((l) => l.id)).toContain(letter!.id);
  }, 120_000);
});

describe('refunds the gateway refuses go to manual review', () => {
  // First: it ends with a paid call, so the breaker's count of consecutive failures starts again for the next test.
  it('when a refund in manual review is requested again, then nothing is paid; and when an admin retries it after the gateway is fixed, then it is paid once and its review resolved', async () => {
    await setChaos({ 'refund.create': { outcomes: { '404': 1 } } });
    const showId = await createShow(world, 'Asked Twice', 1);
    const [booking] = await book(world, showId, [seatIds(0, 4)]);
    const id = booking!.bookingId;
    const key = `booking-${id}-refund`;
    expect((await cancelShow(showId)).body).toMatchObject({ refundsQueued: 1 });
    const [refund] = await eventually(() => refundsOf('FAILED', [id]), (r) => r.length === 1, 60_000, 250);
    const refusedCalls = await callsOf('refund', 'create', key);
    expect(refusedCalls).toHaveLength(1 + configuredMaxRetries(COMPONENTS.refundBinding, 'outbound'));

    // The same refund requested again (another event, the same refund key) while it waits in manual review.
    await setChaos({ 'refund.create': { outcomes: { ok: 1 } } });
    const answeredBefore = await answered('SUCCESS');
    const { rows: [payment] } = await world.db.query('SELECT capture_id FROM payments WHERE booking_id = $1', [id]);
    await world.db.query("INSERT INTO outbox_events (id, aggregate_id, type, payload) VALUES (gen_random_uuid(), $1, 'refund.requested', $2)",
      [id, { refundKey: key, bookingId: id, showId, amount: 18_000, currency: 'EUR', paymentReference: payment.capture_id, reason: 'asked again' }]);
    await eventually(() => answered('SUCCESS'), (n) => n === answeredBefore + 1, 60_000, 250);
    expect(await callsOf('refund', 'create', key)).toEqual(refusedCalls);
    expect(await world.db.query('SELECT status, attempts FROM refund_jobs WHERE refund_key = $1', [key]).then((r) => r.rows)).toEqual([{ status: 'FAILED', attempts: 1 }]);

    // An admin's retry (the gateway answers again): paid once, the booking refunded, the review resolved.
    expect((await world.delivery.invoke('POST', `/api/admin/refunds/${refund!.id}/retry`, undefined, world.admin)).status).toBe(202);
    await eventually(async () => (await world.db.query('SELECT status FROM refund_jobs WHERE id = $1', [refund!.id])).rows[0].status, (s) => s === 'PROCESSED', 60_000, 250);
    expect((await acceptedByKey('refund', 'create')).get(key)).toHaveLength(1);
    expect((await world.booking.invoke<{ status: string }>('GET', `/api/bookings/${id}`)).body.status).toBe('REFUNDED');
    expect((await world.db.query('SELECT status FROM manual_reviews WHERE id = $1', [refund!.manualReviewId])).rows).toEqual([{ status: 'RESOLVED' }]);
    // 180.00 EUR failed once: one alert, which the subscriber has had; the paid retry raised none.
    expect(await alertsOf([id])).toHaveLength(1);
    await eventually(async () => alertLines(refund!.id).length, (n) => n === 1, 60_000, 250);
  }, 150_000);

  it('when the refund gateway refuses (404), then each refund is sent in one delivery, ends FAILED in an open manual review with a REFUSED dead letter, and only the one above the alert threshold raises refund.alert', async () => {
    await setChaos({ 'refund.create': { outcomes: { '404': 1 } } });
    const showId = await createShow(world, 'Refused Refund', 1);
    // 135.00 EUR (above the 90 EUR alert threshold) and 90.00 EUR (at it, not above): 5 tickets, over this world's refund threshold of 3.
    const [large, even] = await book(world, showId, [seatIds(0, 3), seatIds(3, 2)]);
    const ids = [large!.bookingId, even!.bookingId];
    expect((await cancelShow(showId)).body).toMatchObject({ ticketsSold: 5, refundsQueued: 2 });

    const failed = await eventually(() => refundsOf('FAILED', ids), (r) => r.length === 2, 60_000, 250);
    const letters = await eventually(() => deadLettersOf(TOPICS.refundRequested, 'bookingId', ids), (l) => l.length === 2, 30_000, 250);
    for (const letter of letters) expect(letter).toMatchObject({ status: 'PENDING', failureKind: 'REFUSED', attempts: 1, lastError: expect.stringContaining('received status code 404') });
    for (const refund of failed) {
      expect(refund).toMatchObject({ attempts: 1, manualReviewId: expect.any(String), lastError: expect.stringContaining('received status code 404') });
      expect(await callsOf('refund', 'create', `booking-${refund.bookingId}-refund`)).toEqual(new Array(1 + configuredMaxRetries(COMPONENTS.refundBinding, 'outbound')).fill('404'));
      const { rows } = await world.db.query('SELECT status, kind, booking_id FROM manual_reviews WHERE id = $1', [refund.manualReviewId]);
      expect(rows).toEqual([{ status: 'OPEN', kind: 'refund-job', booking_id: refund.bookingId }]);
      // Claimed for this refund, not refunded.
      expect((await world.booking.invoke<{ status: string }>('GET', `/api/bookings/${refund.bookingId}`)).body.status).toBe('REFUNDING');
    }
    const { rows: [evenJob] } = await world.db.query('SELECT amount FROM refund_jobs WHERE booking_id = $1', [even!.bookingId]);
    expect(evenJob.amount).toBe(REFUND_ALERT_THRESHOLD * 100);
    const largeJobId = failed.find((r) => r.bookingId === large!.bookingId)!.id;
    const alerts = await alertsOf(ids);
    expect(alerts).toEqual([expect.objectContaining({ bookingId: large!.bookingId, amount: 13_500, currency: 'EUR', refundJobId: largeJobId })]);
    // The subscriber has had it (so no alert of this test reaches the next one's counts).
    await eventually(async () => alertLines(largeJobId).length, (n) => n === 1, 60_000, 250);
    expect(alertLines(failed.find((r) => r.bookingId === even!.bookingId)!.id)).toHaveLength(0);
  }, 120_000);
});

describe('the refund.alert subscriber', () => {
  it('when a refund.alert arrives, then the delivery app counts it and logs an error naming the refund job, booking and amount', async () => {
    const alert = { refundJobId: randomUUID(), bookingId: randomUUID(), amount: 25_000, currency: 'EUR', lastError: 'refund-gateway: received status code 503', manualReviewId: randomUUID() };
    const before = await metric('holdfast_refund_alerts_total');
    await world.db.query("INSERT INTO outbox_events (id, aggregate_id, type, payload) VALUES (gen_random_uuid(), $1, 'refund.alert', $2)", [alert.bookingId, alert]);

    await eventually(() => metric('holdfast_refund_alerts_total'), (n) => n === before + 1, 60_000, 250);
    const logged = await eventually(async () => alertLines(alert.refundJobId), (l) => l.length === 1, 10_000, 250);
    expect(logged[0]).toMatchObject({ level: 50, alert: 'refund', bookingId: alert.bookingId, amount: 25_000, currency: 'EUR', lastError: alert.lastError, msg: expect.stringMatching(/^refund\.alert: /) });
    const { rows: [stored] } = await world.db.query("SELECT count(*)::int AS n FROM dead_letters WHERE topic = 'refund.alert' AND event->'data'->>'bookingId' = $1", [alert.bookingId]);
    expect(stored.n).toBe(0);
  }, 90_000);

  it('when a refund.alert carries invalid data, then it is not counted and is stored as a dead letter an admin can list', async () => {
    const bookingId = randomUUID();
    const before = await metric('holdfast_refund_alerts_total');
    await world.db.query("INSERT INTO outbox_events (id, aggregate_id, type, payload) VALUES (gen_random_uuid(), $1, 'refund.alert', $2)", [bookingId, { bookingId, amount: 'a lot' }]);

    const [letter] = await eventually(() => deadLettersOf(TOPICS.refundAlert, 'bookingId', [bookingId]), (l) => l.length === 1, 60_000, 250);
    expect(letter).toMatchObject({ status: 'PENDING', failureKind: 'INVALID' });
    expect(await metric('holdfast_refund_alerts_total')).toBe(before);
  }, 90_000);
});
