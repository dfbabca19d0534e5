import { buildSeatMap, seatIdSchema, venueInputSchema } from './seat-map';

describe('seat map', () => {
  const venue = venueInputSchema.parse({ name: 'Roxy', sections: [{ name: 'Stalls', zone: 'front', rows: [{ label: 'a', seats: 3 }] }, { name: 'Balcony', zone: 'upper', rows: [{ label: 'A', seats: 1 }] }] });

  it('when a venue is described, then every seat gets a stable id, a label and its row neighbours', () => {
    const seats = buildSeatMap(venue);
    expect(seats.map((s) => s.id)).toEqual(['STALLS-A-1', 'STALLS-A-2', 'STALLS-A-3', 'BALCONY-A-1']);
    expect(seats[1]).toMatchObject({ label: 'Stalls A2', zone: 'front', adjacentIds: ['STALLS-A-1', 'STALLS-A-3'] });
    expect(seats[3]!.adjacentIds).toEqual([]);
  });

  it('when two sections share a name, then the venue is rejected', () => {
    expect(venueInputSchema.safeParse({ name: 'X', sections: [{ name: 'A', zone: 'z', rows: [{ label: '1', seats: 1 }] }, { name: 'a', zone: 'z', rows: [{ label: '1', seats: 1 }] }] }).success).toBe(false);
  });

  it('when seat ids are made (longest names, spaces, 500 seats a row), then each matches seatIdSchema, and other text does not', () => {
    const wide = venueInputSchema.parse({ name: 'V', sections: [{ name: ` Upper  Circle ${'x'.repeat(35)} `, zone: 'z', rows: [{ label: 'aaaaaaaaaa', seats: 500 }, { label: '9', seats: 1 }] }] });
    for (const seat of buildSeatMap(wide)) expect([seat.id, seatIdSchema.safeParse(seat.id).success]).toEqual([seat.id, true]);
    for (const id of ['', 'STALLS-A-0', 'stalls-a-1', 'STALLS-A-1/x', 'STALLS-A-1\u000e']) expect([id, seatIdSchema.safeParse(id).success]).toEqual([id, false]);
  });
});
