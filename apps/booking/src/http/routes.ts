/** Every route of the booking app, mounted by main.ts and, with stand-in dependencies, by the OpenAPI test. */
import type { Express } from 'express';
import type { DaprWorkflowClient } from '@dapr/dapr';
import { EMPTY_TIMELINE, requireAdmin, timelineRoutes, type SchedulerJobs, type SidecarSettings, type TimelineSource } from '@holdfast/shared';
import type { ShowsRepository } from '../data/shows.repository';
import type { BookingsRepository, CancellationSettings } from '../data/bookings.repository';
import type { WebhooksRepository } from '../data/webhooks.repository';
import type { HoldsRepository } from '../data/holds.repository';
import { showsRouter } from './shows.routes';
import { holdsRouter } from './holds.routes';
import type { PlacementDeps } from '../placement/place-hold';
import { bookingsRouter } from './bookings.routes';
import { paymentWebhookRouter, webhooksAdminRouter } from './webhooks.routes';
import { offlinePaymentsRouter } from './offline-payments.routes';
import { escalationsRouter } from './escalations.routes';
import { manualReviewsRouter } from './manual-reviews.routes';
import type { ManualReviewsRepository } from '../data/manual-reviews.repository';
import type { PaymentsClient } from '../adapters/payments.client';
import { openApiDocument } from './openapi';

// Who may invoke the app, and what: the gateway's prefixes and the console's exact routes.
export { BOOKING_ADMIN_ROUTES, BOOKING_INVOCABLE_PATHS } from './invocation';

export interface BookingRoutesDeps {
  shows: ShowsRepository;
  bookings: BookingsRepository;
  webhooks: WebhooksRepository;
  workflows: Pick<DaprWorkflowClient, 'getWorkflowState' | 'scheduleNewWorkflow'>;
  sidecar: SidecarSettings;
  logger: { warn(obj: object, msg: string): void };
  /** What placing a hold reads and writes (placement/place-hold.ts). */
  placement: PlacementDeps;
  adminToken: string;
  ticketKey: string;
  refundThreshold: number;
  webhookSecret: () => string | undefined;
  webhookToleranceSeconds: number;
  /** Policy escalations for the admin console (GET /api/admin/policy-escalations); the OpenAPI test mounts none. */
  holds?: Pick<HoldsRepository, 'listEscalations'>;
  /** The customer cancellation policy's platform settings (issue 19); the OpenAPI test mounts the defaults. */
  cancellation?: CancellationSettings;
  /** The sidecar's Jobs API: a cancellation's safety-net job is scheduled before its decision is committed. */
  jobs: Pick<SchedulerJobs, 'schedule'>;
  /** CANCELLATION_SAGA_CHECK_SECONDS. */
  cancellationSagaCheckSeconds?: number;
  /** Manual reviews (issue 13's console) and the payment provider their retry calls; the OpenAPI test mounts none. */
  reviews?: ManualReviewsRepository;
  /** The booking app's part of issue 13's timeline; the OpenAPI test mounts an empty one. */
  timeline?: TimelineSource;
  payments?: Pick<PaymentsClient, 'refund'>;
}

/** The payment provider's webhook: before the JSON parser (its signature covers the raw body). */
export function mountBookingRawBodyRoutes(app: Express, deps: BookingRoutesDeps): void {
  app.use(paymentWebhookRouter({ webhooks: deps.webhooks, secret: deps.webhookSecret, toleranceSeconds: deps.webhookToleranceSeconds }));
}

export function mountBookingRoutes(app: Express, deps: BookingRoutesDeps): void {
  const openApi = openApiDocument();
  app.get('/openapi.json', (_req, res) => void res.json(openApi));
  app.use(showsRouter({ shows: deps.shows, concessions: deps.bookings, adminToken: deps.adminToken, workflows: deps.workflows, refundThreshold: deps.refundThreshold, defaultCancellationCutoffMinutes: deps.cancellation?.defaultCutoffMinutes }));
  app.use(holdsRouter({ sidecar: deps.sidecar, logger: deps.logger, placement: deps.placement }));
  app.use(offlinePaymentsRouter({ sidecar: deps.sidecar, adminToken: deps.adminToken }));
  app.use(bookingsRouter({ bookings: deps.bookings, shows: deps.shows, ticketKey: deps.ticketKey, adminToken: deps.adminToken, workflows: deps.workflows, cancellation: deps.cancellation, jobs: deps.jobs, sagaCheckSeconds: deps.cancellationSagaCheckSeconds }));
  app.use(webhooksAdminRouter({ webhooks: deps.webhooks, adminToken: deps.adminToken }));
  app.use(manualReviewsRouter({
    reviews: deps.reviews ?? ({} as ManualReviewsRepository), payments: deps.payments ?? { refund: async () => ({ ok: false, kind: 'unavailable' }) },
    adminToken: deps.adminToken, logger: deps.logger,
  }));
  app.use(timelineRoutes(deps.timeline ?? { booking: async () => EMPTY_TIMELINE, order: async () => EMPTY_TIMELINE, search: async () => ({ matches: [] }) }, requireAdmin(deps.adminToken)));
  app.use(escalationsRouter({ holds: deps.holds ?? ({ listEscalations: async () => [] } as unknown as Pick<HoldsRepository, 'listEscalations'>), adminToken: deps.adminToken }));
}
