/**
 * The booking app's manual reviews for the admin console (issue 13): refunds of holds that ended
 * without a booking and cancellation refunds that failed. Listed, and resolved by a person; a
 * resolution may first retry the refund, resolving only when the provider pays it.
 */
import { Router } from 'express';
import { z } from 'zod';
import { actorNameSchema, AppError, currentCorrelationId, headerActor, requireAdmin } from '@holdfast/shared';
import type { ManualReviewRow, ManualReviewsRepository } from '../data/manual-reviews.repository';
import type { PaymentsClient } from '../adapters/payments.client';
import { retryPlan } from '../domain/manual-review-retry';
import { ADMIN_ACTOR } from './bookings.routes';

export const reviewIdSchema = z.string().uuid();
const CURSOR_PATTERN = /^\d{1,15}_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const reviewListQuery = z.object({
  status: z.enum(['OPEN', 'RESOLVED']).optional(),
  kind: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** The `nextCursor` of the previous page. */
  cursor: z.string().regex(CURSOR_PATTERN).optional(),
}).strict();
export const resolveReviewSchema = z.object({
  resolution: z.string().max(500).regex(/\S/, 'resolution must not be blank'),
  retry: z.boolean().optional(),
  /** Who resolved it; else X-Holdfast-Actor, else the admin credential. */
  resolvedBy: actorNameSchema.optional(),
}).strict();

export function reviewView(r: ManualReviewRow) {
  return {
    id: r.id, bookingId: r.bookingId, kind: r.kind, reason: r.reason, data: r.data ?? null, status: r.status, createdAt: r.createdAt.toISOString(),
    resolvedAt: r.resolvedAt?.toISOString() ?? null, resolvedBy: r.resolvedBy, resolution: r.resolution,
  };
}

/** `<createdAt epoch ms>_<id>`: every string the pattern admits decodes, so a schema-valid cursor is never refused. */
const CURSOR = /^(\d{1,15})_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const encodeCursor = (r: ManualReviewRow) => `${r.createdAt.getTime()}_${r.id}`;
function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [, ms, id] = CURSOR.exec(cursor)!;
  return { createdAt: new Date(Number(ms)), id: id! };
}

export interface ManualReviewsRouterDeps {
  reviews: ManualReviewsRepository;
  payments: Pick<PaymentsClient, 'refund'>;
  adminToken: string;
  logger: { warn(obj: object, msg: string): void };
}

export function manualReviewsRouter(deps: ManualReviewsRouterDeps): Router {
  const router = Router();
  const admin = requireAdmin(deps.adminToken);

  router.get('/api/admin/manual-reviews', admin, async (req, res) => {
    const query = reviewListQuery.parse(req.query);
    const rows = await deps.reviews.list({ status: query.status, kind: query.kind, limit: query.limit, after: query.cursor ? decodeCursor(query.cursor) : undefined });
    const page = rows.slice(0, query.limit);
    res.json({ reviews: page.map(reviewView), nextCursor: rows.length > query.limit ? encodeCursor(page.at(-1)!) : null });
  });

  router.post('/api/admin/manual-reviews/:id/resolve', admin, async (req, res) => {
    const id = reviewIdSchema.parse(req.params.id);
    const body = resolveReviewSchema.parse(req.body ?? {});
    const resolvedBy = body.resolvedBy ?? headerActor(req) ?? ADMIN_ACTOR;
    const review = await deps.reviews.find(id);
    if (!review) throw new AppError(404, 'REVIEW_NOT_FOUND', `No manual review ${id}.`);
    if (review.status !== 'OPEN') throw new AppError(409, 'REVIEW_ALREADY_RESOLVED', `Manual review ${id} is ${review.status}.`);
    let refundId: string | undefined;
    if (body.retry) {
      const plan = retryPlan(review, review.kind === 'REFUND' && review.bookingId ? await deps.reviews.bookingRefund(review.bookingId) : undefined);
      if (!plan.retry) throw new AppError(409, 'REVIEW_NOT_RETRYABLE', `Manual review ${id} cannot be retried: ${plan.reason}.`);
      // The app's own call under its own key: a refund that landed before is answered again, not paid twice.
      const refunded = await deps.payments.refund({ captureId: plan.captureId, amount: plan.amount }, plan.idempotencyKey);
      if (!refunded.ok) {
        deps.logger.warn({ reviewId: id, kind: refunded.kind, status: refunded.status }, 'manual review retry: the refund failed again');
        throw new AppError(502, 'REFUND_FAILED', `The payment provider did not refund it (${refunded.kind}${refunded.status ? ` ${refunded.status}` : ''}); the review stays open.`,
          { providerStatus: refunded.status ?? null, providerOutcome: refunded.kind });
      }
      refundId = refunded.value.refundId;
    }
    const outcome = await deps.reviews.resolve(id, { resolution: body.resolution.trim(), resolvedBy, refundId, correlationId: currentCorrelationId() });
    if (outcome.kind === 'not-found') throw new AppError(404, 'REVIEW_NOT_FOUND', `No manual review ${id}.`);
    if (outcome.kind === 'not-open') throw new AppError(409, 'REVIEW_ALREADY_RESOLVED', `Manual review ${id} is ${outcome.status}.`);
    const resolved = await deps.reviews.find(id);
    res.json({ ...reviewView(resolved ?? outcome.review), ...(refundId ? { refundId } : {}) });
  });

  return router;
}
