import { grantSeats, releaseSeats, seatStatus, type ShowSeats } from './seat-allocation';

const known = new Set(['A-1', 'A-2', 'A-3']);

describe('seat allocation', () => {
  it('when all requested seats are free, then they are all granted to the hold', () => {
    const result = grantSeats({}, 'h1', ['A-1', 'A-2'], known);
    expect(result.granted).toBe(true);
    if (result.granted) expect(seatStatus(result.seats, 'A-2')).toBe('HELD');
  });

  it('when one requested seat is taken, then none is granted and the taken one is named', () => {
    const seats: ShowSeats = { 'A-2': { holdId: 'h0', kind: 'SOLD' } };
    expect(grantSeats(seats, 'h1', ['A-1', 'A-2'], known)).toEqual({ granted: false, reason: 'SEAT_UNAVAILABLE', seatIds: ['A-2'] });
  });

  it('when a seat does not exist, then the grant fails naming it', () => {
    expect(grantSeats({}, 'h1', ['A-1', 'Z-9'], known)).toEqual({ granted: false, reason: 'UNKNOWN_SEATS', seatIds: ['Z-9'] });
  });

  it('when the same hold asks again, then it is granted again (idempotent)', () => {
    const first = grantSeats({}, 'h1', ['A-1'], known);
    expect(first.granted && grantSeats(first.seats, 'h1', ['A-1'], known).granted).toBe(true);
  });

  it('when a confirmed hold\'s placement is retried, then its sold seat is granted again but stays sold', () => {
    const seats: ShowSeats = { 'A-1': { holdId: 'h1', kind: 'SOLD' } };
    const again = grantSeats(seats, 'h1', ['A-1', 'A-2'], known);
    expect(again.granted && [seatStatus(again.seats, 'A-1'), seatStatus(again.seats, 'A-2')]).toEqual(['SOLD', 'HELD']);
  });

  it('when a hold is released, then its held seats are free and sold seats stay sold', () => {
    const seats: ShowSeats = { 'A-1': { holdId: 'h1', kind: 'HELD' }, 'A-2': { holdId: 'h1', kind: 'SOLD' }, 'A-3': { holdId: 'h2', kind: 'HELD' } };
    const { seats: after, released } = releaseSeats(seats, 'h1');
    expect(released).toEqual(['A-1']);
    expect([seatStatus(after, 'A-1'), seatStatus(after, 'A-2'), seatStatus(after, 'A-3')]).toEqual(['AVAILABLE', 'SOLD', 'HELD']);
  });
});
