import { isResend, resendEvent, resendKey, resendKeyOf, resendRefusal } from './resend';

const sentEmail = { status: 'SENT', channel: 'email', kind: 'confirmed', event: { id: 'e-1', data: { bookingId: 'b-1' } } };

describe('resendRefusal', () => {
  it('when a sent email of the queue is resent, then nothing refuses it', () => {
    expect(resendRefusal(sentEmail)).toBeNull();
  });

  it('when the original is not sent yet (pending, failed, skipped, disabled), then NOTIFICATION_NOT_SENT: its retries or its dead letter come first', () => {
    for (const status of ['PENDING', 'FAILED', 'SKIPPED', 'DISABLED']) expect([status, resendRefusal({ ...sentEmail, status })]).toEqual([status, 'NOTIFICATION_NOT_SENT']);
  });

  it('when the original is an SMS, or an email recorded without its kind or event, then NOTIFICATION_NOT_RESENDABLE', () => {
    expect(resendRefusal({ ...sentEmail, channel: 'sms', kind: null, event: null })).toBe('NOTIFICATION_NOT_RESENDABLE');
    expect(resendRefusal({ ...sentEmail, kind: null })).toBe('NOTIFICATION_NOT_RESENDABLE');
    expect(resendRefusal({ ...sentEmail, event: 'x' })).toBe('NOTIFICATION_NOT_RESENDABLE');
  });
});

describe('the resend\'s key and event', () => {
  const original = { specversion: '1.0', id: 'e-1', type: 'booking.confirmed', source: 'holdfast/outbox', time: '2026-12-02T10:00:00.000Z', topic: 'booking.confirmed', pubsubname: 'pubsub', traceparent: '00-x', replayof: 'dl-1', correlationid: 'c-1', data: { bookingId: 'b-1' } };

  it('when the n-th resend is made, then its key is the original\'s with -resend-n', () => {
    expect(resendKey('booking-b-1-ticket-email', 2)).toBe('booking-b-1-ticket-email-resend-2');
  });

  it('when the event is made, then it keeps the data, type, time and correlation, takes a new id and names its key and origin; Dapr\'s own attributes and a replay mark are dropped', () => {
    expect(resendEvent(original, { eventId: 'n-2', key: 'k-resend-1', originalId: 'n-1' })).toEqual({
      specversion: '1.0', id: 'n-2', type: 'booking.confirmed', source: 'holdfast/outbox', time: '2026-12-02T10:00:00.000Z', correlationid: 'c-1', data: { bookingId: 'b-1' },
      resendkey: 'k-resend-1', resendof: 'n-1',
    });
  });

  it('when a subscriber reads an event, then it takes the resend key only for its own message; a plain event is no resend', () => {
    const event = resendEvent(original, { eventId: 'n-2', key: 'booking-b-1-ticket-email-resend-1', originalId: 'n-1' });
    expect(resendKeyOf(event, 'booking-b-1-ticket-email')).toBe('booking-b-1-ticket-email-resend-1');
    expect(resendKeyOf(event, 'booking-b-1-show-cancelled-email')).toBeUndefined();
    expect(resendKeyOf(original, 'booking-b-1-ticket-email')).toBeUndefined();
    expect([isResend(event), isResend(original)]).toEqual([true, false]);
  });
});
