import { buildSeatMap, venueInputSchema } from './seat-map';

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
});
