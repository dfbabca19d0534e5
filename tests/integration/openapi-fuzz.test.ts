/**
 * Every app's OpenAPI document, fuzzed by Schemathesis (scripts/fuzz/setup.sh installs it in a
 * venv per version under ~/.cache/holdfast): booking, fulfillment and delivery through the client gateway with the client
 * credential and the admin or manager bearer token, providers directly on a port of its own.
 * Every operation, 50 examples each, every check Schemathesis runs by default (no 5xx, documented
 * statuses, content types and headers, response schemas, invalid input refused, valid input
 * accepted, 405 for undocumented methods, auth not ignored...): the run must end with no failure.
 *
 * Isolation: a stack and a database of its own. The apps under fuzz pay, reserve and ship through
 * a providers app of their own (FUZZ_PROVIDERS_PORT, calm chaos), and the providers app is itself
 * fuzzed on yet another instance (PROVIDERS_UNDER_FUZZ_PORT), beside them: the chaos rules the
 * fuzzer sets and the calls it makes reach no other run or test; they and their sidecars (actor
 * and workflow state) use the database holdfast_fuzz, made afresh and migrated for each run on the
 * test database's server, so nothing the fuzzer creates (shows, holds, orders, concessions) is
 * seen by another test; the delivery app runs without its outbox relay, so nothing the fuzzer
 * makes is published to the shared Redis. Shared still: the run's placement and scheduler (an
 * actor reminder or workflow timer the fuzzer's requests set would fire in a later stack of the
 * same app, against a database without its state; a seed-1 run leaves no hold and no order, and
 * its show cancellations finish before their stack stops).
 *
 * Alone: HOLDFAST_FUZZ_APPS=booking (a comma list) fuzzes only those apps, HOLDFAST_FUZZ_MAX_EXAMPLES
 * and HOLDFAST_FUZZ_SEED change the run (CI: 50 examples, seed 1).
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { startProcess, type RunningProcess } from '../../scripts/devstack/processes';
import { untilReady } from '../../scripts/devstack/runtime';
import { ROOT } from '../../scripts/devstack/env';
import { httpOk } from '../../scripts/devstack/wait';
import { startBookingStack, startDeliveryStack, startFulfillmentStack, type AppStack } from '../support/app-stack';
import { loadTestRun, TEST_DATA_DIR, TEST_LOG_DIR } from '../support/test-env';

const FUZZ_PROVIDERS_PORT = 4011;
/**
 * The providers app fuzzed on its own, on a port of its own: its run sets chaos rules, which must
 * not reach the providers app the other apps' runs call (4011). It needs nothing of the platform,
 * so it runs beside them, started in beforeAll (a minute less on the test tier's critical path).
 */
const PROVIDERS_UNDER_FUZZ_PORT = 4012;
const FUZZ_DIR = join(TEST_DATA_DIR, 'fuzz');
/** The schemathesis command, where scripts/fuzz/setup.sh put it (its last line). */
let schemathesisPath: string;
const MAX_EXAMPLES = Number(process.env.HOLDFAST_FUZZ_MAX_EXAMPLES ?? 50);
/** Optional: only these apps (comma list), to fuzz one while fixing it. */
const ONLY = process.env.HOLDFAST_FUZZ_APPS?.split(',').map((a) => a.trim());

const fuzzProvidersUrl = `http://127.0.0.1:${FUZZ_PROVIDERS_PORT}`;
const providersUnderFuzzUrl = `http://127.0.0.1:${PROVIDERS_UNDER_FUZZ_PORT}`;
let providers: RunningProcess;
let providersUnderFuzz: RunningProcess | undefined;
/** The providers app's fuzz runs, started in beforeAll; its test awaits them. */
let providersRuns: Promise<FuzzRun[]> = Promise.resolve([]);
const FUZZ_DATABASE = 'holdfast_fuzz';
let fuzzDatabaseUrl: string;

/** The fuzz run's database, on the test database's server: dropped, made again and migrated, so every run starts empty. */
async function freshFuzzDatabase(testDatabaseUrl: string): Promise<string> {
  const url = new URL(testDatabaseUrl);
  if (url.pathname.slice(1) === FUZZ_DATABASE) throw new Error(`the test database is already ${FUZZ_DATABASE}`);
  const admin = new Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${FUZZ_DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${FUZZ_DATABASE}`);
  } catch (error) {
    throw new Error(`fuzz: cannot make the database ${FUZZ_DATABASE} on the test database's server (the fuzz run needs one of its own; its user needs CREATEDB): ${String(error)}`);
  } finally {
    await admin.end();
  }
  url.pathname = `/${FUZZ_DATABASE}`;
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'prisma', 'schema-engine.mjs'), 'deploy'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: url.toString() }, stdio: 'pipe' });
  return url.toString();
}

jest.setTimeout(20 * 60_000);

/** A providers app of this file's own, calm, on `port`. */
function startProvidersApp(name: string, port: number): RunningProcess {
  return startProcess({
    name, command: process.execPath, args: ['--require', 'tsx/cjs', 'src/main.ts'], cwd: join(ROOT, 'apps', 'providers'),
    env: { ...process.env, APP_PORT: String(port), LOG_LEVEL: 'warn', PROVIDERS_CHAOS_FILE: join(ROOT, 'apps', 'providers', 'chaos.calm.yaml'), PAYMENTS_WEBHOOK_URL: '' },
    output: join(TEST_LOG_DIR, `${name}.log`),
  });
}

beforeAll(async () => {
  schemathesisPath = execFileSync('bash', [join(ROOT, 'scripts', 'fuzz', 'setup.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
  mkdirSync(FUZZ_DIR, { recursive: true });
  fuzzDatabaseUrl = await freshFuzzDatabase(loadTestRun().databaseUrl);
  providers = startProvidersApp('providers-fuzz', FUZZ_PROVIDERS_PORT);
  await untilReady(providers, () => httpOk(`${fuzzProvidersUrl}/healthz`));
  if (wanted('providers')) {
    providersUnderFuzz = startProvidersApp('providers-under-fuzz', PROVIDERS_UNDER_FUZZ_PORT);
    await untilReady(providersUnderFuzz, () => httpOk(`${providersUnderFuzzUrl}/healthz`));
    providersRuns = fuzzProviders();
  }
});
afterAll(async () => {
  await providersRuns;
  await providersUnderFuzz?.stop();
  await providers?.stop();
});

interface FuzzTarget {
  app: string;
  /** Where the API is (the document's paths are appended). */
  baseUrl: string;
  /** Where its document is served. */
  documentUrl: string;
  headers: Record<string, string>;
  /** Bearer tokens per security scheme of the document: Schemathesis sends them, and leaves them out to check a route refuses that. */
  bearers: Record<string, string>;
  /**
   * Operations whose schema-valid input may still be refused with a 4xx no schema can express (a
   * date in the past, seats the show does not have, a signature): the statuses their positive
   * examples may also get. Every check still runs on them. A key starting with ^ is a regular
   * expression over operation names (`METHOD /path`).
   */
  alsoAccepted?: Record<string, number[]>;
  /** Operation filters of this run (`--include-name ...`), when an app is fuzzed in more than one run. */
  filter?: string[];
  /** Names the run's files when an app has more than one. */
  run?: string;
}

/** schemathesis.toml for one run: auth per scheme, NUL-free strings (PostgreSQL text cannot hold U+0000; bad-input.test.ts covers that 400). */
function fuzzConfig(target: FuzzTarget): string {
  const lines = ['[generation]', 'allow-x00 = false', ''];
  for (const [scheme, token] of Object.entries(target.bearers)) lines.push(`[auth.openapi.${scheme}]`, `bearer = ${JSON.stringify(token)}`, '');
  for (const [operation, statuses] of Object.entries(target.alsoAccepted ?? {})) {
    lines.push('[[operations]]', `${operation.startsWith('^') ? 'include-name-regex' : 'include-name'} = ${JSON.stringify(operation)}`,
      `checks.positive_data_acceptance.expected-statuses = ${JSON.stringify(['2xx', '3xx', '401', '403', '404', '409', '429', '5xx', ...statuses.map(String)])}`, '');
  }
  return lines.join('\n');
}

function schemathesis(args: string[]): Promise<{ code: number; output: string; seconds: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(schemathesisPath, args, { cwd: FUZZ_DIR, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1', SCHEMATHESIS_HOOKS: '' } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}\n${stderr}`, seconds: (Date.now() - started) / 1000 });
    });
  });
}

interface FuzzRun { run: string; exitCode: number; output: string }

/** One Schemathesis run over `target`'s document; never throws (a missing document is a failed run). */
async function runFuzz(target: FuzzTarget): Promise<FuzzRun> {
  const name = target.run ? `${target.app}-${target.run}` : target.app;
  const response = await fetch(target.documentUrl, { headers: target.headers }).catch((error: unknown) => ({ status: 0, text: async () => String(error) }));
  if (response.status !== 200) return { run: name, exitCode: -1, output: `GET ${target.documentUrl}: ${response.status} ${await response.text()}` };
  const documentPath = join(FUZZ_DIR, `${target.app}.openapi.json`);
  writeFileSync(documentPath, await response.text());
  const configPath = join(FUZZ_DIR, `${name}.schemathesis.toml`);
  writeFileSync(configPath, fuzzConfig(target), { mode: 0o600 });
  const result = await schemathesis([
    '--config-file', configPath, 'run', documentPath, '--url', target.baseUrl, ...(target.filter ?? []),
    ...Object.entries(target.headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]),
    '--max-examples', String(MAX_EXAMPLES), '--seed', process.env.HOLDFAST_FUZZ_SEED ?? '1', '--request-timeout', '30', '--no-color',
    '--output-sanitize', 'true', '--report', 'junit', '--report-junit-path', join(FUZZ_DIR, `${name}.junit.xml`),
  ]);
  writeFileSync(join(FUZZ_DIR, `${name}.log`), result.output);
  console.log(`fuzz ${name}: exit ${result.code} in ${result.seconds.toFixed(0)} s`);
  return { run: name, exitCode: result.code, output: result.output };
}

/** The run must end with no failure; its output's end is printed when it did not. */
function expectClean(run: FuzzRun): void {
  if (run.exitCode !== 0) console.log(run.output.slice(-60_000));
  expect({ run: run.run, exitCode: run.exitCode }).toEqual({ run: run.run, exitCode: 0 });
}

async function fuzz(target: FuzzTarget): Promise<void> {
  expectClean(await runFuzz(target));
}

/**
 * The providers app, on its own instance: two runs, every operation in one of them. The chaos
 * rules PUT /admin/chaos sets (failure statuses, latencies up to minutes) would make the simulated
 * operations fail by design, so that operation is fuzzed after all the others.
 */
async function fuzzProviders(): Promise<FuzzRun[]> {
  const providers = {
    app: 'providers', baseUrl: providersUnderFuzzUrl, documentUrl: `${providersUnderFuzzUrl}/openapi.json`, headers: {}, bearers: {},
    // As at Stripe, an Idempotency-Key stands for one request: the fuzzer reusing one with other
    // parameters gets the documented 422 idempotency_error.
    alsoAccepted: { '^POST /(?!admin/)': [422] },
  };
  const operations = await runFuzz({ ...providers, run: 'operations', filter: ['--exclude-name', 'PUT /admin/chaos'] });
  // A rule's outcome probabilities must add up to 1, which no schema can say: 400 for such positive examples.
  const chaos = await runFuzz({ ...providers, run: 'chaos', filter: ['--include-name', 'PUT /admin/chaos'], alsoAccepted: { 'PUT /admin/chaos': [400] } });
  return [operations, chaos];
}

const wanted = (app: string) => !ONLY || ONLY.includes(app);
const gateway = (app: string) => `${loadTestRun().gatewayUrl}/v1.0/invoke/${app}/method`;
const client = () => ({ 'dapr-api-token': loadTestRun().clientApiToken });

async function withStack(start: () => Promise<AppStack>, body: (stack: AppStack) => Promise<void>) {
  const stack = await start();
  try {
    await body(stack);
  } finally {
    await stack.stop();
  }
}

describe('every app\'s OpenAPI document, fuzzed', () => {
  (wanted('booking') ? it : it.skip)('booking, through the gateway with the admin token: no failure', () =>
    withStack(() => startBookingStack({ logName: 'booking-fuzz', databaseUrl: fuzzDatabaseUrl, env: { PROVIDERS_URL: fuzzProvidersUrl, LOG_LEVEL: 'warn' } }), () =>
      fuzz({ app: 'booking', baseUrl: gateway('booking'), documentUrl: `${gateway('booking')}/openapi.json`, headers: client(), bearers: { adminBearer: loadTestRun().adminApiToken },
        alsoAccepted: {
          // startsAt in the past (SHOW_IN_THE_PAST), or more seats than a venue may have (VENUE_TOO_LARGE)
          'POST /api/admin/shows': [400],
          // seats the show does not have (UNKNOWN_SEATS), more than its policy allows (TOO_MANY_SEATS)
          'POST /api/shows/{showId}/holds': [400],
        } })));

  (wanted('fulfillment') ? it : it.skip)('fulfillment, through the gateway with the manager token: no failure', () =>
    withStack(() => startFulfillmentStack({ logName: 'fulfillment-fuzz', databaseUrl: fuzzDatabaseUrl, env: { PROVIDERS_URL: fuzzProvidersUrl, LOG_LEVEL: 'warn' } }), () =>
      fuzz({ app: 'fulfillment', baseUrl: gateway('fulfillment'), documentUrl: `${gateway('fulfillment')}/workflows/openapi.json`, headers: client(), bearers: { managerBearer: loadTestRun().managerApiToken },
        alsoAccepted: {
          // totalAmount must equal the items' sum and be positive (TOTAL_MISMATCH, a cross-field rule)
          'POST /workflows/order': [400],
          // a cursor is opaque: only one this API returned decodes (INVALID_CURSOR)
          'GET /workflows': [400],
        } })));

  (wanted('delivery') ? it : it.skip)('delivery, through the gateway with the admin token: no failure', () =>
    withStack(() => startDeliveryStack({ logName: 'delivery-fuzz', databaseUrl: fuzzDatabaseUrl, env: { SENDGRID_API_HOST: fuzzProvidersUrl, OUTBOX_RELAY: 'off', LOG_LEVEL: 'warn' } }), () =>
      fuzz({ app: 'delivery', baseUrl: gateway('delivery'), documentUrl: `${gateway('delivery')}/api/openapi.json`, headers: client(), bearers: { adminBearer: loadTestRun().adminApiToken } })));

  // Started in beforeAll on its own instance (fuzzProviders), beside the runs above.
  (wanted('providers') ? it : it.skip)('providers, directly on a port of its own: no failure', async () => {
    const runs = await providersRuns;
    expect(runs.map((r) => r.run)).toEqual(['providers-operations', 'providers-chaos']);
    for (const run of runs) expectClean(run);
  });
});
