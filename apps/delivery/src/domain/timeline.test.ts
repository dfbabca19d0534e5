import { deliveryTimeline, type NotificationFacts } from './timeline';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s));
const email: NotificationFacts = {
  id: 'n1', channel: 'email', kind: 'confirmed', topic: 'booking.confirmed', recipient: 'c@example.com', status: 'SENT', correlationId: 'corr-1', createdAt: at(1), sentAt: at(9), providerMessageId: 'msg_2',
  attemptLog: [
    { attempt: 1, at: at(2), outcome: 'transient', providerStatus: 500, providerAnswer: 'chaos', error: 'email provider answered 500' },
    { attempt: 2, at: at(9), outcome: 'sent', providerStatus: 202, providerAnswer: 'msg_2', error: null },
  ],
};

describe('deliveryTimeline', () => {
  it('when an email failed once then went, then its queueing and each attempt are events at their own times, the failure with its error, the success with the message id', () => {
    const { events } = deliveryTimeline({ notifications: [email], refunds: [], deadLetters: [] });
    expect(events.map((e) => [e.kind, e.at, e.attempt, e.status, e.error, e.providerId, e.correlationId])).toEqual([
      ['email.queued', at(1).toISOString(), undefined, undefined, undefined, undefined, 'corr-1'],
      ['email.attempt', at(2).toISOString(), 1, 'TRANSIENT', 'email provider answered 500', undefined, 'corr-1'],
      ['email.attempt', at(9).toISOString(), 2, 'SENT', undefined, 'msg_2', 'corr-1'],
    ]);
  });

  it('when a refund failed and a dead letter was replayed, then only the times their rows hold', () => {
    const part = deliveryTimeline({
      notifications: [],
      refunds: [{ id: 'r1', amount: 1000, currency: 'EUR', status: 'FAILED', attempts: 3, lastError: 'refused 400', providerRefundId: null, correlationId: null, createdAt: at(1), processedAt: null, failedAt: at(5), manualReviewId: 'm1' }],
      deadLetters: [{ id: 'd1', topic: 'refund.requested', status: 'REPLAYING', lastError: 'refused 400', attempts: 3, deadLetterCount: 1, correlationId: 'c', firstFailedAt: at(5), lastFailedAt: at(5), replayedAt: at(8) }],
    });
    expect(part.events.map((e) => [e.kind, e.at])).toEqual([
      ['refund.requested', at(1).toISOString()], ['refund.failed', at(5).toISOString()], ['dead-letter', at(5).toISOString()], ['dead-letter.replayed', at(8).toISOString()],
    ]);
    expect(part.related.map((r) => [r.kind, r.id])).toEqual([['refund', 'r1'], ['dead-letter', 'd1']]);
  });

  it('when a sent email was resent, then the resend is its own events: resent at the admin\'s request (actor, a link to the original), then its own attempts under its own link', () => {
    const resend: NotificationFacts = {
      ...email, id: 'n2', createdAt: at(20), sentAt: at(21), providerMessageId: 'msg_3', resendOf: 'n1', requestedBy: 'Alice Admin',
      attemptLog: [{ attempt: 1, at: at(21), outcome: 'sent', providerStatus: 202, providerAnswer: 'msg_3', error: null }],
    };
    const { events } = deliveryTimeline({ notifications: [email, resend], refunds: [], deadLetters: [] });
    const own = events.filter((e) => e.links?.[0]?.id === 'n2');
    expect(own.map((e) => [e.kind, e.at, e.attempt, e.status, e.providerId, e.actor])).toEqual([
      ['email.resend', at(20).toISOString(), undefined, undefined, undefined, 'Alice Admin'],
      ['email.attempt', at(21).toISOString(), 1, 'SENT', 'msg_3', undefined],
    ]);
    expect(own[0]!.summary).toBe("Confirmed email to c@example.com resent at Alice Admin's request: queued as a new message.");
    expect(own[0]!.links).toEqual([{ kind: 'notification', id: 'n2', label: 'confirmed email, resent' }, { kind: 'notification', id: 'n1', label: 'the confirmed email it resends' }]);
    expect(events.filter((e) => e.links?.[0]?.id === 'n1').map((e) => e.kind)).toEqual(['email.queued', 'email.attempt', 'email.attempt']);
  });
});
