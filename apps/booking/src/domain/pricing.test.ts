import { INT4_MAX, MAX_SEAT_PRICE_MINOR, MAX_SEATS_PER_HOLD, policySchema } from './policy';
import { MAX_BOOKING_TOTAL_MINOR, MAX_CONCESSION_PRICE_MINOR, MAX_CONCESSION_UNITS_PER_BOOKING, priceSeats } from './pricing';
import { priceConcessions } from './concessions';
import { confirmSchema, placeHoldSchema } from '../http/holds.routes';
import { concessionItemSchema } from '../http/shows.routes';

const issuePaths = (result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[] }> } }) => result.error?.issues.map((i) => i.path.join('.'));

describe('money bounds', () => {
  it('when a policy names a seat price above 1,000,000 minor units (as a zone price or the default), then it is refused naming the field', () => {
    expect(issuePaths(policySchema.safeParse({ defaultPrice: 2_147_483_647 }))).toEqual(['defaultPrice']);
    expect(issuePaths(policySchema.safeParse({ zonePrices: { VIP: MAX_SEAT_PRICE_MINOR + 1, STALLS: 5000 } }))).toEqual(['zonePrices.VIP']);
    expect(issuePaths(policySchema.safeParse({ maxSeatsPerHold: MAX_SEATS_PER_HOLD + 1 }))).toEqual(['maxSeatsPerHold']);
    expect(policySchema.parse({ zonePrices: { VIP: MAX_SEAT_PRICE_MINOR }, defaultPrice: MAX_SEAT_PRICE_MINOR })).toMatchObject({ defaultPrice: MAX_SEAT_PRICE_MINOR });
  });

  it('when a concession is priced above 1,000.00, then the catalogue refuses it', () => {
    expect(issuePaths(concessionItemSchema.safeParse({ name: 'Champagne', price: MAX_CONCESSION_PRICE_MINOR + 1 }))).toEqual(['price']);
    expect(concessionItemSchema.parse({ name: 'Champagne', price: MAX_CONCESSION_PRICE_MINOR })).toMatchObject({ price: MAX_CONCESSION_PRICE_MINOR, active: true });
  });

  it('when a booking takes the most seats at the highest price and the most concessions at the highest price, then its total still fits an int4 column', () => {
    // The request schemas cap what one booking may take: as many seats as a policy allows, 20 concession lines of 20.
    expect(placeHoldSchema.safeParse({ seatIds: Array.from({ length: MAX_SEATS_PER_HOLD + 1 }, (_, i) => `A-${i}`), customerId: 'c', customerEmail: 'a@example.com' }).success).toBe(false);
    const lines = (n: number, quantity: number) => Array.from({ length: n }, () => ({ sku: 'BUBBLY', quantity }));
    expect(confirmSchema.safeParse({ payment: { token: 't' }, concessions: lines(20, 20) }).success).toBe(true);
    expect(confirmSchema.safeParse({ payment: { token: 't' }, concessions: lines(21, 1) }).success).toBe(false);
    expect(confirmSchema.safeParse({ payment: { token: 't' }, concessions: lines(1, 21) }).success).toBe(false);

    const policy = policySchema.parse({ defaultPrice: MAX_SEAT_PRICE_MINOR, maxSeatsPerHold: MAX_SEATS_PER_HOLD });
    const seats = priceSeats(policy, Array.from({ length: MAX_SEATS_PER_HOLD }, (_, i) => ({ id: `A-${i}`, zone: 'A' })));
    const concessions = priceConcessions(lines(20, 20), [{ sku: 'BUBBLY', name: 'Bubbly', price: MAX_CONCESSION_PRICE_MINOR, active: true }]);
    if (!concessions.ok) throw new Error('priced');
    expect(concessions.value.lines[0]!.quantity).toBe(MAX_CONCESSION_UNITS_PER_BOOKING);
    const worst = seats.total + concessions.value.total;
    expect(worst).toBe(MAX_BOOKING_TOTAL_MINOR);
    expect(MAX_BOOKING_TOTAL_MINOR).toBe(90_000_000);
    expect(MAX_BOOKING_TOTAL_MINOR).toBeLessThan(INT4_MAX);
  });
});
