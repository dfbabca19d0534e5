/**
 * The story page's rows, pure: each event's summary and error in words (never JSON), a saga
 * step's data as facts, links the user's roles open, and a Resend button where an admin may send
 * a sent email again (delivery's POST /api/admin/notifications/:id/resend).
 */
import { z } from 'zod';
import type { RelatedLink, TimelineEvent } from '@holdfast/shared';
import { describeProblem } from '../../domain/problem-words';
import { currencyNamedIn, recordedErrorInWords, summaryWithFacts, type Fact } from '../../domain/recorded-words';
import { formatTime } from '../../domain/format';
import { ENTITY_ID_PATTERN } from '../../domain/ids';
import type { Role } from '../../domain/users';
import { linkFor } from './merge';

export interface StoryRow extends Omit<TimelineEvent, 'links'> {
  when: string;
  facts: Fact[];
  links: Array<RelatedLink & { href: string | null }>;
  /** The notification an admin may resend from this row (a sent email's attempt). */
  resend?: { notificationId: string; label: string };
}

/** An app's code alone (an admin action's refusal) in words; anything else as recorded, in words. */
const errorWords = (error: string): string => (/^[A-Z][A-Z0-9_]{0,63}$/.test(error) ? describeProblem({ code: error }) : recordedErrorInWords(error));

/**
 * Only a sent email can be resent: delivery answers 409 NOTIFICATION_NOT_SENT while its retries
 * run and NOTIFICATION_NOT_RESENDABLE for SMS and WhatsApp (it keeps no event to render them).
 */
export function resendOf(event: TimelineEvent, roles: readonly Role[]): StoryRow['resend'] {
  if (!roles.includes('admin') || event.kind !== 'email.attempt' || event.status !== 'SENT') return undefined;
  const notification = event.links?.find((l) => l.kind === 'notification');
  return notification ? { notificationId: notification.id, label: notification.label ?? 'email' } : undefined;
}

export function storyRows(events: readonly TimelineEvent[], roles: readonly Role[]): StoryRow[] {
  // Step amounts carry no currency; the order's own event names it.
  const currency = currencyNamedIn(events.filter((e) => e.kind === 'order.created').map((e) => e.summary));
  return events.map((e) => {
    const { summary, facts } = summaryWithFacts(e.summary, currency);
    const resend = resendOf(e, roles);
    return {
      ...e, summary, facts, when: formatTime(e.at),
      ...(e.error ? { error: errorWords(e.error) } : {}),
      links: (e.links ?? []).map((l) => ({ ...l, href: linkFor(l, roles) })),
      ...(resend ? { resend } : {}),
    };
  });
}

const decoded = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return '';
  }
};

/** Where a resend goes back to: a booking's or an order's story page, nothing else. */
export const storyPathSchema = z.string().regex(/^\/timeline\/(bookings|orders)\/[^/?#]+$/).refine((p) => ENTITY_ID_PATTERN.test(decoded(p.split('/')[3]!)));

/** The subject a story path names: what a resend from its page is recorded against. */
export function subjectOfStoryPath(path: string): { kind: 'booking' | 'order'; id: string } {
  const [, , subject, id] = path.split('/');
  return { kind: subject === 'orders' ? 'order' : 'booking', id: decoded(id!) };
}
