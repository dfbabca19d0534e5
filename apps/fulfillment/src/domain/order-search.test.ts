import { createdAtRange, intersect, statusesOf } from './order-search';

describe('the document\'s search attributes', () => {
  it('when createdAt is a date, then it means that whole UTC day', () => {
    expect(createdAtRange('2026-01-28')).toEqual({ from: new Date('2026-01-28T00:00:00.000Z'), to: new Date('2026-01-28T23:59:59.999Z') });
  });

  it('when createdAt is a range of dates or date-times, open on either side, then both ends are inclusive', () => {
    expect(createdAtRange('2026-01-01..2026-01-31')).toEqual({ from: new Date('2026-01-01T00:00:00.000Z'), to: new Date('2026-01-31T23:59:59.999Z') });
    expect(createdAtRange('2026-01-28T10:00:00Z..')).toEqual({ from: new Date('2026-01-28T10:00:00.000Z'), to: undefined });
    expect(createdAtRange('..2026-01-28T10:00:00.000Z')).toEqual({ from: undefined, to: new Date('2026-01-28T10:00:00.000Z') });
  });

  it('when createdAt is not a date or a range, or ends before it starts, or leaves years 1-9999, then it throws', () => {
    for (const bad of ['yesterday', '2026-01-28T10:00:00Z', '..', '2026-02-01..2026-01-01', '1..2..3', '10000-01-01..', '12345']) {
      expect(() => createdAtRange(bad)).toThrow();
    }
  });

  it('when createdAt and from/to are both given, then the later start and the earlier end hold', () => {
    const range = intersect(createdAtRange('2026-01-01..2026-01-31'), { from: new Date('2026-01-10T00:00:00Z') });
    expect(range).toEqual({ from: new Date('2026-01-10T00:00:00Z'), to: new Date('2026-01-31T23:59:59.999Z') });
    expect(intersect({}, {})).toEqual({ from: undefined, to: undefined });
  });

  it('when orderStatus is the document\'s pending, then it finds orders waiting; any other status is itself', () => {
    expect(statusesOf('pending')).toContain('awaiting_approval');
    expect(statusesOf('shipped')).toEqual(['shipped']);
  });
});
