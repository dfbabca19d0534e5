import { groupByAggregate, planRelay } from './outbox-relay';
import { toCloudEvent } from './publisher';

describe('the outbox relay', () => {
  it('when a batch mixes aggregates, then each aggregate keeps its own order', () => {
    const rows = [
      { aggregate_id: 'a', seq: 1 }, { aggregate_id: 'b', seq: 2 }, { aggregate_id: 'a', seq: 3 }, { aggregate_id: 'c', seq: 4 }, { aggregate_id: 'b', seq: 5 },
    ];
    expect(groupByAggregate(rows).map((g) => g.map((r) => r.seq))).toEqual([[1, 3], [2, 5], [4]]);
  });

  it('when a round has aggregates with one event and with several, then the single ones go in bulk by topic, at most the limit a request, and the others one by one in their order', () => {
    const rows = [
      { aggregate_id: 'b1', type: 'booking.confirmed', seq: 1 }, { aggregate_id: 'h1', type: 'booking.hold.created', seq: 2 },
      { aggregate_id: 'b2', type: 'booking.confirmed', seq: 3 }, { aggregate_id: 'b3', type: 'booking.confirmed', seq: 4 },
      { aggregate_id: 'b4', type: 'booking.confirmed', seq: 5 }, { aggregate_id: 'h1', type: 'booking.hold.expired', seq: 6 },
    ];
    const plan = planRelay(rows, 2);
    expect(plan.bulk.map((request) => request.map((r) => r.seq))).toEqual([[1, 3], [4, 5]]);
    expect(plan.ordered.map((group) => group.map((r) => r.seq))).toEqual([[2, 6]]);
    expect(planRelay([], 100)).toEqual({ bulk: [], ordered: [] });
  });

  it('when an event becomes a CloudEvent, then its id is the outbox id and the correlation id travels in data and as an attribute', () => {
    const event = toCloudEvent({ id: 'e-1', type: 'booking.confirmed', subject: 'b-1', source: 'holdfast/outbox', time: new Date('2026-01-01T00:00:00Z'), data: { bookingId: 'b-1' }, correlationId: 'c-1', extensions: { sequence: '7' } });
    expect(event).toEqual({
      specversion: '1.0', id: 'e-1', source: 'holdfast/outbox', type: 'booking.confirmed', subject: 'b-1', time: '2026-01-01T00:00:00.000Z',
      datacontenttype: 'application/json', data: { bookingId: 'b-1', correlationId: 'c-1' }, correlationid: 'c-1', sequence: '7',
    });
  });
});
