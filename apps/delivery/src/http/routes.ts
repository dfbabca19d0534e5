/** Every route of the delivery app's own (clients reach them by invocation), mounted by main.ts and by the OpenAPI test. */
import type { Express } from 'express';
import { EMPTY_TIMELINE, requireAdmin, timelineRoutes, type TimelineSource } from '@holdfast/shared';
import { adminRouter, type AdminRoutesDeps } from './admin.routes';
import { OPENAPI_PATH, openApiDocument } from './openapi';

// Who may invoke the app, and what: the gateway's prefixes and the console's exact routes.
export { DELIVERY_ADMIN_ROUTES, DELIVERY_INVOCABLE_PATHS } from './invocation';

export function mountDeliveryRoutes(app: Express, deps: AdminRoutesDeps & { timeline?: TimelineSource }): void {
  const openApi = openApiDocument();
  app.get(OPENAPI_PATH, (_req, res) => void res.json(openApi));
  app.use(adminRouter(deps));
  // Issue 13's timeline: the delivery app's part (the OpenAPI test mounts an empty one).
  app.use(timelineRoutes(deps.timeline ?? { booking: async () => EMPTY_TIMELINE, order: async () => EMPTY_TIMELINE, search: async () => ({ matches: [] }) }, requireAdmin(deps.adminToken)));
}
