import { prepStartsAt, priceConcessions } from './concessions';

const catalogue = [
  { sku: 'POPCORN', name: 'Popcorn', price: 450, active: true },
  { sku: 'WINE', name: 'Wine', price: 700, active: true },
  { sku: 'OLD', name: 'Retired', price: 100, active: false },
];

describe('concessions', () => {
  it('when an order repeats a sku, then quantities add up and the total is their price', () => {
    expect(priceConcessions([{ sku: 'POPCORN', quantity: 1 }, { sku: 'WINE', quantity: 2 }, { sku: 'POPCORN', quantity: 1 }], catalogue))
      .toEqual({ ok: true, value: { total: 2300, lines: [{ sku: 'POPCORN', quantity: 2, name: 'Popcorn', price: 450 }, { sku: 'WINE', quantity: 2, name: 'Wine', price: 700 }] } });
  });

  it('when an order names an unknown or retired sku, then it fails naming them', () => {
    expect(priceConcessions([{ sku: 'OLD', quantity: 1 }, { sku: 'CAVIAR', quantity: 1 }], catalogue)).toEqual({ ok: false, unknownSkus: ['OLD', 'CAVIAR'] });
  });

  it('when a show starts at 20:00 with a 45-minute lead, then prep starts at 19:15', () => {
    expect(prepStartsAt(new Date('2026-12-01T20:00:00Z'), 45).toISOString()).toBe('2026-12-01T19:15:00.000Z');
  });
});
