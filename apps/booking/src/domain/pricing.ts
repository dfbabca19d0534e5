/** What a hold costs under a policy: one line per seat, by its zone. */
import { MAX_SEAT_PRICE_MINOR, MAX_SEATS_PER_HOLD, type Policy } from './policy';

/** A concession item (a drink, a programme) costs at most 1,000.00 EUR: the catalogue refuses more. */
export const MAX_CONCESSION_PRICE_MINOR = 100_000;
/**
 * Concession units one booking may order: the confirmation takes at most 20 lines of at most 20 each
 * (holds.routes.ts confirmSchema; a repeated sku adds up, so 400 of one item). pricing.test.ts checks
 * the schema still says so.
 */
export const MAX_CONCESSION_UNITS_PER_BOOKING = 20 * 20;
/** The largest total a booking can reach: 90,000,000 minor units, far below int4's 2,147,483,647 (policy.ts). */
export const MAX_BOOKING_TOTAL_MINOR = MAX_SEATS_PER_HOLD * MAX_SEAT_PRICE_MINOR + MAX_CONCESSION_UNITS_PER_BOOKING * MAX_CONCESSION_PRICE_MINOR;

export interface PricedSeat {
  seatId: string;
  zone: string;
  price: number;
}

export function priceSeats(policy: Policy, seats: Array<{ id: string; zone: string }>): { seats: PricedSeat[]; total: number; currency: string } {
  const priced = seats.map((s) => ({ seatId: s.id, zone: s.zone, price: policy.zonePrices[s.zone] ?? policy.defaultPrice }));
  return { seats: priced, total: priced.reduce((sum, s) => sum + s.price, 0), currency: policy.currency };
}
