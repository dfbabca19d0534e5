/** GET /health's aggregation and answer, in-process: statuses, 200/503, timeouts, no error text. */
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { HealthCheckFailure, overallHealth, redisHealthCheck, runHealthChecks } from './health';
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
