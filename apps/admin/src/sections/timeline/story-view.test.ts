import type { TimelineEvent } from '@holdfast/shared';
import { resendOf, storyPathSchema, storyRows, subjectOfStoryPath } from './story-view';

const at = '2026-12-02T16:44:05.000Z';
const sent: TimelineEvent = {
  at, app: 'delivery', kind: 'email.attempt', status: 'SENT', attempt: 2, summary: 'confirmed email attempt 2: sent.',
  links: [{ kind: 'notification', id: '8d4a1cd1-0000-4000-8000-000000000001', label: 'confirmed email' }],
};

describe('the story rows', () => {
  it('offers an admin the resend of a sent email, and no one else nor anything else', () => {
    expect(resendOf(sent, ['admin'])).toEqual({ notificationId: '8d4a1cd1-0000-4000-8000-000000000001', label: 'confirmed email' });
    expect(resendOf(sent, ['manager'])).toBeUndefined();
    expect(resendOf({ ...sent, status: 'TRANSIENT' }, ['admin'])).toBeUndefined();
    expect(resendOf({ ...sent, kind: 'sms.attempt' }, ['admin'])).toBeUndefined();
    expect(resendOf({ ...sent, links: [] }, ['admin'])).toBeUndefined();
  });

  it('puts errors and summaries in words and a saga step\'s data in facts, in the order\'s currency', () => {
    const rows = storyRows([
      { at, app: 'fulfillment', kind: 'order.created', summary: 'Order of 50.00 EUR placed by ada@example.com.' },
      { at, app: 'fulfillment', kind: 'saga.step', status: 'COMPLETED', summary: 'Step payment_capture completed: {"amount":5000,"captureId":"cap_a3e0"}.' },
      { at, app: 'delivery', kind: 'email.attempt', status: 'TRANSIENT', attempt: 1, summary: 'confirmed email attempt 1: transient (500).', error: 'SendGrid answered 500: {"error":{"type":"api_error","message":"The provider failed internally.","status":500}}' },
      { at, app: 'admin', kind: 'admin.action', status: 'REFUSED', summary: 'ada notification.resend (booking b-1): refused', actor: 'ada', error: 'NOTIFICATION_NOT_SENT' },
    ], ['admin']);
    expect(rows[1]).toMatchObject({ summary: 'Step payment_capture completed.', facts: [{ label: 'Amount', value: '€50.00' }, { label: 'Capture id', value: 'cap_a3e0' }] });
    expect(rows[2]!.error).toBe('SendGrid answered 500: the provider failed internally.');
    expect(rows[3]!.error).toMatch(/^That message has not been sent yet\./);
    expect(rows[0]!.when).toBe('02 Dec 2026, 16:44:05 UTC');
  });

  it('goes back only to a booking\'s or an order\'s story page, and names its subject', () => {
    expect(storyPathSchema.safeParse('/timeline/bookings/2d5b9945-c3d3-4b26-ab7c-02eace2f6712').success).toBe(true);
    expect(storyPathSchema.safeParse('/timeline/orders/ord-1').success).toBe(true);
    for (const bad of ['https://evil.example/', '//evil.example/timeline/bookings/x', '/timeline/bookings/x/../../signout', '/timeline/shows/x', '/timeline/bookings/%E0%A4%A', '/timeline/bookings/a%20b']) {
      expect(storyPathSchema.safeParse(bad).success).toBe(false);
    }
    expect(subjectOfStoryPath('/timeline/orders/ord-1')).toEqual({ kind: 'order', id: 'ord-1' });
    expect(subjectOfStoryPath('/timeline/bookings/b-1')).toEqual({ kind: 'booking', id: 'b-1' });
  });
});
