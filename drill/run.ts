/**
 * The fault drill (issue 16): `npm run drill -- --minutes M --faults N --seed S`.
 * Starts a platform of its own (drill/environment.ts), runs the seeded workload through the gateway
 * while the injector carries out the seeded fault schedule, stops the load, lets the platform
 * settle, then reads the records and judges them (drill/checker.ts). Prints the schedule, the
 * invariants with their counterexamples, the sweeper's activations and the recovery time per fault
 * kind, writes the same as Markdown to .data/drill/report-<seed>.md, and exits 1 on any violation.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { checkInvariants, FINISHED_ORDER_STATUSES, formatReport, type ActiveHoldSample, type CheckReport } from './checker';
import { DRILL_DIR, DRILL_LOG_DIR, startDrillPlatform, type DrillPlatform } from './environment';
import { describeFault, planFaults, type Fault } from './faults';
import { FaultInjector, type InjectedFault } from './injector';
import { readRecords, sampleActiveHolds } from './records';
import { FLOWS, recoveries, recoveryTable, faultKind, type Flow, type RecoveryRow } from './recovery';
import { randomSeed, runWorkload, type WorkloadStats } from './workload';

export interface DrillOptions {
  minutes: number;
  faults: number;
  seed: string;
  /** The longest the platform may take to settle after the load stops (default 10 minutes). */
  settleMinutes?: number;
  log?: (line: string) => void;
}

export interface DrillResult {
  seed: string;
  faults: Fault[];
  injected: InjectedFault[];
  report: CheckReport;
  recovery: RecoveryRow[];
  sweeperActivations: number;
  settledAfterMs: number | null;
  stats: WorkloadStats;
  reportPath: string;
  text: string;
}

/** Apps whose app or sidecar the injector may hit. The providers app is the outside world (its record is the evidence): its faults are outages. */
const FAULTED_APPS = ['booking', 'fulfillment', 'delivery', 'gateway'];
const PROVIDERS = ['payment', 'email', 'sms', 'refund'];

/** Faults that stop holds from expiring while they last: the booking app or its daprd, the scheduler, placement, PostgreSQL. */
/** The processes a hold's expiry goes through (the servers are not ManagedProcesses). */
const EXPIRY_PATH_PROCESSES = ['booking', 'booking-dapr', 'placement', 'scheduler'];

function onExpiryPath(fault: Fault): boolean {
  if (fault.type === 'provider-outage') return false;
  const target = fault.target;
  if (target.kind === 'app' || target.kind === 'sidecar') return target.appId === 'booking';
  return target.kind !== 'redis';
}

/** What is still in flight; settled when every count is 0. */
const IN_FLIGHT_SQL = `SELECT
  (SELECT count(*) FROM outbox_events WHERE published_at IS NULL)::int AS unpublished,
  (SELECT count(*) FROM notifications WHERE status = 'PENDING')::int AS notifications,
  (SELECT count(*) FROM refund_jobs WHERE status = 'PENDING')::int AS refund_jobs,
  (SELECT count(*) FROM orders WHERE NOT (status::text = ANY($1)))::int AS orders,
  (SELECT count(*) FROM bookings WHERE status = 'CANCELLING')::int AS cancelling,
  (SELECT count(*) FROM holds WHERE status = 'ACTIVE')::int AS holds,
  (SELECT count(*) FROM dead_letters WHERE status IN ('PENDING', 'REPLAYING'))::int AS dead_letters`;

async function withDb<T>(url: string, use: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: url, connectionTimeoutMillis: 5_000, query_timeout: 10_000 });
  // A PostgreSQL restart ends the connection with an 'error' event; unheard, it would end the drill
  // (long-f did: "terminating connection due to administrator command"). The query fails instead.
  db.on('error', () => undefined);
  await db.connect();
  try {
    return await use(db);
  } finally {
    await db.end().catch(() => undefined);
  }
}

/** Waits until nothing is in flight for three reads in a row, or the bound passes; returns how long it took (null: never). */
async function settle(url: string, boundMs: number, log: (line: string) => void): Promise<number | null> {
  const started = Date.now();
  let quiet = 0;
  let last = '';
  while (Date.now() - started < boundMs) {
    try {
      const row = await withDb(url, async (db) => (await db.query(IN_FLIGHT_SQL, [FINISHED_ORDER_STATUSES])).rows[0] as Record<string, number>);
      const busy = Object.entries(row).filter(([, n]) => n > 0).map(([what, n]) => `${what} ${n}`).join(', ');
      if (busy !== last) log(`drill: settling: ${busy || 'nothing in flight'}`);
      last = busy;
      quiet = busy ? 0 : quiet + 1;
      if (quiet >= 3) return Date.now() - started;
    } catch (error) {
      log(`drill: settling: the database did not answer (${error instanceof Error ? error.message : String(error)})`);
    }
    await sleep(2_000);
  }
  return null;
}

/**
 * What an operator does after an incident (docs/reliability.md): every refund a cancellation parked
 * for a person (manual review REFUND, or hold-refund: the provider did not answer through the
 * saga's retries) is retried from the reviews' API, as the admin console's "retry" does. The app's
 * own idempotency key goes with it, so a refund that landed after all is answered, not paid twice.
 * Returns how many were retried and how many of those the provider paid.
 */
async function operatorRetriesRefunds(platform: DrillPlatform, log: (line: string) => void): Promise<{ retried: number; paid: number }> {
  const headers = { 'dapr-api-token': platform.connections.CLIENT_API_TOKEN, authorization: `Bearer ${platform.connections.ADMIN_API_TOKEN}`, 'content-type': 'application/json' };
  const base = `${platform.gatewayUrl}/v1.0/invoke/booking/method/api/admin/manual-reviews`;
  const listed = await fetch(`${base}?status=OPEN&limit=500`, { headers });
  if (!listed.ok) throw new Error(`drill: the open manual reviews could not be listed: ${listed.status} ${await listed.text()}`);
  const { reviews } = (await listed.json()) as { reviews: Array<{ id: string; kind: string; reason: string }> };
  let retried = 0;
  let paid = 0;
  for (const review of reviews.filter((r) => r.kind === 'REFUND' || r.kind === 'hold-refund')) {
    retried++;
    const answer = await fetch(`${base}/${review.id}/resolve`, { method: 'POST', headers, body: JSON.stringify({ resolution: 'retried by the drill\'s operator after the faults', retry: true }) });
    if (answer.ok) paid++;
    else log(`drill: operator: the refund of review ${review.id} (${review.reason}) was not paid: ${answer.status} ${await answer.text()}`);
  }
  return { retried, paid };
}

/** The stuck-message sweeper's activations over every incarnation of the delivery app: its log lines, which survive restarts (its counter does not). */
function sweeperActivations(): number {
  try {
    return readFileSync(join(DRILL_LOG_DIR, 'delivery.log'), 'utf8').split('\n').filter((l) => l.includes('"component":"stuck-sweeper"') && l.includes('published again')).length;
  } catch {
    return 0;
  }
}

function recoveryLines(rows: RecoveryRow[]): string[] {
  const s = (ms: number | null) => (ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`);
  return ['| fault kind | faults | recovered | p50 | p99 |', '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.kind} | ${r.faults} | ${r.recovered} | ${s(r.p50Ms)} | ${s(r.p99Ms)} |`)];
}

export async function runDrill(options: DrillOptions): Promise<DrillResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const durationMs = Math.round(options.minutes * 60_000);
  const faults = planFaults({ seed: options.seed, durationMs, faults: options.faults, apps: FAULTED_APPS, sidecarOnly: ['gateway'], providers: PROVIDERS });
  log(`drill: seed ${options.seed}, ${options.minutes} min of load, ${faults.length} faults (replay: npm run drill -- --minutes ${options.minutes} --faults ${options.faults} --seed ${options.seed})`);
  for (const fault of faults) log(`  ${describeFault(fault)}`);

  let platform: DrillPlatform | undefined;
  try {
    // The checker reads every provider call of the run (each key's accepted effects): none may fall out of the call log.
    platform = await startDrillPlatform(log, { settings: { providers: { PROVIDERS_CALL_LOG_MAX_CALLS: '1000000' } } });
    const env = platform.connections;
    // The providers app's chaos draws from the drill's seed too.
    await fetch(`${platform.providersUrl}/admin/chaos`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rules: {}, seed: options.seed }) });

    const startedAt = Date.now();
    const successes: Record<Flow, number[]> = Object.fromEntries(FLOWS.map((f) => [f, []])) as unknown as Record<Flow, number[]>;
    const injector = new FaultInjector(platform, startedAt, log);
    const timers = faults.map((fault) => setTimeout(() => void injector.inject(fault), fault.atMs));

    // Holds seen ACTIVE past their expiry, sampled every second while the load runs.
    const lateHolds: ActiveHoldSample[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        try {
          const samples = await withDb(env.DATABASE_URL, sampleActiveHolds);
          lateHolds.push(...samples.filter((s) => s.seenAt.getTime() > s.expiresAt.getTime()));
        } catch {
          // PostgreSQL down or stalled: the next sample tries again.
        }
        await sleep(1_000);
      }
    })();

    const stats = await runWorkload({
      seed: options.seed, gatewayUrl: platform.gatewayUrl, clientToken: env.CLIENT_API_TOKEN, adminToken: env.ADMIN_API_TOKEN, managerToken: env.MANAGER_API_TOKEN,
      until: startedAt + durationMs, onSuccess: (flow) => successes[flow].push(Date.now() - startedAt), log,
    });
    log(`drill: load stopped after ${((Date.now() - startedAt) / 1000).toFixed(0)} s, ${stats.requests} requests`);
    timers.forEach(clearTimeout);
    await injector.settled();
    const settledAfterMs = await settle(env.DATABASE_URL, (options.settleMinutes ?? 10) * 60_000, log);
    const operator = await operatorRetriesRefunds(platform, log);
    if (operator.retried > 0) log(`drill: operator: ${operator.retried} parked refunds retried, ${operator.paid} paid`);
    sampling = false;
    await sampler;
    log(settledAfterMs === null ? 'drill: the platform did not settle in time; judging what is there' : `drill: settled ${(settledAfterMs / 1000).toFixed(0)} s after the load`);

    const records = await readRecords({ databaseUrl: env.DATABASE_URL, providersUrl: platform.providersUrl }, lateHolds);
    // A process of the path that exited by itself was down until its supervisor had it back.
    const unplanned = [...platform.processes.values()].flatMap((p) => p.unplannedExits.map((e) => ({ name: p.name, ...e })));
    records.expiryPathOutages = [
      ...injector.injected.filter((i) => onExpiryPath(i.fault)).map((i) => ({ from: new Date(startedAt + i.startedAtMs), to: new Date(startedAt + i.endedAtMs) })),
      ...unplanned.filter((e) => EXPIRY_PATH_PROCESSES.includes(e.name)).map((e) => ({ from: new Date(e.at), to: new Date(e.backAt) })),
    ];
    // Messaged flows succeed when the provider accepts them: its record says when.
    const calls = (await (await fetch(`${platform.providersUrl}/admin/calls`)).json()) as { calls: Array<{ at: string; domain: string; operation: string; outcome: string; replayed: boolean }> };
    const messaged: Record<string, Flow> = { 'email send': 'email', 'sms send': 'sms', 'refund create': 'refund', 'payment refund': 'refund' };
    for (const call of calls.calls) {
      const flow = messaged[`${call.domain} ${call.operation}`];
      if (flow && call.outcome === 'ok' && !call.replayed) successes[flow].push(new Date(call.at).getTime() - startedAt);
    }
    const report = checkInvariants(records);
    const worstHoldLateMs = Math.max(0, ...records.activeHoldSamples.map((h) => h.seenAt.getTime() - h.expiresAt.getTime()));
    const recovery = recoveryTable(recoveries(faults, successes));
    const sweeper = sweeperActivations();

    const kinds = new Map<string, number>();
    for (const fault of faults) kinds.set(faultKind(fault), (kinds.get(faultKind(fault)) ?? 0) + 1);
    const failedFaults = injector.injected.filter((i) => i.error);
    const text = [
      `# Fault drill, seed ${options.seed}: ${options.minutes} min, ${faults.length} faults, ${report.ok ? 'no violation' : 'VIOLATIONS'}`, '',
      `Load: ${stats.requests} requests through the gateway; bookings ${records.bookings.length}, orders ${records.orders.length}, shows cancelled ${stats.showsCancelled}, ` +
        `notifications ${records.notifications.length}, refund jobs ${records.refundJobs.length}, provider calls ${records.providerCalls.length}.`,
      `Settled: ${settledAfterMs === null ? 'not within the bound' : `${(settledAfterMs / 1000).toFixed(0)} s after the load stopped`}. Sweeper activations: ${sweeper}. ` +
        `Operator: ${operator.retried} refunds parked for a person retried, ${operator.paid} paid. ` +
        `Latest hold expiry seen: ${(worstHoldLateMs / 1000).toFixed(1)} s after its due time, faults included.`, '',
      '## Faults by kind', '', ...[...kinds.entries()].sort().map(([kind, n]) => `- ${kind}: ${n}`),
      ...(failedFaults.length ? ['', 'Faults that did not go as planned:', ...failedFaults.map((f) => `- ${describeFault(f.fault).trim()}: ${f.error}`)] : []),
      ...(unplanned.length ? ['', 'Processes that exited by themselves (started again, as a supervisor would):',
        ...unplanned.map((e) => `- ${e.name} at ${((e.at - startedAt) / 1000).toFixed(1)} s (code ${e.code}), back ${((e.backAt - e.at) / 1000).toFixed(1)} s later`)] : []),
      '', '## Invariants', '', '```', formatReport(report), '```', '', '## Recovery (fault to the first success of an affected flow)', '', ...recoveryLines(recovery),
      '', '## Schedule', '', '```', ...faults.map(describeFault), '```', '',
    ].join('\n');
    const reportPath = join(DRILL_DIR, `report-${options.seed}.md`);
    writeFileSync(reportPath, text);
    log(text);
    return { seed: options.seed, faults, injected: injector.injected, report, recovery, sweeperActivations: sweeper, settledAfterMs, stats, reportPath, text };
  } finally {
    await platform?.stop();
  }
}

function parseArgs(argv: string[]): DrillOptions {
  const options: DrillOptions = { minutes: 3, faults: 10, seed: randomSeed() };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    switch (argv[i]) {
      case '--minutes': options.minutes = Number(value); i++; break;
      case '--faults': options.faults = Number(value); i++; break;
      case '--seed': options.seed = String(value); i++; break;
      case '--settle-minutes': options.settleMinutes = Number(value); i++; break;
      default: throw new Error(`drill: unknown argument ${argv[i]} (--minutes M --faults N --seed S [--settle-minutes K])`);
    }
  }
  if (!(options.minutes > 0)) throw new Error('drill: --minutes must be a positive number');
  return options;
}

if (require.main === module) {
  runDrill(parseArgs(process.argv.slice(2)))
    .then((result) => {
      console.log(`drill: report written to ${result.reportPath}`);
      process.exit(result.report.ok ? 0 : 1);
    })
    .catch((error) => {
      console.error(`drill: failed: ${error instanceof Error ? error.stack : String(error)}`);
      process.exit(2);
    });
}
