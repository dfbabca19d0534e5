/**
 * What a client may ask of a hold: ids and intents only. Prices, zones, the policy and the
 * concessions' prices are never part of a request; the HoldActor reads them from the system of
 * record (so a caller that reaches the actor some other way cannot set its own price).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { emailAddress } from '@holdfast/shared';
import { DEFAULT_HOLD_TTL_SECONDS, MAX_HOLD_TTL_SECONDS, MIN_HOLD_TTL_SECONDS } from './hold';

export const placeHoldSchema = z.object({
  seatIds: z.array(z.string().min(1).max(64)).min(1).max(50).refine((ids) => new Set(ids).size === ids.length, 'seatIds must not repeat'),
  customerId: z.string().trim().min(1).max(100),
  customerEmail: emailAddress(),
  customerPhone: z.string().regex(/^\+[1-9][0-9]{6,14}$/, 'an E.164 phone number such as +4915112345678').optional(),
  ttlSeconds: z.number().int().min(MIN_HOLD_TTL_SECONDS).max(MAX_HOLD_TTL_SECONDS).default(DEFAULT_HOLD_TTL_SECONDS),
}).strict();
export type PlaceHoldInput = z.infer<typeof placeHoldSchema>;

export const confirmSchema = z.object({
  payment: z.object({ token: z.string().min(1).max(200) }).strict(),
  concessions: z.array(z.object({ sku: z.string().min(1).max(64), quantity: z.number().int().min(1).max(20) }).strict()).max(20).default([]),
}).strict();

export const idempotencyKeySchema = z.string().min(8).max(200);

/** The HoldActor's `place`: the request's intents and the show they are for. */
export const placeHoldCommandSchema = placeHoldSchema.extend({
  showId: z.string().uuid(),
  /**
   * When the caller stops waiting: a placement that cannot commit by then commits nothing (a hold
   * the client was told failed must not hold seats). Set by the route, below its own timeout.
   */
  placeBy: z.string().datetime().optional(),
}).strict();
export type PlaceHoldCommand = z.infer<typeof placeHoldCommandSchema>;

/** The HoldActor's `confirm`: which payment, which concessions, and the confirmation's key. */
export const confirmHoldCommandSchema = z.object({
  idempotencyKey: idempotencyKeySchema,
  paymentToken: z.string().min(1).max(200),
  concessions: confirmSchema.shape.concessions,
}).strict();
export type ConfirmHoldCommand = z.infer<typeof confirmHoldCommandSchema>;

/**
 * The hold id of a placement sent with an Idempotency-Key: the same key for the same show and
 * customer always names the same HoldActor, so a retried request finds the hold its first try
 * made (a UUID shape, version nibble 8: "custom", RFC 9562).
 */
export function holdIdForKey(showId: string, customerId: string, key: string): string {
  const hex = createHash('sha256').update(JSON.stringify(['hold', showId, customerId, key])).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Whether an existing hold is the one this placement asks for (a retry), not another request under the same id. */
export function samePlacement(hold: { showId: string; customerId: string; seatIds: string[] }, command: Pick<PlaceHoldCommand, 'showId' | 'customerId' | 'seatIds'>): boolean {
  return hold.showId === command.showId && hold.customerId === command.customerId
    && [...hold.seatIds].sort().join('\n') === [...command.seatIds].sort().join('\n');
}

/** How a box office took the money (seed 004's offline payments). */
export const OFFLINE_PAYMENT_METHODS = ['cash', 'card_terminal', 'transfer'] as const;
export type OfflinePaymentMethod = (typeof OFFLINE_PAYMENT_METHODS)[number];

/** Within this long, the same hold and amount recorded again is the same payment (seed 004). */
export const OFFLINE_PAYMENT_DEDUP_MS = 5 * 60_000;

/**
 * What the box office sends (admin token): how it was paid, how much (minor units, the booking's
 * `amount`), who took it. `staffId` is the design document's name for `recordedBy`: one of the two
 * is required (a union, so the OpenAPI document generated from it says so too).
 */
const offlinePaymentFields = {
  method: z.enum(OFFLINE_PAYMENT_METHODS),
  amount: z.number().int().min(0).max(100_000_000),
  reference: z.string().min(1).max(200).regex(/\S/, 'must not be blank').optional(),
  /** The document's form names the booking: here the hold that becomes it; when sent it must be the path's hold. */
  bookingId: z.string().uuid().optional(),
};
const staffIdSchema = z.string().min(1).max(100).regex(/\S/, 'must not be blank');
export const offlinePaymentSchema = z.union([
  z.object({ ...offlinePaymentFields, recordedBy: staffIdSchema, staffId: staffIdSchema.optional() }).strict(),
  z.object({ ...offlinePaymentFields, staffId: staffIdSchema }).strict(),
]);
export type OfflinePaymentInput = z.infer<typeof offlinePaymentSchema>;

/** The HoldActor's `confirmOffline`: intents only (the price is read by the actor). */
export const confirmOfflineCommandSchema = z.object({
  method: z.enum(OFFLINE_PAYMENT_METHODS),
  amount: z.number().int().min(0),
  recordedBy: z.string().min(1).max(100),
  reference: z.string().min(1).max(200).optional(),
}).strict();
export type ConfirmOfflineCommand = z.infer<typeof confirmOfflineCommandSchema>;

/** Whether an offline payment recorded at `recordedAtMs` is the one a request at `nowMs` for `amount` repeats. */
export function isSameOfflinePayment(recorded: { amount: number; recordedAt: string }, amount: number, nowMs: number): boolean {
  return recorded.amount === amount && nowMs - Date.parse(recorded.recordedAt) < OFFLINE_PAYMENT_DEDUP_MS;
}

/** The namespace of offline payment ids (a fixed random UUID: name-based ids under it are ours alone). */
const OFFLINE_PAYMENT_NAMESPACE = '6f0d3c1e-2b7a-4c59-9e18-4a5b7d2c8f31';

/**
 * The id of a hold's offline payment: a name-based UUID (RFC 9562 v5, SHA-1) of the hold id, so a
 * HoldActor turn retried after bookings.confirm committed names the same payment the database holds.
 * A hold is paid once, so one id per hold is enough. Pure.
 */
export function offlinePaymentIdOf(holdId: string): string {
  const ns = Buffer.from(OFFLINE_PAYMENT_NAMESPACE.replace(/-/g, ''), 'hex');
  const bytes = createHash('sha1').update(ns).update(holdId, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** What the hold's expiry reminder carries: enough to give the seats back when the hold itself was never recorded. */
export interface ExpiryReminderData {
  showId: string;
  seatIds: string[];
  /** The reminder's own name (the SDK does not pass it to receiveReminder); absent on reminders named 'expire'. */
  reminder?: string;
}
const expiryReminderDataSchema = z.object({ showId: z.string().min(1), seatIds: z.array(z.string().min(1)).min(1), reminder: z.string().min(1).max(100).optional() });

/**
 * The reminder's data as the runtime hands it back: the object registered, or its JSON text (plain
 * or base64, depending on the runtime's reminder store). Undefined when it is none of those (a
 * reminder registered before it carried data).
 */
export function parseExpiryReminderData(raw: unknown): ExpiryReminderData | undefined {
  const candidates: unknown[] = [raw];
  if (typeof raw === 'string') {
    for (const text of [raw, Buffer.from(raw, 'base64').toString('utf8')]) {
      try {
        candidates.push(JSON.parse(text));
      } catch {
        // not this encoding
      }
    }
  }
  for (const candidate of candidates) {
    const parsed = expiryReminderDataSchema.safeParse(candidate);
    if (parsed.success) return parsed.data;
  }
  return undefined;
}
