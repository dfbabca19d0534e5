/** Shows and their seat maps: created by admins, read by everyone. */
import { Router } from 'express';
import { z } from 'zod';
import { WorkflowRuntimeStatus, type DaprWorkflowClient } from '@dapr/dapr';
import { actorNameSchema, AppError, currentCorrelationId, headerActor, requireAdmin, scheduleWorkflowOnce } from '@holdfast/shared';
import { venueInputSchema, buildSeatMap, MAX_SEATS_PER_VENUE } from '../domain/seat-map';
import { policySchema } from '../domain/policy';
import { MAX_CONCESSION_PRICE_MINOR } from '../domain/pricing';
import type { ShowsRepository } from '../data/shows.repository';
import type { BookingsRepository } from '../data/bookings.repository';
import type { CancellationSummary } from '../data/shows.repository';
import { SHOW_CANCELLATION_WORKFLOW, showCancellationInstanceId, type ShowCancellationOutput } from '../cancellation/show-cancellation.workflow';

export const createShowSchema = z.object({
  title: z.string().trim().min(1).max(200),
  startsAt: z.iso.datetime({ offset: true }).transform((s) => new Date(s)),
  venue: venueInputSchema,
  prepLeadMinutes: z.number().int().min(0).max(24 * 60).optional(),
  /** Issue 19: minutes before showtime after which a customer cannot cancel (at most 30 days); unset, the platform's. */
  cancellationCutoffMinutes: z.number().int().min(0).max(30 * 24 * 60).optional(),
  policy: policySchema.default(policySchema.parse({})),
}).strict();

export const showIdSchema = z.string().uuid({ message: 'showId must be a UUID' });

export async function requireShow(shows: ShowsRepository, rawId: string) {
  const show = await shows.find(parseShowId(rawId));
  if (!show) throw new AppError(404, 'SHOW_NOT_FOUND', `No show ${rawId}.`);
  return show;
}

export function parseShowId(rawId: string): string {
  const id = showIdSchema.safeParse(rawId);
  if (!id.success) throw new AppError(400, 'INVALID_SHOW_ID', 'A show id is a UUID.');
  return id.data;
}

/** The show as a new hold sees it (cached for SHOW_CACHE_TTL_MS). */
export async function requireShowForHold(shows: ShowsRepository, rawId: string) {
  const show = await shows.findForHold(parseShowId(rawId));
  if (!show) throw new AppError(404, 'SHOW_NOT_FOUND', `No show ${rawId}.`);
  return show;
}

export interface ShowsRouterDeps {
  shows: ShowsRepository;
  concessions: Pick<BookingsRepository, 'upsertConcession'>;
  adminToken: string;
  workflows: Pick<DaprWorkflowClient, 'getWorkflowState' | 'scheduleNewWorkflow'>;
  /** More tickets sold than this, and a cancelled show refunds every booking (SHOW_CANCEL_REFUND_THRESHOLD). */
  refundThreshold: number;
  /** The platform's cut-off (CANCELLATION_CUTOFF_MINUTES) a show without its own uses. */
  defaultCancellationCutoffMinutes?: number;
}

/** A concession's price is bounded so a booking's total stays within its int4 column (pricing.ts). */
export const concessionItemSchema = z.object({
  name: z.string().trim().min(1).max(100),
  price: z.number().int().min(1).max(MAX_CONCESSION_PRICE_MINOR, `at most ${MAX_CONCESSION_PRICE_MINOR} minor units`),
  active: z.boolean().default(true),
}).strict();

// Not blank, by pattern (a trimmed min(1) rejects "\r", which a schema's minLength calls valid).
export const cancelShowSchema = z.object({ reason: z.string().max(500).regex(/\S/, 'reason must not be blank'), cancelledBy: actorNameSchema.optional() }).strict();

/** A concession's SKU, its path parameter. */
export const skuSchema = z.string().regex(/^[A-Z0-9_-]{1,64}$/, 'upper-case letters, digits, _ and -');

export function showsRouter(deps: ShowsRouterDeps): Router {
  const router = Router();

  /**
   * Cancels a show once: the row, the summary and the outbox events (SMS, email, refunds) in one
   * transaction, then a workflow that closes the ShowActor, releases active holds and cancels
   * kitchen orders. A repeated call returns the same summary and queues nothing more.
   */
  router.post('/api/admin/shows/:showId/cancel', requireAdmin(deps.adminToken), async (req, res) => {
    const showId = parseShowId(String(req.params.showId));
    const { reason: rawReason, cancelledBy } = cancelShowSchema.parse(req.body ?? {});
    const reason = rawReason.trim();
    // Who: the body's name, else the console's signed-in user (X-Holdfast-Actor, trusted behind the admin token).
    const summary = await deps.shows.cancel(showId, reason, deps.refundThreshold, currentCorrelationId(), cancelledBy ?? headerActor(req));
    if (!summary) throw new AppError(404, 'SHOW_NOT_FOUND', `No show ${showId}.`);
    // Started on every call until it exists: a first call that died after its commit is finished by the next.
    // A clean-up that gave up (an outage longer than its retries) starts again: every step is idempotent.
    await scheduleWorkflowOnce(deps.workflows, SHOW_CANCELLATION_WORKFLOW, { showId }, showCancellationInstanceId(showId), { restartFailed: true });
    res.json(summary);
  });

  /** The cancellation's summary and how far its clean-up has come. */
  router.get('/api/admin/shows/:showId/cancellation', requireAdmin(deps.adminToken), async (req, res) => {
    const show = await requireShow(deps.shows, String(req.params.showId));
    if (show.status !== 'CANCELLED') throw new AppError(409, 'SHOW_NOT_CANCELLED', `Show ${show.id} is not cancelled.`);
    const state = await deps.workflows.getWorkflowState(showCancellationInstanceId(show.id), true).catch(() => undefined);
    const output = state?.serializedOutput ? (JSON.parse(state.serializedOutput) as ShowCancellationOutput) : undefined;
    const summary = show.cancellationSummary as unknown as CancellationSummary;
    res.json({
      ...summary,
      delivery: await deps.shows.deliveryProgress(show.id, summary),
      cleanup: { status: state ? WorkflowRuntimeStatus[state.runtimeStatus] : 'NOT_STARTED', holdsReleased: output?.holdsReleased ?? null, kitchenOrdersCancelled: output?.kitchenOrdersCancelled ?? null },
    });
  });

  router.post('/api/admin/shows', requireAdmin(deps.adminToken), async (req, res) => {
    const input = createShowSchema.parse(req.body);
    const seatCount = buildSeatMap(input.venue).length;
    if (seatCount > MAX_SEATS_PER_VENUE) throw new AppError(400, 'VENUE_TOO_LARGE', `A venue may have at most ${MAX_SEATS_PER_VENUE} seats (got ${seatCount}).`);
    if (input.startsAt.getTime() <= Date.now()) throw new AppError(400, 'SHOW_IN_THE_PAST', 'startsAt must be in the future.');
    res.status(201).json(await deps.shows.create(input, currentCorrelationId(), headerActor(req)));
  });

  router.put('/api/admin/shows/:showId/policy', requireAdmin(deps.adminToken), async (req, res) => {
    const policy = policySchema.parse(req.body);
    const id = showIdSchema.safeParse(req.params.showId);
    if (!id.success) throw new AppError(400, 'INVALID_SHOW_ID', 'A show id is a UUID.');
    const result = await deps.shows.updatePolicy(id.data, policy, currentCorrelationId());
    if (!result) throw new AppError(404, 'SHOW_NOT_FOUND', `No show ${req.params.showId}.`);
    deps.shows.forgetShow(id.data);
    res.json(result);
  });

  router.put('/api/admin/concessions/:sku', requireAdmin(deps.adminToken), async (req, res) => {
    const sku = skuSchema.parse(req.params.sku);
    const item = concessionItemSchema.parse(req.body);
    res.json(await deps.concessions.upsertConcession({ sku, ...item }));
  });

  router.get('/api/shows', async (_req, res) => {
    const shows = await deps.shows.list();
    res.json({ shows: shows.map((s) => ({ showId: s.id, title: s.title, startsAt: s.startsAt, status: s.status, venue: s.venue.name, policyVersion: s.policyVersion })) });
  });

  router.get('/api/shows/:showId', async (req, res) => {
    const show = await requireShow(deps.shows, req.params.showId);
    res.json({
      showId: show.id, title: show.title, startsAt: show.startsAt, status: show.status, venue: { venueId: show.venueId, name: show.venue.name },
      policy: show.policy, policyVersion: show.policyVersion, prepLeadMinutes: show.prepLeadMinutes ?? show.venue.prepLeadMinutes,
      // Issue 19: the show's own cut-off, else the platform's; `cancellationCutoffSource` says which.
      cancellationCutoffMinutes: show.cancellationCutoffMinutes ?? deps.defaultCancellationCutoffMinutes ?? 60,
      cancellationCutoffSource: show.cancellationCutoffMinutes === null ? 'platform' : 'show',
    });
  });

  router.get('/api/shows/:showId/seats', async (req, res) => {
    const show = await requireShow(deps.shows, req.params.showId);
    const [seats, claims] = await Promise.all([deps.shows.seats(show.venueId), deps.shows.claims(show.id)]);
    const taken = new Map(claims.map((c) => [c.seatId, c.kind]));
    res.json({
      showId: show.id,
      seats: seats.map((s) => ({ id: s.id, label: s.label, section: s.section, row: s.rowLabel, number: s.number, zone: s.zone, adjacentIds: s.adjacentIds, status: taken.get(s.id) ?? 'AVAILABLE' })),
    });
  });

  return router;
}
