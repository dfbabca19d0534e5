/**
 * What a request that came through Dapr service invocation may reach. The sidecar delivers two
 * kinds of request to its app with the same app token: its own callbacks (actor methods and
 * reminders, pub/sub deliveries, /dapr/config), and calls other sidecars forwarded (service
 * invocation), which carry `dapr-caller-app-id`. Without this guard, a client could invoke
 * `/actors/HoldActor/<id>/method/confirm` on the app and skip every route's checks.
 *
 * So an invoked request must come from an allowed caller (the client gateway, by default) and
 * may reach only the app's public routes; anything else is a 404, as if it did not exist. This is
 * the local stand-in for Dapr's accessControl, which needs mTLS identities (Kubernetes with Sentry);
 * docs/security.md shows both.
 */
import type { RequestHandler } from 'express';
import { problem, sendProblem } from './problem';

export const CALLER_HEADER = 'dapr-caller-app-id';

export interface InvocationPolicy {
  /** This app's own id: its sidecar's actor calls carry it as the caller. */
  self: string;
  /** App ids that may invoke this app (the gateway; later the admin console). */
  callers: readonly string[];
  /** Path prefixes an invoked request may reach; /healthz, /readyz and /health always. */
  paths: readonly string[];
}

const ALWAYS = ['/healthz', '/readyz', '/health'];

/** Whether an invoked request from `callerHeader` for `path` is allowed; pure, for the middleware and its tests. */
export function invocationVerdict(policy: InvocationPolicy, callerHeader: string, path: string): 'allow' | 'caller' | 'path' {
  // The calling sidecar sets its own app id; a client's forged header is appended to it, never
  // replaces it ("gateway, forged"): only a single allowed id passes.
  const callers = callerHeader.split(',').map((c) => c.trim()).filter(Boolean);
  // The app's own sidecar delivering an actor call names the app itself. No client can make a
  // request arrive with that single value: the gateway always adds its own id beside a forged one.
  if (callers.length === 1 && callers[0] === policy.self) return 'allow';
  if (ALWAYS.includes(path)) return 'allow';
  if (callers.length !== 1 || !policy.callers.includes(callers[0]!)) return 'caller';
  // Express decodes nothing in req.path; a dot segment or an encoded slash never reaches a prefix it was not sent to.
  const allowed = policy.paths.some((prefix) => path === prefix.replace(/\/$/, '') || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`));
  return allowed ? 'allow' : 'path';
}

export function invocationGuard(policy: InvocationPolicy): RequestHandler {
  return (req, res, next) => {
    const caller = req.header(CALLER_HEADER);
    if (caller === undefined) return next();
    const verdict = invocationVerdict(policy, caller, req.path);
    if (verdict === 'allow') return next();
    if (verdict === 'caller') return sendProblem(req, res, problem(403, 'CALLER_NOT_ALLOWED', 'This app does not take service invocation from that caller.'));
    sendProblem(req, res, problem(404, 'ROUTE_NOT_FOUND', `No route for ${req.method} ${req.path}.`));
  };
}

/** INVOCATION_CALLERS: comma-separated app ids (default: the gateway). */
export function invocationCallers(raw: string | undefined): string[] {
  return (raw ?? 'gateway').split(',').map((c) => c.trim()).filter(Boolean);
}
