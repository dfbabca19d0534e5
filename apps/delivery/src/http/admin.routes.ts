/** Operators' endpoints: dead letters (list, replay), refunds (list, retry from manual review), notifications (read, resend), delivery figures. */
import { Router } from 'express';
import { z } from 'zod';
import { actorNameSchema, AppError, headerActor, requireAdmin } from '@holdfast/shared';
import type { DeadLettersRepository } from '../data/dead-letters.repository';
import type { RefundsRepository } from '../data/refunds.repository';
import type { MonitoringRepository } from '../data/monitoring.repository';
import type { Replayer } from '../replay';
import type { NotificationsRepository } from '../data/notifications.repository';
import type { Resender } from '../resend';

export interface AdminRoutesDeps {
  adminToken: string;
  deadLetters: DeadLettersRepository;
  refunds: RefundsRepository;
  monitoring: MonitoringRepository;
  replayer: Replayer;
  /** The notifications and their attempts (GET /api/admin/notifications/:id); the OpenAPI test mounts none. */
  notifications?: Pick<NotificationsRepository, 'withAttempts'>;
  /** Resends a sent notification (POST /api/admin/notifications/:id/resend); the OpenAPI test mounts none. */
  resender?: Pick<Resender, 'resend'>;
  /** Who asked for a replay or a retry is logged (the console also records it as its own action); the OpenAPI test mounts none. */
  logger?: { info(obj: object, msg: string): void };
}

/** Who asked: the body's requestedBy, else the console's signed-in user (X-Holdfast-Actor, trusted behind the admin token). */
const requester = (req: import('express').Request, named?: string) => named ?? headerActor(req);

const limit = z.coerce.number().int().min(1).max(5_000).default(500);
export const deadLetterQuery = z.object({ topic: z.string().min(1).max(200).optional(), status: z.enum(['PENDING', 'REPLAYING', 'REPLAYED', 'DISCARDED', 'MANUAL_REVIEW']).optional(), limit }).strict();
export const refundQuery = z.object({ status: z.enum(['PENDING', 'PROCESSED', 'FAILED']).optional(), limit }).strict();
export const replayTopicBody = z.object({ topic: z.string().min(1).max(200), limit: z.number().int().min(1).max(10_000).default(1_000), requestedBy: actorNameSchema.optional() }).strict();
export const uuid = z.string().uuid();
export const resendBody = z.object({ requestedBy: actorNameSchema.optional() }).strict();
/** Who a resend is recorded as when neither the body nor the console names anyone: the token's own name. */
export const ADMIN_TOKEN_ACTOR = 'admin-api-token';

export function adminRouter(deps: AdminRoutesDeps): Router {
  const router = Router();
  const admin = requireAdmin(deps.adminToken);

  router.get('/api/admin/dead-letters', admin, async (req, res) => {
    const query = deadLetterQuery.parse(req.query);
    const letters = await deps.deadLetters.list({ topic: query.topic, status: query.status }, query.limit);
    res.json({ deadLetters: letters.map((l) => ({
      id: l.id, topic: l.topic, deadLetterTopic: l.deadLetterTopic, eventId: l.eventId, status: l.status, lastError: l.lastError, attempts: l.attempts,
      deadLetterCount: l.deadLetterCount, firstFailedAt: l.firstFailedAt, lastFailedAt: l.lastFailedAt, replayedAt: l.replayedAt, correlationId: l.correlationId, event: l.event,
      failureKind: l.failureKind, autoReplays: l.autoReplays, lastAutoReplayAt: l.lastAutoReplayAt, manualReviewReason: l.manualReviewReason,
    })) });
  });

  router.post('/api/admin/dead-letters/replay', admin, async (req, res) => {
    const body = replayTopicBody.parse(req.body ?? {});
    const requestedBy = requester(req, body.requestedBy);
    const results = await deps.replayer.replayTopic(body.topic, body.limit);
    deps.logger?.info({ topic: body.topic, requestedBy, replayed: results.length }, 'dead letters of a topic replayed by an admin');
    res.status(202).json({ topic: body.topic, replayed: results.filter((r) => r.status === 'REPLAYING').length, results, ...(requestedBy ? { requestedBy } : {}) });
  });

  router.post('/api/admin/dead-letters/:id/replay', admin, async (req, res) => {
    const id = uuid.parse(req.params.id);
    const requestedBy = headerActor(req);
    const result = await deps.replayer.replay(id);
    if (result.status === 'NOT_FOUND') throw new AppError(404, 'DEAD_LETTER_NOT_FOUND', `No dead letter ${id}.`);
    if (result.status !== 'REPLAYING') throw new AppError(409, 'DEAD_LETTER_ALREADY_REPLAYED', `Dead letter ${id} is ${result.status}: nothing to replay.`);
    deps.logger?.info({ deadLetterId: id, requestedBy }, 'dead letter replayed by an admin');
    res.status(202).json({ ...result, ...(requestedBy ? { requestedBy } : {}) });
  });

  router.get('/api/admin/refunds', admin, async (req, res) => {
    const query = refundQuery.parse(req.query);
    const jobs = await deps.refunds.list(query.status, query.limit);
    res.json({ refunds: jobs.map(({ event: _event, ...job }) => job) });
  });

  router.post('/api/admin/refunds/:id/retry', admin, async (req, res) => {
    const id = uuid.parse(req.params.id);
    const requestedBy = headerActor(req);
    const job = await deps.refunds.find(id);
    if (!job) throw new AppError(404, 'REFUND_NOT_FOUND', `No refund ${id}.`);
    if (job.status !== 'FAILED') throw new AppError(409, 'REFUND_NOT_IN_MANUAL_REVIEW', `Refund ${id} is ${job.status}; only a FAILED refund can be retried.`);
    // A failed refund always went through the dead-letter store: replaying it re-queues the job and tracks the replay.
    const letter = await deps.deadLetters.findByEvent('refund.requested', job.eventId);
    if (!letter) throw new AppError(409, 'REFUND_NOT_REPLAYABLE', `Refund ${id} has no dead letter to replay.`);
    const result = await deps.replayer.replay(letter.id);
    if (result.status !== 'REPLAYING') throw new AppError(409, 'REFUND_NOT_REPLAYABLE', `Refund ${id}'s dead letter is ${result.status}.`);
    deps.logger?.info({ refundId: id, deadLetterId: letter.id, requestedBy }, 'refund retried by an admin');
    res.status(202).json({ refundId: id, status: 'PENDING', deadLetterId: letter.id, replay: result.status, ...(requestedBy ? { requestedBy } : {}) });
  });

  // One notification with each of its attempts (seed 001: every attempt recorded, with the provider's answer).
  router.get('/api/admin/notifications/:id', admin, async (req, res) => {
    const id = uuid.parse(req.params.id);
    const row = await deps.notifications?.withAttempts(id);
    if (!row) throw new AppError(404, 'NOTIFICATION_NOT_FOUND', `No notification ${id}.`);
    res.json({
      id: row.id, key: row.key, kind: row.kind, channel: row.channel, topic: row.topic, eventId: row.eventId, bookingId: row.bookingId, showId: row.showId,
      recipient: row.recipient, status: row.status, attempts: row.attempts, lastError: row.lastError, providerMessageId: row.providerMessageId,
      nextAttemptAt: row.nextAttemptAt, createdAt: row.createdAt, sentAt: row.sentAt, correlationId: row.correlationId,
      attemptLog: row.attemptLog.map((a) => ({ attempt: a.attempt, at: a.at, outcome: a.outcome, providerStatus: a.providerStatus, providerAnswer: a.providerAnswer, error: a.error, nextAttemptAt: a.nextAttemptAt })),
    });
  });

  // Issue 13: the same message again to the same recipient, as a new notification queued like any (its own key, attempts, dead letter).
  router.post('/api/admin/notifications/:id/resend', admin, async (req, res) => {
    const id = uuid.parse(req.params.id);
    const body = resendBody.parse(req.body ?? {});
    const requestedBy = requester(req, body.requestedBy) ?? ADMIN_TOKEN_ACTOR;
    if (!deps.resender) throw new AppError(503, 'RESEND_NOT_QUEUED', 'Resending is not available here.');
    const answer = await deps.resender.resend(id, requestedBy);
    deps.logger?.info({ notificationId: id, resendId: answer.id, key: answer.key, requestedBy }, 'notification resent by an admin');
    res.status(202).json(answer);
  });

  router.get('/api/monitoring/delivery', admin, async (_req, res) => {
    res.json(await deps.monitoring.figures());
  });

  return router;
}
