/** Every route of the fulfillment app, mounted by main.ts and, with stand-in dependencies, by the OpenAPI test. */
import type { Express } from 'express';
import { ordersRouter, type OrdersRouterDeps } from './orders.routes';
import { OPENAPI_PATH, openApiDocument } from './openapi';
import { monitoringRouter, type MonitoringRouterDeps } from './monitoring.routes';
import { managerCredentials, requireManager } from './manager-auth';
import { EMPTY_TIMELINE, timelineRoutes, type TimelineSource } from '@holdfast/shared';

/** Seed 003's monitoring and test-queue routes: what they need beyond the order routes' dependencies. */
export type MonitoringExtras = Omit<MonitoringRouterDeps, 'orders' | 'sidecar' | 'managerCredentials' | 'decisionKeys'>;

// Who may invoke the app, and what: the gateway's prefixes and the console's exact routes.
export { FULFILLMENT_ADMIN_ROUTES, FULFILLMENT_INVOCABLE_PATHS } from './invocation';

export function mountFulfillmentRoutes(app: Express, deps: OrdersRouterDeps & { monitoring?: MonitoringExtras; timeline?: TimelineSource }): void {
  const openApi = openApiDocument();
  app.get(OPENAPI_PATH, (_req, res) => void res.json(openApi));
  app.use(ordersRouter(deps));
  // Issue 13's timeline (the OpenAPI test mounts an empty one): the manager credential, which the console holds.
  const credentials = managerCredentials(deps.managerToken, deps.managerName ?? 'manager', deps.managers ?? []);
  app.use(timelineRoutes(deps.timeline ?? { booking: async () => EMPTY_TIMELINE, order: async () => EMPTY_TIMELINE, search: async () => ({ matches: [] }) },
    requireManager(credentials, 'The timeline needs a manager bearer token.')));
  app.use(monitoringRouter({ ...deps.monitoring, orders: deps.orders, sidecar: deps.sidecar, managerCredentials: managerCredentials(deps.managerToken, deps.managerName ?? 'manager', deps.managers ?? []),
    decisionKeys: deps.decisionKeys } as MonitoringRouterDeps));
}
