import type { TimelineEvent } from '@holdfast/shared';
import { adminActionEvent, gapSentence, linkFor, linkHref, mergeSearch, mergeTimeline, searchQuerySchema, timelinePartSchema } from './merge';

const ev = (at: string, app: TimelineEvent['app'], kind: string, extra: Partial<TimelineEvent> = {}): TimelineEvent => ({ at, app, kind, summary: `${app} ${kind}`, ...extra });

describe('mergeTimeline', () => {
  it('puts every app\'s events and the admin actions in one time order', () => {
    const merged = mergeTimeline({ kind: 'booking', id: 'bk-1' }, [
      { app: 'booking', ok: true, value: { events: [ev('2026-01-01T10:00:00Z', 'booking', 'hold.placed'), ev('2026-01-01T10:00:02Z', 'booking', 'payment.authorized')], related: [{ kind: 'show', id: 'show-1', label: 'Hamlet' }] } },
      { app: 'delivery', ok: true, value: { events: [ev('2026-01-01T10:00:05Z', 'delivery', 'email.attempt', { attempt: 1, status: 'FAILED' }), ev('2026-01-01T10:00:09Z', 'delivery', 'email.attempt', { attempt: 2, status: 'SENT' })], related: [{ kind: 'show', id: 'show-1' }, { kind: 'booking', id: 'bk-1' }] } },
    ], [ev('2026-01-01T10:00:07Z', 'admin', 'admin.action')]);
    expect(merged.events.map((e) => `${e.app}:${e.kind}:${e.attempt ?? ''}`)).toEqual([
      'booking:hold.placed:', 'booking:payment.authorized:', 'delivery:email.attempt:1', 'admin:admin.action:', 'delivery:email.attempt:2',
    ]);
    // The show once (its first label kept); the booking itself is not a related link of its own page.
    expect(merged.related).toEqual([{ kind: 'show', id: 'show-1', label: 'Hamlet' }]);
    expect(merged.gaps).toEqual([]);
  });

  it('turns an app that did not answer into a gap, keeping the others\' events', () => {
    const merged = mergeTimeline({ kind: 'order', id: 'ord-1' }, [
      { app: 'fulfillment', ok: true, value: { events: [ev('2026-01-01T10:00:00Z', 'fulfillment', 'saga.step')], related: [] } },
      { app: 'delivery', ok: false, reason: 'timed out' },
    ], []);
    expect(merged.events).toHaveLength(1);
    expect(merged.gaps).toEqual([{ app: 'delivery', reason: 'timed out' }]);
    expect(gapSentence(merged.gaps[0]!)).toBe('delivery did not answer (timed out): its part of the story is missing.');
  });

  it('orders simultaneous events by app then kind, the same way every time', () => {
    const at = '2026-01-01T10:00:00Z';
    const merged = mergeTimeline({ kind: 'order', id: 'o' }, [
      { app: 'delivery', ok: true, value: { events: [ev(at, 'delivery', 'email.attempt')], related: [] } },
      { app: 'fulfillment', ok: true, value: { events: [ev(at, 'fulfillment', 'saga.step'), ev(at, 'fulfillment', 'compensation')], related: [] } },
    ], [ev(at, 'admin', 'admin.action')]);
    expect(merged.events.map((e) => `${e.app}:${e.kind}`)).toEqual(['fulfillment:compensation', 'fulfillment:saga.step', 'delivery:email.attempt', 'admin:admin.action']);
  });
});

describe('adminActionEvent', () => {
  it('makes an admin action an admin.action event with its actor, outcome and target link', () => {
    const event = adminActionEvent({ at: new Date('2026-01-01T10:00:07Z'), userName: 'ada', action: 'refund.retry', targetKind: 'refund', targetId: 'rf-1', outcome: 'ok', detail: { reason: 'card fixed' }, correlationId: 'c-1' });
    expect(event).toEqual({
      at: '2026-01-01T10:00:07.000Z', app: 'admin', kind: 'admin.action', summary: 'ada refund.retry (refund rf-1): done: card fixed',
      status: 'OK', actor: 'ada', correlationId: 'c-1', links: [{ kind: 'refund', id: 'rf-1' }],
    });
  });
  it('names the app\'s refusal code as the error of a refused action', () => {
    const event = adminActionEvent({ at: '2026-01-01T10:00:07Z', userName: 'mia', action: 'order.approve', targetKind: 'order', targetId: 'o-1', outcome: 'refused', detail: { code: 'NOT_AWAITING_APPROVAL' } });
    expect(event).toMatchObject({ status: 'REFUSED', error: 'NOT_AWAITING_APPROVAL', summary: 'mia order.approve (order o-1): refused' });
  });
});

describe('mergeSearch', () => {
  it('lists each match once, bookings first, with a gap per silent app', () => {
    const merged = mergeSearch('ada@example.com', [
      { app: 'booking', ok: true, value: { matches: [{ kind: 'booking', id: 'bk-2', label: 'b2' }, { kind: 'booking', id: 'bk-1', label: 'b1' }] } },
      { app: 'delivery', ok: true, value: { matches: [{ kind: 'booking', id: 'bk-1', label: 'b1 again' }, { kind: 'order', id: 'o-1', label: 'o1' }] } },
      { app: 'fulfillment', ok: false, reason: 'answered 503' },
    ]);
    expect(merged.matches.map((m) => `${m.kind}:${m.id}:${m.label}`)).toEqual(['booking:bk-1:b1', 'booking:bk-2:b2', 'order:o-1:o1']);
    expect(merged.gaps).toEqual([{ app: 'fulfillment', reason: 'answered 503' }]);
  });
});

describe('timelinePartSchema and linkHref', () => {
  it('refuses an answer that is not a timeline part', () => {
    expect(timelinePartSchema.safeParse({ events: [{ at: 'yesterday', app: 'booking', kind: 'x', summary: 'y' }] }).success).toBe(false);
    expect(timelinePartSchema.parse({ events: [] })).toEqual({ events: [], related: [] });
  });
  it('links each related entity to its console page', () => {
    expect(linkHref({ kind: 'show', id: 's 1' })).toBe('/shows/s%201');
    expect(linkHref({ kind: 'order', id: 'o-1' })).toBe('/orders/o-1');
    expect(linkHref({ kind: 'dead-letter', id: 'd-1' })).toBe('/delivery');
    expect(linkHref({ kind: 'refund', id: 'r-1' })).toBe('/refunds');
  });
  it('links only to pages the user\'s roles open (plain text otherwise)', () => {
    const kinds = ['show', 'booking', 'order', 'refund', 'manual-review', 'dead-letter', 'notification'] as const;
    const open = (roles: Array<'admin' | 'manager'>) => kinds.filter((kind) => linkFor({ kind, id: 'x-1' }, roles) !== null);
    expect(open(['admin'])).toEqual(['show', 'booking', 'refund', 'manual-review', 'dead-letter', 'notification']);
    expect(open(['manager'])).toEqual(['booking', 'order']);
    expect(open(['admin', 'manager'])).toEqual([...kinds]);
    expect(linkFor({ kind: 'order', id: 'o-1' }, ['manager'])).toBe('/orders/o-1');
    expect(linkFor({ kind: 'order', id: 'o-1' }, ['admin'])).toBeNull();
  });
});

describe('searchQuerySchema', () => {
  it('takes one id, email or correlation id, trimmed', () => {
    expect(searchQuerySchema.parse('  ada@example.com ')).toBe('ada@example.com');
    expect(searchQuerySchema.safeParse('two words').success).toBe(false);
    expect(searchQuerySchema.safeParse('').success).toBe(false);
  });
});
