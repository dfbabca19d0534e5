/**
 * The express app every Holdfast app starts from: correlation ids, request logs, the Dapr app token
 * check, /healthz, /readyz, /metrics, and RFC 9457 errors. Routes go between createHttpApp() and
 * finishHttpApp(); DaprServer, when used, adds its own routes to the same app.
 */
import express, { type Express, type Request, type RequestHandler } from 'express';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { CORRELATION_HEADER, correlationIdFrom, withCorrelationId } from './correlation';
import { createMetrics, type Metrics } from './metrics';
import { notFoundHandler, problem, problemErrorHandler, sendProblem } from './problem';
import { allowedMethods, routeParams } from './route-table';
import { findUnsafeText, markUnsafePath, MAX_TEXT_ISSUES, pathIssues, unsafeTextError, type TextIssue } from './text-guard';
import { serveHealth, type HealthCheck } from './health';

export { assertSafeText, findUnsafeText, unsafeTextReason, type TextIssue } from './text-guard';
export { allowedMethods, matchRoutes, routeParams, type MatchedRoute } from './route-table';

/** A dependency the app needs to serve traffic; /readyz reports each one. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
}

export interface HttpAppOptions {
  name: string;
  logger: Logger;
  readiness?: ReadinessCheck[];
  /** What GET /health checks (shared/src/health.ts; docs/health.md): every app has /health, with no checks it is healthy. */
  health?: HealthCheck[];
  /**
   * When set, every request except the probe endpoints must carry this value in `dapr-api-token`:
   * only the app's own sidecar (started with APP_API_TOKEN) may call it.
   */
  appApiToken?: string;
  /** Path prefixes reachable without the app token (besides /healthz, /readyz, /metrics). */
  publicPaths?: string[];
  /**
   * Routes that read the request body themselves (a signed webhook verifies the exact bytes it
   * received): mounted after the app token check and before the JSON parser, which would consume it.
   */
  rawBodyRoutes?: (app: Express) => void;
  jsonLimit?: string;
}

export interface HttpApp {
  app: Express;
  metrics: Metrics;
}

const PROBE_PATHS = ['/healthz', '/readyz', '/health', '/metrics'];

export function constantTimeEquals(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function routeLabel(req: Request): string {
  // The matched route pattern keeps metric cardinality bounded; unmatched paths share one label.
  return req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
}

export function createHttpApp(options: HttpAppOptions): HttpApp {
  const { logger } = options;
  const app = express();
  const metrics = createMetrics(options.name);
  app.disable('x-powered-by');
  app.set('trust proxy', false);

  app.use((req, res, next) => {
    const correlationId = correlationIdFrom(req.header(CORRELATION_HEADER));
    res.setHeader(CORRELATION_HEADER, correlationId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeLabel(req);
      metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      metrics.httpDuration.observe({ method: req.method, route }, seconds);
      if (!PROBE_PATHS.includes(req.path)) {
        withCorrelationId(correlationId, () => logger.info({ method: req.method, path: req.path, status: res.statusCode, ms: Math.round(seconds * 1000) }, 'request'));
      }
    });
    withCorrelationId(correlationId, next);
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', app: options.name });
  });
  app.get('/readyz', async (_req, res) => {
    const results = await Promise.all((options.readiness ?? []).map(async ({ name, check }) => {
      try {
        await check();
        return { name, ok: true };
      } catch (error) {
        // The details go to the log, not to whoever probes: driver errors can name hosts and users.
        logger.warn({ err: error, check: name }, 'readiness check failed');
        return { name, ok: false };
      }
    }));
    const ready = results.every((r) => r.ok);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready', app: options.name, checks: results });
  });
  serveHealth(app, options.health ?? [], logger);
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  if (options.appApiToken) app.use(requireAppToken(options.appApiToken, options.publicPaths ?? []));
  options.rawBodyRoutes?.(app);
  // strict: false because Dapr passes an actor method's argument as the bare JSON value (e.g. `2`).
  app.use(express.json({ limit: options.jsonLimit ?? '1mb', type: ['application/json', 'application/*+json'], strict: false }));
  // The Dapr SDK adds its own body-parser 1.x to this app; it skips a body already read only when
  // it sees the `_body` flag, which express 5's parser no longer sets. Without it: "stream is not readable".
  app.use((req, _res, next) => {
    if (req.body !== undefined) (req as unknown as { _body: boolean })._body = true;
    next();
  });
  app.use(rejectUnsafeText(app));
  return { app, metrics };
}

/**
 * Text PostgreSQL cannot store (U+0000, an unpaired surrogate) in the JSON body (strings and keys,
 * any depth; a bare value too, since the parser is not strict), the query or a path parameter is a
 * 400 VALIDATION_FAILED naming each field, before any route: every app and every future route gets
 * it. Routes mounted before the JSON parser (rawBodyRoutes) check what they parse themselves
 * (assertSafeText). Actor calls and pub/sub deliveries pass through too: a valid string never trips it.
 */
function rejectUnsafeText(app: Express): RequestHandler {
  return (req, _res, next) => {
    const issues: TextIssue[] = [];
    if (req.body !== undefined) issues.push(...findUnsafeText(req.body, 'body'));
    // req.query is parsed on each read (express 5); read once.
    const query: unknown = req.query;
    if (query && typeof query === 'object' && Object.keys(query).length > 0) issues.push(...findUnsafeText(query, 'query'));
    const marked = markUnsafePath(req.path);
    if (marked) issues.push(...pathIssues(marked, routeParams(app, req.method, marked.path)));
    if (issues.length > 0) return next(unsafeTextError(issues.slice(0, MAX_TEXT_ISSUES)));
    next();
  };
}

/**
 * A path that exists, asked with a method none of its routes declares: 405 METHOD_NOT_ALLOWED with
 * an `Allow` header, not a 404. Express's router itself never dispatches QUERY to a POST route;
 * daprd does: service invocation keeps only the verbs of its HTTPExtension enum and forwards any
 * other (QUERY, SEARCH, PROPFIND...) as POST (1.18.2, pkg/messaging/v1/invoke_method_request.go,
 * WithHTTPExtension), so through a sidecar the app sees a POST. Sent to the app directly, QUERY gets
 * its 405 here; refusing it at the sidecar needs a sidecar HTTP middleware.
 */
function methodNotAllowed(app: Express): RequestHandler {
  return (req, res, next) => {
    const allowed = allowedMethods(app, req.method, req.path);
    if (!allowed) return next();
    res.setHeader('Allow', allowed.join(', '));
    sendProblem(req, res, problem(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${req.path}; allowed: ${allowed.join(', ')}.`, { allow: allowed }));
  };
}

function requireAppToken(token: string, publicPaths: string[]): RequestHandler {
  return (req, res, next) => {
    if (PROBE_PATHS.includes(req.path) || publicPaths.some((p) => req.path.startsWith(p))) return next();
    const given = req.header('dapr-api-token');
    if (given && constantTimeEquals(given, token)) return next();
    sendProblem(req, res, problem(401, 'APP_TOKEN_INVALID', 'Requests must come through the Dapr sidecar (dapr-api-token).'));
  };
}

/** Adds the 404 and error handlers; call after every route, including those DaprServer adds at start(). */
export function finishHttpApp(app: Express, logger: Logger): void {
  app.use(methodNotAllowed(app));
  app.use(notFoundHandler);
  app.use(problemErrorHandler(logger));
}
