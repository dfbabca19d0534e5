/** A show's pricing and seating policy, and the fingerprints holds carry to detect a change. */
import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * Money bounds. Amounts are minor units in PostgreSQL `integer` (int4) columns (bookings.amount,
 * booking_seats.price, payments.amount, concession_orders.amount: shared/prisma/schema.prisma),
 * whose largest value is 2,147,483,647. A seat costs at most MAX_SEAT_PRICE_MINOR = 1,000,000 minor
 * units (10,000.00 EUR: above any box office's dearest seat), and a hold takes at most
 * MAX_SEATS_PER_HOLD = 50 seats, so a hold's seats cost at most 50,000,000. With the concessions of
 * one booking (pricing.ts: MAX_BOOKING_TOTAL_MINOR) the largest booking total is 90,000,000
 * (900,000.00 EUR): far below the column's limit, and below the 99,999,999 a card payment provider
 * such as Stripe takes in one charge. Checked where a price comes in (the show's
 * policy, a concession's price), so no total computed from them can overflow a column.
 */
export const INT4_MAX = 2_147_483_647;
export const MAX_SEAT_PRICE_MINOR = 1_000_000;
export const MAX_SEATS_PER_HOLD = 50;

const seatPrice = z.number().int().min(1).max(MAX_SEAT_PRICE_MINOR, `at most ${MAX_SEAT_PRICE_MINOR} minor units`);

export const policySchema = z.object({
  currency: z.string().length(3).default('EUR'),
  /** Price in minor units (cents) per zone: 1 to MAX_SEAT_PRICE_MINOR. */
  zonePrices: z.record(z.string(), seatPrice).default({}),
  /** Price of a seat whose zone has none in zonePrices: 1 to MAX_SEAT_PRICE_MINOR. */
  defaultPrice: seatPrice.default(2500),
  /** Largest number of seats one hold may take. */
  maxSeatsPerHold: z.number().int().min(1).max(MAX_SEATS_PER_HOLD).default(10),
}).strict();
export type Policy = z.infer<typeof policySchema>;

/** JSON with sorted keys, so equal policies hash equal however they were written. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function fingerprint(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 32);
}

/** Equal for the same terms however they were written: a re-save of identical terms is not a change. */
export const policyHash = (policy: Policy) => fingerprint(policy);

export interface PolicyChange {
  /** The changed term, as a dotted path (`zonePrices.front`, `maxSeatsPerHold`). */
  path: string;
  /** Absent when the term was added (or removed, for `to`). */
  from?: unknown;
  to?: unknown;
}

/** What changed between two policies, term by term (sorted by path): the "hash diff" an admin reads. */
export function policyChanges(before: unknown, after: unknown): PolicyChange[] {
  const flat = (value: unknown, prefix: string, out: Map<string, unknown>) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) flat(v, prefix ? `${prefix}.${k}` : k, out);
    } else if (prefix) out.set(prefix, value);
    return out;
  };
  const a = flat(before, '', new Map());
  const b = flat(after, '', new Map());
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  return paths
    .filter((path) => canonicalJson(a.get(path)) !== canonicalJson(b.get(path)))
    .map((path) => ({ path, ...(a.has(path) ? { from: a.get(path) } : {}), ...(b.has(path) ? { to: b.get(path) } : {}) }));
}
