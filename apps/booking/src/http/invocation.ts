/**
 * Who may invoke the booking app, and what (shared/src/invocation-guard.ts; the cluster's
 * accessControl is rendered from these lists by scripts/render-k8s-components.ts). No imports: the
 * render script reads this file alone.
 */

/**
 * What clients reach through the gateway (path prefixes): the document served at /openapi.json
 * describes exactly these routes; the SDK's actor, pub/sub and config routes, the payment webhook
 * and /metrics are not among them.
 */
export const BOOKING_INVOCABLE_PATHS = ['/api/', '/openapi.json'];

/**
 * Exactly the routes the admin console (APP_IDS.admin) calls, each with its method (apps/admin's
 * shows, delivery-and-money and timeline sections): no hold, booking or ticket route.
 */
export const BOOKING_ADMIN_ROUTES: readonly string[] = [
  'GET /api/shows',
  'GET /api/shows/:showId',
  'GET /api/shows/:showId/seats',
  'POST /api/admin/shows',
  'GET /api/admin/shows/:showId/cancellation',
  'POST /api/admin/shows/:showId/cancel',
  'GET /api/admin/manual-reviews',
  'POST /api/admin/manual-reviews/:id/resolve',
  'GET /api/admin/webhooks',
  'GET /api/admin/timeline/bookings/:bookingId',
  'GET /api/admin/timeline/search',
];
