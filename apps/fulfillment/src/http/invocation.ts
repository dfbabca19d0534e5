/**
 * Who may invoke the fulfillment app, and what (shared/src/invocation-guard.ts; the cluster's
 * accessControl is rendered from these lists by scripts/render-k8s-components.ts). No imports: the
 * render script reads this file alone.
 */

/**
 * What clients reach through the gateway (path prefixes): the served document describes exactly
 * these routes. Not the timeline (/api/admin/timeline): that is the console's alone
 * (FULFILLMENT_ADMIN_ROUTES, described by openapi.ts's consoleOpenApiDocument).
 */
export const FULFILLMENT_INVOCABLE_PATHS = ['/workflows', '/api/monitoring', '/api/test-queue'];

/**
 * Exactly the routes the admin console (APP_IDS.admin) calls with the manager credential, each
 * with its method: the order search, an order's status, the three decisions and the timeline. No
 * order placement, no payment.
 */
export const FULFILLMENT_ADMIN_ROUTES: readonly string[] = [
  'GET /workflows',
  'GET /workflows/:id/status',
  'POST /workflows/:id/approve',
  'POST /workflows/:id/reject',
  'POST /workflows/:id/cancel',
  'GET /api/admin/timeline/orders/:orderId',
  'GET /api/admin/timeline/search',
];
