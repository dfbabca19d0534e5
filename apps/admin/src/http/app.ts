/**
 * The admin console's express app: security headers, static files, sign-in, sessions, CSRF, the
 * layout's navigation, the home page, then each section on an already-authenticated router
 * (section.ts). main.ts listens; tests can build it the same way.
 *
 * Browser traffic reaches the console directly (no sidecar in front); its sidecar is there for the
 * console's own outgoing calls. So: a request carrying Dapr headers must carry the app token, and
 * no other app may invoke the console (invocation guard with no callers).
 */
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import {
  APP_IDS, AppError, constantTimeEquals, createHttpApp, currentCorrelationId, databaseReadiness, finishHttpApp, invocationGuard, problem, sendProblem, type Metrics, type PrismaClient,
} from '@holdfast/shared';
import { describeProblem } from '../domain/problem-words';
import { visibleTo } from '../domain/permissions';
import type { ConsoleUser } from '../domain/users';
import { createActionsLookup, insertAction } from '../data/actions.repository';
import { createSessionsRepository } from '../data/sessions.repository';
import { createSigninAttemptsRepository } from '../data/signin-attempts.repository';
import { createAppsClient, type AppsClientSettings } from './apps-client';
import { authRoutes } from './auth.routes';
import { requireCsrf, signinKey } from './csrf';
import { homeRoutes } from './home.routes';
import { createVerifyGate } from './verify-gate';
import { createOpenApiRegistry, type OpenApiRegistry } from './openapi';
import { wantsJson } from './request-kind';
import { AppCallError, type AdminSection, type AppsClient, type SectionContext } from './section';
import { requireSession, signedInUser } from './session';
import { renderErrorPage, STATIC_DIR, useEta } from './views';

export { requireRole, signedInUser } from './session';
export { wantsJson } from './request-kind';
export { renderErrorPage } from './views';
export { describeProblem } from '../domain/problem-words';

export interface AdminAppSettings extends AppsClientSettings {
  APP_API_TOKEN?: string;
  ADMIN_SESSION_IDLE_MINUTES: number;
  /** Absolute session lifetime (default 12). */
  ADMIN_SESSION_MAX_HOURS?: number;
  ADMIN_TRUST_PROXY: boolean;
  ADMIN_COOKIE_SECRET?: string;
  /** argon2 verifications at once (default 4). */
  ADMIN_SIGNIN_CONCURRENCY?: number;
  users: Map<string, ConsoleUser>;
}

export interface AdminAppOptions {
  sections: AdminSection[];
  settings: AdminAppSettings;
  prisma: PrismaClient;
  logger: Logger;
  /** Replaces the sidecar client (a unit test's fake). */
  apps?: AppsClient;
  /** Template caching: on in production, off while editing views. */
  cacheViews?: boolean;
}

export interface AdminApp {
  app: Express;
  metrics: Metrics;
  openapi: OpenApiRegistry;
}

/** The design's strict policy: no inline script or style, nothing from elsewhere, never framed. */
export const CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  next();
};

/** Requests from the sidecar (they carry Dapr headers) must carry its app token; browsers send none. */
function sidecarToken(token: string | undefined): RequestHandler {
  return (req, res, next) => {
    const fromSidecar = req.get('dapr-api-token') !== undefined || req.get('dapr-caller-app-id') !== undefined;
    if (!fromSidecar || !token) return next();
    const given = req.get('dapr-api-token');
    if (given && constantTimeEquals(given, token)) return next();
    sendProblem(req, res, problem(401, 'APP_TOKEN_INVALID', 'Requests from the Dapr sidecar must carry the app token (dapr-api-token).'));
  };
}

/** Pages get a sentence page; JSON gets the problem (the shared handler). An app's refusal keeps its code. */
function pageErrors(logger: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (error instanceof AppCallError) {
      logger.info({ app: error.app, status: error.status, code: error.code }, 'an app refused or failed a console call');
      const status = error.status >= 500 ? 502 : error.status;
      if (wantsJson(req)) return sendProblem(req, res, problem(status, error.code, error.detail || describeProblem(error), { app: error.app }));
      return renderErrorPage(req, res, status, describeProblem(error));
    }
    if (wantsJson(req) || res.headersSent) return next(error);
    if (error instanceof AppError) return renderErrorPage(req, res, error.status, describeProblem({ code: error.code, status: error.status, detail: error.message }));
    const status = typeof error?.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status === 500) logger.error({ err: error }, 'page failed');
    renderErrorPage(req, res, status, describeProblem({ status }));
  };
}

export function buildAdminApp(options: AdminAppOptions): AdminApp {
  const { settings, prisma, logger } = options;
  const sections = options.sections;
  const { app, metrics } = createHttpApp({ name: 'admin', logger, readiness: [databaseReadiness(prisma)] });
  app.use(sidecarToken(settings.APP_API_TOKEN));
  // The console serves browsers, never other apps: any service invocation of it is refused.
  app.use(invocationGuard({ self: APP_IDS.admin, callers: [], paths: [] }));
  app.use(securityHeaders);
  app.use(express.urlencoded({ extended: false, limit: '100kb' }));
  useEta(app, { cache: options.cacheViews ?? true });
  app.use('/static', express.static(STATIC_DIR, { maxAge: '1h', index: false, fallthrough: true }));

  const openapi = createOpenApiRegistry();
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi.document());
  });

  const sessionsRepo = createSessionsRepository(prisma);
  const auth = authRoutes({
    users: settings.users, sessions: sessionsRepo, attempts: createSigninAttemptsRepository(prisma),
    signinKey: signinKey(settings.ADMIN_COOKIE_SECRET, settings.ADMIN_API_TOKEN), trustProxy: settings.ADMIN_TRUST_PROXY, logger,
    gate: createVerifyGate(settings.ADMIN_SIGNIN_CONCURRENCY ?? 4),
  });
  app.use(auth.publicRouter);

  // Everything below needs a live session, and a CSRF token on state-changing requests.
  app.use(requireSession({ sessions: sessionsRepo, users: settings.users, idleMinutes: settings.ADMIN_SESSION_IDLE_MINUTES, maxHours: settings.ADMIN_SESSION_MAX_HOURS ?? 12 }));
  app.use(requireCsrf());
  app.use((req, res, next) => {
    const user = signedInUser(req);
    res.locals.nav = visibleTo(sections, user.roles).map((s) => ({ label: s.label, path: s.path, current: req.path === s.path || req.path.startsWith(`${s.path}/`) }));
    next();
  });
  app.use(auth.sessionRouter);
  app.use(homeRoutes(sections));

  const ctx: SectionContext = {
    apps: options.apps ?? createAppsClient(settings, logger),
    recordAction: async (req, record) => insertAction(prisma, signedInUser(req), record, currentCorrelationId()),
    logger,
    openapi,
    actions: createActionsLookup(prisma),
  };
  for (const section of sections) {
    const router = express.Router();
    section.register(router, ctx);
    app.use(router);
  }

  // A page nobody registered: a sentence page (JSON falls through to the shared 404 problem).
  app.use((req, res, next) => (wantsJson(req) ? next() : renderErrorPage(req, res, 404, 'That page does not exist.', 'Not found')));
  app.use(pageErrors(logger));
  finishHttpApp(app, logger);
  return { app, metrics, openapi };
}
