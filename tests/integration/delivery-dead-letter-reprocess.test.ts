/**
 * Dead letters re-processed on their own (seed 004: every 15 minutes; here every 2 s by
 * DEAD_LETTER_REPROCESS_INTERVAL_SECONDS) by a Dapr scheduler job, without anyone calling replay:
 * a transient failure whose cause is fixed is delivered once; one that keeps failing stops after
 * DEAD_LETTER_AUTO_REPLAY_MAX_ATTEMPTS replays and waits for a person (MANUAL_REVIEW); a refusal is
 * never replayed on its own; with two delivery replicas the job still runs once per tick.
 *
 * The sidecar runs a copy of components/ with quick retries (as delivery-failures.test.ts does), so
 * a message dead-letters within a second or two instead of after a minute of backoff.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { TOPICS } from '@holdfast/shared';
import { eventually, startAppStack, type AppStack } from '../support/app-stack';
import { acceptedByKey, recordedCalls, resetProviders, setChaos } from '../support/providers-client';
import { book, createShow, seatIds, startDeliveryWorld, type DeliveryWorld } from '../support/delivery-fixtures';
import { TEST_PORTS } from '../support/test-env';
import { ROOT } from '../../scripts/devstack/env';

const PHONE = '+4915112345678';
const INTERVAL_SECONDS = 2;
const MAX_ATTEMPTS = 3;
const deliveryEnv = {
  DEAD_LETTER_REPROCESS_INTERVAL_SECONDS: String(INTERVAL_SECONDS),
  DEAD_LETTER_AUTO_REPLAY_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
};

/** components/ with one provider call per delivery, one pub/sub retry, 100 ms apart, no circuit breaker. */
function quickRetries(): string {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-components-'));
  cpSync(join(ROOT, 'components'), dir, { recursive: true });
  const file = join(dir, 'resiliency.yaml');
  const resiliency = parse(readFileSync(file, 'utf8'));
  resiliency.spec.policies.retries.providerCall = { policy: 'constant', duration: '100ms', maxRetries: 0 };
  resiliency.spec.policies.retries.subscriberDelivery = { policy: 'constant', duration: '100ms', maxRetries: 1 };
  delete resiliency.spec.targets.components['sms-gateway'].outbound.circuitBreaker;
  writeFileSync(file, stringify(resiliency));
  return dir;
}

let world: DeliveryWorld;
let resourcesPath: string;

beforeAll(async () => {
  resourcesPath = quickRetries();
  world = await startDeliveryWorld('delivery-dlq-reprocess', { deliveryEnv, resourcesPath });
});
afterAll(async () => world?.stop());
beforeEach(() => resetProviders());

interface DeadLetterView {
  id: string; status: string; failureKind: string | null; autoReplays: number; manualReviewReason: string | null; deadLetterCount: number;
  event: { data: { bookingId: string } };
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const letterOf = async (bookingId: string) =>
  ((await world.delivery.invoke<{ deadLetters: DeadLetterView[] }>('GET', `/api/admin/dead-letters?topic=${encodeURIComponent(TOPICS.bookingShowCancelled)}&limit=5000`, undefined, world.admin)).body.deadLetters)
    .find((l) => l.event.data.bookingId === bookingId);
const smsKey = (bookingId: string) => `booking-${bookingId}-show-cancelled-sms`;

/** One booking with a phone on a new show, then the show cancelled: its notice goes out by SMS and email. */
async function cancelledBooking(title: string): Promise<string> {
  const showId = await createShow(world, title, 1);
  const [booking] = await book(world, showId, [seatIds(0, 1)], { phone: PHONE });
  expect((await world.booking.invoke('POST', `/api/admin/shows/${showId}/cancel`, { reason: 'Technical issue' }, world.admin)).status).toBe(200);
  return booking!.bookingId;
}

describe('dead letters re-processed by the scheduler job', () => {
  it('when the SMS gateway failed and is fixed, then the job delivers the dead-lettered notice once, without anyone calling replay', async () => {
    await setChaos({ 'sms.send': { outcomes: { '500': 1 } } });
    const bookingId = await cancelledBooking('Reprocess fixed');
    const letter = await eventually(() => letterOf(bookingId), (l) => l !== undefined, 60_000, 250);
    expect(letter!.failureKind).toBe('TRANSIENT');

    await setChaos({ 'sms.send': { outcomes: { ok: 1 } } });
    const replayed = await eventually(() => letterOf(bookingId), (l) => l?.status === 'REPLAYED', 60_000, 500);
    expect(replayed!.autoReplays).toBeGreaterThanOrEqual(1);
    expect(replayed!.autoReplays).toBeLessThanOrEqual(MAX_ATTEMPTS);
    // A few more ticks: nothing is sent again.
    await sleep(3 * INTERVAL_SECONDS * 1000);
    expect((await acceptedByKey('sms', 'send')).get(smsKey(bookingId))).toHaveLength(1);
    expect((await letterOf(bookingId))!.status).toBe('REPLAYED');
  }, 150_000);

  it('when the SMS gateway keeps failing, then the job replays it at most DEAD_LETTER_AUTO_REPLAY_MAX_ATTEMPTS times and leaves it for a person', async () => {
    await setChaos({ 'sms.send': { outcomes: { '500': 1 } } });
    const bookingId = await cancelledBooking('Reprocess failing');
    const letter = await eventually(() => letterOf(bookingId), (l) => l?.status === 'MANUAL_REVIEW', 120_000, 500);
    expect(letter).toMatchObject({ failureKind: 'TRANSIENT', autoReplays: MAX_ATTEMPTS, manualReviewReason: `still failing after ${MAX_ATTEMPTS} automatic replays` });
    // The first delivery and each replay: (1 + 1 pub/sub retry) gateway calls apiece, then nothing more.
    const calls = () => recordedCalls({ domain: 'sms', operation: 'send', idempotencyKey: smsKey(bookingId) });
    expect(await calls()).toHaveLength((1 + MAX_ATTEMPTS) * 2);
    await sleep(3 * INTERVAL_SECONDS * 1000);
    expect(await calls()).toHaveLength((1 + MAX_ATTEMPTS) * 2);
    // Visible in the admin listing by its status; a person can still replay it by hand.
    const listed = await world.delivery.invoke<{ deadLetters: DeadLetterView[] }>('GET', '/api/admin/dead-letters?status=MANUAL_REVIEW&limit=5000', undefined, world.admin);
    expect(listed.body.deadLetters.map((l) => l.id)).toContain(letter!.id);
    await setChaos({ 'sms.send': { outcomes: { ok: 1 } } });
    expect((await world.delivery.invoke('POST', `/api/admin/dead-letters/${letter!.id}/replay`, undefined, world.admin)).status).toBe(202);
    await eventually(() => letterOf(bookingId), (l) => l?.status === 'REPLAYED', 30_000, 250);
    expect((await acceptedByKey('sms', 'send')).get(smsKey(bookingId))).toHaveLength(1);
  }, 180_000);

  it('when the SMS gateway refuses the number (400), then the dead letter goes to manual review without a replay', async () => {
    await setChaos({ 'sms.send': { outcomes: { '400': 1 } } });
    const bookingId = await cancelledBooking('Reprocess refused');
    const letter = await eventually(() => letterOf(bookingId), (l) => l?.status === 'MANUAL_REVIEW', 60_000, 250);
    expect(letter).toMatchObject({ failureKind: 'REFUSED', autoReplays: 0 });
    expect(letter!.manualReviewReason).toMatch(/refused/);
    expect(await recordedCalls({ domain: 'sms', operation: 'send', idempotencyKey: smsKey(bookingId) })).toHaveLength(1);
  }, 90_000);
});

describe('two delivery replicas', () => {
  let second: AppStack | undefined;
  afterAll(async () => second?.stop());

  /** The job's ticks run by a replica, from its own /metrics (open on the app port). */
  async function ticksOf(stack: AppStack): Promise<number> {
    const text = await (await fetch(`${stack.appUrl}/metrics`)).text();
    return Number(/^holdfast_dead_letter_reprocess_ticks_total(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? 0);
  }

  it('when two replicas of the delivery app run, then the job still runs once per tick in all (the scheduler hands each tick to one)', async () => {
    // A second replica of the same app id, on the ports no other stack of this file uses.
    second = await startAppStack({
      appId: 'delivery', entry: 'apps/delivery/src/main.ts', logName: 'delivery-dlq-reprocess-replica-2', resourcesPath,
      env: { EMAIL_RETRY_BASE_MS: '50', EMAIL_RETRY_BASE_SECONDS: '1', ...deliveryEnv },
      ports: { app: TEST_PORTS.skeletonApp, daprHttp: TEST_PORTS.skeletonDaprHttp, daprGrpc: TEST_PORTS.skeletonDaprGrpc, metrics: TEST_PORTS.skeletonMetrics },
    });
    // Both schedule the job at start (the same name: the second replaces the first). Let it settle, then count.
    await sleep(2 * INTERVAL_SECONDS * 1000);
    const before = (await ticksOf(world.delivery)) + (await ticksOf(second));
    const windowSeconds = 8 * INTERVAL_SECONDS;
    await sleep(windowSeconds * 1000);
    const after = [await ticksOf(world.delivery), await ticksOf(second)];
    const ticks = after[0]! + after[1]! - before;
    // At most one per interval (give or take the tick at either edge); a job per replica would make it
    // twice that. The lower bound only says the job kept firing: a third of the intervals, so a slow
    // machine's late ticks cannot fail it (punctuality is not the rule here).
    expect(ticks).toBeGreaterThanOrEqual(Math.floor(windowSeconds / (3 * INTERVAL_SECONDS)));
    expect(ticks).toBeLessThanOrEqual(windowSeconds / INTERVAL_SECONDS + 1);
  }, 120_000);
});
