import { policyEscalationEmail, policyEscalationKey, requestReceivedEmail, requestReceivedKey } from './messages';

describe('seed 001 emails', () => {
  it('when a hold is placed, then the request-received email names the show, the seats, the price and until when they are held', () => {
    const email = requestReceivedEmail({
      holdId: 'h-1', showTitle: 'Hamlet', startsAt: new Date('2027-01-02T19:30:00Z'), seatIds: ['A-1', 'A-2'], expiresAt: new Date('2027-01-01T10:05:00Z'), amount: 9000, currency: 'EUR',
    });
    expect(email.subject).toBe('Request received: Hamlet');
    expect(email.text).toContain('Seats held for you: A-1, A-2 (90.00 EUR), until 2027-01-01 10:05:00 UTC.');
    expect(email.html).toContain('<code>h-1</code>');
    expect(requestReceivedKey('h-1')).toBe('hold-h-1-request-received-email');
  });

  it('when a policy escalates, then the admins read the hash diff, each changed term and the booking context, HTML-escaped', () => {
    const email = policyEscalationEmail({
      escalationId: 'e-1', holdId: 'h-1', showId: 's-1', showTitle: '<Hamlet>', startsAt: '2027-01-02T19:30:00.000Z', customerId: 'c-1', customerEmail: 'c@example.com',
      seatIds: ['A-1'], oldPolicyVersion: 3, newPolicyVersion: 4, oldPolicyHash: 'aaaaaaaaaaaa', newPolicyHash: 'bbbbbbbbbbbb',
      changes: [{ path: 'zonePrices.front', from: 6000, to: 8000 }, { path: 'zonePrices.balcony', to: 2000 }], oldAmount: 6000, newAmount: 8000, currency: 'EUR', recoveries: 2,
    });
    expect(email.subject).toBe('Policy escalation: hold h-1 (aaaaaaaa -> bbbbbbbb)');
    expect(email.text).toContain('Policy hash: aaaaaaaaaaaa -> bbbbbbbbbbbb');
    expect(email.text).toContain('Policy version: 3 -> 4');
    expect(email.text).toContain('zonePrices.front: 6000 -> 8000');
    expect(email.text).toContain('zonePrices.balcony: (none) -> 2000');
    expect(email.text).toContain('Customer: c-1 <c@example.com>');
    expect(email.text).toContain('Amount: 60.00 EUR -> 80.00 EUR');
    expect(email.html).toContain('&lt;Hamlet&gt;');
    expect(email.html).not.toContain('<Hamlet>');
    expect(policyEscalationKey('e-1')).toBe('policy-escalation-e-1-email');
  });
});
