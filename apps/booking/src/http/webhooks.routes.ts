/**
 * The payment provider's webhooks (POST /webhooks/payments and, as seed 004 names it, POST /webhooks/stripe:
 * Stripe's signature scheme) and the
 * admins' view of them (GET /api/admin/webhooks).
 */
import express, { Router } from 'express';
import { z } from 'zod';
import { AppError, assertSafeText, currentCorrelationId, requireAdmin } from '@holdfast/shared';
import { verifyWebhook } from '../domain/payment-webhooks';
import type { WebhooksRepository } from '../data/webhooks.repository';

export const WEBHOOK_PATH = '/webhooks/payments';
/** Seed 004's path for the same endpoint (a Stripe account configured from the document): same handler, same signature, same once-per-event. */
export const STRIPE_WEBHOOK_PATH = '/webhooks/stripe';

export interface PaymentWebhookDeps {
  webhooks: Pick<WebhooksRepository, 'receive'>;
  /** The signing secret, once read from the secret store at start-up; undefined before. */
  secret: () => string | undefined;
  toleranceSeconds: number;
}

/**
 * Mounted before the JSON parser: the signature covers the exact bytes received, so the body is
 * read raw (any content type) and parsed only once it is verified.
 */
export function paymentWebhookRouter(deps: PaymentWebhookDeps): Router {
  const router = Router();
  const receive: express.RequestHandler = async (req, res) => {
    const secret = deps.secret();
    // Between listening and reading the secret (the sidecar comes up after us): the provider retries.
    if (!secret) throw new AppError(503, 'WEBHOOK_NOT_READY', 'The webhook secret is not loaded yet; retry later.');
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const event = verifyWebhook(raw, req.header('stripe-signature'), secret, deps.toleranceSeconds);
    // This route is mounted before the shared text guard: a signed event whose id or any string
    // holds NUL or a lone surrogate would fail in webhook_events (jsonb), so it is a 400 naming the field.
    assertSafeText(event.payload, 'body');
    const receipt = await deps.webhooks.receive(event, currentCorrelationId());
    if (receipt.status === 'FAILED') {
      // Recorded FAILED (GET /api/admin/webhooks?status=FAILED); a 5xx makes the provider deliver it again, and a redelivery processes it again.
      throw new AppError(500, 'WEBHOOK_PROCESSING_FAILED', receipt.error ?? 'The event could not be processed.', { eventId: event.id });
    }
    res.json(receipt.duplicate ? { received: true, duplicate: true } : { received: true, status: receipt.status });
  };
  for (const path of [WEBHOOK_PATH, STRIPE_WEBHOOK_PATH]) router.post(path, express.raw({ type: () => true, limit: '512kb' }), receive);
  return router;
}

export const listQuery = z.object({
  status: z.enum(['PROCESSED', 'IGNORED', 'FAILED']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
}).strict();

export function webhooksAdminRouter(deps: { webhooks: Pick<WebhooksRepository, 'list'>; adminToken: string }): Router {
  const router = Router();
  /** Recorded events, newest first: the FAILED ones are what an operator looks at. */
  router.get('/api/admin/webhooks', requireAdmin(deps.adminToken), async (req, res) => {
    const query = listQuery.parse(req.query);
    const events = await deps.webhooks.list(query);
    res.json({
      events: events.map((e) => ({
        id: e.id, type: e.type, status: e.status, error: e.error, deliveries: e.deliveries, receivedAt: e.receivedAt, processedAt: e.processedAt, payload: e.payload,
      })),
    });
  });
  return router;
}
