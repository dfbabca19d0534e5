/**
 * Seed 001 (001_2de6598d1174fd57.txt), "Sprint 2 Durability & Policy Resilience", through the
 * client path (the gateway, with the client credential; admin routes with the admin bearer token):
 * - the durable email queue: a "request received" email when a hold is placed, then the ticket
 *   email on confirmation (the confirmation email: one, not two), each once; its job payload
 *   `{bookingId, type, scheduledFor, attempt}`; `attempts: 5`, exponential backoff from a base
 *   (60 s in production; 1 s here, by EMAIL_RETRY_BASE_SECONDS), then the dead letters
 *   (`pending-booking-emails:dlq` → our dead_letters); the worker re-checks the hold before sending;
 * - `FEATURE_EMAIL_QUEUE_ENABLED=false`: nothing sent, everything recorded, the channel shown disabled;
 * - policy drift: re-quote at most 2 times, then escalate to the admins with the policy hash diff
 *   and the booking's context; `FEATURE_POLICY_REQUOTE_ENABLED=false`: any drift is a 409 POLICY_CHANGED.
 * Timings are asserted by order and by the recorded schedule, never by tight wall-clock bounds.
 */
import { TOPICS } from '@holdfast/shared';
import { eventually, startBookingStack, startDeliveryStack } from '../../support/app-stack';
import { acceptedByKey, recordedCalls, resetProviders, setChaos } from '../../support/providers-client';
import { createShow, seatIds, startDeliveryWorld, type DeliveryWorld } from '../../support/delivery-fixtures';
import { retryDelaySeconds } from '../../../apps/delivery/src/domain/email-schedule';

const BASE_SECONDS = 1;
const MAX_ATTEMPTS = 5;
/** The configured wait after failed attempt n, in ms (EMAIL_RETRY_BASE_SECONDS x 2^(n-1)). */
const delayMs = (attempt: number) => retryDelaySeconds(attempt, BASE_SECONDS) * 1000;
const ADMIN_EMAIL = 'venue-admins@example.com';
const DELIVERY_ENV = { EMAIL_RETRY_BASE_SECONDS: String(BASE_SECONDS), EMAIL_MAX_ATTEMPTS: String(MAX_ATTEMPTS), POLICY_ESCALATION_EMAIL: ADMIN_EMAIL };

let world: DeliveryWorld;
let showId: string;
let nextSeat = 0;

beforeAll(async () => {
  world = await startDeliveryWorld('seed-001', { deliveryEnv: DELIVERY_ENV });
  showId = await createShow(world, 'Seed One', 4);
}, 120_000);
afterAll(async () => world?.stop());
beforeEach(() => resetProviders());

interface SentMail { personalizations: Array<{ to: Array<{ email: string }> }>; subject: string; content: Array<{ type: string; value: string }>; custom_args: { idempotency_key: string } }
interface Attempt { attempt: number; at: string; outcome: string; providerStatus: number | null; providerAnswer: string | null; error: string | null; nextAttemptAt: string | null }
interface NotificationView { id: string; key: string; kind: string; status: string; attempts: number; lastError: string | null; attemptLog: Attempt[] }

const requestKey = (holdId: string) => `hold-${holdId}-request-received-email`;
const ticketKey = (bookingId: string) => `booking-${bookingId}-ticket-email`;

async function placeHold(customer: string, seats = 1, ttlSeconds = 600) {
  const seatList = seatIds(nextSeat, seats);
  nextSeat += seats;
  const hold = await world.booking.invoke<{ holdId: string }>('POST', `/api/shows/${showId}/holds`, {
    seatIds: seatList, customerId: customer, customerEmail: `${customer}@example.com`, ttlSeconds,
  });
  expect(hold.status).toBe(201);
  return { holdId: hold.body.holdId, seatIds: seatList };
}

const confirm = (holdId: string, token = 'tok_visa') =>
  world.booking.invoke<{ bookingId: string; amount: number; code?: string }>('POST', `/api/holds/${holdId}/confirm`, { payment: { token } }, { 'idempotency-key': `confirm-${holdId}-${token}-${Date.now()}` });

async function notificationByKey(key: string): Promise<NotificationView> {
  const row = await eventually(async () => (await world.db.query<{ id: string }>('SELECT id FROM notifications WHERE key = $1', [key])).rows[0], (r) => r !== undefined, 30_000, 200);
  const view = await world.delivery.invoke<NotificationView>('GET', `/api/admin/notifications/${row!.id}`, undefined, world.admin);
  expect(view.status).toBe(200);
  return view.body;
}

const waitStatus = (key: string, status: string, timeoutMs = 60_000) =>
  eventually(() => notificationByKey(key), (n) => n.status === status, timeoutMs, 250);

describe('seed 001: the durable email queue', () => {
  it('when a hold is placed with an email, then exactly one "request received" email arrives; confirmed, exactly one ticket email (the confirmation email), no second confirmation', async () => {
    const { holdId } = await placeHold('s1-request');
    await eventually(async () => (await acceptedByKey('email', 'send')).get(requestKey(holdId)) ?? [], (sends) => sends.length === 1, 30_000, 250);
    const request = await notificationByKey(requestKey(holdId));
    expect(request).toMatchObject({ kind: 'request_received', status: 'SENT', attempts: 1 });
    expect(request.attemptLog).toEqual([expect.objectContaining({ attempt: 1, outcome: 'sent', providerStatus: 202 })]);

    const confirmed = await confirm(holdId);
    expect(confirmed.status).toBe(201);
    const { bookingId } = confirmed.body;
    await waitStatus(ticketKey(bookingId), 'SENT');
    const accepted = await acceptedByKey('email', 'send');
    expect(accepted.get(requestKey(holdId))).toHaveLength(1);
    expect(accepted.get(ticketKey(bookingId))).toHaveLength(1);
    // Everything the customer received: the request received, then the tickets. Nothing else.
    const toCustomer = [...accepted.values()].flat().filter((c) => (c.request as SentMail).personalizations[0]!.to[0]!.email === 's1-request@example.com');
    expect(toCustomer.map((c) => (c.request as SentMail).subject)).toEqual(['Request received: Seed One', 'Your tickets for Seed One']);
    expect((await notificationByKey(ticketKey(bookingId))).kind).toBe('confirmed');
  });

  it('when the email provider fails, then each attempt is recorded on its own at exponentially growing waits (scheduler jobs with the documented payload), and the email is delivered once the provider is back', async () => {
    await setChaos({ 'email.send': { outcomes: { '500': 1 } } });
    const { holdId } = await placeHold('s1-retry');
    const key = requestKey(holdId);
    const failing = await eventually(() => notificationByKey(key), (n) => n.attemptLog.length >= 3, 60_000, 250);
    const [first, second, third] = failing.attemptLog;
    expect([first!.attempt, second!.attempt, third!.attempt]).toEqual([1, 2, 3]);
    for (const a of [first!, second!, third!]) expect(a).toMatchObject({ outcome: 'transient', providerStatus: 500 });
    // Recorded in order, each not before the previous one's scheduled time (a tolerance of a quarter of
    // the base for the clocks), and scheduled base x 2^(n-1) after it. The schedule is computed before
    // the attempt row is written, so the recorded gap is the configured delay less the write's time:
    // never above the delay, and above half of it (which the previous step's delay would be).
    expect(Date.parse(second!.at)).toBeGreaterThanOrEqual(Date.parse(first!.nextAttemptAt!) - delayMs(1) / 4);
    expect(Date.parse(third!.at)).toBeGreaterThanOrEqual(Date.parse(second!.nextAttemptAt!) - delayMs(1) / 4);
    for (const a of [first!, second!, third!]) {
      const gap = Date.parse(a.nextAttemptAt!) - Date.parse(a.at);
      expect(gap).toBeGreaterThan(delayMs(a.attempt) / 2);
      expect(gap).toBeLessThanOrEqual(delayMs(a.attempt));
    }

    // The waiting attempt is a Dapr scheduler job carrying seed 001's payload {bookingId, type, scheduledFor, attempt}.
    // (daprd answers the data as a google.protobuf.Value: {"@type": ..., "value": <the data>}.) Read while the next attempt waits.
    const waiting = await eventually(async () => {
      const next = (await notificationByKey(key)).attemptLog.length + 1;
      const job = await world.delivery.dapr<{ data?: { value?: Record<string, unknown> } }>('GET', `/v1.0-alpha1/jobs/email-${failing.id}-${next}`);
      return { next, status: job.status, data: job.body.data?.value ?? job.body.data };
    }, (j) => j.status === 200, 30_000, 100);
    expect(waiting.data).toMatchObject({ bookingId: holdId, type: 'request_received', scheduledFor: expect.any(String), attempt: waiting.next, notificationId: failing.id });

    await setChaos({ 'email.send': { outcomes: { ok: 1 } } });
    const sent = await waitStatus(key, 'SENT', 60_000);
    expect(sent.attemptLog.at(-1)).toMatchObject({ outcome: 'sent' });
    expect(sent.attemptLog.map((a) => a.attempt)).toEqual(sent.attemptLog.map((_, i) => i + 1));
    expect((await acceptedByKey('email', 'send')).get(key)).toHaveLength(1);
  }, 120_000);

  it('when the delivery app dies while an email waits for its retry, then the scheduler keeps the retry and the restarted app delivers it once (survives worker restarts)', async () => {
    await setChaos({ 'email.send': { outcomes: { '500': 1 } } });
    const { holdId } = await placeHold('s1-restart');
    const key = requestKey(holdId);
    await eventually(() => notificationByKey(key), (n) => n.attemptLog.length >= 2, 30_000, 100);
    await world.delivery.killApp();
    // The crash landed mid-work: the email is still PENDING with a retry scheduled, and nothing reached the provider's inbox.
    const pending = await world.db.query<{ status: string; next_attempt_at: Date | null }>('SELECT status, next_attempt_at FROM notifications WHERE key = $1', [key]);
    expect(pending.rows[0]).toMatchObject({ status: 'PENDING', next_attempt_at: expect.any(Date) });
    expect((await acceptedByKey('email', 'send')).get(key)).toBeUndefined();
    await setChaos({ 'email.send': { outcomes: { ok: 1 } } });
    // Down until the pending retry is due and a whole base wait more: the job fires while no app answers, and daprd retries it.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, pending.rows[0]!.next_attempt_at!.getTime() - Date.now()) + delayMs(1)));
    await world.delivery.startApp();
    const sent = await waitStatus(key, 'SENT', 90_000);
    expect(sent.attemptLog.at(-1)).toMatchObject({ outcome: 'sent' });
    expect((await acceptedByKey('email', 'send')).get(key)).toHaveLength(1);
  }, 150_000);

  it('when every attempt fails, then after 5 attempts the email is a dead letter (failed, with its attempts), and nothing more is tried', async () => {
    await setChaos({ 'email.send': { outcomes: { '503': 1 } } });
    const { holdId } = await placeHold('s1-dead');
    const key = requestKey(holdId);
    // 5 attempts, waits of 1 + 2 + 4 + 8 s.
    const failed = await waitStatus(key, 'FAILED', 90_000);
    expect(failed.attemptLog.map((a) => [a.attempt, a.outcome])).toEqual([[1, 'transient'], [2, 'transient'], [3, 'transient'], [4, 'transient'], [5, 'transient']]);
    expect(failed.attemptLog.at(-1)!.nextAttemptAt).toBeNull();
    const letters = await world.delivery.invoke<{ deadLetters: Array<{ eventId: string; attempts: number; lastError: string; event: { data: { holdId: string } } }> }>(
      'GET', `/api/admin/dead-letters?topic=${TOPICS.bookingHoldPlaced}`, undefined, world.admin);
    const letter = letters.body.deadLetters.find((l) => l.event.data.holdId === holdId);
    expect(letter).toMatchObject({ attempts: 5, lastError: expect.stringContaining('5 attempts failed') });
    // Nothing more is tried: no scheduler job waits for a sixth attempt (an outcome, not a wait), and the provider saw exactly five.
    expect((await world.delivery.dapr('GET', `/v1.0-alpha1/jobs/email-${failed.id}-${MAX_ATTEMPTS + 1}`)).status).not.toBe(200);
    expect(await recordedCalls({ domain: 'email', operation: 'send', idempotencyKey: key })).toHaveLength(MAX_ATTEMPTS);

    // The manual replay (npm run dlq / POST /api/admin/dead-letters/:id/replay) starts a new round once the provider is back.
    await setChaos({ 'email.send': { outcomes: { ok: 1 } } });
    const stored = await world.db.query<{ id: string }>('SELECT id FROM dead_letters WHERE topic = $1 AND event_id = $2', [TOPICS.bookingHoldPlaced, letter!.eventId]);
    expect((await world.delivery.invoke('POST', `/api/admin/dead-letters/${stored.rows[0]!.id}/replay`, undefined, world.admin)).status).toBe(202);
    const resent = await waitStatus(key, 'SENT', 60_000);
    expect(resent.attemptLog.map((a) => a.outcome)).toEqual(['transient', 'transient', 'transient', 'transient', 'transient', 'sent']);
  }, 150_000);

  it('when the provider refuses the email (4xx), then it is not retried: one attempt, refused, a dead letter', async () => {
    await setChaos({ 'email.send': { outcomes: { '400': 1 } } });
    const { holdId } = await placeHold('s1-refused');
    const key = requestKey(holdId);
    const failed = await waitStatus(key, 'FAILED', 30_000);
    expect(failed.attemptLog).toEqual([expect.objectContaining({ attempt: 1, outcome: 'refused', providerStatus: 400, nextAttemptAt: null })]);
    await new Promise((resolve) => setTimeout(resolve, 3 * BASE_SECONDS * 1000));
    expect(await recordedCalls({ domain: 'email', operation: 'send', idempotencyKey: key })).toHaveLength(1);
    const letter = await world.db.query('SELECT last_error FROM dead_letters WHERE topic = $1 AND event->\'data\'->>\'holdId\' = $2', [TOPICS.bookingHoldPlaced, holdId]);
    expect(letter.rows[0].last_error).toMatch(/^refused/);
  });

  it('when the hold is no longer held when a retry runs, then the request-received email is not sent, and why is recorded (the worker re-checks the status)', async () => {
    await setChaos({ 'email.send': { outcomes: { '500': 1 } } });
    const { holdId } = await placeHold('s1-released');
    const key = requestKey(holdId);
    await eventually(() => notificationByKey(key), (n) => n.attemptLog.length >= 1, 30_000, 200);
    expect((await world.booking.invoke('DELETE', `/api/holds/${holdId}`)).status).toBe(200);
    await setChaos({ 'email.send': { outcomes: { ok: 1 } } });
    const skipped = await waitStatus(key, 'SKIPPED', 30_000);
    expect(skipped.lastError).toMatch(/released/);
    expect(skipped.attemptLog.at(-1)).toMatchObject({ outcome: 'skipped' });
    expect((await acceptedByKey('email', 'send')).get(key)).toBeUndefined();
  });
});

describe('seed 001: FEATURE_EMAIL_QUEUE_ENABLED=false', () => {
  it('when the email queue is disabled, then no email reaches the provider, each is recorded DISABLED, and monitoring shows the email channel disabled', async () => {
    await world.delivery.stop();
    world.delivery = await startDeliveryStack({ logName: 'seed-001-delivery-disabled', env: { ...DELIVERY_ENV, FEATURE_EMAIL_QUEUE_ENABLED: 'false' } });
    try {
      const disabledBefore = (await world.delivery.invoke<{ email: { disabled: number } }>('GET', '/api/monitoring/delivery', undefined, world.admin)).body.email.disabled;
      const { holdId } = await placeHold('s1-disabled');
      const confirmed = await confirm(holdId);
      expect(confirmed.status).toBe(201);
      const request = await waitStatus(requestKey(holdId), 'DISABLED', 30_000);
      const ticket = await waitStatus(ticketKey(confirmed.body.bookingId), 'DISABLED', 30_000);
      for (const n of [request, ticket]) {
        expect(n.lastError).toMatch(/FEATURE_EMAIL_QUEUE_ENABLED=false/);
        expect(n.attemptLog).toEqual([]);
      }
      expect(await recordedCalls({ domain: 'email', operation: 'send', idempotencyKey: requestKey(holdId) })).toHaveLength(0);
      expect(await recordedCalls({ domain: 'email', operation: 'send', idempotencyKey: ticketKey(confirmed.body.bookingId) })).toHaveLength(0);
      const figures = await world.delivery.invoke<{ email: { enabled: boolean; channel: string; disabled: number } }>('GET', '/api/monitoring/delivery', undefined, world.admin);
      expect(figures.body.email).toMatchObject({ enabled: false, channel: 'disabled' });
      // This test's two emails, exactly.
      expect(figures.body.email.disabled).toBe(disabledBefore + 2);
      const metrics = await world.delivery.app<string>('GET', '/metrics');
      expect(metrics.body).toMatch(/holdfast_email_queue_enabled\{app="delivery"\} 0/);
    } finally {
      await world.delivery.stop();
      world.delivery = await startDeliveryStack({ logName: 'seed-001-delivery', env: DELIVERY_ENV });
    }
  }, 120_000);
});

describe('seed 001: policy drift', () => {
  const setPrice = async (floor: number) => {
    const response = await world.booking.invoke<{ policyVersion: number; changed: boolean }>('PUT', `/api/admin/shows/${showId}/policy`, { currency: 'EUR', zonePrices: { floor }, maxSeatsPerHold: 10 }, world.admin);
    expect(response.status).toBe(200);
  };

  it('when the policy keeps changing, then after 2 re-quotes the confirmation is a 409 POLICY_CHANGED, the admins get one email with the hash diff and the booking\'s context, and the escalation is listed for admins', async () => {
    const { holdId, seatIds: seats } = await placeHold('s1-escalated', 2);
    await setPrice(5000);
    expect((await confirm(holdId, 'tok_chargeDeclined')).status).toBe(402);
    await setPrice(5500);
    expect((await confirm(holdId, 'tok_chargeDeclined')).status).toBe(402);
    await setPrice(6000);
    const refused = await confirm(holdId);
    expect(refused).toMatchObject({ status: 409, body: { code: 'POLICY_CHANGED' } });

    const listed = await world.booking.invoke<{ escalations: Array<Record<string, unknown>> }>('GET', `/api/admin/policy-escalations?holdId=${holdId}`, undefined, world.admin);
    expect(listed.status).toBe(200);
    expect(listed.body.escalations).toHaveLength(1);
    const escalation = listed.body.escalations[0]!;
    expect(escalation).toMatchObject({
      holdId, showId, customerId: 's1-escalated', customerEmail: 's1-escalated@example.com', seatIds: [...seats].sort(), recoveries: 2,
      changes: [{ path: 'zonePrices.floor', from: 5500, to: 6000 }], oldAmount: 11000, newAmount: 12000, currency: 'EUR',
    });
    expect(escalation.oldPolicyHash).not.toBe(escalation.newPolicyHash);
    expect((await world.booking.invoke('GET', '/api/admin/policy-escalations')).status).toBe(401);

    const key = `policy-escalation-${escalation.id as string}-email`;
    await eventually(async () => (await acceptedByKey('email', 'send')).get(key) ?? [], (sends) => sends.length === 1, 30_000, 250);
    const mail = (await acceptedByKey('email', 'send')).get(key)![0]!.request as SentMail;
    expect(mail.personalizations[0]!.to[0]!.email).toBe(ADMIN_EMAIL);
    const text = mail.content.find((c) => c.type === 'text/plain')!.value;
    expect(text).toContain(`Policy hash: ${escalation.oldPolicyHash as string} -> ${escalation.newPolicyHash as string}`);
    expect(text).toContain('zonePrices.floor: 5500 -> 6000');
    expect(text).toContain(`Hold: ${holdId}`);
    expect(text).toContain(showId);
    expect(text).toContain('s1-escalated@example.com');
    expect(text).toContain('110.00 EUR -> 120.00 EUR');
    expect((await notificationByKey(key)).kind).toBe('policy_escalation');

    // A retried confirmation under the same policy escalates nothing more.
    expect((await confirm(holdId)).status).toBe(409);
    const again = await world.booking.invoke<{ escalations: unknown[] }>('GET', `/api/admin/policy-escalations?holdId=${holdId}`, undefined, world.admin);
    expect(again.body.escalations).toHaveLength(1);
  }, 120_000);

  it('when FEATURE_POLICY_REQUOTE_ENABLED=false, then any drift is an immediate 409 POLICY_CHANGED: no re-quote, no escalation, nothing charged', async () => {
    await world.booking.stop();
    world.booking = await startBookingStack({ logName: 'seed-001-booking-no-requote', env: { FEATURE_POLICY_REQUOTE_ENABLED: 'false' } });
    try {
      const { holdId } = await placeHold('s1-no-requote');
      await setPrice(6500);
      const refused = await confirm(holdId);
      expect(refused).toMatchObject({ status: 409, body: { code: 'POLICY_CHANGED' } });
      expect((await world.db.query('SELECT count(*)::int AS n FROM audit_log WHERE entity_id = $1 AND action = \'requoted\'', [holdId])).rows[0].n).toBe(0);
      expect((await world.db.query('SELECT count(*)::int AS n FROM policy_escalations WHERE hold_id = $1', [holdId])).rows[0].n).toBe(0);
      expect((await recordedCalls({ domain: 'payment', operation: 'capture' })).filter((c) => c.idempotencyKey === `hold-${holdId}-capture`)).toHaveLength(0);
      const metrics = await (await fetch(`${world.booking.appUrl}/metrics`)).text();
      expect(metrics).toMatch(/holdfast_policy_drift_rejections_total\{[^}]*\} 1/);
    } finally {
      await world.booking.stop();
      world.booking = await startBookingStack({ logName: 'seed-001-booking' });
    }
  }, 120_000);
});
