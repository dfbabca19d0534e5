/** Every route of the fulfillment app, mounted by main.ts and, with stand-in dependencies, by the OpenAPI test. */
import type { Express } from 'express';
import { ordersRouter, type OrdersRouterDeps } from './orders.routes';
import { OPENAPI_PATH, openApiDocument } from './openapi';

/** What clients reach through the gateway (the invocation guard's list): the served document describes exactly these routes. */
export const FULFILLMENT_INVOCABLE_PATHS = ['/workflows'];

export function mountFulfillmentRoutes(app: Express, deps: OrdersRouterDeps): void {
  const openApi = openApiDocument();
  app.get(OPENAPI_PATH, (_req, res) => void res.json(openApi));
  app.use(ordersRouter(deps));
}
