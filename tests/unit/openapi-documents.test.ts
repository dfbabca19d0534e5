/**
 * Each app's OpenAPI document against the routes the app registers: every route documented with
 * its methods and nothing more; every error a problem; every success with a schema; path ids
 * that are UUIDs say so. The apps are built as main.ts builds them, with stand-in dependencies
 * (routes touch them only when a request comes).
 */
import pino from 'pino';
import type { Express } from 'express';
import { createHttpApp, finishHttpApp, operationsOf, routesOf } from '@holdfast/shared';
import * as booking from '../../apps/booking/src/http/openapi';
import { mountBookingRawBodyRoutes, mountBookingRoutes, type BookingRoutesDeps } from '../../apps/booking/src/http/routes';
import * as fulfillment from '../../apps/fulfillment/src/http/openapi';
import { mountFulfillmentRoutes } from '../../apps/fulfillment/src/http/routes';
import type { OrdersRouterDeps } from '../../apps/fulfillment/src/http/orders.routes';
import * as delivery from '../../apps/delivery/src/http/openapi';
import { mountDeliveryRoutes } from '../../apps/delivery/src/http/routes';
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
const apps: Array<[string, { paths: Record<string, Record<string, unknown>> }, Express]> = [
  ['booking', booking.openApiDocument(), built('booking', (a) => mountBookingRoutes(a, bookingDeps), (a) => mountBookingRawBodyRoutes(a, bookingDeps))],
  ['fulfillment', fulfillment.openApiDocument(), built('fulfillment', (a) => mountFulfillmentRoutes(a, { managerToken: token, decisionKeys: [token] } as unknown as OrdersRouterDeps))],
  ['delivery', delivery.openApiDocument(), built('delivery', (a) => mountDeliveryRoutes(a, { adminToken: token } as unknown as AdminRoutesDeps))],
  ['providers', providers.openApiDocument(), built('providers', (a) => {
    const state = createProvidersState({ rules: {}, seed: 1 });
    a.use('/admin', adminRouter(state));
    a.use(providersRouter(state, logger));
  })],
];

type Operation = { parameters?: Array<{ in: string; name: string; schema: Record<string, unknown> }>; responses: Record<string, { content?: Record<string, { schema?: unknown }> }> };
const operations = (doc: { paths: Record<string, Record<string, unknown>> }) =>
  Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item as Record<string, Operation>).map(([method, op]) => ({ label: `${method.toUpperCase()} ${path}`, op })));

describe.each(apps)('the %s app\'s OpenAPI document', (_name, doc, app) => {
  it('when compared with the routes the app registers, then each route is documented with its methods, and nothing more', () => {
    expect(operationsOf(doc)).toEqual(routesOf(app, Object.keys(doc.paths)));
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
      for (const param of (op.parameters ?? []).filter((p) => p.in === 'path' && /^(showId|holdId|bookingId)$|^id$/.test(p.name) && !label.includes('/workflows/') && _name !== 'providers')) {
        expect([label, param.name, param.schema.format]).toEqual([label, param.name, 'uuid']);
      }
    }
  });
});
