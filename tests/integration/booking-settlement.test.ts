/**
 * The hold's payment settlement (HoldActor.settlePayment), one test per branch: a hold that ends
 * without a booking after a payment attempt (released by the customer, or expired) replays the
 * confirmation's keys so nothing stays authorized or captured, and what it cannot settle becomes
 * one open 'hold-refund' manual review. Money is read from the providers app's record.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { eventually, startBookingStack, type AppStack } from '../support/app-stack';
import { providerResources, recordedCalls, resetProviders, setChaos } from '../support/providers-client';
import { paymentKeys } from '../../apps/booking/src/actors/hold.actor';

/** The booking app's payment timeout in this stack (PAYMENT_TIMEOUT_MS): every latency and wait below is derived from it. */
const PAYMENT_TIMEOUT_MS = 2_000;
/** The ttl of the holds that end by expiry: long enough for a placement and a confirmation on a slow machine. */
const EXPIRING_TTL_SECONDS = 15;
/** Patience past a hold's expiry: generous fixed slack, at least three times the ttl. */
const EXPIRY_SLACK_MS = Math.max(30_000, 3 * EXPIRING_TTL_SECONDS * 1000);
/** A token no test card pins: the providers' chaos decides authorize and capture for it. */
const CHAOS_TOKEN = 'tok_settlement';
const SEAT_PRICE = 6000;

let stack: AppStack;
let db: Client;
let showId: string;
let nextSeat = 1;

/** The booking stack (its payment timeout as given) and a show of 20 front seats, for one describe block. */
function withBookingStack(paymentTimeoutMs: number): void {
  beforeAll(async () => {
    stack = await startBookingStack({ logName: `booking-settlement-${paymentTimeoutMs}`, env: { PAYMENT_TIMEOUT_MS: String(paymentTimeoutMs) } });
    db = new Client({ connectionString: stack.run.databaseUrl });
    await db.connect();
    showId = await createShow();
  });
  afterAll(async () => {
    await resetProviders().catch(() => undefined);
    await db?.end();
    await stack?.stop();
  });
  beforeEach(() => resetProviders());
}

async function createShow(): Promise<string> {
  const created = await stack.invoke<{ showId: string }>('POST', '/api/admin/shows', {
    title: 'Measure for Measure', startsAt: new Date(Date.now() + 86_400_000).toISOString(),
    venue: { name: 'Swan', sections: [{ name: 'Stalls', zone: 'front', rows: [{ label: 'A', seats: 20 }] }] },
    policy: { currency: 'EUR', zonePrices: { front: SEAT_PRICE } },
  }, { authorization: `Bearer ${stack.run.adminApiToken}` });
  expect(created.status).toBe(201);
  nextSeat = 1;
  return created.body.showId;
}

async function placeHold(ttlSeconds = 300): Promise<{ holdId: string; expiresAt: string }> {
  const response = await stack.invoke<{ holdId: string; expiresAt: string }>('POST', `/api/shows/${showId}/holds`, {
    seatIds: [`STALLS-A-${nextSeat++}`], customerId: 'c-settle', customerEmail: 'ada@example.com', ttlSeconds,
  });
  expect(response.status).toBe(201);
  return response.body;
}
const confirm = (holdId: string, token: string) =>
  stack.invoke<{ code?: string }>('POST', `/api/holds/${holdId}/confirm`, { payment: { token } }, { 'idempotency-key': randomUUID() });
const release = async (holdId: string) => {
  const response = await stack.invoke<{ status: string }>('DELETE', `/api/holds/${holdId}`);
  expect(response).toMatchObject({ status: 200, body: { status: 'RELEASED' } });
};
const holdStatus = async (holdId: string) => (await stack.invoke<{ status: string }>('GET', `/api/holds/${holdId}`)).body.status;
const untilExpired = (hold: { holdId: string; expiresAt: string }) =>
  eventually(() => holdStatus(hold.holdId), (s) => s === 'EXPIRED', Math.max(0, Date.parse(hold.expiresAt) - Date.now()) + EXPIRY_SLACK_MS, 250);
/** What the providers hold for the hold, as kind:status. */
const money = async (holdId: string) => (await providerResources(holdId)).map((r) => `${r.kind}:${r.status}`).sort();
/** The calls made under one of the hold's keys, as outcome (and "replayed"). */
const callsUnder = async (operation: 'authorize' | 'capture' | 'release' | 'refund', holdId: string) =>
  (await recordedCalls({ domain: 'payment', operation, idempotencyKey: paymentKeys(holdId)[operation] })).map((c) => (c.replayed ? `${c.outcome} replayed` : c.outcome));
const reviews = async (holdId: string) =>
  (await db.query("SELECT kind, status, reason, data FROM manual_reviews WHERE kind = 'hold-refund' AND data->>'holdId' = $1", [holdId])).rows;

/** A confirmation that authorized, then lost the capture's answer: the capture happened at the provider after the app's timeout. */
async function confirmWithCaptureAnswerLost(holdId: string): Promise<string> {
  await setChaos({ 'payment.capture': { outcomes: { ok: 1 }, latencyMs: 2 * PAYMENT_TIMEOUT_MS } });
  expect(await confirm(holdId, CHAOS_TOKEN)).toMatchObject({ status: 503, body: { code: 'PAYMENT_UNAVAILABLE' } });
  // The provider finishes the capture after its latency: waited for with slack, not slept on.
  const resources = await eventually(() => providerResources(holdId), (rs) => rs.some((r) => r.kind === 'capture'), 2 * PAYMENT_TIMEOUT_MS + 30_000, 100);
  expect(resources.map((r) => `${r.kind}:${r.status}`).sort()).toEqual(['authorization:captured', 'capture:captured']);
  expect(await holdStatus(holdId)).toBe('ACTIVE');
  return resources.find((r) => r.kind === 'capture')!.id;
}

/** A confirmation that authorized, then had its capture refused as unavailable (503): the authorization is left standing. */
async function confirmWithCaptureUnavailable(holdId: string): Promise<void> {
  await setChaos({ 'payment.capture': { outcomes: { '503': 1 } } });
  expect(await confirm(holdId, CHAOS_TOKEN)).toMatchObject({ status: 503, body: { code: 'PAYMENT_UNAVAILABLE' } });
  // Mid-work: the authorization still holds the customer's money when the hold ends.
  expect(await money(holdId)).toEqual(['authorization:authorized']);
  expect(await holdStatus(holdId)).toBe('ACTIVE');
}

describe('settling a hold that ends without a booking after a payment attempt', () => {
  withBookingStack(PAYMENT_TIMEOUT_MS);

  it('when a hold whose card was declined expires, then the settlement asks the authorization again, is declined, and leaves nothing charged and no manual review', async () => {
    const hold = await placeHold(EXPIRING_TTL_SECONDS);
    expect(await confirm(hold.holdId, 'tok_chargeDeclined')).toMatchObject({ status: 402, body: { code: 'PAYMENT_DECLINED' } });
    expect(await holdStatus(hold.holdId)).toBe('ACTIVE');
    expect(await callsUnder('authorize', hold.holdId)).toEqual(['402']);

    await untilExpired(hold);
    // The expiry replayed the authorization's key (declined again) and went no further.
    expect(await callsUnder('authorize', hold.holdId)).toEqual(['402', '402']);
    expect(await callsUnder('release', hold.holdId)).toEqual([]);
    expect(await money(hold.holdId)).toEqual([]);
    expect(await reviews(hold.holdId)).toEqual([]);
  });

  it('when the payment provider does not answer the authorization at confirmation nor at the release, then the hold is released with one open manual review saying so', async () => {
    const { holdId } = await placeHold();
    await setChaos({ 'payment.authorize': { outcomes: { '503': 1 } } });
    expect(await confirm(holdId, CHAOS_TOKEN)).toMatchObject({ status: 503, body: { code: 'PAYMENT_UNAVAILABLE' } });

    await release(holdId);
    expect(await callsUnder('authorize', holdId)).toEqual(['503', '503']);
    expect(await callsUnder('release', holdId)).toEqual([]);
    expect(await money(holdId)).toEqual([]);
    expect(await reviews(holdId)).toEqual([{
      kind: 'hold-refund', status: 'OPEN', reason: 'hold ended without a booking; the payment provider did not answer',
      data: { holdId, captureId: null, amount: SEAT_PRICE },
    }]);
  });

  it('when a hold whose capture was unavailable expires, then the settlement releases the authorization under its key: nothing charged, no manual review', async () => {
    const hold = await placeHold(EXPIRING_TTL_SECONDS);
    await confirmWithCaptureUnavailable(hold.holdId);

    await untilExpired(hold);
    // The authorization's key was replayed (the same authorization, not a new one), then released.
    expect(await callsUnder('authorize', hold.holdId)).toEqual(['ok', 'ok replayed']);
    expect(await callsUnder('release', hold.holdId)).toEqual(['ok']);
    expect(await money(hold.holdId)).toEqual(['authorization:released']);
    expect(await reviews(hold.holdId)).toEqual([]);
  });

  it('when the provider refuses to release the authorization (400, not 409), then the hold is released with one open manual review and the authorization is left for it', async () => {
    const { holdId } = await placeHold();
    await confirmWithCaptureUnavailable(holdId);
    await setChaos({ 'payment.release': { outcomes: { '400': 1 } } });

    await release(holdId);
    expect(await callsUnder('release', holdId)).toEqual(['400']);
    expect(await callsUnder('capture', holdId)).toEqual(['503']);
    expect(await money(holdId)).toEqual(['authorization:authorized']);
    expect(await reviews(holdId)).toEqual([{
      kind: 'hold-refund', status: 'OPEN', reason: 'hold ended without a booking; the authorization could not be released',
      data: { holdId, captureId: null, amount: SEAT_PRICE },
    }]);
  });

  it('when the capture\'s answer was lost (it did charge) and the hold is released, then the release is refused 409, the capture is replayed under its key and refunded once: nothing charged, no manual review', async () => {
    const { holdId } = await placeHold();
    const captureId = await confirmWithCaptureAnswerLost(holdId);

    await release(holdId);
    expect(await callsUnder('release', holdId)).toEqual(['409']);
    // One charge only: the settlement's capture is the first one's remembered answer.
    expect(await callsUnder('capture', holdId)).toEqual(['ok', 'ok replayed']);
    expect(await callsUnder('refund', holdId)).toEqual(['ok']);
    const resources = await providerResources(holdId);
    expect(resources.map((r) => `${r.kind}:${r.status}`).sort()).toEqual(['authorization:refunded', 'capture:refunded', 'refund:refunded']);
    expect(resources.find((r) => r.kind === 'refund')).toMatchObject({ parentId: captureId, amount: SEAT_PRICE });
    expect(await reviews(holdId)).toEqual([]);
  });

  it('when the release is refused as captured (409) but the capture cannot be found again under its key, then the hold is released with one open manual review and nothing is charged', async () => {
    const { holdId } = await placeHold();
    await confirmWithCaptureUnavailable(holdId);
    await setChaos({ 'payment.release': { outcomes: { '409': 1 } }, 'payment.capture': { outcomes: { '404': 1 } } });

    await release(holdId);
    expect(await callsUnder('release', holdId)).toEqual(['409']);
    expect(await callsUnder('capture', holdId)).toEqual(['503', '404']);
    expect(await callsUnder('refund', holdId)).toEqual([]);
    expect(await money(holdId)).toEqual(['authorization:authorized']);
    expect(await reviews(holdId)).toEqual([{
      kind: 'hold-refund', status: 'OPEN', reason: 'hold ended without a booking; the capture could not be found again',
      data: { holdId, captureId: null, amount: SEAT_PRICE },
    }]);
  });

  it('when the capture\'s answer was lost and the refund is unavailable at the release, then the hold is released with one open manual review naming the capture still charged', async () => {
    const { holdId } = await placeHold();
    const captureId = await confirmWithCaptureAnswerLost(holdId);
    await setChaos({ 'payment.refund': { outcomes: { '503': 1 } } });

    await release(holdId);
    expect(await callsUnder('capture', holdId)).toEqual(['ok', 'ok replayed']);
    expect(await callsUnder('refund', holdId)).toEqual(['503']);
    expect(await money(holdId)).toEqual(['authorization:captured', 'capture:captured']);
    expect(await reviews(holdId)).toEqual([{
      kind: 'hold-refund', status: 'OPEN', reason: 'hold ended without a booking; refund unavailable',
      data: { holdId, captureId, amount: SEAT_PRICE },
    }]);
  });

  it('when the refund is refused (400) at the release, then the hold is released with one open manual review naming the capture and the refusal', async () => {
    const { holdId } = await placeHold();
    const captureId = await confirmWithCaptureAnswerLost(holdId);
    await setChaos({ 'payment.refund': { outcomes: { '400': 1 } } });

    await release(holdId);
    expect(await callsUnder('refund', holdId)).toEqual(['400']);
    expect(await money(holdId)).toEqual(['authorization:captured', 'capture:captured']);
    expect(await reviews(holdId)).toEqual([{
      kind: 'hold-refund', status: 'OPEN', reason: 'hold ended without a booking; refund rejected',
      data: { holdId, captureId, amount: SEAT_PRICE },
    }]);
  });
});

/** A payment timeout long enough that an admin's show cancellation fits inside a capture's latency (a quarter of it), as in booking-kitchen. */
const SLOW_PAYMENT_TIMEOUT_MS = 30_000;
const SLOW_CAPTURE_LATENCY_MS = SLOW_PAYMENT_TIMEOUT_MS / 4;

describe('settling a confirmation whose show is cancelled while it pays', () => {
  withBookingStack(SLOW_PAYMENT_TIMEOUT_MS);

  it('when the show is cancelled while the capture is answering and the refund is unavailable, then the confirmation is refused, no booking is made, and one open manual review names the capture still charged', async () => {
    const { holdId } = await placeHold();
    await setChaos({ 'payment.capture': { outcomes: { ok: 1 }, latencyMs: SLOW_CAPTURE_LATENCY_MS }, 'payment.refund': { outcomes: { '503': 1 } } });
    const confirming = confirm(holdId, CHAOS_TOKEN);
    // Paying, seen rather than guessed: the authorization has answered; the capture (recorded when it answers) has not.
    await eventually(() => callsUnder('authorize', holdId), (calls) => calls.includes('ok'), SLOW_CAPTURE_LATENCY_MS, 50);
    const cancelled = await stack.invoke<{ status: string; bookings: number }>('POST', `/api/admin/shows/${showId}/cancel`, { reason: 'flood' }, { authorization: `Bearer ${stack.run.adminApiToken}` });
    expect(cancelled).toMatchObject({ status: 200, body: { status: 'CANCELLED', bookings: 0 } });
    // The cancellation landed mid-payment: the capture had still not answered when it was done.
    expect(await callsUnder('capture', holdId)).toEqual([]);

    expect(await confirming).toMatchObject({ status: 409, body: { code: 'SHOW_CANCELLED' } });
    expect(await holdStatus(holdId)).toBe('RELEASED');
    expect((await db.query('SELECT count(*)::int AS n FROM bookings WHERE hold_id = $1', [holdId])).rows[0].n).toBe(0);
    // The settlement found the authorization captured (409), replayed the capture and could not refund it.
    expect(await callsUnder('release', holdId)).toEqual(['409']);
    expect(await callsUnder('capture', holdId)).toEqual(['ok', 'ok replayed']);
    expect(await callsUnder('refund', holdId)).toEqual(['503']);
    const resources = await providerResources(holdId);
    expect(resources.map((r) => `${r.kind}:${r.status}`).sort()).toEqual(['authorization:captured', 'capture:captured']);
    expect(await reviews(holdId)).toEqual([{
      kind: 'hold-refund', status: 'OPEN', reason: 'hold ended without a booking; refund unavailable',
      data: { holdId, captureId: resources.find((r) => r.kind === 'capture')!.id, amount: SEAT_PRICE },
    }]);
  });
});
