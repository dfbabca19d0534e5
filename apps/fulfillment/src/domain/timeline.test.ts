import { orderTimeline, type OrderFacts } from './timeline';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s));
const facts = (): OrderFacts => ({
  order: {
    id: 'o-1', status: 'shipped', customerEmail: 'c@example.com', totalAmount: 12000, currency: 'EUR', correlationId: 'corr-o', createdAt: at(0), finishedAt: at(30),
    completedSteps: [
      { step: 'authorize', at: at(2).toISOString(), data: { authorizationId: 'auth_9' } },
      { step: 'approval', at: at(10).toISOString(), data: { approvedBy: 'alice' } },
      { step: 'label', at: at(20).toISOString(), data: { labelId: 'lbl_1', trackingNumber: 'T1' } },
    ],
    compensations: [], error: null, approvedBy: 'alice', rejectionReason: null, cancelledBy: null, decidedBy: { kind: 'manager', id: 'manager', action: 'approve', actor: 'alice' },
  },
  jobs: [],
});

describe('orderTimeline', () => {
  it('when an order ran its saga, then its creation, each step at the time it was recorded with its provider id and approver, and its end', () => {
    const { events } = orderTimeline(facts());
    expect(events.map((e) => [e.kind, e.at, e.providerId, e.actor, e.correlationId])).toEqual([
      ['order.created', at(0).toISOString(), undefined, undefined, 'corr-o'],
      ['saga.step', at(2).toISOString(), 'auth_9', undefined, 'corr-o'],
      ['saga.step', at(10).toISOString(), undefined, 'alice', 'corr-o'],
      ['saga.step', at(20).toISOString(), 'lbl_1', undefined, 'corr-o'],
      ['order.shipped', at(30).toISOString(), undefined, undefined, 'corr-o'],
    ]);
  });

  it('when a rejected order was undone, then each compensation and the rejection with who and why; no event for a fact without its own time', () => {
    const f = facts();
    f.order = { ...f.order, status: 'rejected', rejectionReason: 'too big', completedSteps: [{ step: 'authorize', at: at(2).toISOString(), data: {} }], compensations: [{ step: 'releaseAuthorization', at: at(12).toISOString(), target: 'authorize', data: { authorizationId: 'auth_9' } }], decidedBy: { kind: 'manager', id: 'manager', action: 'reject', actor: 'bob' } };
    f.jobs = [{ id: 'j1', type: 'ORDER_AUTO_REFUND', status: 'failed', attempts: 2, lastError: 'refund 503', createdAt: at(13), updatedAt: at(14), finishedAt: null }];
    const { events } = orderTimeline(f);
    expect(events.find((e) => e.kind === 'compensation')).toMatchObject({ at: at(12).toISOString(), providerId: 'auth_9' });
    expect(events.find((e) => e.kind === 'order.rejected')).toMatchObject({ at: at(30).toISOString(), actor: 'bob', summary: 'Order rejected: too big.' });
    expect(events.find((e) => e.kind === 'job')).toMatchObject({ at: at(14).toISOString(), attempt: 2, error: 'refund 503', status: 'FAILED' });
    expect(events).toHaveLength(5);
  });

  it('when an order is still running, then no end event', () => {
    const f = facts();
    f.order = { ...f.order, status: 'awaiting_approval', finishedAt: null, completedSteps: [] };
    expect(orderTimeline(f).events.map((e) => e.kind)).toEqual(['order.created']);
  });
});
