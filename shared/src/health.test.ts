/** GET /health's aggregation and answer, in-process: statuses, 200/503, timeouts, no error text. */
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { cachedHealth, DEFAULT_HEALTH_CACHE_MS, healthCacheMs, HealthCheckFailure, overallHealth, redisHealthCheck, runHealthChecks, type HealthReport } from './health';
import { invocationVerdict } from './invocation-guard';

const logger = pino({ level: 'silent' });

describe('overallHealth', () => {
  it('when a critical check fails, unhealthy; when only others fail, degraded; else healthy', () => {
    expect(overallHealth([{ critical: true, ok: true }, { critical: false, ok: true }])).toBe('healthy');
    expect(overallHealth([{ critical: true, ok: true }, { critical: false, ok: false }])).toBe('degraded');
    expect(overallHealth([{ critical: true, ok: false }, { critical: false, ok: false }])).toBe('unhealthy');
    expect(overallHealth([])).toBe('healthy');
  });
});

describe('runHealthChecks', () => {
  it('when checks fail or hang, each says so with a fixed detail, never the error text', async () => {
    const report = await runHealthChecks([
      { name: 'database', critical: true, check: async () => undefined },
      { name: 'redis', critical: false, check: async () => { throw new Error('connect ECONNREFUSED 10.0.0.7:6379 password=hunter2'); } },
      { name: 'providers', critical: false, timeoutMs: 50, check: () => new Promise(() => undefined) },
      { name: 'named', critical: false, check: async () => { throw new HealthCheckFailure('answered 500'); } },
    ], logger, () => new Date('2026-12-02T08:00:00Z'));
    expect(report.status).toBe('degraded');
    expect(report.timestamp).toBe('2026-12-02T08:00:00.000Z');
    expect(report.checks.database).toMatchObject({ status: 'healthy' });
    expect(report.checks.redis).toMatchObject({ status: 'degraded', detail: 'unavailable' });
    expect(report.checks.providers).toMatchObject({ status: 'degraded', detail: 'timeout' });
    expect(report.checks.named).toMatchObject({ status: 'degraded', detail: 'answered 500' });
    expect(JSON.stringify(report)).not.toMatch(/10\.0\.0\.7|hunter2/);
  });
});

describe('cachedHealth (GET /health is open to every caller)', () => {
  const report = (status: HealthReport['status']): HealthReport => ({ status, checks: {}, timestamp: new Date(0).toISOString() });

  it('when called again within the cache time, then the report is answered again without running the checks; after it, they run again', async () => {
    let now = 1_000;
    let runs = 0;
    const statuses: Array<HealthReport['status']> = ['healthy', 'degraded'];
    const health = cachedHealth(async () => report(statuses[runs++]!), 2_000, () => now);
    expect((await health()).status).toBe('healthy');
    now += 1_999;
    expect((await health()).status).toBe('healthy');
    expect(runs).toBe(1);
    now += 1;
    expect((await health()).status).toBe('degraded');
    expect(runs).toBe(2);
  });

  it('when calls come while the checks run, then they share that one run', async () => {
    let runs = 0;
    let finish: (r: HealthReport) => void = () => undefined;
    const health = cachedHealth(() => { runs += 1; return new Promise<HealthReport>((resolve) => { finish = resolve; }); }, 0);
    const calls = [health(), health(), health()];
    finish(report('degraded'));
    expect((await Promise.all(calls)).map((r) => r.status)).toEqual(['degraded', 'degraded', 'degraded']);
    expect(runs).toBe(1);
    // No cache (0): the next call runs the checks again.
    const next = health();
    finish(report('healthy'));
    expect((await next).status).toBe('healthy');
    expect(runs).toBe(2);
  });

  it('when HEALTH_CACHE_MS is unset it is 2000; 0 turns the cache off; anything else not a whole number of ms is refused', () => {
    expect(healthCacheMs(undefined)).toBe(DEFAULT_HEALTH_CACHE_MS);
    expect(DEFAULT_HEALTH_CACHE_MS).toBe(2_000);
    expect(healthCacheMs('0')).toBe(0);
    expect(healthCacheMs('500')).toBe(500);
    expect(() => healthCacheMs('-1')).toThrow(/HEALTH_CACHE_MS/);
    expect(() => healthCacheMs('2s')).toThrow(/HEALTH_CACHE_MS/);
  });
});

describe('redisHealthCheck', () => {
  let server: Server;
  let answer: string | null = '-NOAUTH Authentication required.\r\n';
  beforeAll(async () => {
    server = createServer((socket) => socket.once('data', () => { if (answer !== null) socket.write(answer); }));
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  const address = () => `127.0.0.1:${(server.address() as AddressInfo).port}`;

  it('when Redis answers PING in any RESP form (even -NOAUTH), then it is up; silence is a timeout', async () => {
    await expect(redisHealthCheck(address(), false).check()).resolves.toBeUndefined();
    answer = '+PONG\r\n';
    await expect(redisHealthCheck(address(), false).check()).resolves.toBeUndefined();
    answer = null;
    await expect(redisHealthCheck(address(), false, 100).check()).rejects.toThrow('timeout');
  });

  it('when nothing listens, then unreachable', async () => {
    await expect(redisHealthCheck('127.0.0.1:1', false).check()).rejects.toThrow('unreachable');
  });
});

describe('the client path', () => {
  it('when the gateway invokes /health on any app, it is allowed like /healthz', () => {
    expect(invocationVerdict({ self: 'providers', callers: [], paths: [] }, 'gateway', '/health')).toBe('allow');
    expect(invocationVerdict({ self: 'booking', callers: ['gateway'], paths: ['/api/'] }, 'gateway', '/health')).toBe('allow');
  });
});
