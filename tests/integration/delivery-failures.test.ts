/**
 * When providers keep failing: messages end in the dead-letter store after the retries the YAML
 * configures, and replay delivers each once; refunds end FAILED in manual review (with an alert
 * above the threshold) and a retry pays once; and the retry counts follow components/resiliency.yaml.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { COMPONENTS, TOPICS } from '@holdfast/shared';
import { eventually, startDeliveryStack } from '../support/app-stack';
import { acceptedByKey, recordedCalls, resetProviders, setChaos } from '../support/providers-client';
import { configuredBreakerTimeoutMs, configuredMaxRetries } from '../support/resiliency';
import { book, createShow, notificationsOf, seatIds, startDeliveryWorld, type DeliveryWorld } from '../support/delivery-fixtures';
import { ROOT } from '../../scripts/devstack/env';

let world: DeliveryWorld;
const PHONE = '+4915112345678';

/** A copy of components/ with `edit` applied to its resiliency.yaml, as an operator would edit it. */
function componentsWith(edit: (resiliency: ResiliencyYaml) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-components-'));
  cpSync(join(ROOT, 'components'), dir, { recursive: true });
  const file = join(dir, 'resiliency.yaml');
  const resiliency = parse(readFileSync(file, 'utf8')) as ResiliencyYaml;
  edit(resiliency);
  writeFileSync(file, stringify(resiliency));
  return dir;
}
type ResiliencyYaml = { spec: { policies: { retries: Record<string, Record<string, unknown>>; circuitBreakers: Record<string, Record<string, unknown>> }; targets: { components: Record<string, { outbound: Record<string, unknown> }> } } };

/**
 * This file's sidecars wait less between attempts than production does: pub/sub redeliveries back
 * off to at most 2 s (production: 10 s) and the provider breaker stays open 3 s (production: 10 s).
 * Every count is the production file's: the same maxRetries, the same breaker trip, the same
 * policies on the same components; only the pauses between attempts are shorter, so a message
 * reaches the dead letters in about 15 s instead of 45 s. The tests assert counts and outcomes,
 * never how long the pauses were; pubsub.test.ts runs the production file as it is.
 */
const shortPauses = () => componentsWith((resiliency) => {
  resiliency.spec.policies.retries.subscriberDelivery!.maxInterval = '2s';
  resiliency.spec.policies.circuitBreakers.providerBreaker!.timeout = '3s';
});
let resourcesPath: string;

beforeAll(async () => {
  resourcesPath = shortPauses();
  // Any show with more than 3 tickets sold is refunded on cancellation: small shows exercise refunds.
  // And the stuck-message sweeper looks every 2 s for messages untouched for a minute.
  world = await startDeliveryWorld('delivery-failures', { resourcesPath, bookingEnv: { SHOW_CANCEL_REFUND_THRESHOLD: '3' }, deliveryEnv: { STUCK_AFTER_SECONDS: '60', STUCK_SWEEP_INTERVAL_SECONDS: '2' } });
});
afterAll(async () => world?.stop());
beforeEach(() => resetProviders());

interface DeadLetterView {
  id: string; topic: string; eventId: string; status: string; attempts: number | null; lastError: string | null;
  event: { id: string; subject: string; type: string; correlationid?: string; data: { bookingId: string; correlationId?: string } };
}


/**
 * Once the provider answers again, waits until the delivery sidecar's circuit breaker on `binding`
 * lets calls through: probes of its own (keys no test counts) until one is answered 2xx, for up to
 * three times the breaker's configured open time plus slack, instead of sleeping just past it.
 */
async function untilBreakerCloses(binding: string, body: unknown): Promise<void> {
  let probe = 0;
  await eventually(
    async () => (await world.delivery.dapr('POST', `/v1.0/bindings/${binding}`, { operation: 'post', data: body, metadata: { path: '', 'Content-Type': 'application/json', 'Idempotency-Key': `breaker-probe-${binding}-${Date.now()}-${probe++}` } })).status,
    (status) => status >= 200 && status < 300, 3 * configuredBreakerTimeoutMs(binding) + 30_000, 1_000);
}
const cancelShow = (showId: string) => world.booking.invoke<Record<string, number>>('POST', `/api/admin/shows/${showId}/cancel`, { reason: 'the stage flooded' }, world.admin);
const deadLettersOf = async (topic: string, bookingIds: string[]) =>
  ((await world.delivery.invoke<{ deadLetters: DeadLetterView[] }>('GET', `/api/admin/dead-letters?topic=${encodeURIComponent(topic)}&limit=5000`, undefined, world.admin)).body.deadLetters)
    .filter((l) => bookingIds.includes(l.event.data.bookingId));
const okCalls = async (domain: string, operation: string, key: string) => (await acceptedByKey(domain, operation)).get(key) ?? [];

/** The CLI, as an operator runs it, pointed at the test's delivery sidecar. */
const dlq = (...args: string[]) => promisify(execFile)(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'dlq.ts'), ...args], {
  cwd: ROOT, env: { ...process.env, DELIVERY_URL: `${world.delivery.run.gatewayUrl}/v1.0/invoke/delivery/method`, CLIENT_API_TOKEN: world.delivery.run.clientApiToken, ADMIN_API_TOKEN: world.delivery.run.adminApiToken },
});

describe('dead letters and replay', () => {
  it('when the SMS gateway fails every call, then each notice ends in the dead-letter store, and after the gateway is back a replay sends each SMS once', async () => {
    await setChaos({ 'sms.send': { outcomes: { '500': 1 } }, 'refund.create': { outcomes: { ok: 1 } } });
    const showId = await createShow(world, 'Rain Dance', 1);
    const bookings = await book(world, showId, [seatIds(0, 1), seatIds(1, 1), seatIds(2, 1)], { phone: PHONE });
    const ids = bookings.map((b) => b.bookingId);
    expect((await cancelShow(showId)).status).toBe(200);

    const letters = await eventually(() => deadLettersOf(TOPICS.bookingShowCancelled, ids), (l) => l.length === 3, 120_000, 1_000);
    const { rows: [cancellation] } = await world.db.query("SELECT correlation_id FROM outbox_events WHERE aggregate_id = $1 AND type = 'show.cancelled'", [showId]);
    for (const letter of letters) {
      // The CloudEvent as the relay published it: the outbox row's id, the booking as subject, the cancel request's correlation id.
      const { rows: [row] } = await world.db.query('SELECT id::text, aggregate_id FROM outbox_events WHERE id = $1::uuid', [letter.eventId]);
      expect(row).toEqual({ id: letter.event.id, aggregate_id: letter.event.data.bookingId });
      expect(letter.event).toMatchObject({ type: TOPICS.bookingShowCancelled, subject: letter.event.data.bookingId, correlationid: cancellation.correlation_id });
      expect(letter.event.data.correlationId).toBe(cancellation.correlation_id);
      // The gateway's own 500, or the sidecar's circuit breaker, open after 10 of them.
      expect(letter).toMatchObject({ status: 'PENDING', lastError: expect.stringMatching(/received status code 500|circuit breaker is open/) });
      // One SMS attempt per delivery: the first and each of the configured pub/sub retries, no more.
      expect(letter.attempts).toBe(1 + configuredMaxRetries('pubsub', 'inbound'));
    }
    const rows = await notificationsOf(world, ids, TOPICS.bookingShowCancelled);
    expect(rows.filter((r) => r.channel === 'email').every((r) => r.status === 'SENT')).toBe(true);
    expect(rows.filter((r) => r.channel === 'sms').every((r) => r.status === 'PENDING')).toBe(true);
    const listed = await dlq('list', '--topic', TOPICS.bookingShowCancelled);
    for (const letter of letters) expect(listed.stdout).toContain(letter.id);

    // The gateway recovers; the sidecar's circuit breaker lets calls through again after its timeout.
    await setChaos({ 'sms.send': { outcomes: { ok: 1 } } });
    await untilBreakerCloses(COMPONENTS.smsBinding, { to: PHONE, body: 'breaker probe' });
    await dlq('replay', letters[0]!.id);
    const replayedByTopic = await world.delivery.invoke<{ replayed: number }>('POST', '/api/admin/dead-letters/replay', { topic: TOPICS.bookingShowCancelled }, world.admin);
    expect(replayedByTopic.status).toBe(202);
    await eventually(async () => (await deadLettersOf(TOPICS.bookingShowCancelled, ids)).map((l) => l.status), (s) => s.every((x) => x === 'REPLAYED'), 60_000, 500);

    for (const booking of bookings) {
      expect(await okCalls('sms', 'send', `booking-${booking.bookingId}-show-cancelled-sms`)).toHaveLength(1);
      expect(await okCalls('email', 'send', `booking-${booking.bookingId}-show-cancelled-email`)).toHaveLength(1);
    }
    expect((await notificationsOf(world, ids, TOPICS.bookingShowCancelled)).every((r) => r.status === 'SENT')).toBe(true);
    // Replaying again has nothing to do.
    expect((await world.delivery.invoke<{ code: string }>('POST', `/api/admin/dead-letters/${letters[1]!.id}/replay`, undefined, world.admin)).body.code).toBe('DEAD_LETTER_ALREADY_REPLAYED');
  }, 240_000);

  it('when the refund gateway fails every call, then refunds end FAILED in manual review with a refund.alert above 100, and a retry after recovery pays once', async () => {
    await setChaos({ 'refund.create': { outcomes: { '503': 1 } } });
    const showId = await createShow(world, 'Dry Spell', 1);
    // 135.00 EUR (over the alert threshold) and 45.00 EUR: 4 tickets, over this world's refund threshold of 3.
    const [large, small] = await book(world, showId, [seatIds(0, 3), seatIds(3, 1)]);
    const cancelled = await cancelShow(showId);
    expect(cancelled.body).toMatchObject({ ticketsSold: 4, refundsQueued: 2 });

    type Refund = { id: string; bookingId: string; status: string; attempts: number; manualReviewId: string | null; lastError: string | null };
    const failed = await eventually(
      async () => (await world.delivery.invoke<{ refunds: Refund[] }>('GET', '/api/admin/refunds?status=FAILED', undefined, world.admin)).body.refunds.filter((r) => [large!.bookingId, small!.bookingId].includes(r.bookingId)),
      (r) => r.length === 2, 120_000, 1_000);
    for (const refund of failed) {
      expect(refund.manualReviewId).not.toBeNull();
      expect(refund.lastError).toMatch(/received status code 503|circuit breaker is open/);
      const { rows } = await world.db.query('SELECT status, kind FROM manual_reviews WHERE id = $1', [refund.manualReviewId]);
      expect(rows[0]).toEqual({ status: 'OPEN', kind: 'refund-job' });
    }
    const { rows: alerts } = await world.db.query("SELECT payload FROM outbox_events WHERE type = 'refund.alert' AND aggregate_id = ANY($1)", [[large!.bookingId, small!.bookingId]]);
    expect(alerts.map((a) => a.payload.bookingId)).toEqual([large!.bookingId]);
    expect(alerts[0].payload).toMatchObject({ amount: 13_500, currency: 'EUR' });
    // Claimed for this refund (the customer's own cancellation will not refund it again), not refunded yet.
    expect((await world.booking.invoke<{ status: string }>('GET', `/api/bookings/${large!.bookingId}`)).body.status).toBe('REFUNDING');

    await setChaos({ 'refund.create': { outcomes: { ok: 1 } } });
    await untilBreakerCloses(COMPONENTS.refundBinding, { amount: 1, currency: 'EUR', paymentReference: 'breaker-probe' });
    const largeRefund = failed.find((r) => r.bookingId === large!.bookingId)!;
    expect((await world.delivery.invoke('POST', `/api/admin/refunds/${largeRefund.id}/retry`, undefined, world.admin)).status).toBe(202);
    await eventually(async () => (await world.db.query('SELECT status FROM refund_jobs WHERE id = $1', [largeRefund.id])).rows[0].status, (s) => s === 'PROCESSED', 60_000, 500);
    expect(await okCalls('refund', 'create', `booking-${large!.bookingId}-refund`)).toHaveLength(1);
    expect((await world.booking.invoke<{ status: string }>('GET', `/api/bookings/${large!.bookingId}`)).body.status).toBe('REFUNDED');
    const { rows: payments } = await world.db.query('SELECT status, refund_id FROM payments WHERE booking_id = $1', [large!.bookingId]);
    expect(payments).toEqual([{ status: 'REFUNDED', refund_id: expect.stringMatching(/^rf_/) }]);
    const { rows: review } = await world.db.query('SELECT status FROM manual_reviews WHERE id = $1', [largeRefund.manualReviewId]);
    expect(review[0].status).toBe('RESOLVED');
    // A retry of a refund no longer in manual review is refused; the small one stays FAILED until someone retries it.
    expect((await world.delivery.invoke<{ code: string }>('POST', `/api/admin/refunds/${largeRefund.id}/retry`, undefined, world.admin)).body.code).toBe('REFUND_NOT_IN_MANUAL_REVIEW');
    expect(await okCalls('refund', 'create', `booking-${small!.bookingId}-refund`)).toHaveLength(0);
  }, 240_000);
});

describe('one refund per booking', () => {
  it('when a show-cancellation refund has paid and the customer then cancels the booking, then nothing is refunded a second time', async () => {
    await setChaos({ 'refund.create': { outcomes: { ok: 1 } }, 'payment.refund': { outcomes: { ok: 1 } } });
    const showId = await createShow(world, 'Paid Once', 1);
    const [first, second] = await book(world, showId, [seatIds(0, 2), seatIds(2, 2)]);
    expect((await cancelShow(showId)).body).toMatchObject({ refundsQueued: 2 });
    await eventually(async () => (await world.db.query('SELECT status FROM bookings WHERE id = $1', [first!.bookingId])).rows[0].status, (s) => s === 'REFUNDED', 60_000, 500);

    const cancelled = await world.booking.invoke<{ status: string }>('POST', `/api/bookings/${first!.bookingId}/cancel`);
    expect(cancelled).toMatchObject({ status: 200, body: { status: 'REFUNDED' } });
    await eventually(async () => (await world.db.query('SELECT status FROM bookings WHERE id = $1', [second!.bookingId])).rows[0].status, (s) => s === 'REFUNDED', 60_000, 500);
    for (const booking of [first!, second!]) {
      expect(await okCalls('refund', 'create', `booking-${booking.bookingId}-refund`)).toHaveLength(1);
      expect(await okCalls('payment', 'refund', `booking-${booking.bookingId}-refund`)).toHaveLength(0);
    }
  }, 120_000);

  it("when the customer's own cancellation holds the booking first, then the show-cancellation refund job pays nothing and says why", async () => {
    await setChaos({ 'refund.create': { outcomes: { ok: 1 } }, 'payment.refund': { outcomes: { ok: 1 } } });
    const showId = await createShow(world, 'Customer First', 1);
    const [booking] = await book(world, showId, [seatIds(0, 4)]);
    // The customer's saga has claimed the booking (CANCELLING) when the refund job arrives.
    await world.db.query("UPDATE bookings SET status = 'CANCELLING' WHERE id = $1", [booking!.bookingId]);
    await world.db.query(
      "INSERT INTO outbox_events (id, aggregate_id, type, payload) VALUES (gen_random_uuid(), $1, 'refund.requested', $2)",
      [booking!.bookingId, { refundKey: `booking-${booking!.bookingId}-refund`, bookingId: booking!.bookingId, showId, amount: 18_000, currency: 'EUR', paymentReference: 'cap_x', reason: 'test' }],
    );
    const job = await eventually(async () => (await world.db.query('SELECT status, last_error FROM refund_jobs WHERE booking_id = $1', [booking!.bookingId])).rows[0], (j) => j?.status === 'PROCESSED', 60_000, 500);
    expect(job.last_error).toContain("customer's own cancellation");
    expect(await okCalls('refund', 'create', `booking-${booking!.bookingId}-refund`)).toHaveLength(0);
  }, 120_000);
});

describe('the stuck-message sweeper', () => {
  it('when a refund job sits PENDING with no delivery in progress and no dead letter, then its event is published again and the refund is paid once', async () => {
    await setChaos({ 'refund.create': { outcomes: { ok: 1 } } });
    const showId = await createShow(world, 'Lost Message', 1);
    const [booking] = await book(world, showId, [seatIds(0, 1)]);
    const { rows: [payment] } = await world.db.query('SELECT capture_id FROM payments WHERE booking_id = $1', [booking!.bookingId]);
    // A refund.requested whose message was lost after its job was opened: published 10 minutes ago, the job untouched since.
    const refundKey = `booking-${booking!.bookingId}-refund`;
    const { rows: [event] } = await world.db.query(
      "INSERT INTO outbox_events (id, aggregate_id, type, payload, published_at, created_at) VALUES (gen_random_uuid(), $1, 'refund.requested', $2, now() - interval '10 minutes', now() - interval '10 minutes') RETURNING id::text",
      [booking!.bookingId, { refundKey, bookingId: booking!.bookingId, showId, amount: 4_500, currency: 'EUR', paymentReference: payment.capture_id, reason: 'lost' }],
    );
    await world.db.query(
      "INSERT INTO refund_jobs (id, refund_key, booking_id, show_id, amount, currency, status, event_id, event, created_at, updated_at) VALUES (gen_random_uuid(), $1, $2, $3, 4500, 'EUR', 'PENDING', $4, '{}', now() - interval '10 minutes', now() - interval '10 minutes')",
      [refundKey, booking!.bookingId, showId, event.id],
    );
    await eventually(async () => (await world.db.query('SELECT status FROM refund_jobs WHERE refund_key = $1', [refundKey])).rows[0].status, (s) => s === 'PROCESSED', 60_000, 500);
    expect(await okCalls('refund', 'create', refundKey)).toHaveLength(1);
    expect((await world.db.query('SELECT status FROM bookings WHERE id = $1', [booking!.bookingId])).rows[0].status).toBe('REFUNDED');
    const metrics = await world.delivery.app<string>('GET', '/metrics');
    expect(metrics.body).toMatch(/holdfast_delivery_resurrected_total\{topic="refund.requested",app="delivery"\} [1-9]/);
  }, 120_000);
});

describe('retry counts come from components/resiliency.yaml', () => {
  /** A copy of components/ with other retry numbers and no circuit breaker. */
  const editedComponents = (providerRetries: number, deliveryRetries: number) => componentsWith((resiliency) => {
    resiliency.spec.policies.retries.providerCall = { policy: 'constant', duration: '100ms', maxRetries: providerRetries };
    resiliency.spec.policies.retries.subscriberDelivery = { policy: 'constant', duration: '100ms', maxRetries: deliveryRetries };
    delete resiliency.spec.targets.components['sms-gateway']!.outbound.circuitBreaker;
  });

  it.each([[1, 1], [3, 2]])('when maxRetries is %i for the binding and %i for pub/sub, then a failing SMS reaches the gateway (1 + binding retries) x (1 + pub/sub retries) times', async (providerRetries, deliveryRetries) => {
    // The delivery app alone on its own resources: restarting it with another YAML is all it takes.
    await world.delivery.stop();
    const delivery = await startDeliveryStack({ logName: `delivery-failures-retries-${providerRetries}-${deliveryRetries}`, resourcesPath: editedComponents(providerRetries, deliveryRetries) });
    try {
      await setChaos({ 'sms.send': { outcomes: { '500': 1 } } });
      const showId = await createShow(world, `Retries ${providerRetries}`, 1);
      const [booking] = await book(world, showId, [seatIds(0, 1)], { phone: PHONE });
      expect((await cancelShow(showId)).status).toBe(200);
      await eventually(() => deadLettersOf(TOPICS.bookingShowCancelled, [booking!.bookingId]), (l) => l.length === 1, 60_000, 500);
      const calls = await recordedCalls({ domain: 'sms', operation: 'send', idempotencyKey: `booking-${booking!.bookingId}-show-cancelled-sms` });
      expect(calls).toHaveLength((1 + providerRetries) * (1 + deliveryRetries));
    } finally {
      await delivery.stop();
      world.delivery = await startDeliveryStack({ logName: 'delivery-failures-delivery', resourcesPath });
    }
  }, 120_000);
});
