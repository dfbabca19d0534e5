/**
 * Delivery benchmark: `npm run bench:delivery` (options: --emails N --dead-letters N --writers C).
 * Starts placement, scheduler, the providers app (always succeeding), and the booking and delivery
 * apps beside their sidecars (the integration tests' ports and database). Then:
 *
 * 1. Ticket emails end to end, twice: all committed at once (throughput), then at a steady --rate (latency). N bookings are committed, each in one transaction with its seats, its
 *    payment and its booking.confirmed outbox event, in the shape the booking app writes. They are
 *    written straight to PostgreSQL by C writers: the booking app's confirm path runs at about
 *    70/s (bench/booking.ts), so the bench would measure that instead of delivery.
 *    From each commit (the outbox row's created_at), the relay publishes to Redis Streams; the
 *    delivery app renders the QR PNG and the PDF and calls the SendGrid-compatible provider. Each
 *    email's latency is its commit to the provider's receipt (both stamped on this machine). The
 *    throughput is N over the first commit to the last receipt.
 * 2. Dead letters drained by replay. N more bookings are committed while the provider refuses every
 *    email (400, dropped straight to the dead-letter store). Once all are stored, the provider
 *    recovers, and one POST /api/admin/dead-letters/replay {topic} replays them. Time to drain: from
 *    that call until the last one is REPLAYED.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Client, Pool } from 'pg';
import { TOPICS } from '@holdfast/shared';
import globalSetup from '../tests/support/global-setup';
import globalTeardown from '../tests/support/global-teardown';
import { startBookingStack, startDeliveryStack, type AppStack } from '../tests/support/app-stack';
import { recordedCalls, resetProviders, setChaos } from '../tests/support/providers-client';
import { cpuCalibrationMs, cpuDuring, percentile, printNotes, stopStackOnSignals } from './support';
import { commitBookings, commitPaced } from './email-fixture';

const { values: opts } = parseArgs({
  options: {
    emails: { type: 'string', default: '1000' },
    'dead-letters': { type: 'string', default: '1000' },
    writers: { type: 'string', default: '16' },
    rate: { type: 'string', default: '100' },
  },
});
const EMAILS = Number(opts.emails);
const DEAD_LETTERS = Number(opts['dead-letters']);
const WRITERS = Number(opts.writers);
const RATE = Number(opts.rate);
const notes: string[] = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not done after ${timeoutMs} ms (last: ${JSON.stringify(value)})`);
    await sleep(200);
  }
}

async function main() {
  stopStackOnSignals();
  await globalSetup();
  const calibrationBefore = cpuCalibrationMs();
  const env = { LOG_LEVEL: 'warn', NODE_OPTIONS: '--max-old-space-size=256 --max-semi-space-size=8' };
  const [booking, delivery]: [AppStack, AppStack] = await Promise.all([
    startBookingStack({ logName: 'bench-delivery-booking', env }),
    // BENCH_CPU_PROFILE=dir writes a V8 CPU profile of the delivery app there when it stops.
    startDeliveryStack({ logName: 'bench-delivery', env, nodeArgs: process.env.BENCH_CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`] : [] }),
  ]);
  const db = new Client({ connectionString: booking.run.databaseUrl });
  await db.connect();
  const pool = new Pool({ connectionString: booking.run.databaseUrl, max: WRITERS });
  const admin = { authorization: `Bearer ${booking.run.adminApiToken}` };
  const table: string[] = [];
  try {
    await resetProviders();
    // Earlier runs' dead letters of this topic would be replayed too: set them aside.
    await db.query("UPDATE dead_letters SET status = 'DISCARDED' WHERE topic = $1 AND status IN ('PENDING', 'REPLAYING')", [TOPICS.bookingConfirmed]);
    const showId = randomUUID();

    // Warm-up (not reported): JIT, connection pools, consumer groups.
    const warm = await commitBookings(pool, showId, 50, WRITERS);
    await until('warm-up', async () => (await db.query("SELECT count(*)::int AS n FROM notifications WHERE booking_id = ANY($1::uuid[]) AND status = 'SENT'", [warm])).rows[0].n, (n) => n === warm.length, 120_000);

    // 1. Ticket emails, commit to provider receipt: a burst (throughput), then a steady rate (latency).
    const sentCount = async (committed: string[]) => (await db.query("SELECT count(*)::int AS n FROM notifications WHERE booking_id = ANY($1::uuid[]) AND status = 'SENT'", [committed])).rows[0].n as number;
    const round = async (label: string, commit: () => Promise<string[]>) => {
      await resetProviders();
      const ids = await cpuDuring(label, EMAILS, 'email', async () => {
        const committed = await commit();
        await until(label, () => sentCount(committed), (n) => n === committed.length, 600_000);
        return committed;
      }, notes);
      const { rows: commits } = await db.query<{ aggregate_id: string; created_at: Date }>("SELECT aggregate_id, created_at FROM outbox_events WHERE aggregate_id = ANY($1) AND type = 'booking.confirmed'", [ids]);
      const committedAt = new Map(commits.map((c) => [`booking-${c.aggregate_id}-ticket-email`, c.created_at.getTime()]));
      const receipts = (await recordedCalls({ domain: 'email', operation: 'send' })).filter((c) => c.outcome === 'ok' && !c.replayed && committedAt.has(c.idempotencyKey ?? ''));
      const receivedAt = (c: (typeof receipts)[number]) => new Date((c as unknown as { at: string }).at).getTime();
      const latencies = receipts.map((c) => receivedAt(c) - committedAt.get(c.idempotencyKey!)!).sort((a, b) => a - b);
      const first = Math.min(...committedAt.values());
      const last = Math.max(...receipts.map(receivedAt));
      const perSecond = receipts.length / ((last - first) / 1000);
      console.log(`${label}: ${receipts.length} at ${perSecond.toFixed(1)}/s, p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms`);
      table.push(`| ${label} | ${receipts.length} | ${perSecond.toFixed(1)}/s | ${percentile(latencies, 50).toFixed(0)} | ${percentile(latencies, 99).toFixed(0)} | ${latencies.at(-1)?.toFixed(0)} |`);
      notes.push(`${label}: commits spread over ${((Math.max(...committedAt.values()) - first) / 1000).toFixed(1)} s; ${receipts.length} of ${EMAILS} emails received, each once`);
    };
    await round(`${EMAILS} ticket emails committed at once (throughput)`, () => commitBookings(pool, showId, EMAILS, WRITERS));
    await round(`${EMAILS} ticket emails committed at ${RATE}/s (latency)`, () => commitPaced(pool, showId, EMAILS, RATE, WRITERS));

    // 2. Dead letters, then replay.
    if (DEAD_LETTERS > 0) {
      await resetProviders();
      await setChaos({ 'email.send': { outcomes: { '400': 1 } } });
      const failing = await commitBookings(pool, showId, DEAD_LETTERS, WRITERS);
      const eventIds = async () => (await db.query<{ id: string }>("SELECT id FROM outbox_events WHERE aggregate_id = ANY($1) AND type = 'booking.confirmed'", [failing])).rows.map((r) => r.id);
      const events = await eventIds();
      const stored = async () => (await db.query("SELECT count(*)::int AS n FROM dead_letters WHERE topic = $1 AND event_id = ANY($2) AND status = 'PENDING'", [TOPICS.bookingConfirmed, events])).rows[0].n as number;
      const storedStarted = Date.now();
      await until('dead letters stored', stored, (n) => n === DEAD_LETTERS, 600_000);
      notes.push(`${DEAD_LETTERS} refused emails reached the dead-letter store ${((Date.now() - storedStarted) / 1000).toFixed(1)} s after their commits ended`);
      await setChaos({ 'email.send': { outcomes: { ok: 1 } } });
      const replayed = async () => (await db.query("SELECT count(*)::int AS n FROM dead_letters WHERE topic = $1 AND event_id = ANY($2) AND status = 'REPLAYED'", [TOPICS.bookingConfirmed, events])).rows[0].n as number;
      const started = Date.now();
      await cpuDuring(`replaying ${DEAD_LETTERS} dead letters`, DEAD_LETTERS, 'dead letter', async () => {
        const response = await fetch(`${delivery.sidecarUrl}/v1.0/invoke/delivery/method/api/admin/dead-letters/replay`, {
          method: 'POST', headers: { ...admin, 'dapr-api-token': delivery.run.daprApiToken, 'content-type': 'application/json' },
          body: JSON.stringify({ topic: TOPICS.bookingConfirmed, limit: DEAD_LETTERS }), signal: AbortSignal.timeout(600_000),
        });
        const body = (await response.json()) as { replayed: number };
        if (response.status !== 202) throw new Error(`replay: ${response.status} ${JSON.stringify(body)}`);
        const published = Date.now() - started;
        await until('replayed', replayed, (n) => n === DEAD_LETTERS, 600_000);
        notes.push(`replay: the API call republished ${body.replayed} in ${(published / 1000).toFixed(1)} s`);
      }, notes);
      const drain = (Date.now() - started) / 1000;
      const sends = (await recordedCalls({ domain: 'email', operation: 'send' })).filter((c) => c.outcome === 'ok' && !c.replayed);
      table.push(`| ${DEAD_LETTERS} dead letters drained by replay | ${DEAD_LETTERS} | ${(DEAD_LETTERS / drain).toFixed(1)}/s | time to drain: ${drain.toFixed(1)} s | | |`);
      notes.push(`after the replay the provider had accepted ${sends.length} emails for ${DEAD_LETTERS} replayed messages`);
    }
  } finally {
    await pool.end();
    await db.end();
    await Promise.all([booking.stop(), delivery.stop()]);
    await globalTeardown();
  }

  console.log('\nDelivery benchmark: the whole path with an always-succeeding provider (latency in ms)\n');
  console.log('| what | messages | throughput | p50 | p99 | max |');
  console.log('|---|---|---|---|---|---|');
  for (const row of table) console.log(row);
  printNotes(notes, calibrationBefore);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
