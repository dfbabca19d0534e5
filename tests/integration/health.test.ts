/**
 * GET /health (seed 004) on the booking app through the client path: healthy; degraded (200) while
 * Redis does not answer, with /readyz still ready (the outbox keeps events until the relay can
 * publish); unhealthy (503) when the app's PostgreSQL is unreachable. docs/health.md.
 *
 * The Redis outage is the run's own Redis frozen with SIGSTOP: it accepts connections (the kernel
 * does) but answers nothing, the hardest outage for a client to see. A detached watchdog sends
 * SIGCONT after WATCHDOG_SECONDS (20 s or more) even if this test dies, and the test sends it itself at once; nothing is lost.
 * (CLIENT PAUSE does not do: a Redis with a password answers an unauthenticated PING -NOAUTH at
 * once, paused or not. Stopping the shared Redis would leave it to this test to restart it.)
 */
import { spawn, spawnSync } from 'node:child_process';
import { healthCacheMs, redisHealthCheck } from '@holdfast/shared';
import { eventually, startBookingStack, type AppStack } from '../support/app-stack';

/** The stack's HEALTH_CACHE_MS (the test env passes process.env on) and the booking app's Redis check's own timeout. */
const CACHE_MS = healthCacheMs(process.env.HEALTH_CACHE_MS);
const REDIS_CHECK_MS = redisHealthCheck('127.0.0.1:1', false).timeoutMs!;
/** The outage shows within the cache time plus the Redis check's timeout: waited for three times that. */
const OUTAGE_SHOWS_MS = 3 * (CACHE_MS + REDIS_CHECK_MS);
/** The watchdog thaws Redis well after the test's own wait has run out. */
const WATCHDOG_SECONDS = Math.max(20, Math.ceil(OUTAGE_SHOWS_MS / 1000) + 15);

type Health = { status: string; checks: Record<string, { status: string; latencyMs?: number; detail?: string }>; timestamp: string };

let stack: AppStack;

function redisCli(...args: string[]) {
  const run = stack.run;
  const result = spawnSync('redis-cli', ['-h', run.redisHost, '-p', String(run.redisPort), ...args], { env: { ...process.env, REDISCLI_AUTH: run.redisPassword }, encoding: 'utf8', timeout: 5_000 });
  return `${result.stdout}${result.stderr}`.trim();
}

function redisPid(): number {
  const pid = Number(/process_id:(\d+)/.exec(redisCli('INFO', 'server'))?.[1]);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error('cannot read the Redis server pid');
  return pid;
}
let frozen: number | undefined;
function thaw() {
  if (frozen !== undefined) process.kill(frozen, 'SIGCONT');
  frozen = undefined;
}

beforeAll(async () => {
  stack = await startBookingStack({ logName: 'health' });
});
afterAll(async () => {
  thaw();
  await stack?.stop();
});

describe('GET /health on the booking app', () => {
  it('when every dependency answers, then healthy (200) through the client path, naming each check and no host', async () => {
    const health = await eventually(() => stack.invoke<Health>('GET', '/health'), (r) => r.body.status === 'healthy', 15_000);
    expect(health.status).toBe(200);
    expect(Object.keys(health.body.checks).sort()).toEqual(['dapr-sidecar', 'database', 'payments', 'redis']);
    for (const check of Object.values(health.body.checks)) expect(check).toMatchObject({ status: 'healthy', latencyMs: expect.any(Number) });
    expect(Date.parse(health.body.timestamp)).toBeGreaterThan(Date.now() - 60_000);
    const text = JSON.stringify(health.body);
    for (const secret of [stack.run.redisPassword, stack.run.databaseUrl, '127.0.0.1', 'postgres']) expect(text).not.toContain(secret);
  });

  it('when Redis stops answering, then degraded (200) and still ready; healthy again once it answers', async () => {
    const pid = redisPid();
    // The watchdog first: Redis is thawed in WATCHDOG_SECONDS whatever happens to this process.
    spawn('sh', ['-c', `sleep ${WATCHDOG_SECONDS}; kill -CONT ${pid}`], { detached: true, stdio: 'ignore' }).unref();
    process.kill(pid, 'SIGSTOP');
    frozen = pid;
    try {
      // A report is answered again for HEALTH_CACHE_MS after its checks started: the outage shows within that and the Redis check's timeout.
      const health = await eventually(() => stack.invoke<Health>('GET', '/health'), (r) => r.body.status !== 'healthy', OUTAGE_SHOWS_MS);
      expect(health.status).toBe(200);
      expect(health.body.status).toBe('degraded');
      expect(health.body.checks.redis).toMatchObject({ status: 'degraded', detail: 'timeout' });
      expect(health.body.checks.database!.status).toBe('healthy');
      // /readyz routes traffic: the outbox absorbs a Redis outage, so the app stays ready.
      expect((await stack.invoke<{ status: string }>('GET', '/readyz')).status).toBe(200);
    } finally {
      thaw();
    }
    await eventually(() => stack.invoke<Health>('GET', '/health'), (r) => r.status === 200 && r.body.status === 'healthy', 15_000);
  });
});

describe('GET /health on a booking app without its PostgreSQL', () => {
  it('when the database is unreachable, then unhealthy (503), naming the database check, and not ready', async () => {
    await stack.stop();
    // The app's DATABASE_URL points at a closed port; its sidecar keeps the run's state store.
    stack = await startBookingStack({ logName: 'health-no-db', appDatabaseUrl: 'postgresql://nobody:nothing@127.0.0.1:1/holdfast', waitReady: false });
    const health = await stack.invoke<Health>('GET', '/health');
    expect(health.status).toBe(503);
    expect(health.body.status).toBe('unhealthy');
    expect(health.body.checks.database).toMatchObject({ status: 'unhealthy', detail: 'unavailable' });
    expect(health.body.checks['dapr-sidecar']!.status).toBe('healthy');
    expect(JSON.stringify(health.body)).not.toContain('nobody');
    expect((await stack.invoke('GET', '/readyz')).status).toBe(503);
  });
});
