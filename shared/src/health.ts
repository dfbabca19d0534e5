/**
 * GET /health (seed 004's health contract): each app checks what it depends on and answers
 * `{status: 'healthy'|'degraded'|'unhealthy', checks: {<name>: {status, latencyMs?, detail?}}, timestamp}`,
 * 200 when healthy or degraded, 503 when unhealthy. A check is `critical` when the app cannot serve
 * without it (its database, its sidecar): its failure makes the app unhealthy. Any other failure
 * (a dependency whose outage the app absorbs: Redis behind the outbox, the providers behind
 * retries) makes it degraded. Which is which, per app: docs/health.md.
 *
 * /readyz stays what the orchestrator routes on (critical dependencies only); /health is for people
 * and monitors. The answer names no host, user or driver error: `detail` is one of a few fixed
 * phrases; the error itself goes to the log.
 */
import { createConnection } from 'node:net';
import type { Express } from 'express';
import type { Logger } from 'pino';
import type { ReadinessCheck } from './http-app';

export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

export interface HealthCheck {
  /** The key in `checks` (database, dapr-sidecar, redis, providers...). */
  name: string;
  /** Failure makes the app unhealthy (503); otherwise degraded (200). */
  critical: boolean;
  /** Throws when the dependency is not usable; a HealthCheckFailure's detail is shown, anything else is logged only. */
  check: () => Promise<void>;
  timeoutMs?: number;
}

export interface CheckResult {
  status: HealthStatus;
  latencyMs?: number;
  detail?: string;
}

export interface HealthReport {
  status: HealthStatus;
  checks: Record<string, CheckResult>;
  timestamp: string;
}

/** A failure whose message is safe to show (a fixed phrase, no host or credential). */
export class HealthCheckFailure extends Error {}

const DEFAULT_TIMEOUT_MS = 2_000;

/** The app's status from its checks' outcomes; pure. */
export function overallHealth(results: ReadonlyArray<{ critical: boolean; ok: boolean }>): HealthStatus {
  if (results.some((r) => !r.ok && r.critical)) return 'unhealthy';
  if (results.some((r) => !r.ok)) return 'degraded';
  return 'healthy';
}

export async function runHealthChecks(checks: readonly HealthCheck[], logger: Logger, now: () => Date = () => new Date()): Promise<HealthReport> {
  const outcomes = await Promise.all(checks.map(async (c) => {
    const started = process.hrtime.bigint();
    const timeoutMs = c.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        c.check(),
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new HealthCheckFailure('timeout')), timeoutMs); }),
      ]);
      return { check: c, ok: true, latencyMs: Number(process.hrtime.bigint() - started) / 1e6 };
    } catch (error) {
      logger.warn({ err: error, check: c.name }, 'health check failed');
      return { check: c, ok: false, latencyMs: Number(process.hrtime.bigint() - started) / 1e6, detail: error instanceof HealthCheckFailure ? error.message : 'unavailable' };
    } finally {
      clearTimeout(timer);
    }
  }));
  const checksOut: Record<string, CheckResult> = {};
  for (const o of outcomes) {
    const failed: HealthStatus = o.check.critical ? 'unhealthy' : 'degraded';
    checksOut[o.check.name] = { status: o.ok ? 'healthy' : failed, latencyMs: Math.round(o.latencyMs * 10) / 10, ...(o.ok ? {} : { detail: o.detail }) };
  }
  return { status: overallHealth(outcomes.map((o) => ({ critical: o.check.critical, ok: o.ok }))), checks: checksOut, timestamp: now().toISOString() };
}

/** HEALTH_CACHE_MS when unset: how long one computed /health report is answered again. */
export const DEFAULT_HEALTH_CACHE_MS = 2_000;

/** HEALTH_CACHE_MS: a whole number of milliseconds, 0 for no cache (calls at the same time still share one run). */
export function healthCacheMs(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_HEALTH_CACHE_MS;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 0) throw new Error(`HEALTH_CACHE_MS must be a whole number of milliseconds (0 or more), not ${JSON.stringify(raw)}`);
  return ms;
}

/**
 * /health is open to every caller and its checks touch the database, Redis and the providers: a
 * report is answered again for `cacheMs` after its checks started, and calls that come while one
 * runs wait for that run instead of starting their own. So a change shows within cacheMs (plus the
 * checks' own time), and a flood of calls costs one run of the checks per cacheMs.
 */
export function cachedHealth(run: () => Promise<HealthReport>, cacheMs: number, clock: () => number = Date.now): () => Promise<HealthReport> {
  let cached: { report: HealthReport; startedAt: number } | undefined;
  let inFlight: Promise<HealthReport> | undefined;
  return () => {
    if (cached && clock() - cached.startedAt < cacheMs) return Promise.resolve(cached.report);
    if (!inFlight) {
      const startedAt = clock();
      inFlight = run()
        .then((report) => { cached = { report, startedAt }; return report; })
        .finally(() => { inFlight = undefined; });
    }
    return inFlight;
  };
}

/** Mounts GET /health on the app (before the app token check: like /healthz it is a probe). */
export function serveHealth(app: Express, checks: readonly HealthCheck[], logger: Logger, cacheMs = healthCacheMs(process.env.HEALTH_CACHE_MS)): void {
  const report = cachedHealth(() => runHealthChecks(checks, logger), cacheMs);
  app.get('/health', async (_req, res) => {
    const answer = await report();
    res.status(answer.status === 'unhealthy' ? 503 : 200).set('cache-control', 'no-store').json(answer);
  });
}

/** A readiness check (database, sidecar) as a health check. */
export function healthFromReadiness(readiness: ReadinessCheck, critical: boolean, name = readiness.name): HealthCheck {
  return { name, critical, check: readiness.check };
}

/**
 * Redis reachable: a PING on a fresh TCP connection, no credential sent. Any RESP answer (+PONG, or
 * -NOAUTH from a Redis that wants a password) proves the server is up and answering; a refused
 * connection, a closed one or silence (a paused or hung server) is a failure. So the app needs
 * the address only, never the Redis password.
 */
export function redisHealthCheck(address: string, critical: boolean, timeoutMs = 1_000): HealthCheck {
  const [host, portText] = splitAddress(address);
  const port = Number(portText);
  return {
    name: 'redis', critical, timeoutMs: timeoutMs + 500,
    check: () => new Promise<void>((resolve, reject) => {
      const socket = createConnection({ host, port });
      const fail = (detail: string) => {
        socket.destroy();
        reject(new HealthCheckFailure(detail));
      };
      socket.setTimeout(timeoutMs, () => fail('timeout'));
      socket.once('error', () => fail('unreachable'));
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (chunk) => {
        const first = chunk.toString('latin1')[0];
        socket.destroy();
        if (first === '+' || first === '-') resolve();
        else reject(new HealthCheckFailure('unexpected answer'));
      });
      socket.once('end', () => fail('connection closed'));
    }),
  };
}

/** Another HTTP service's health (e.g. the providers app's /healthz): 2xx is up. */
export function httpHealthCheck(name: string, url: string, critical: boolean, timeoutMs = 2_000): HealthCheck {
  return {
    name, critical, timeoutMs: timeoutMs + 500,
    check: async () => {
      let response: Response;
      try {
        response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      } catch {
        throw new HealthCheckFailure('unreachable');
      }
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) throw new HealthCheckFailure(`answered ${response.status}`);
    },
  };
}

function splitAddress(address: string): [string, string] {
  const at = address.lastIndexOf(':');
  if (at <= 0) throw new Error(`not a host:port address: ${address}`);
  return [address.slice(0, at).replace(/^\[|\]$/g, ''), address.slice(at + 1)];
}
