/**
 * What a request that came through Dapr service invocation may reach. The sidecar delivers two
 * kinds of request to its app with the same app token: its own callbacks (actor methods and
 * reminders, pub/sub deliveries, /dapr/config), and calls other sidecars forwarded (service
 * invocation), which carry `dapr-caller-app-id`. Without this guard, a client could invoke
 * `/actors/HoldActor/<id>/method/confirm` on the app and skip every route's checks.
 *
 * So an invoked request must come from an allowed caller (the client gateway, by default, and the
 * admin console, APP_IDS.admin) and may reach only what is listed for that caller: the gateway path
 * prefixes, the console exact routes with their methods; anything else is a 404, as if it did not
 * exist. This is
 * the local stand-in for Dapr's accessControl, which needs mTLS identities (Kubernetes with Sentry);
 * docs/security.md shows both.
 */
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { APP_IDS } from './dapr-names';
import { AppError, problem, sendProblem } from './problem';

export const CALLER_HEADER = 'dapr-caller-app-id';

/**
 * One route a caller may reach, with its method: `GET /api/shows/:id/seats`. A `:name` segment
 * stands for exactly one non-empty path segment; every other segment must be equal. No prefix: the
 * console reaching `GET /api/shows/:id/seats` reaches no `POST /api/shows/:id/holds`.
 */
export type RouteRule = string;

/** What one caller may reach: path prefixes with any method (the client gateway's public routes), and exact routes. */
export interface CallerAccess {
  prefixes?: readonly string[];
  routes?: readonly RouteRule[];
}

export interface InvocationPolicy {
  /** This app's own id: its sidecar's actor calls carry it as the caller. */
  self: string;
  /**
   * App ids that may invoke this app: a list (each reaches the prefixes in `paths`) or, per caller,
   * what that caller reaches (the console `admin` only the exact routes it calls).
   */
  callers: readonly string[] | Readonly<Record<string, CallerAccess>>;
  /** Path prefixes a caller of a `callers` list may reach; /healthz, /readyz and /health always. */
  paths?: readonly string[];
}

/** The admin console's app id: it calls the apps' admin and manager routes (docs/admin-console-design.md). */
export const ADMIN_CONSOLE_CALLER = APP_IDS.admin;

const RULE = /^(GET|POST|PUT|PATCH|DELETE) (\/(?:[A-Za-z0-9._~-]+|:[A-Za-z][A-Za-z0-9]*)(?:\/(?:[A-Za-z0-9._~-]+|:[A-Za-z][A-Za-z0-9]*))*)$/;

/** A rule's method and segments; throws on a rule that is not `METHOD /path` (a typo must not open or close a route silently). */
export function parseRouteRule(rule: RouteRule): { method: string; segments: string[] } {
  const match = RULE.exec(rule);
  if (!match) throw new Error(`invocation route rule "${rule}" is not "METHOD /path/:param"`);
  return { method: match[1]!, segments: match[2]!.split('/').slice(1) };
}

/** Whether `method path` is the route `rule` names (path without its query). */
export function routeMatches(rule: RouteRule, method: string, path: string): boolean {
  const parsed = parseRouteRule(rule);
  if (parsed.method !== method.toUpperCase()) return false;
  const segments = path.split('/');
  if (segments[0] !== '' || segments.length - 1 !== parsed.segments.length) return false;
  return parsed.segments.every((want, i) => {
    const got = segments[i + 1]!;
    return want.startsWith(':') ? got.length > 0 : got === want;
  });
}

/** What `caller` may reach under `policy`, or undefined when it may not invoke at all. */
export function callerAccess(policy: InvocationPolicy, caller: string): CallerAccess | undefined {
  if (Array.isArray(policy.callers)) return (policy.callers as readonly string[]).includes(caller) ? { prefixes: policy.paths ?? [] } : undefined;
  const perCaller = policy.callers as Readonly<Record<string, CallerAccess>>;
  return Object.prototype.hasOwnProperty.call(perCaller, caller) ? perCaller[caller] : undefined;
}

/**
 * The guard's policy for an app: every client caller (INVOCATION_CALLERS) reaches the public path
 * prefixes, the console (APP_IDS.admin) exactly `adminRoutes`, each with its method: the routes it
 * calls, no other (no hold, no order placement, no payment). A console id also listed in
 * INVOCATION_CALLERS gets both. The rules are checked here, at start.
 */
export function appInvocationPolicy(self: string, clientCallers: readonly string[], publicPaths: readonly string[], adminRoutes: readonly RouteRule[] = []): InvocationPolicy {
  adminRoutes.forEach(parseRouteRule);
  const callers: Record<string, CallerAccess> = {};
  for (const caller of clientCallers) callers[caller] = { prefixes: publicPaths };
  if (adminRoutes.length > 0) callers[ADMIN_CONSOLE_CALLER] = { ...callers[ADMIN_CONSOLE_CALLER], routes: adminRoutes };
  return { self, callers };
}

const ALWAYS = ['/healthz', '/readyz', '/health'];

/** The single caller a `dapr-caller-app-id` value names, or undefined for none or several (a forged value beside the sidecar's). */
export function singleCaller(callerHeader: string | undefined): string | undefined {
  if (callerHeader === undefined) return undefined;
  // The calling sidecar sets its own app id; a client's forged header is appended to it, never
  // replaces it ("gateway, forged"): only a single id names who called.
  const callers = callerHeader.split(',').map((c) => c.trim()).filter(Boolean);
  return callers.length === 1 ? callers[0] : undefined;
}

/**
 * Whether an invoked request from `callerHeader` for `path` is allowed; pure, for the middleware and
 * its tests. Without `method`, only prefixes are checked (no exact route matches a method-less request).
 */
export function invocationVerdict(policy: InvocationPolicy, callerHeader: string, path: string, method?: string): 'allow' | 'caller' | 'path' {
  const caller = singleCaller(callerHeader);
  // The app's own sidecar delivering an actor call names the app itself. No client can make a
  // request arrive with that single value: the gateway always adds its own id beside a forged one.
  if (caller === policy.self) return 'allow';
  if (ALWAYS.includes(path)) return 'allow';
  const access = caller === undefined ? undefined : callerAccess(policy, caller);
  if (!access) return 'caller';
  // Express decodes nothing in req.path; a dot segment or an encoded slash never reaches a prefix it was not sent to.
  const byPrefix = (access.prefixes ?? []).some((prefix) => path === prefix.replace(/\/$/, '') || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`));
  const byRoute = method !== undefined && (access.routes ?? []).some((rule) => routeMatches(rule, method, path));
  return byPrefix || byRoute ? 'allow' : 'path';
}

export function invocationGuard(policy: InvocationPolicy): RequestHandler {
  return (req, res, next) => {
    const caller = req.header(CALLER_HEADER);
    if (caller === undefined) return next();
    const verdict = invocationVerdict(policy, caller, req.path, req.method);
    if (verdict === 'allow') return next();
    if (verdict === 'caller') return sendProblem(req, res, problem(403, 'CALLER_NOT_ALLOWED', 'This app does not take service invocation from that caller.'));
    sendProblem(req, res, problem(404, 'ROUTE_NOT_FOUND', `No route for ${req.method} ${req.path}.`));
  };
}

/** INVOCATION_CALLERS: comma-separated app ids (default: the gateway). */
export function invocationCallers(raw: string | undefined): string[] {
  return (raw ?? 'gateway').split(',').map((c) => c.trim()).filter(Boolean);
}

/** The signed-in console user a request acts for, sent by the admin console beside its bearer token. */
export const ACTOR_HEADER = 'x-holdfast-actor';

/**
 * A person's name as the console sends it: 1-100 ASCII letters, digits, spaces and _ . @ + ' -,
 * starting and ending with no space; no control or markup characters. ASCII: a header's bytes
 * beyond it are not UTF-8 to every hop (the sidecar's gRPC refuses them with a 500). One pattern for
 * the check and the OpenAPI documents.
 */
export const ACTOR_NAME_PATTERN = "^[A-Za-z0-9](?:[A-Za-z0-9 _.@+'-]{0,98}[A-Za-z0-9_.@+'-])?$";
const ACTOR_NAME = new RegExp(ACTOR_NAME_PATTERN, 'u');

/** Whether `name` is a name the apps record as who acted. */
export function isActorName(name: string): boolean {
  return ACTOR_NAME.test(name);
}

/**
 * What the apps' OpenAPI documents say of the header, in their description rather than as a
 * parameter: a documented header is fuzzed with bytes the sidecars' gRPC hop refuses (a 500 before
 * the app), and the header is the console's own contract, not a client's.
 */
export const ACTOR_HEADER_NOTE = ' Admin and manager routes that record who acted (approve, reject, cancel, offline payment, show creation and cancellation, replays, retries, resends, review resolution) take that name from the body\'s own field, else from X-Holdfast-Actor (the admin console\'s signed-in user; 1-100 ASCII letters, digits, spaces and _ . @ + \' -, else 400 ACTOR_INVALID), honoured only on a request the admin console invoked (dapr-caller-app-id admin) beside a valid admin or manager bearer token, and ignored from any other caller.';

/**
 * Who acted, from `X-Holdfast-Actor`, honoured only when the request came from the admin console:
 * `dapr-caller-app-id` is exactly APP_IDS.admin (the console's sidecar sets it; a forged value is
 * appended beside the real caller's, so it never reads as that single id). From anyone else (the
 * gateway, a holder of the shared admin token with curl) the header is ignored: undefined, and the
 * body's field or the token's own name applies. From the console, a header that is no name is a
 * 400 ACTOR_INVALID. Call it behind a route's admin or manager token check.
 */
export function headerActor(req: { header(name: string): string | undefined }): string | undefined {
  if (singleCaller(req.header(CALLER_HEADER)) !== ADMIN_CONSOLE_CALLER) return undefined;
  const raw = req.header(ACTOR_HEADER);
  if (raw === undefined) return undefined;
  if (!isActorName(raw)) throw new AppError(400, 'ACTOR_INVALID', 'X-Holdfast-Actor must be a name of 1-100 letters, digits, spaces and _ . @ + \' -.');
  return raw;
}

/** A body's own "who" field (cancelledBy, rejectedBy, resolvedBy, requestedBy): the same rule as the header. */
export const actorNameSchema = z.string().max(100).regex(new RegExp(ACTOR_NAME_PATTERN, 'u'), 'a name of 1-100 ASCII letters, digits, spaces and _ . @ + \' -');
