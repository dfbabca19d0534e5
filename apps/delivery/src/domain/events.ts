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

/** booking.hold.placed (the booking app's outbox, in the hold's commit): seed 001's "request received" email. */
export const holdPlacedSchema = z.object({
  holdId: z.string().uuid(),
  showId: z.string().uuid(),
  customerId: z.string().optional(),
  customerEmail: z.string().email(),
  seatIds: z.array(z.string()).min(1),
  expiresAt: z.string(),
  amount: z.number().int().nonnegative().optional(),
  currency: z.string().length(3).optional(),
  showTitle: z.string().optional(),
  startsAt: z.string().optional(),
  correlationId: z.string().optional(),
}).passthrough();
export type HoldPlaced = z.infer<typeof holdPlacedSchema>;

/** policy.escalated: a hold's policy kept changing past its re-quotes (seed 001): the admins are emailed. */
export const policyEscalatedSchema = z.object({
  escalationId: z.string().uuid(),
  holdId: z.string().uuid(),
  showId: z.string().uuid(),
  customerId: z.string(),
  customerEmail: z.string(),
  seatIds: z.array(z.string()),
  oldPolicyVersion: z.number().int(),
  newPolicyVersion: z.number().int(),
  oldPolicyHash: z.string(),
  newPolicyHash: z.string(),
  changes: z.array(z.object({ path: z.string(), from: z.unknown().optional(), to: z.unknown().optional() }).passthrough()),
  oldAmount: z.number().int().nullable(),
  newAmount: z.number().int(),
  currency: z.string(),
  recoveries: z.number().int(),
  showTitle: z.string().optional(),
  startsAt: z.string().optional(),
  createdAt: z.string().optional(),
}).passthrough();
export type PolicyEscalated = z.infer<typeof policyEscalatedSchema>;
