import { groupByAggregate } from './outbox-relay';
import { toCloudEvent } from './publisher';

describe('the outbox relay', () => {
  it('when a batch mixes aggregates, then each aggregate keeps its own order', () => {
    const rows = [
      { aggregate_id: 'a', seq: 1 }, { aggregate_id: 'b', seq: 2 }, { aggregate_id: 'a', seq: 3 }, { aggregate_id: 'c', seq: 4 }, { aggregate_id: 'b', seq: 5 },
    ];
    expect(groupByAggregate(rows).map((g) => g.map((r) => r.seq))).toEqual([[1, 3], [2, 5], [4]]);
  });

  it('when an event becomes a CloudEvent, then its id is the outbox id and the correlation id travels in data and as an attribute', () => {
    const event = toCloudEvent({ id: 'e-1', type: 'booking.confirmed', subject: 'b-1', source: 'holdfast/outbox', time: new Date('2026-01-01T00:00:00Z'), data: { bookingId: 'b-1' }, correlationId: 'c-1', extensions: { sequence: '7' } });
    expect(event).toEqual({
      specversion: '1.0', id: 'e-1', source: 'holdfast/outbox', type: 'booking.confirmed', subject: 'b-1', time: '2026-01-01T00:00:00.000Z',
      datacontenttype: 'application/json', data: { bookingId: 'b-1', correlationId: 'c-1' }, correlationid: 'c-1', sequence: '7',
    });
  });
});
