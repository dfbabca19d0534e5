import {
  canCancel, cancellationAnswerSchema, cancellationProgress, confirmationMatches, createShowBody, refundPromise, seatCounts, seatName, seatRows, splitShows,
  type SeatView,
} from './domain';

const NOW = new Date('2030-01-01T12:00:00Z');
const seat = (row: string, number: number, status: SeatView['status']): SeatView => ({ id: `FLOOR-${row}-${number}`, label: `Floor ${row}${number}`, section: 'Floor', row, number, status });

describe('seat map', () => {
  it('counts sold, held and available seats', () => {
    expect(seatCounts([seat('A', 1, 'SOLD'), seat('A', 2, 'HELD'), seat('A', 3, 'HELD'), seat('A', 4, 'AVAILABLE')])).toEqual({ sold: 1, held: 2, available: 1, total: 4 });
  });

  it('names a seat with its label and status in words', () => {
    expect(seatName(seat('A', 1, 'HELD'))).toBe('Floor A1 held');
  });

  it('lays seats out by section and row, numbered in order', () => {
    const rows = seatRows([seat('B', 2, 'SOLD'), seat('A', 2, 'AVAILABLE'), seat('A', 1, 'HELD'), seat('B', 1, 'AVAILABLE')]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.rows.map((r) => [r.row, r.seats.map((s) => s.number)])).toEqual([['B', [1, 2]], ['A', [1, 2]]]);
  });
});

describe('shows list', () => {
  it('splits upcoming (soonest first) from past (latest first)', () => {
    const shows = [{ startsAt: '2030-01-03T00:00:00Z' }, { startsAt: '2029-12-01T00:00:00Z' }, { startsAt: '2030-01-02T00:00:00Z' }, { startsAt: '2029-12-31T00:00:00Z' }];
    const { upcoming, past } = splitShows(shows, NOW);
    expect(upcoming.map((s) => s.startsAt)).toEqual(['2030-01-02T00:00:00Z', '2030-01-03T00:00:00Z']);
    expect(past.map((s) => s.startsAt)).toEqual(['2029-12-31T00:00:00Z', '2029-12-01T00:00:00Z']);
  });
});

describe('cancel dialog', () => {
  it('offers cancel only for a show on sale that has not started', () => {
    expect(canCancel({ status: 'ON_SALE', startsAt: '2030-01-02T00:00:00Z' }, NOW)).toBe(true);
    expect(canCancel({ status: 'CANCELLED', startsAt: '2030-01-02T00:00:00Z' }, NOW)).toBe(false);
    expect(canCancel({ status: 'ON_SALE', startsAt: '2029-01-02T00:00:00Z' }, NOW)).toBe(false);
  });

  it('promises refunds only above the threshold, saying the threshold', () => {
    expect(refundPromise(200, 200)).toEqual({ refunds: false, sentence: expect.stringContaining('not more than 200, so no refunds') });
    expect(refundPromise(201, 200)).toEqual({ refunds: true, sentence: expect.stringContaining('201 tickets sold: more than 200, so every booking will be refunded') });
    expect(refundPromise(1, 200).sentence).toMatch(/^1 ticket sold/);
  });

  it('accepts the title typed with other case and spaces, nothing else', () => {
    expect(confirmationMatches('Night Train', '  night train ')).toBe(true);
    expect(confirmationMatches('Night Train', 'Night')).toBe(false);
  });
});

describe('create form', () => {
  const form = { title: 'Night Train', venueName: 'Hall', startsAt: '2030-02-01T20:00', sectionName: 'Floor', zone: 'floor', rows: '2', seatsPerRow: '3', price: '45.50' };

  it("becomes booking's body: rows A.., the start in UTC, the price in cents", () => {
    const result = createShowBody(form, NOW);
    expect(result).toEqual({ ok: true, body: {
      title: 'Night Train', startsAt: '2030-02-01T20:00:00.000Z',
      venue: { name: 'Hall', sections: [{ name: 'Floor', zone: 'floor', rows: [{ label: 'A', seats: 3 }, { label: 'B', seats: 3 }] }] },
      policy: { currency: 'EUR', defaultPrice: 4550, zonePrices: { floor: 4550 } },
    } });
  });

  it('answers a sentence per field that is wrong', () => {
    const result = createShowBody({ ...form, title: ' ', rows: '27', price: 'x' }, NOW);
    expect(result).toEqual({ ok: false, errors: { title: 'Give the show a title.', rows: 'At most 26 rows (A to Z).', price: 'Give the price of a seat.' } });
  });

  it('refuses a start in the past', () => {
    expect(createShowBody({ ...form, startsAt: '2029-02-01T20:00' }, NOW)).toEqual({ ok: false, errors: { startsAt: 'The start must be in the future.' } });
  });
});

describe('cancellation progress', () => {
  const answer = (over: { smsPending?: number; refundPending?: number; cleanup?: string } = {}) => cancellationAnswerSchema.parse({
    showId: 's', status: 'CANCELLED', ticketsSold: 3, bookings: 3, refundThreshold: 200, reason: 'r', cancelledAt: NOW.toISOString(), smsQueued: 3, emailsQueued: 3, refundsQueued: 1,
    delivery: {
      messages: { sent: 5, failed: 0, sms: { queued: 3, sent: 3 - (over.smsPending ?? 0), failed: 0, pending: over.smsPending ?? 0 }, email: { queued: 3, sent: 2, failed: 1, pending: 0 } },
      refunds: { queued: 1, processed: 0, failed: 1 - (over.refundPending ?? 0), manualReview: 1 - (over.refundPending ?? 0), pending: over.refundPending ?? 0 },
    },
    cleanup: { status: over.cleanup ?? 'COMPLETED', holdsReleased: 0, kitchenOrdersCancelled: 0 },
  });

  it('is done when every message and refund has an answer (failures included) and the clean-up completed', () => {
    expect(cancellationProgress(answer())).toMatchObject({ done: true, state: 'Done.', email: { sent: 2, failed: 1 }, refunds: { failed: 1, manualReview: 1 } });
  });

  it('is not done while an SMS or a refund is pending or the clean-up runs', () => {
    expect(cancellationProgress(answer({ smsPending: 1 })).done).toBe(false);
    expect(cancellationProgress(answer({ refundPending: 1 })).done).toBe(false);
    expect(cancellationProgress(answer({ cleanup: 'RUNNING' }))).toMatchObject({ done: false, state: 'In progress.' });
  });
});
