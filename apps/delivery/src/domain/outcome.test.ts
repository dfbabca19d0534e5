import { combineOutcomes, outcomeOfStatus, statusFromBindingError } from './outcome';
import { cancellationText, chunk, needsRefundAlert, notificationKey, ticketEmail } from './messages';

describe('what a provider failure means', () => {
  it('when a provider refuses with a 4xx other than 408 and 429, then retrying cannot help', () => {
    expect(outcomeOfStatus(400, 'bad recipient').kind).toBe('refused');
    expect(outcomeOfStatus(422, 'idempotency').kind).toBe('refused');
    expect(outcomeOfStatus(408, 'slow').kind).toBe('transient');
    expect(outcomeOfStatus(429, 'busy').kind).toBe('transient');
  });

  it('when a provider fails with a 5xx or does not answer, then the message is retried', () => {
    expect(outcomeOfStatus(500, 'boom').kind).toBe('transient');
    expect(outcomeOfStatus(undefined, 'timeout').kind).toBe('transient');
  });

  it('when the sidecar reports a binding error, then the provider status is read back from its text', () => {
    expect(statusFromBindingError('{"errorCode":"ERR_INVOKE_OUTPUT_BINDING","message":"error invoking output binding sms-gateway: received status code 400"}')).toBe(400);
    expect(statusFromBindingError('circuit breaker is open')).toBeUndefined();
  });

  it('when one message asked for several sends, then any transient failure retries it, else any refusal drops it', () => {
    expect(combineOutcomes(['sent', 'transient', 'refused'])).toBe('RETRY');
    expect(combineOutcomes(['sent', 'refused'])).toBe('DROP');
    expect(combineOutcomes(['sent', 'skipped'])).toBe('SUCCESS');
  });
});

describe('what customers read', () => {
  it('when a ticket email is written, then it names the show, the seats and the amount, and shows each QR inline', () => {
    const mail = ticketEmail({ bookingId: 'b-1', showTitle: 'Hamlet <live>', startsAt: new Date('2026-12-01T19:30:00Z'), venue: 'Rose', tickets: [{ seatLabel: 'A 1' }, { seatLabel: 'A 2' }], amount: 9000, currency: 'EUR' });
    expect(mail.subject).toBe('Your tickets for Hamlet <live>');
    expect(mail.text).toContain('Seats: A 1, A 2');
    expect(mail.text).toContain('90.00 EUR');
    expect(mail.html).toContain('Hamlet &lt;live&gt;');
    expect(mail.html).toContain('cid:qr-0');
    expect(mail.html).toContain('cid:qr-1');
  });

  it('when a show is cancelled, then the notice says why and whether money comes back', () => {
    const base = { showTitle: 'Hamlet', startsAt: null, reason: 'the lead is ill', amount: 4500, currency: 'EUR' };
    expect(cancellationText({ ...base, refund: true })).toContain('You will be refunded 45.00 EUR');
    expect(cancellationText({ ...base, refund: false })).toContain('Contact us');
  });

  it('when keys, chunks and alert thresholds are computed, then they are stable', () => {
    expect(notificationKey('b-1', 'ticket', 'email')).toBe('booking-b-1-ticket-email');
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(needsRefundAlert(10_001, 100)).toBe(true);
    expect(needsRefundAlert(10_000, 100)).toBe(false);
  });
});
