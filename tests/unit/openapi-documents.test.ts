/**
 * Each app's OpenAPI document against the routes the app registers: every route a client can
 * reach documented with its methods and nothing more; every error a problem; every success with a
 * schema; path ids that are UUIDs say so. The apps are built as main.ts builds them, with stand-in
 * dependencies (routes touch them only when a request comes).
 *
 * The documents describe each API as clients reach it, through the gateway: only the routes the
 * invocation guard lets through (the app's invocable paths, and the probes it always allows).
 * The routes left out are named here, each with where it is reached instead; those the admin
 * console alone reaches (its exact routes, none of the gateway's) are the app's console document.
 */
import pino from 'pino';
import type { Express } from 'express';
import { APP_IDS, appInvocationPolicy, createHttpApp, finishHttpApp, invocationVerdict, operationsOf, routeMatches, routesOf } from '@holdfast/shared';
import * as booking from '../../apps/booking/src/http/openapi';
import { BOOKING_ADMIN_ROUTES, BOOKING_INVOCABLE_PATHS, mountBookingRawBodyRoutes, mountBookingRoutes, type BookingRoutesDeps } from '../../apps/booking/src/http/routes';
import * as fulfillment from '../../apps/fulfillment/src/http/openapi';
import { FULFILLMENT_ADMIN_ROUTES, FULFILLMENT_INVOCABLE_PATHS, mountFulfillmentRoutes } from '../../apps/fulfillment/src/http/routes';
import type { OrdersRouterDeps } from '../../apps/fulfillment/src/http/orders.routes';
import * as delivery from '../../apps/delivery/src/http/openapi';
import { DELIVERY_ADMIN_ROUTES, DELIVERY_INVOCABLE_PATHS, mountDeliveryRoutes } from '../../apps/delivery/src/http/routes';
import type { AdminRoutesDeps } from '../../apps/delivery/src/http/admin.routes';
import * as providers from '../../apps/providers/src/openapi';
import { adminRouter, createProvidersState, providersRouter } from '../../apps/providers/src/providers.routes';

const logger = pino({ level: 'silent' });
const token = 'a'.repeat(32);

function built(name: string, mount: (app: Express) => void, raw?: (app: Express) => void): Express {
  const { app } = createHttpApp({ name, logger, rawBodyRoutes: raw });
  mount(app);
  finishHttpApp(app, logger);
  return app;
}

const bookingDeps = { adminToken: token, webhookSecret: () => undefined, webhookToleranceSeconds: 300, refundThreshold: 0 } as unknown as BookingRoutesDeps;

interface AppUnderTest {
  doc: { paths: Record<string, Record<string, unknown>> };
  app: Express;
  /** The app's invocable paths (main.ts's list): undefined for providers, which no sidecar fronts (its document lists every route of its port). */
  invocable?: string[];
  /** The routes a client cannot reach through the gateway, each documented elsewhere or nowhere on purpose (the console's own aside). */
  offClientPath: Array<{ route: string; where: string; doc?: { paths: Record<string, Record<string, unknown>> } }>;
  /** The admin console's exact routes (the app's *_ADMIN_ROUTES), and the document of those it alone reaches, if any. */
  console?: { routes: readonly string[]; doc?: { paths: Record<string, Record<string, unknown>> } };
}

const metricsOffPath = { route: 'GET /metrics', where: 'scraped on the app port; the invocation guard answers 404 to an invocation' };
const apps: Array<[string, AppUnderTest]> = [
  ['booking', {
    doc: booking.openApiDocument(), invocable: BOOKING_INVOCABLE_PATHS, console: { routes: BOOKING_ADMIN_ROUTES },
    app: built('booking', (a) => mountBookingRoutes(a, bookingDeps), (a) => mountBookingRawBodyRoutes(a, bookingDeps)),
    offClientPath: [
      metricsOffPath, { route: 'POST /webhooks/payments', where: 'called by the payment provider on the app port', doc: booking.paymentWebhookDocument() },
      { route: 'POST /webhooks/stripe', where: 'seed 004\'s path of the same webhook, on the app port', doc: booking.paymentWebhookDocument('/webhooks/stripe') },
    ],
  }],
  ['fulfillment', {
    doc: fulfillment.openApiDocument(), invocable: FULFILLMENT_INVOCABLE_PATHS, console: { routes: FULFILLMENT_ADMIN_ROUTES, doc: fulfillment.consoleOpenApiDocument() },
    offClientPath: [
      metricsOffPath,
      // Mounted with the other two by the shared timeline routes; the console asks booking and delivery for a booking's story.
      { route: 'GET /api/admin/timeline/bookings/{bookingId}', where: 'reached by no caller: the console reads a booking\'s timeline from booking and delivery' },
    ],
    app: built('fulfillment', (a) => mountFulfillmentRoutes(a, { managerToken: token, decisionKeys: [token] } as unknown as OrdersRouterDeps)),
  }],
  ['delivery', {
    doc: delivery.openApiDocument(), invocable: DELIVERY_INVOCABLE_PATHS, console: { routes: DELIVERY_ADMIN_ROUTES }, offClientPath: [metricsOffPath],
    app: built('delivery', (a) => mountDeliveryRoutes(a, { adminToken: token } as unknown as AdminRoutesDeps)),
  }],
  ['providers', {
    doc: providers.openApiDocument(), offClientPath: [],
    app: built('providers', (a) => {
      const state = createProvidersState({ rules: {}, seed: 1 });
      a.use('/admin', adminRouter(state));
      a.use(providersRouter(state, logger));
    }),
  }],
];

type Operation = { parameters?: Array<{ in: string; name: string; schema: Record<string, unknown> }>; responses: Record<string, { content?: Record<string, { schema?: unknown }> }> };
const operations = (doc: { paths: Record<string, Record<string, unknown>> }) =>
  Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item as Record<string, Operation>).map(([method, op]) => ({ label: `${method.toUpperCase()} ${path}`, op })));

describe.each(apps)('the %s app\'s OpenAPI document', (name, { doc, app, invocable, offClientPath, console: consoleAccess }) => {
  const offPathDocs = offClientPath.flatMap((o) => (o.doc ? Object.keys(o.doc.paths) : []));
  const registered = routesOf(app, [...Object.keys(doc.paths), ...offPathDocs, ...Object.keys(consoleAccess?.doc?.paths ?? {})]);
  /** Whether the gateway's invocation reaches `route` (`METHOD /path`): what the app's invocation guard decides for it. */
  const reachable = (route: string) => !invocable || invocationVerdict({ self: name, callers: ['gateway'], paths: invocable }, 'gateway', route.split(' ')[1]!) === 'allow';
  /** Whether the admin console's invocation reaches `route`: its exact routes, with the method. */
  const consoleReaches = (route: string) => !!consoleAccess && invocationVerdict(appInvocationPolicy(name, [], [], consoleAccess.routes), APP_IDS.admin, route.split(' ')[1]!, route.split(' ')[0]!) === 'allow';
  const consoleOnly = (route: string) => !reachable(route) && consoleReaches(route);

  it('when compared with the routes a client reaches through the gateway, then each is documented with its methods, and nothing more', () => {
    expect(operationsOf(doc)).toEqual(registered.filter(reachable));
  });

  it('when compared with the routes a client cannot reach, then they are the console\'s alone and exactly the ones named off the client path (and those with a document of their own match it)', () => {
    expect(registered.filter((r) => !reachable(r) && !consoleOnly(r))).toEqual(offClientPath.map((o) => o.route).sort());
    for (const { route, doc: own } of offClientPath) if (own) expect(operationsOf(own)).toEqual([route]);
  });

  it('when compared with the routes the admin console alone reaches, then its console document lists exactly them; every console route is a route of the app', () => {
    expect(operationsOf(consoleAccess?.doc ?? { paths: {} })).toEqual(registered.filter(consoleOnly));
    // A rule names a registered route when that route, read with its {params}, is what the rule matches.
    for (const rule of consoleAccess?.routes ?? []) expect([rule, registered.some((r) => routeMatches(rule, r.split(' ')[0]!, r.split(' ')[1]!))]).toEqual([rule, true]);
  });

  it('when read, then every operation has a success with a schema (or an empty body), and every error of the app is a problem or the provider\'s error', () => {
    for (const { label, op } of operations(doc)) {
      const successes = Object.entries(op.responses).filter(([status]) => status.startsWith('2'));
      expect([label, successes.length > 0]).toEqual([label, true]);
      for (const [status, response] of successes) {
        if (status === '204' || !response.content) continue;
        expect([label, status, Object.values(response.content)[0]?.schema]).toEqual([label, status, expect.anything()]);
      }
      for (const [status, response] of Object.entries(op.responses).filter(([s]) => !s.startsWith('2') && label !== 'GET /readyz')) {
        expect([label, status, Object.keys(response.content ?? {})]).toEqual([label, status, expect.arrayContaining([expect.stringMatching(/^application\/(problem\+)?json$/)])]);
      }
    }
  });

  it('when a path parameter is an id the route parses as a UUID, then the document says format uuid', () => {
    for (const { label, op } of operations(doc)) {
      for (const param of (op.parameters ?? []).filter((p) => p.in === 'path' && /^(showId|holdId|bookingId)$|^id$/.test(p.name) && !label.includes('/workflows/') && name !== 'providers')) {
        expect([label, param.name, param.schema.format]).toEqual([label, param.name, 'uuid']);
      }
    }
  });
});

describe('the providers app\'s document when /admin is on a port of its own (PROVIDERS_ADMIN_PORT)', () => {
  it('when served on the main port, then it lists no /admin route, and every other route of that port', () => {
    const state = createProvidersState({ rules: {}, seed: 1 });
    const main = built('providers', (a) => void a.use(providersRouter(state, logger, { admin: false })));
    const doc = providers.openApiDocument({ admin: false });
    expect(operationsOf(doc).filter((o) => o.includes(' /admin'))).toEqual([]);
    expect(operationsOf(doc)).toEqual(routesOf(main, Object.keys(doc.paths)));
  });
});
