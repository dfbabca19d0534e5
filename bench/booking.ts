/**
 * Booking benchmark: `npm run bench` (options: --requests N --connections C --expiring N --kitchen N --soak-seconds S).
 * Starts placement, scheduler, the providers app and the booking app beside its sidecar (the
 * integration tests' ports and database), drives them with autocannon from this process, and prints:
 * hold create and confirm throughput and latency through the sidecar and on the app port, reminder
 * lateness for holds expiring together and for kitchen prep reminders (--kitchen N orders with one
 * prep instant: the integration tests assert only "not before"), and the booking app's memory before and after.
 */
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Client } from 'pg';
import globalSetup from '../tests/support/global-setup';
import globalTeardown from '../tests/support/global-teardown';
import { startBookingStack, type AppStack } from '../tests/support/app-stack';
import { poll } from '../scripts/devstack/wait';
import { appPid, cpuCalibrationMs, cpuDuring, percentile, printNotes, rssMb, stopStackOnSignals } from './support';

const { values: opts } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    connections: { type: 'string', default: '32' },
    expiring: { type: 'string', default: '1000' },
    kitchen: { type: 'string', default: '20' },
    'soak-seconds': { type: 'string', default: '0' },
  },
});
const REQUESTS = Number(opts.requests);
const CONNECTIONS = Number(opts.connections);
const EXPIRING = Number(opts.expiring);
const KITCHEN = Number(opts.kitchen);
const SOAK_SECONDS = Number(opts['soak-seconds']);

interface Row { what: string; path: string; requests: number; rps: number; p50: number; p99: number; errors: number }
const rows: Row[] = [];
const notes: string[] = [];

async function createShow(stack: AppStack, seats: number): Promise<string> {
  const rowsNeeded = Math.ceil(seats / 100);
  const sections = Array.from({ length: Math.ceil(rowsNeeded / 150) }, (_, s) => ({
    name: `S${s}`, zone: 'main', rows: Array.from({ length: Math.min(150, rowsNeeded - s * 150) }, (_, r) => ({ label: `R${r}`, seats: 100 })),
  }));
  const response = await stack.invoke<{ showId: string }>('POST', '/api/admin/shows', {
    title: 'Benchmark', startsAt: new Date(Date.now() + 86_400_000).toISOString(), venue: { name: 'Bench hall', sections }, policy: { zonePrices: { main: 1000 } },
  }, { authorization: `Bearer ${stack.run.adminApiToken}` });
  if (response.status !== 201) throw new Error(`show not created: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.showId;
}

function seatIds(count: number, offset: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const n = offset + i;
    return `S${Math.floor(n / 15_000)}-R${Math.floor((n % 15_000) / 100)}-${(n % 100) + 1}`;
  });
}

/** autocannon over a list of prepared requests, one each, `connections` at a time. */
async function load(what: string, path: 'sidecar' | 'app port', url: string, headers: Record<string, string>, requests: Array<{ method: 'POST' | 'GET'; path: string; body?: unknown; headers?: Record<string, string> }>, connections = CONNECTIONS) {
  let next = 0;
  const result = await autocannon({
    url, connections, amount: requests.length, timeout: 30,
    headers: { ...headers, 'content-type': 'application/json' },
    requests: [{
      setupRequest: (req: any) => {
        const r = requests[next++ % requests.length]!;
        return { ...req, method: r.method, path: r.path, body: r.body === undefined ? undefined : JSON.stringify(r.body), headers: { ...req.headers, ...r.headers } };
      },
    }],
  });
  const non2xx = result.non2xx + result.errors + result.timeouts;
  rows.push({ what: connections === CONNECTIONS ? what : `${what} (${connections} client${connections > 1 ? 's' : ''})`, path, requests: result.requests.total, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: non2xx });
}

async function main() {
  stopStackOnSignals();
  await globalSetup();
  const calibrationBefore = cpuCalibrationMs();
  // BENCH_CPU_PROFILE=dir writes a V8 CPU profile of the booking app there when it stops;
  // BENCH_NODE_ARGS replaces the booking app's node flags (default: the pods' heap cap).
  const nodeArgs = [
    ...(process.env.BENCH_CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`] : []),
    // The pods' heap cap (the Helm chart's nodeOptions): without it V8 on a 24 GiB machine collects lazily and
    // RSS says nothing about leaks.
    ...(process.env.BENCH_NODE_ARGS ?? '--max-old-space-size=256 --max-semi-space-size=8').split(' ').filter(Boolean),
  ];
  // Every bench hold is one customer's ('bench'): the per-customer seat cap (default 20) would stop it.
  const stack = await startBookingStack({ logName: 'bench-booking', env: { LOG_LEVEL: 'warn', MAX_HELD_SEATS_PER_CUSTOMER: '100000' }, nodeArgs });
  const db = new Client({ connectionString: stack.run.databaseUrl });
  await db.connect();
  const pid = appPid('apps/booking/src/main.ts', Number(new URL(stack.appUrl).port));
  let rssStart = rssMb(pid);
  try {
    const LIGHT = 300; // requests per path at one client: the sidecar hop's own latency, without queueing
    const WARM_UP = 300;
    const total = REQUESTS * 3 + EXPIRING + 2 * LIGHT + WARM_UP;
    const showId = await createShow(stack, total);
    const sidecarHeaders = { 'dapr-api-token': stack.run.daprApiToken };
    const appHeaders = { 'dapr-api-token': stack.run.appApiToken };
    const holdRequests = (offset: number, prefix: string, count = REQUESTS) => seatIds(count, offset).map((seat) => ({
      method: 'POST' as const, path: `${prefix}/api/shows/${showId}/holds`, body: { seatIds: [seat], customerId: 'bench', customerEmail: 'bench@example.com' },
    }));

    // Warm-up (not reported): JIT, connection pools, the ShowActor's activation.
    await load('warm-up', 'sidecar', stack.sidecarUrl, sidecarHeaders, holdRequests(REQUESTS * 3 + EXPIRING + 2 * LIGHT, '/v1.0/invoke/booking/method', WARM_UP));
    rows.pop();
    rssStart = rssMb(pid); // the steady state starts after the warm-up
    await cpuDuring('hold create through the sidecar', REQUESTS, 'request', () => load('hold create', 'sidecar', stack.sidecarUrl, sidecarHeaders, holdRequests(0, '/v1.0/invoke/booking/method')), notes);
    await cpuDuring('hold create on the app port', REQUESTS, 'request', () => load('hold create', 'app port', stack.appUrl, appHeaders, holdRequests(REQUESTS, '')), notes);

    await load('hold create', 'sidecar', stack.sidecarUrl, sidecarHeaders, holdRequests(REQUESTS * 3 + EXPIRING, '/v1.0/invoke/booking/method', LIGHT), 1);
    await load('hold create', 'app port', stack.appUrl, appHeaders, holdRequests(REQUESTS * 3 + EXPIRING + LIGHT, '', LIGHT), 1);

    // Confirm: holds made first (not timed), then confirmed at the same concurrency.
    const toConfirm = seatIds(REQUESTS, REQUESTS * 2);
    const holdIds: string[] = [];
    for (let i = 0; i < toConfirm.length; i += CONNECTIONS) {
      const batch = await Promise.all(toConfirm.slice(i, i + CONNECTIONS).map((seat) =>
        stack.invoke<{ holdId: string }>('POST', `/api/shows/${showId}/holds`, { seatIds: [seat], customerId: 'bench', customerEmail: 'bench@example.com' })));
      holdIds.push(...batch.map((r) => r.body.holdId));
    }
    const half = Math.floor(holdIds.length / 2);
    const confirmRequests = (ids: string[], prefix: string) => ids.map((holdId) => ({
      method: 'POST' as const, path: `${prefix}/api/holds/${holdId}/confirm`, body: { payment: { token: 'tok_visa' } }, headers: { 'idempotency-key': `bench-${holdId}` },
    }));
    await cpuDuring('hold confirm through the sidecar', half, 'confirm', () => load('hold confirm', 'sidecar', stack.sidecarUrl, sidecarHeaders, confirmRequests(holdIds.slice(0, half), '/v1.0/invoke/booking/method')), notes);
    await cpuDuring('hold confirm on the app port', holdIds.length - half, 'confirm', () => load('hold confirm', 'app port', stack.appUrl, appHeaders, confirmRequests(holdIds.slice(half), '')), notes);

    // Reminder lateness: EXPIRING holds with one expiry instant, measured from the audit log.
    const expiring = seatIds(EXPIRING, REQUESTS * 3);
    const ttlSeconds = 20;
    const createdAt = Date.now();
    for (let i = 0; i < expiring.length; i += CONNECTIONS) {
      await Promise.all(expiring.slice(i, i + CONNECTIONS).map((seat) =>
        stack.invoke('POST', `/api/shows/${showId}/holds`, { seatIds: [seat], customerId: 'bench-expiry', customerEmail: 'bench@example.com', ttlSeconds })));
    }
    notes.push(`${EXPIRING} holds of ${ttlSeconds} s created in ${((Date.now() - createdAt) / 1000).toFixed(1)} s`);
    const expired = await poll('expiry', async () => (await db.query(
      "SELECT count(*)::int AS n FROM holds WHERE show_id = $1 AND customer_id = 'bench-expiry' AND status = 'EXPIRED'", [showId])).rows[0].n as number,
    (n) => n === EXPIRING, ttlSeconds * 1000 + 120_000, 500);
    const lateness = (await db.query(`
      SELECT extract(epoch FROM a.at - h.expires_at) * 1000 AS late_ms FROM holds h JOIN audit_log a ON a.entity = 'hold' AND a.entity_id = h.id::text AND a.action = 'expired'
      WHERE h.show_id = $1 AND h.customer_id = 'bench-expiry' ORDER BY late_ms`, [showId])).rows.map((r) => Number(r.late_ms));
    const pct = (p: number) => percentile(lateness, p);
    const released = (await db.query("SELECT count(*)::int AS n FROM seat_claims c JOIN holds h ON h.id = c.hold_id WHERE h.customer_id = 'bench-expiry' AND h.show_id = $1", [showId])).rows[0].n;
    notes.push(`reminder lateness (expired minus due) for ${expired} holds: p50 ${pct(50).toFixed(0)} ms, p99 ${pct(99).toFixed(0)} ms, max ${lateness.at(-1)?.toFixed(0)} ms; claims left: ${released}`);

    // Kitchen prep lateness: KITCHEN confirmed bookings with concessions, one prep instant (showtime minus a
    // 1-minute lead), measured from the orders' updated_at (the turn that made them PREPARING).
    if (KITCHEN > 0) {
      const admin = { authorization: `Bearer ${stack.run.adminApiToken}` };
      await stack.invoke('PUT', '/api/admin/concessions/BENCHCORN', { name: 'Bench popcorn', price: 100 }, admin);
      const leadSeconds = 30;
      const kitchenShow = await stack.invoke<{ showId: string }>('POST', '/api/admin/shows', {
        title: 'Benchmark kitchen', startsAt: new Date(Date.now() + (60 + leadSeconds) * 1000).toISOString(), prepLeadMinutes: 1, cancellationCutoffMinutes: 0,
        venue: { name: 'Bench bar', sections: [{ name: 'K', zone: 'main', rows: [{ label: 'A', seats: KITCHEN }] }] }, policy: { zonePrices: { main: 1000 } },
      }, admin);
      const orderIds: string[] = [];
      for (let i = 0; i < KITCHEN; i += CONNECTIONS) {
        const batch = await Promise.all(Array.from({ length: Math.min(CONNECTIONS, KITCHEN - i) }, async (_, j) => {
          const held = await stack.invoke<{ holdId: string }>('POST', `/api/shows/${kitchenShow.body.showId}/holds`, { seatIds: [`K-A-${i + j + 1}`], customerId: `bench-kitchen-${i + j}`, customerEmail: 'bench@example.com' });
          const booked = await stack.invoke<{ concessionOrderId?: string }>('POST', `/api/holds/${held.body.holdId}/confirm`,
            { payment: { token: 'tok_visa' }, concessions: [{ sku: 'BENCHCORN', quantity: 1 }] }, { 'idempotency-key': `bench-kitchen-${held.body.holdId}` });
          return booked.body.concessionOrderId;
        }));
        orderIds.push(...batch.filter((id): id is string => Boolean(id)));
      }
      const prepared = await poll('kitchen prep', async () => (await db.query(
        "SELECT count(*)::int AS n FROM concession_orders WHERE id = ANY($1::uuid[]) AND status = 'PREPARING'", [orderIds])).rows[0].n as number,
      (n) => n === orderIds.length, (leadSeconds + 120) * 1000, 500);
      const prepLateness = (await db.query(
        'SELECT extract(epoch FROM updated_at - prep_at) * 1000 AS late_ms FROM concession_orders WHERE id = ANY($1::uuid[]) ORDER BY late_ms', [orderIds])).rows.map((r) => Number(r.late_ms));
      const kpct = (p: number) => percentile(prepLateness, p);
      notes.push(`kitchen prep lateness (preparing minus prep instant) for ${prepared} of ${KITCHEN} orders: p50 ${kpct(50).toFixed(0)} ms, p99 ${kpct(99).toFixed(0)} ms, min ${prepLateness[0]?.toFixed(0)} ms, max ${prepLateness.at(-1)?.toFixed(0)} ms`);
    }

    if (SOAK_SECONDS > 0) {
      const soakSeats = seatIds(50_000, total);
      let i = 0;
      const until = Date.now() + SOAK_SECONDS * 1000;
      while (Date.now() < until && i < soakSeats.length) {
        await Promise.all(soakSeats.slice(i, i + CONNECTIONS).map((seat) =>
          stack.invoke('POST', `/api/shows/${showId}/holds`, { seatIds: [seat], customerId: 'bench-soak', customerEmail: 'bench@example.com', ttlSeconds: 5 })));
        i += CONNECTIONS;
      }
      notes.push(`soak: ${i} holds over ${SOAK_SECONDS} s`);
    }
    const rssEnd = rssMb(pid);
    notes.push(`booking app RSS: ${rssStart.toFixed(0)} MB at start, ${rssEnd.toFixed(0)} MB at the end (${(((rssEnd - rssStart) / rssStart) * 100).toFixed(0)} %)`);
  } finally {
    await db.end();
    await stack.stop();
    await globalTeardown();
  }

  console.log(`\nBooking benchmark: ${REQUESTS} requests per row, ${CONNECTIONS} connections (latency in ms)\n`);
  console.log('| what | path | requests | req/s | p50 | p99 | non-2xx/errors |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.what} | ${r.path} | ${r.requests} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.errors} |`);
  printNotes(notes, calibrationBefore);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
