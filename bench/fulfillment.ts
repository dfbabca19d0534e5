/**
 * Fulfillment benchmark: `npm run bench:fulfillment` (options: --orders N --concurrency C --chaos-orders N).
 * Starts placement, scheduler, the providers app and the fulfillment app beside its sidecar (the
 * integration tests' ports and database), keeps `concurrency` orders in flight through the sidecar
 * (each client places an order, waits until the saga has finished, places the next), and prints
 * sagas completed per second and end-to-end time (the order's creation to its end, both stamped by
 * the database) twice: with instant providers and auto-approval, then with the design's chaos mix.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { parse } from 'yaml';
import { Client } from 'pg';
import globalSetup from '../tests/support/global-setup';
import globalTeardown from '../tests/support/global-teardown';
import { startFulfillmentStack, type AppStack } from '../tests/support/app-stack';
import { providerResources, resetProviders, setChaos } from '../tests/support/providers-client';
import { ROOT } from '../scripts/devstack/env';
import { cpuCalibrationMs, cpuDuring, percentile, printNotes, stopStackOnSignals } from './support';

const { values: opts } = parseArgs({
  options: {
    orders: { type: 'string', default: '600' },
    concurrency: { type: 'string', default: '30' },
    'chaos-orders': { type: 'string', default: '60' },
  },
});
const ORDERS = Number(opts.orders);
const CONCURRENCY = Number(opts.concurrency);
const CHAOS_ORDERS = Number(opts['chaos-orders']);

interface Row { what: string; orders: number; sagasPerSecond: number; p50: number; p99: number; max: number; outcomes: string }
const rows: Row[] = [];
const notes: string[] = [];

/** Resolves each order's wait when the read model says it finished: one query for all waiting orders. */
function finishWatcher(db: Client) {
  const waiting = new Map<string, () => void>();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      if (waiting.size > 0) {
        const { rows: done } = await db.query('SELECT id FROM orders WHERE id = ANY($1) AND finished_at IS NOT NULL', [[...waiting.keys()]]);
        for (const { id } of done) {
          waiting.get(id)?.();
          waiting.delete(id);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    until: (orderId: string) => new Promise<void>((resolve) => waiting.set(orderId, resolve)),
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

async function run(stack: AppStack, db: Client, what: string, count: number): Promise<string[]> {
  const watcher = finishWatcher(db);
  const ids: string[] = [];
  let next = 0;
  const started = Date.now();
  const client = async () => {
    while (next < count) {
      next++;
      const orderId = `bench-${randomUUID()}`;
      ids.push(orderId);
      const response = await stack.invoke('POST', '/workflows/order', {
        orderId, customerId: 'bench', customerEmail: 'bench@example.com', totalAmount: 30,
        items: [{ sku: 'BENCH-1', quantity: 2, price: 10 }, { sku: 'BENCH-2', quantity: 1, price: 10 }],
        shippingAddress: { line1: '1 Bench Road', city: 'Berlin', postalCode: '10115', country: 'DE' },
      });
      if (response.status !== 202) throw new Error(`order not accepted: ${response.status} ${JSON.stringify(response.body)}`);
      await watcher.until(orderId);
    }
  };
  await cpuDuring(what, count, 'saga', () => Promise.all(Array.from({ length: CONCURRENCY }, client)), notes);
  const wall = (Date.now() - started) / 1000;
  await watcher.stop();
  const { rows: finished } = await db.query(
    'SELECT status, extract(epoch FROM finished_at - created_at) * 1000 AS ms FROM orders WHERE id = ANY($1) ORDER BY ms', [ids]);
  const times = finished.map((r) => Number(r.ms));
  const outcomes = new Map<string, number>();
  for (const r of finished) outcomes.set(r.status, (outcomes.get(r.status) ?? 0) + 1);
  rows.push({
    what, orders: finished.length, sagasPerSecond: finished.length / wall, p50: percentile(times, 50), p99: percentile(times, 99), max: times.at(-1) ?? NaN,
    outcomes: [...outcomes].map(([s, n]) => `${s} ${n}`).join(', '),
  });
  return ids;
}

/** After the chaos run: is anything still authorized, reserved or captured that should not be? */
async function leftovers(db: Client, ids: string[]): Promise<string> {
  const { rows: orders } = await db.query('SELECT id, status FROM orders WHERE id = ANY($1)', [ids]);
  let wrong = 0;
  for (const order of orders) {
    const resources = await providerResources(order.id);
    const held = resources.filter((r) => (r.kind === 'authorization' && r.status === 'authorized') || (r.kind === 'reservation' && r.status === 'reserved' && order.status !== 'shipped')
      || (r.kind === 'capture' && r.status === 'captured' && order.status !== 'shipped'));
    const captures = resources.filter((r) => r.kind === 'capture').length;
    if (held.length > 0 || captures > 1) wrong++;
  }
  return `${wrong} of ${orders.length} orders left something held that should not be, or were charged twice`;
}

async function main() {
  stopStackOnSignals();
  await globalSetup();
  const calibrationBefore = cpuCalibrationMs();
  const stack = await startFulfillmentStack({
    logName: 'bench-fulfillment',
    // Every order approved automatically; labels checked every 200 ms (instant providers finish them at once).
    env: { LOG_LEVEL: 'warn', AUTO_APPROVE_MAX_AMOUNT: '1000000', LABEL_POLL_SECONDS: '0.2', NODE_OPTIONS: '--max-old-space-size=256 --max-semi-space-size=8' },
    // BENCH_CPU_PROFILE=dir writes a V8 CPU profile of the fulfillment app there when it stops.
    nodeArgs: process.env.BENCH_CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`] : [],
  });
  const db = new Client({ connectionString: stack.run.databaseUrl });
  await db.connect();
  try {
    await resetProviders();
    await run(stack, db, 'warm-up (not reported)', Math.min(60, ORDERS));
    rows.pop();
    notes.pop();
    await run(stack, db, 'instant providers, auto-approval', ORDERS);

    if (CHAOS_ORDERS > 0) {
      const mix = parse(readFileSync(join(ROOT, 'apps', 'providers', 'chaos.yaml'), 'utf8')) as { rules: Record<string, unknown>; seed: number };
      await setChaos(mix.rules, mix.seed);
      const ids = await run(stack, db, "the design's chaos mix (apps/providers/chaos.yaml), auto-approval", CHAOS_ORDERS);
      notes.push(`chaos run: ${await leftovers(db, ids)}`);
      await resetProviders();
    }
  } finally {
    await db.end();
    await stack.stop();
    await globalTeardown();
  }

  console.log(`\nFulfillment benchmark: ${CONCURRENCY} orders in flight, through the fulfillment app's sidecar (end-to-end time in ms)\n`);
  console.log('| providers | sagas | sagas/s | p50 | p99 | max | outcomes |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.what} | ${r.orders} | ${r.sagasPerSecond.toFixed(1)} | ${r.p50.toFixed(0)} | ${r.p99.toFixed(0)} | ${r.max.toFixed(0)} | ${r.outcomes} |`);
  printNotes(notes, calibrationBefore);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
