/**
 * The payment provider's webhooks, Stripe's scheme: verifying a delivery (its `Stripe-Signature`
 * over the exact bytes received, with Stripe's own library) and reading what we act on from an
 * event. Pure: the secret, the tolerance and the time are given.
 */
import Stripe from 'stripe';
import { z } from 'zod';
import { AppError } from '@holdfast/shared';

/** The event types we act on; any other verified event is recorded IGNORED. */
export const HANDLED_EVENT_TYPES = ['charge.refunded'] as const;

export interface VerifiedEvent {
  id: string;
  type: string;
  /** The whole event as sent, kept in webhook_events.payload. */
  payload: Record<string, unknown>;
}

const eventSchema = z.object({ id: z.string().min(1).max(255), type: z.string().min(1).max(255) }).passthrough();

/** The `t=` of a Stripe-Signature header, read as Stripe's library reads it (the last one wins). */
function signatureTimestamp(header: string): number | undefined {
  let timestamp: number | undefined;
  for (const item of header.split(',')) {
    const [key, value] = item.split('=');
    if (key === 't') timestamp = parseInt(value ?? '', 10);
  }
  return timestamp === undefined || Number.isNaN(timestamp) ? undefined : timestamp;
}

/**
 * Checks the signature and its age, either way (`toleranceSeconds` in the past or in the future) and parses the event. Any failure is a
 * 400 `WEBHOOK_SIGNATURE_INVALID` (reason MISSING_HEADER, TIMESTAMP_OUTSIDE_TOLERANCE or
 * SIGNATURE_MISMATCH) or, for a correctly signed body that is not an event, `WEBHOOK_PAYLOAD_INVALID`.
 */
export function verifyWebhook(raw: Buffer, header: string | undefined, secret: string, toleranceSeconds: number, nowMs?: number): VerifiedEvent {
  if (!header) throw new AppError(400, 'WEBHOOK_SIGNATURE_INVALID', 'The Stripe-Signature header is missing.', { reason: 'MISSING_HEADER' });
  let event: unknown;
  try {
    event = Stripe.webhooks.constructEvent(raw, header, secret, toleranceSeconds, undefined, nowMs);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
      const reason = /tolerance/i.test(message) ? 'TIMESTAMP_OUTSIDE_TOLERANCE' : 'SIGNATURE_MISMATCH';
      throw new AppError(400, 'WEBHOOK_SIGNATURE_INVALID', message.split('\n')[0]!.trim(), { reason });
    }
    // Signed, but not JSON.
    throw new AppError(400, 'WEBHOOK_PAYLOAD_INVALID', 'The signed body is not a JSON event.');
  }
  // Stripe's library refuses only signatures older than the tolerance; one dated later than now by
  // more than that (a skewed or forged clock) is refused too: it would stay replayable until then.
  const signedAt = signatureTimestamp(header);
  const nowSeconds = Math.floor((nowMs ?? Date.now()) / 1000);
  if (signedAt !== undefined && signedAt - nowSeconds > toleranceSeconds) {
    throw new AppError(400, 'WEBHOOK_SIGNATURE_INVALID', 'Timestamp outside the tolerance zone (in the future)', { reason: 'TIMESTAMP_OUTSIDE_TOLERANCE' });
  }
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success) throw new AppError(400, 'WEBHOOK_PAYLOAD_INVALID', 'The signed body is not an event (id and type are required).');
  return { id: parsed.data.id, type: parsed.data.type, payload: parsed.data as Record<string, unknown> };
}

export interface RefundNotice {
  refundId: string;
  bookingId: string;
  amount: number | null;
  currency: string | null;
}

const refundSchema = z.object({
  data: z.object({
    object: z.object({
      id: z.string().min(1).max(255),
      amount: z.number().int().optional(),
      currency: z.string().optional(),
      metadata: z.object({ bookingId: z.string().uuid() }).passthrough(),
    }).passthrough(),
  }),
});

/**
 * What a `charge.refunded` event says: which refund, of which booking (`data.object.metadata.bookingId`,
 * set by whoever asked for the refund). An error string when the event does not say it.
 */
export function refundNotice(payload: unknown): { ok: true; value: RefundNotice } | { ok: false; error: string } {
  const parsed = refundSchema.safeParse(payload);
  if (!parsed.success) {
    return { ok: false, error: `not a usable charge.refunded event: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
  }
  const refund = parsed.data.data.object;
  return { ok: true, value: { refundId: refund.id, bookingId: refund.metadata.bookingId, amount: refund.amount ?? null, currency: refund.currency ?? null } };
}
