/**
 * A limit per client credential on requests per second. Each client credential is one gateway
 * (one app id, docs/security.md), and an invoked request names its gateway in
 * `dapr-caller-app-id`, which a client cannot forge (invocation-guard.ts): so the caller's app id
 * is the key. Over the limit: 429 with Retry-After, before any work is done.
 *
 * The budget is per app replica (in memory): with N replicas a client gets up to N times the
 * figure. rate-limiter-flexible keeps the counters (and could keep them in Redis, cluster-wide).
 */
import type { RequestHandler } from 'express';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { CALLER_HEADER } from './invocation-guard';
import { problem, sendProblem } from './problem';

export interface ClientRateLimit {
  /** This app's id: its own sidecar's actor calls name it as the caller, and are never limited. */
  self: string;
  /** Requests per second (counted per one-second window) one client credential may send this replica; 0: no limit. */
  perSecond: number;
}

export function clientRateLimit(limit: ClientRateLimit): RequestHandler {
  if (limit.perSecond <= 0) return (_req, _res, next) => next();
  const limiter = new RateLimiterMemory({ points: limit.perSecond, duration: 1 });
  return (req, res, next) => {
    const caller = req.header(CALLER_HEADER);
    // Only service invocations from a client: the sidecar's own callbacks (actors, reminders,
    // pub/sub) are never limited.
    if (caller === undefined || caller.trim() === limit.self) return next();
    limiter.consume(caller.trim(), 1).then(() => next(), (rejected: unknown) => {
      if (!(rejected instanceof RateLimiterRes)) return next(rejected);
      const seconds = Math.max(1, Math.ceil(rejected.msBeforeNext / 1000));
      res.setHeader('Retry-After', String(seconds));
      sendProblem(req, res, problem(429, 'RATE_LIMITED', `Too many requests from this client credential: at most ${limit.perSecond} per second. Retry after ${seconds} s.`, { retryAfterSeconds: seconds }));
    });
  };
}
