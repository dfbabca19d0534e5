/** The events the delivery app consumes, as the booking app's outbox writes them (validated with zod). */
import { z } from 'zod';

const ticket = z.object({ seatId: z.string().min(1), seatLabel: z.string().optional(), qrPayload: z.string().min(1) });

export const bookingConfirmedSchema = z.object({
  bookingId: z.string().uuid(),
  showId: z.string().uuid(),
  customerEmail: z.string().email(),
  customerPhone: z.string().nullish(),
  amount: z.number().int().nonnegative(),
  currency: z.string().length(3),
  tickets: z.array(ticket).min(1),
  show: z.object({ title: z.string(), startsAt: z.string(), venue: z.string() }).optional(),
  correlationId: z.string().optional(),
}).passthrough();
export type BookingConfirmed = z.infer<typeof bookingConfirmedSchema>;

export const showCancelledNoticeSchema = z.object({
  bookingId: z.string().uuid(),
  showId: z.string().uuid(),
  reason: z.string(),
  customerEmail: z.string().email(),
  customerPhone: z.string().nullish(),
  refund: z.boolean(),
  amount: z.number().int().nonnegative(),
  currency: z.string().length(3),
  showTitle: z.string().optional(),
  startsAt: z.string().optional(),
  correlationId: z.string().optional(),
}).passthrough();
export type ShowCancelledNotice = z.infer<typeof showCancelledNoticeSchema>;

export const refundRequestedSchema = z.object({
  refundKey: z.string().min(1).max(200),
  bookingId: z.string().uuid(),
  showId: z.string().uuid().nullish(),
  amount: z.number().int().positive(),
  currency: z.string().length(3),
  /** What the refund gateway refunds: the payment's capture id. */
  paymentReference: z.string().min(1),
  reason: z.string().max(500).optional(),
  correlationId: z.string().optional(),
}).passthrough();
export type RefundRequested = z.infer<typeof refundRequestedSchema>;

export const refundAlertSchema = z.object({
  refundJobId: z.string(),
  bookingId: z.string(),
  amount: z.number(),
  currency: z.string(),
  lastError: z.string().nullish(),
}).passthrough();
