/**
 * Every benchmark in one run (issue 15): `npm run bench:all` (options below). One process tree
 * starts a whole platform of its own (the fault drill's: PostgreSQL, Redis, placement, scheduler,
 * providers, booking, fulfillment, delivery and the client gateway, each app beside its daprd, on
 * ports 28000-28499 and in .data/bench), then measures, in this order:
 *
 * 1. the ceiling: a trivial echo app behind its own daprd, 32 connections, closed loop;
 * 2. holds, 3. confirms: through the client path (the gateway's sidecar, then booking's), closed
 *    loop at --connections for throughput, then open loop at a fixed offered rate for p50/p99
 *    (bench/open-loop.ts: request i due at i / rate, its latency from then);
 * 4. sagas: --saga-concurrency orders in flight through the gateway, instant providers and
 *    auto-approval, each to its end (the orders table's finished_at);
 * 5. ticket emails: bookings committed straight to PostgreSQL (bench/email-fixture.ts), a burst for
 *    throughput and a steady --email-rate for latency, commit to the provider's receipt;
 * 6. memory: every platform process's PSS (/proc/<pid>/smaps_rollup) through a mixed soak.
 *
 * CPU per operation comes from /proc for every platform process (this process, the load generator,
 * is listed apart and not counted). An operation is what the client asked for: work it starts later
 * (the email after a confirmation, the relay of a hold's event) runs in the delivery app and is
 * charged to the email, so the delivery app and its daprd are left out of the hold's and the
 * confirmation's totals (still listed), and so are PostgreSQL's backends serving it: each backend is
 * listed under the client that opened it (application_name), and this process's own queries (the
 * email row's bookings committed straight to the database, the waits on results) are the load
 * generator's. Before each row the bench waits until the work the rows before it started has ended
 * (settle: outbox published, no email pending), so a row is not charged with its predecessor's
 * emails; the providers app's share of a row's own emails (a confirmation's ticket email) is still
 * in that row: one process serves payments and email alike. The table goes to stdout and, with the date and the commit,
 * to the top of docs/measurements.md (--no-write to leave it).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { Client, Pool } from 'pg';
import { ROOT } from '../scripts/devstack/env';
import { startProcess, stopAll } from '../scripts/devstack/processes';
import { startSidecar, untilReady, waitForSidecar } from '../scripts/devstack/runtime';
import { httpOk } from '../scripts/devstack/wait';
import { cpuCalibrationMs, cpuSecondsOf, kindOf, LOAD_GENERATOR, percentile } from './support';
import { commitBookings, commitPaced } from './email-fixture';
import { openLoop, type OpenLoopRequest } from './open-loop';
import { MAX_HOLD_TTL_SECONDS } from '../apps/booking/src/domain/hold';

// The platform module reads these when it loads: a folder and ports of the benchmark's own, so it
// runs beside `npm start`, the tests and a drill.
process.env.HOLDFAST_DRILL_DIR ??= join(ROOT, '.data', 'bench');
process.env.HOLDFAST_DRILL_BASE_PORT ??= '28000';
const BASE = Number(process.env.HOLDFAST_DRILL_BASE_PORT);

const { values: opts } = parseArgs({
  options: {
    connections: { type: 'string', default: '32' },
    holds: { type: 'string', default: '2000' },
    'hold-rate': { type: 'string', default: '100' },
    confirms: { type: 'string', default: '1000' },
    'confirm-rate': { type: 'string', default: '60' },
    sagas: { type: 'string', default: '600' },
    'saga-concurrency': { type: 'string', default: '30' },
    emails: { type: 'string', default: '1000' },
    'email-rate': { type: 'string', default: '100' },
    'soak-seconds': { type: 'string', default: '300' },
    'calibration-seconds': { type: 'string', default: '10' },
    'no-write': { type: 'boolean', default: false },
  },
});
const CONNECTIONS = Number(opts.connections);
const n = (key: keyof typeof opts) => Number(opts[key]);

/** One row of the table: an operation, its closed-loop throughput and CPU, its open-loop latency. */
interface Row {
  operation: string;
  closedLoop: string;
  throughput: number;
  openLoop: string;
  p50: number;
  p99: number;
  errors: number;
  cpuMsPerOp: number;
  perProcess: string;
}
const rows: Row[] = [];
const notes: string[] = [];
const log = (line: string) => console.log(line);

// ---- the platform's processes: CPU and memory ----------------------------------------------

const pidsNow = () => readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number);
const read = (path: string) => { try { return readFileSync(path, 'utf8'); } catch { return ''; } };
const parentOf = (pid: number) => { const stat = read(`/proc/${pid}/stat`); return stat ? Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) : 0; };

/** PostgreSQL's postmaster and Redis of the platform (scripts/infra.sh started them, not this process). */
let serverPids: number[] = [];

/**
 * PostgreSQL's backends by the client that opened them (pg_stat_activity's application_name: each
 * app's Prisma client, the outbox relay and this process name themselves). A backend's CPU is work
 * for its client: the delivery app's queries during the hold rows are the emails' work, left out of
 * the hold with the delivery app itself, and this process's own queries are the load generator's.
 */
let backendClients = new Map<number, string>();
let backendsOf: (() => Promise<Map<number, string>>) | undefined;
// The outbox relay runs in the delivery app (its only home), so its backend is the delivery app's work.
const BACKEND_KINDS: Record<string, string> = { 'holdfast-bench': LOAD_GENERATOR, 'holdfast-outbox-relay': 'PostgreSQL (delivery: outbox relay)' };
const backendKind = (client: string | undefined) =>
  client === undefined || client === '' ? 'PostgreSQL' : BACKEND_KINDS[client] ?? (client.startsWith('holdfast-') ? `PostgreSQL (${client.slice('holdfast-'.length)})` : 'PostgreSQL');

/** Every process of the platform (and this one), with its kind: the descendants of this process and of the servers. */
function platformProcesses(): Map<number, string> {
  const all = pidsNow();
  const parents = new Map(all.map((pid) => [pid, parentOf(pid)]));
  const roots = new Set([process.pid, ...serverPids]);
  const ours = (pid: number) => { for (let p = pid, hops = 0; p > 1 && hops < 20; p = parents.get(p) ?? 0, hops++) if (roots.has(p)) return true; return false; };
  const kinds = new Map<number, string>();
  for (const pid of all) {
    if (!ours(pid)) continue;
    const kind = kindOf(String(pid), read(`/proc/${pid}/cmdline`).replace(/\0/g, ' '));
    if (!kind) continue; // a shell between us and a child, npm, the load generator's esbuild: not the platform
    kinds.set(pid, kind === 'PostgreSQL' && !serverPids.includes(pid) && backendClients.has(pid) ? backendKind(backendClients.get(pid)) : kind);
  }
  return kinds;
}

interface ProcessCpu { kind: string; seconds: number; parent: number }

/** CPU seconds so far per process of the platform (cpuSecondsOf: reaped children included), its backends named by their clients. */
async function cpuSample(): Promise<Map<number, ProcessCpu>> {
  if (backendsOf) backendClients = await backendsOf().catch(() => backendClients);
  const sample = new Map<number, ProcessCpu>();
  for (const [pid, kind] of platformProcesses()) {
    const seconds = cpuSecondsOf(pid);
    if (seconds !== undefined) sample.set(pid, { kind, seconds, parent: parentOf(pid) });
  }
  return sample;
}

/**
 * CPU seconds per kind between two samples. A backend that exited in between handed its whole
 * time to the postmaster (reaped children's time): the part from before the first sample is taken
 * back from the postmaster, the rest stays with it, as "PostgreSQL".
 */
function cpuBetween(before: Map<number, ProcessCpu>, after: Map<number, ProcessCpu>): Map<string, number> {
  const totals = new Map<string, number>();
  const add = (kind: string, seconds: number) => totals.set(kind, (totals.get(kind) ?? 0) + seconds);
  for (const [pid, now] of after) add(now.kind, now.seconds - (before.get(pid)?.seconds ?? 0));
  for (const [pid, then] of before) {
    if (after.has(pid)) continue;
    const parent = after.get(then.parent);
    if (parent) add(parent.kind, -then.seconds);
  }
  return totals;
}

/**
 * PSS per kind in MiB: shared pages (PostgreSQL's shared buffers, the node binary) counted once
 * across processes. A backend serving this process (the load generator's pool) is split: its own
 * memory (Pss_Anon: its sort and query buffers) is the load generator's, listed apart and not
 * counted, as its CPU is; its share of the shared buffers and the binary stays PostgreSQL's.
 */
function pssMiB(): { byKind: Map<string, number>; loadGenerator: number } {
  const byKind = new Map<string, number>();
  let loadGenerator = 0;
  for (const [pid, kind] of platformProcesses()) {
    if (pid === process.pid) continue;
    const rollup = read(`/proc/${pid}/smaps_rollup`);
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? 0);
    let mib = kb('Pss') / 1024;
    if (kind === LOAD_GENERATOR) {
      loadGenerator += kb('Pss_Anon') / 1024;
      mib -= kb('Pss_Anon') / 1024;
    }
    const server = kind.startsWith('PostgreSQL') || kind === LOAD_GENERATOR ? 'PostgreSQL' : kind;
    byKind.set(server, (byKind.get(server) ?? 0) + mib);
  }
  return { byKind, loadGenerator };
}

interface CpuUse { totalMsPerOp: number; perProcess: string; loadGeneratorMsPerOp: number }

/** Runs `work`; CPU ms per operation in the platform, leaving out `excluded` kinds (listed, not counted) and the load generator. */
async function measured<T>(ops: () => number, work: () => Promise<T>, excluded: (kind: string) => boolean = () => false): Promise<{ value: T; cpu: CpuUse }> {
  const before = await cpuSample();
  const value = await work();
  const count = Math.max(1, ops());
  const used = [...cpuBetween(before, await cpuSample())].map(([kind, s]) => [kind, s * 1000 / count] as const).filter(([, ms]) => ms >= 0.01).sort((a, b) => b[1] - a[1]);
  const counted = used.filter(([kind]) => kind !== LOAD_GENERATOR && !excluded(kind));
  const perProcess = used.map(([kind, ms]) => `${kind} ${ms.toFixed(2)}${kind === LOAD_GENERATOR || excluded(kind) ? ' (not counted)' : ''}`).join(', ');
  return { value, cpu: { totalMsPerOp: counted.reduce((sum, [, ms]) => sum + ms, 0), perProcess, loadGeneratorMsPerOp: used.find(([k]) => k === LOAD_GENERATOR)?.[1] ?? 0 } };
}

// ---- load ---------------------------------------------------------------------------------

type Request = OpenLoopRequest;

/** Prepared requests, each once: a closed loop at `connections` (autocannon), or an open loop at `rate` a second (open-loop.ts). */
async function drive(url: string, headers: Record<string, string>, requests: Request[], mode: { connections: number; rate?: number; quiet?: boolean }) {
  if (mode.rate) {
    const result = await openLoop(url, headers, requests, mode.rate, { maxSockets: mode.connections });
    if (result.lateSends > 0 && !mode.quiet) notes.push(`open loop at ${mode.rate}/s: ${result.lateSends} of ${result.total} requests left more than 5 ms late (the load generator fell behind; counted from their due time)`);
    return result;
  }
  let next = 0;
  const result = await autocannon({
    url, connections: mode.connections, amount: requests.length, timeout: 30,
    headers: { ...headers, 'content-type': 'application/json' },
    requests: [{
      setupRequest: (req: any) => {
        const r = requests[next++ % requests.length]!;
        return { ...req, method: r.method, path: r.path, body: r.body === undefined ? undefined : JSON.stringify(r.body), headers: { ...req.headers, ...r.headers } };
      },
    }],
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.non2xx + result.errors + result.timeouts, total: result.requests.total };
}

// ---- the operations -----------------------------------------------------------------------

async function calibrate(runDir: string): Promise<number> {
  const appPort = BASE + 400;
  const http = BASE + 401;
  const token = randomUUID();
  const echoDir = join(runDir, 'echo');
  mkdirSync(join(echoDir, 'resources'), { recursive: true });
  const script = "require('node:http').createServer((q,s)=>{q.resume();q.on('end',()=>{s.setHeader('content-type','application/json');s.end('{\"ok\":true}')})}).listen(Number(process.env.PORT),'127.0.0.1')";
  const app = startProcess({ name: 'echo-app', command: process.execPath, args: ['-e', `/* echo-app */ ${script}`], cwd: echoDir, env: { ...process.env, PORT: String(appPort) }, output: join(echoDir, 'echo-app.log') });
  await untilReady(app, () => httpOk(`http://127.0.0.1:${appPort}/`));
  const sidecar = startSidecar({
    appId: 'echo', appPort, httpPort: http, grpcPort: BASE + 402, internalGrpcPort: BASE + 403, metricsPort: BASE + 404,
    resourcesPath: join(echoDir, 'resources'), runDir: echoDir, env: { ...process.env, DAPR_API_TOKEN: token }, output: join(echoDir, 'echo-dapr.log'),
  });
  await waitForSidecar(sidecar, http, token);
  const seconds = n('calibration-seconds');
  const echo = (count: number) => Array.from({ length: count }, () => ({ method: 'POST' as const, path: '/v1.0/invoke/echo/method/echo', body: { x: 1 } }));
  await drive(`http://127.0.0.1:${http}`, { 'dapr-api-token': token }, echo(2000), { connections: 32 }); // warm-up
  // As many as the ceiling serves in `seconds` at a few thousand a second.
  let rps = 0;
  const { cpu } = await measured(() => Math.round(rps * seconds), async () => {
    const result = await autocannon({ url: `http://127.0.0.1:${http}/v1.0/invoke/echo/method/echo`, method: 'POST', body: '{"x":1}', connections: 32, duration: seconds, headers: { 'dapr-api-token': token, 'content-type': 'application/json' } });
    rps = result.requests.average;
    rows.push({ operation: 'ceiling: echo through one daprd', closedLoop: '32 connections', throughput: rps, openLoop: '-', p50: result.latency.p50, p99: result.latency.p99, errors: result.non2xx + result.errors, cpuMsPerOp: 0, perProcess: '' });
  });
  const row = rows.at(-1)!;
  row.cpuMsPerOp = cpu.totalMsPerOp;
  row.perProcess = cpu.perProcess;
  await sidecar.stop();
  await app.stop();
  return rps;
}

async function main() {
  const { startDrillPlatform, infra } = await import('../drill/environment');
  const calibrationBefore = cpuCalibrationMs();
  const commit = (() => { try { return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim(); } catch { return 'unknown'; } })();
  const runDir = join(process.env.HOLDFAST_DRILL_DIR!, 'platform');
  const platform = await startDrillPlatform(log, {
    logLevel: 'warn',
    settings: {
      // Instant decisions: every order approved at once, labels polled every 200 ms.
      fulfillment: { AUTO_APPROVE_MAX_AMOUNT: '1000000', LABEL_POLL_SECONDS: '0.2' },
      // Many holds of one show by one bench customer would meet the per-customer cap: each hold has its own customer anyway.
      booking: {},
      // Instant providers: the calm file, which DELETE /admin/chaos returns to. The default file is the design's chaos mix:
      // the first runs (9c68b97, 6dcb47d) had it, so most sagas failed and compensated, and an email in six was retried.
      providers: { PROVIDERS_CHAOS_FILE: join(ROOT, 'apps', 'providers', 'chaos.calm.yaml') },
    },
  });
  const stopEverything = async () => { await platform.stop(); };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stopEverything().finally(() => process.exit(130)));
  serverPids = infra('pids').split('\n').map((line) => Number(line.split(' ')[1])).filter((pid) => pid > 1);
  const env = platform.connections;
  const gateway = platform.gatewayUrl;
  const client = { 'dapr-api-token': env.CLIENT_API_TOKEN };
  const admin = { ...client, authorization: `Bearer ${env.ADMIN_API_TOKEN}` };
  const providers = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${platform.providersUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as any;
  };
  const db = new Client({ connectionString: env.DATABASE_URL });
  await db.connect();
  const pool = new Pool({ connectionString: env.DATABASE_URL, max: 16, application_name: 'holdfast-bench' });
  backendsOf = async () => new Map((await pool.query<{ pid: number; application_name: string }>("SELECT pid, application_name FROM pg_stat_activity WHERE backend_type = 'client backend'")).rows.map((r) => [r.pid, r.application_name]));
  const delivery = (kind: string) => /delivery/.test(kind);
  const benchStart = new Date();
  /**
   * Waits until the work earlier rows started has ended: every outbox event written since the bench
   * began published, every notification PENDING no more (twice in a row, 500 ms apart: between a
   * publish and its row neither shows). Else a row is charged with the one before it: the hold
   * requests made to be confirmed send their "request received" emails, and the confirms' ticket
   * emails were still going out while the sagas ran. At most two minutes; then a note says so.
   */
  const settle = async (before: string) => {
    const deadline = Date.now() + 120_000;
    const busy = async () => (await db.query(
      "SELECT (SELECT count(*) FROM outbox_events WHERE published_at IS NULL AND created_at >= $1)::int + (SELECT count(*) FROM notifications WHERE status = 'PENDING' AND created_at >= $1)::int AS n",
      [benchStart],
    )).rows[0].n as number;
    let quietTimes = 0;
    while (quietTimes < 2) {
      if (Date.now() > deadline) { notes.push(`before ${before}: earlier work still running after 2 minutes (${await busy()} events or emails), measured anyway`); return; }
      quietTimes = (await busy()) === 0 ? quietTimes + 1 : 0;
      await sleep(500);
    }
  };
  try {
    // Instant providers (the calm chaos file above): every call succeeds at once.
    await providers('DELETE', '/admin/chaos');
    const ceiling = await calibrate(runDir);

    /** A show of at least `seatCount` seats (a venue has at most 20,000) and a hold request factory for its free seats, one seat each. */
    const showFor = async (seatCount: number) => {
      const rowsNeeded = Math.ceil(seatCount / 100);
      const show = await fetch(`${gateway}/v1.0/invoke/booking/method/api/admin/shows`, {
        method: 'POST', headers: { ...admin, 'content-type': 'application/json' },
        body: JSON.stringify({
          title: 'Benchmark', startsAt: new Date(Date.now() + 86_400_000).toISOString(), policy: { zonePrices: { main: 1000 } },
          venue: { name: 'Bench hall', sections: Array.from({ length: Math.ceil(rowsNeeded / 150) }, (_, s) => ({ name: `S${s}`, zone: 'main', rows: Array.from({ length: Math.min(150, rowsNeeded - s * 150) }, (_, r) => ({ label: `R${r}`, seats: 100 })) })) },
        }),
      });
      if (show.status !== 201) throw new Error(`show not created: ${show.status} ${await show.text()}`);
      const { showId } = (await show.json()) as { showId: string };
      let seat = 0;
      const nextSeat = () => { const i = seat++; return `S${Math.floor(i / 15_000)}-R${Math.floor((i % 15_000) / 100)}-${(i % 100) + 1}`; };
      return (count: number): Request[] => Array.from({ length: count }, () => {
        const customerId = `bench-${randomUUID()}`;
        // The longest ttl: no bench hold expires while later rows are measured (an expiry is work of its own; in the
        // first run 3,000 holds of 5 minutes expired during the saga and email rows and were charged to them).
        return { method: 'POST', path: `/v1.0/invoke/booking/method/api/shows/${showId}/holds`, body: { seatIds: [nextSeat()], customerId, customerEmail: `${customerId}@example.com`, ttlSeconds: MAX_HOLD_TTL_SECONDS } };
      });
    };
    // Every hold of the measured rows on one show (its ShowActor is the one place seats are decided).
    let holdRequests = await showFor(n('holds') * 2 + n('confirms') + n('confirm-rate') * 10 + n('hold-rate') * 10 + 2000);

    log('bench: holds');
    // 2. Holds.
    await drive(gateway, client, holdRequests(300), { connections: CONNECTIONS }); // warm-up: JIT, pools, the ShowActor's activation
    await settle('the holds');
    // A hold calls no provider: the providers app's work meanwhile is the hold-placed emails the delivery app sends, counted with the email.
    const holds = await measured(() => n('holds'), () => drive(gateway, client, holdRequests(n('holds')), { connections: CONNECTIONS }), (kind) => delivery(kind) || kind === 'providers app');
    const holdsOpen = await drive(gateway, client, holdRequests(n('hold-rate') * 10), { connections: 256, rate: n('hold-rate') });
    rows.push({ operation: 'hold', closedLoop: `${CONNECTIONS} connections`, throughput: holds.value.rps, openLoop: `${n('hold-rate')}/s offered`, p50: holdsOpen.p50, p99: holdsOpen.p99, errors: holds.value.errors + holdsOpen.errors, cpuMsPerOp: holds.cpu.totalMsPerOp, perProcess: holds.cpu.perProcess });

    log('bench: confirms');
    // 3. Confirms: holds made first (not measured), then confirmed.
    const toConfirm = async (count: number) => {
      const ids: string[] = [];
      const requests = holdRequests(count);
      for (let i = 0; i < requests.length; i += CONNECTIONS) {
        const answers = await Promise.all(requests.slice(i, i + CONNECTIONS).map(async (r) => {
          const response = await fetch(`${gateway}${r.path}`, { method: 'POST', headers: { ...client, 'content-type': 'application/json' }, body: JSON.stringify(r.body) });
          return (await response.json()) as { holdId?: string };
        }));
        ids.push(...answers.map((a) => a.holdId).filter((id): id is string => Boolean(id)));
      }
      return ids.map((holdId): Request => ({ method: 'POST', path: `/v1.0/invoke/booking/method/api/holds/${holdId}/confirm`, body: { payment: { token: 'tok_visa' } }, headers: { 'idempotency-key': `bench-${holdId}` } }));
    };
    const confirmClosed = await toConfirm(n('confirms'));
    await settle('the confirms');
    const confirms = await measured(() => confirmClosed.length, () => drive(gateway, client, confirmClosed, { connections: CONNECTIONS }), delivery);
    const confirmOpenRequests = await toConfirm(n('confirm-rate') * 10);
    const confirmsOpen = await drive(gateway, client, confirmOpenRequests, { connections: 256, rate: n('confirm-rate') });
    rows.push({ operation: 'confirm (payment authorized and captured)', closedLoop: `${CONNECTIONS} connections`, throughput: confirms.value.rps, openLoop: `${n('confirm-rate')}/s offered`, p50: confirmsOpen.p50, p99: confirmsOpen.p99, errors: confirms.value.errors + confirmsOpen.errors, cpuMsPerOp: confirms.cpu.totalMsPerOp, perProcess: confirms.cpu.perProcess });

    log('bench: sagas');
    // 4. Sagas: orders in flight, each waited for to its end.
    const sagaRun = async (count: number, concurrency: number) => {
      const waiting = new Map<string, () => void>();
      let watching = true;
      const watcher = (async () => {
        while (watching) {
          if (waiting.size > 0) {
            const { rows: done } = await db.query('SELECT id FROM orders WHERE id = ANY($1) AND finished_at IS NOT NULL', [[...waiting.keys()]]).catch(() => ({ rows: [] as Array<{ id: string }> }));
            for (const { id } of done) { waiting.get(id)?.(); waiting.delete(id); }
          }
          await sleep(50);
        }
      })();
      const ids: string[] = [];
      let started = 0;
      let errors = 0;
      const t0 = Date.now();
      await Promise.all(Array.from({ length: concurrency }, async () => {
        while (started < count) {
          started++;
          const orderId = `bench-${randomUUID()}`;
          const response = await fetch(`${gateway}/v1.0/invoke/fulfillment/method/workflows/order`, {
            method: 'POST', headers: { ...client, 'content-type': 'application/json' },
            body: JSON.stringify({ orderId, customerId: 'bench', customerEmail: 'bench@example.com', totalAmount: 30, items: [{ sku: 'BENCH-1', quantity: 2, price: 10 }, { sku: 'BENCH-2', quantity: 1, price: 10 }], shippingAddress: { line1: '1 Bench Road', city: 'Berlin', postalCode: '10115', country: 'DE' } }),
          });
          if (response.status !== 202) { errors++; await response.text(); continue; }
          await response.text();
          ids.push(orderId);
          await new Promise<void>((resolve) => waiting.set(orderId, resolve));
        }
      }));
      const wallS = (Date.now() - t0) / 1000;
      watching = false;
      await watcher;
      const { rows: finished } = await db.query('SELECT extract(epoch FROM finished_at - created_at) * 1000 AS ms FROM orders WHERE id = ANY($1) ORDER BY ms', [ids]);
      const times = finished.map((r) => Number(r.ms));
      return { ids, rate: ids.length / wallS, p50: percentile(times, 50), p99: percentile(times, 99), errors };
    };
    await sagaRun(Math.min(60, n('sagas')), n('saga-concurrency')); // warm-up
    await settle('the sagas');
    const sagas = await measured(() => n('sagas'), () => sagaRun(n('sagas'), n('saga-concurrency')), delivery);
    rows.push({ operation: 'saga (order to its end, auto-approved)', closedLoop: `${n('saga-concurrency')} in flight`, throughput: sagas.value.rate, openLoop: `(end-to-end, ${n('saga-concurrency')} in flight)`, p50: sagas.value.p50, p99: sagas.value.p99, errors: sagas.value.errors, cpuMsPerOp: sagas.cpu.totalMsPerOp, perProcess: sagas.cpu.perProcess });

    log('bench: ticket emails');
    // 5. Ticket emails: commit to the provider's receipt.
    const emailShow = randomUUID();
    const sentCount = async (ids: string[]) => (await db.query("SELECT count(*)::int AS n FROM notifications WHERE booking_id = ANY($1::uuid[]) AND status = 'SENT'", [ids])).rows[0].n as number;
    const untilSent = async (ids: string[]) => { const deadline = Date.now() + 600_000; while ((await sentCount(ids)) < ids.length) { if (Date.now() > deadline) throw new Error('emails not sent in 10 minutes'); await sleep(200); } };
    const emailLatency = async (ids: string[]) => {
      const { rows: commits } = await db.query<{ aggregate_id: string; created_at: Date }>("SELECT aggregate_id, created_at FROM outbox_events WHERE aggregate_id = ANY($1) AND type = 'booking.confirmed'", [ids]);
      const committedAt = new Map(commits.map((c) => [`booking-${c.aggregate_id}-ticket-email`, c.created_at.getTime()]));
      const { calls } = await providers('GET', '/admin/calls?domain=email&operation=send') as { calls: Array<{ at: string; idempotencyKey: string | null; outcome: string; replayed: boolean }> };
      const receipts = calls.filter((c) => c.outcome === 'ok' && !c.replayed && committedAt.has(c.idempotencyKey ?? ''));
      const latencies = receipts.map((c) => Date.parse(c.at) - committedAt.get(c.idempotencyKey!)!).sort((a, b) => a - b);
      const first = Math.min(...committedAt.values());
      const last = Math.max(...receipts.map((c) => Date.parse(c.at)));
      const perKey = new Map<string, number>();
      for (const c of receipts) perKey.set(c.idempotencyKey!, (perKey.get(c.idempotencyKey!) ?? 0) + 1);
      return { received: receipts.length, twice: [...perKey.values()].filter((v) => v > 1).length, rate: receipts.length / ((last - first) / 1000), p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
    };
    await untilSent(await commitBookings(pool, emailShow, 100, 16)); // warm-up
    await providers('DELETE', '/admin/calls');
    await settle('the ticket emails');
    const burst = await measured(() => n('emails'), async () => { const ids = await commitBookings(pool, emailShow, n('emails'), 16); await untilSent(ids); return emailLatency(ids); });
    await providers('DELETE', '/admin/calls');
    const paced = await commitPaced(pool, emailShow, n('email-rate') * 10, n('email-rate'), 16);
    await untilSent(paced);
    const steady = await emailLatency(paced);
    rows.push({ operation: 'ticket email (commit to provider receipt)', closedLoop: `${n('emails')} committed at once`, throughput: burst.value.rate, openLoop: `${n('email-rate')}/s committed`, p50: steady.p50, p99: steady.p99, errors: (n('emails') - burst.value.received) + (paced.length - steady.received), cpuMsPerOp: burst.cpu.totalMsPerOp, perProcess: burst.cpu.perProcess });
    notes.push(`emails received twice for one key: ${burst.value.twice + steady.twice} (burst ${burst.value.received}/${n('emails')}, steady ${steady.received}/${paced.length})`);

    log('bench: memory soak');
    // 6. Memory through a mixed soak: holds, confirms, sagas and emails at once, PSS sampled every 10 s.
    const soakSeconds = n('soak-seconds');
    const samples: Array<{ at: number; total: number; byKind: Map<string, number>; loadGenerator: number }> = [];
    if (soakSeconds > 0) {
      // A show of its own: about 30 holds a second for the soak's length (6dcb47d's soak ran out of seats: 113 failed steps).
      holdRequests = await showFor(Math.min(20_000, soakSeconds * 40));
      const soakUntil = Date.now() + soakSeconds * 1000;
      const sampler = (async () => {
        while (Date.now() < soakUntil) {
          // Backends come and go (pools open and close them): name them by their clients now.
          if (backendsOf) backendClients = await backendsOf().catch(() => backendClients);
          const { byKind, loadGenerator } = pssMiB();
          samples.push({ at: Date.now(), total: [...byKind.values()].reduce((a, b) => a + b, 0), byKind, loadGenerator });
          await sleep(10_000);
        }
      })();
      // The soak is for memory: a failed step is counted and the load goes on.
      let soakErrors = 0;
      const loop = async (step: () => Promise<unknown>) => {
        while (Date.now() < soakUntil) {
          try {
            await step();
          } catch (error) {
            if (soakErrors++ === 0) notes.push(`soak: first failed step: ${error instanceof Error ? error.message : String(error)}`);
            await sleep(1_000);
          }
        }
      };
      await Promise.all([
        loop(() => drive(gateway, client, holdRequests(200), { connections: 8, rate: 20, quiet: true })),
        loop(async () => drive(gateway, client, await toConfirm(50), { connections: 8, rate: 10, quiet: true })),
        loop(() => sagaRun(50, 5)),
        loop(async () => untilSent(await commitPaced(pool, emailShow, 100, 20, 4))),
        sampler,
      ]);
      notes.push(`soak: ${soakErrors} failed steps`);
    }

    // The table.
    const calibrationAfter = cpuCalibrationMs();
    const lines: string[] = [];
    lines.push(`## ${new Date().toISOString().slice(0, 10)}: \`npm run bench:all\` at ${commit}`);
    lines.push('');
    lines.push(`CPU calibration (a fixed loop; lower is a faster machine): ${calibrationBefore.toFixed(0)} ms before, ${calibrationAfter.toFixed(0)} ms after. Ceiling: ${ceiling.toFixed(0)} echoes/s through one daprd at 32 connections.`);
    lines.push('');
    lines.push('| operation | throughput (closed loop) | ratio to ceiling | p50 / p99 ms (open loop) | errors | CPU ms per op (platform) |');
    lines.push('|---|---|---|---|---|---|');
    for (const r of rows) lines.push(`| ${r.operation} | ${r.throughput.toFixed(1)}/s at ${r.closedLoop} | ${(r.throughput / ceiling).toFixed(3)} | ${r.p50.toFixed(0)} / ${r.p99.toFixed(0)} at ${r.openLoop} | ${r.errors} | ${r.cpuMsPerOp.toFixed(1)} |`);
    lines.push('');
    lines.push('CPU ms per operation, per process:');
    lines.push('');
    for (const r of rows) lines.push(`- ${r.operation}: ${r.perProcess}`);
    if (samples.length > 0) {
      const last = samples.at(-1)!;
      const secondHalf = samples.filter((s) => s.at >= samples[0]!.at + (soakSeconds * 1000) / 2).map((s) => s.total);
      const spread = secondHalf.length > 0 ? (Math.max(...secondHalf) - Math.min(...secondHalf)) / Math.min(...secondHalf) : NaN;
      lines.push('');
      lines.push(`Memory after a ${soakSeconds} s mixed soak (PSS, MiB): total ${last.total.toFixed(0)}; second half ${Math.min(...secondHalf).toFixed(0)}-${Math.max(...secondHalf).toFixed(0)} (spread ${(spread * 100).toFixed(1)} %). `
        + [...last.byKind].sort((a, b) => b[1] - a[1]).map(([kind, mib]) => `${kind} ${mib.toFixed(0)}`).join(', ')
        + `; the load generator's PostgreSQL backends' own memory ${last.loadGenerator.toFixed(0)} (not counted)`);
      // Which process moved over the second half: the spread's cause (its first sample to its last, each process).
      const halfStart = samples.find((s) => s.at >= samples[0]!.at + (soakSeconds * 1000) / 2);
      if (halfStart) {
        const moves = [...last.byKind].map(([kind, mib]) => [kind, mib - (halfStart.byKind.get(kind) ?? 0)] as const).filter(([, d]) => Math.abs(d) >= 1).sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
        lines.push('');
        lines.push(`Over the soak's second half (MiB, its first sample to its last): ${moves.map(([kind, d]) => `${kind} ${d > 0 ? '+' : ''}${d.toFixed(0)}`).join(', ') || 'no process moved by 1 MiB or more'}.`);
      }
    }
    for (const note of notes) lines.push(`- ${note}`);
    const table = lines.join('\n');
    console.log(`\n${table}\n`);
    if (!opts['no-write']) {
      const file = join(ROOT, 'docs', 'measurements.md');
      const doc = readFileSync(file, 'utf8');
      const at = doc.indexOf('\n## ');
      writeFileSync(file, at < 0 ? `${doc}\n${table}\n` : `${doc.slice(0, at + 1)}${table}\n\n${doc.slice(at + 1)}`);
      console.log('written to docs/measurements.md');
    }
  } finally {
    await pool.end();
    await db.end();
    await stopEverything();
    await stopAll(5_000);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
