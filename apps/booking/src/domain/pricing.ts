/** What a hold costs under a policy: one line per seat, by its zone. */
import type { Policy } from './policy';

export interface PricedSeat {
  seatId: string;
  zone: string;
  price: number;
}

export function priceSeats(policy: Policy, seats: Array<{ id: string; zone: string }>): { seats: PricedSeat[]; total: number; currency: string } {
  const priced = seats.map((s) => ({ seatId: s.id, zone: s.zone, price: policy.zonePrices[s.zone] ?? policy.defaultPrice }));
  return { seats: priced, total: priced.reduce((sum, s) => sum + s.price, 0), currency: policy.currency };
}
