/**
 * Who may invoke the delivery app, and what (shared/src/invocation-guard.ts; the cluster's
 * accessControl is rendered from these lists by scripts/render-k8s-components.ts). No imports: the
 * render script reads this file alone.
 */

/** What clients reach through the gateway (path prefixes): the served document describes exactly these routes. */
export const DELIVERY_INVOCABLE_PATHS = ['/api/'];

/**
 * Exactly the routes the admin console (APP_IDS.admin) calls, each with its method (apps/admin's
 * delivery-and-money and timeline sections, and the resend of a sent notification, an admin
 * action of the timeline).
 */
export const DELIVERY_ADMIN_ROUTES: readonly string[] = [
  'GET /api/monitoring/delivery',
  'GET /api/admin/dead-letters',
  'POST /api/admin/dead-letters/replay',
  'POST /api/admin/dead-letters/:id/replay',
  'GET /api/admin/refunds',
  'POST /api/admin/refunds/:id/retry',
  'POST /api/admin/notifications/:id/resend',
  'GET /api/admin/timeline/bookings/:bookingId',
  'GET /api/admin/timeline/orders/:orderId',
  'GET /api/admin/timeline/search',
];
