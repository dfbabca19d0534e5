import { bookingTimeline, type BookingFacts } from './timeline';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s));
const facts = (): BookingFacts => ({
  booking: { id: 'b1', holdId: 'h1', showId: 's1', status: 'CONFIRMED', amount: 2500, currency: 'EUR', customerEmail: 'c@example.com', createdAt: at(5) },
  show: { id: 's1', title: 'Hamlet' },
  audit: [
    { entity: 'hold', entityId: 'h1', action: 'placed', fromState: null, toState: 'ACTIVE', data: { seatIds: ['A1', 'A2'] }, correlationId: 'corr-1', at: at(1) },
    { entity: 'booking', entityId: 'b1', action: 'confirmed', fromState: null, toState: 'CONFIRMED', data: { holdId: 'h1', amount: 2500 }, correlationId: 'corr-1', at: at(5) },
  ],
  payments: [{ id: 'p1', method: 'CARD', authorizationId: 'auth_1', captureId: 'cap_1', refundId: null, amount: 2500, currency: 'EUR', status: 'CAPTURED', recordedBy: null, createdAt: at(5) }],
  outbox: [{ id: 'o1', type: 'booking.confirmed', correlationId: 'corr-1', createdAt: at(5), publishedAt: at(6) }],
  reviews: [],
});

describe('bookingTimeline', () => {
  it('when a booking was held, paid and confirmed, then each row is one event at its own time with its correlation id and provider ids', () => {
    const part = bookingTimeline(facts());
    expect(part.events.map((e) => [e.kind, e.at, e.correlationId])).toEqual([
      ['hold.placed', at(1).toISOString(), 'corr-1'],
      ['booking.confirmed', at(5).toISOString(), 'corr-1'],
      ['payment.captured', at(5).toISOString(), 'corr-1'],
      ['outbox.event', at(5).toISOString(), 'corr-1'],
    ]);
    const payment = part.events.find((e) => e.kind === 'payment.captured')!;
    expect(payment.providerId).toBe('cap_1');
    expect(payment.summary).toContain('auth_1');
    expect(part.related).toEqual(expect.arrayContaining([{ kind: 'show', id: 's1', label: 'Hamlet' }, expect.objectContaining({ kind: 'booking', id: 'b1' })]));
  });

  it('when a review was opened and resolved, then opened from its row and resolved once, from the audit line with who and the correlation id', () => {
    const f = facts();
    f.reviews = [{ id: 'r1', kind: 'REFUND', reason: 'refund refused', status: 'RESOLVED', createdAt: at(10), resolvedAt: at(20), resolvedBy: 'alice', resolution: 'paid by hand' }];
    f.audit.push({ entity: 'manual-review', entityId: 'r1', action: 'resolved', fromState: 'OPEN', toState: 'RESOLVED', data: { resolvedBy: 'alice', resolution: 'paid by hand', refundId: 're_1' }, correlationId: 'corr-2', at: at(20) });
    const events = bookingTimeline(f).events.filter((e) => e.kind.startsWith('manual-review'));
    expect(events.map((e) => [e.kind, e.at, e.actor, e.correlationId, e.providerId])).toEqual([
      ['manual-review.resolved', at(20).toISOString(), 'alice', 'corr-2', 're_1'],
      ['manual-review.opened', at(10).toISOString(), undefined, undefined, undefined],
    ]);
  });

  it('when a review is resolved with no audit line, then its row\'s resolvedAt tells it; a cancellation decision names its actor', () => {
    const f = facts();
    f.reviews = [{ id: 'r1', kind: 'REFUND', reason: 'x', status: 'RESOLVED', createdAt: at(10), resolvedAt: at(20), resolvedBy: 'bob', resolution: 'done' }];
    f.cancellation = { by: 'ADMIN', actor: 'carol', reason: 'ill', refundAmount: 1000, currency: 'EUR', createdAt: at(30) };
    const events = bookingTimeline(f).events;
    expect(events.find((e) => e.kind === 'manual-review.resolved')).toMatchObject({ at: at(20).toISOString(), actor: 'bob' });
    expect(events.find((e) => e.kind === 'cancellation.decided')).toMatchObject({ at: at(30).toISOString(), actor: 'carol' });
  });
});
