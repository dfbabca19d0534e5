/**
 * A booking's or an order's whole story: the apps' parts (each app answers for its own records),
 * the console's own admin actions, in time order (sortTimeline), with a visible gap for each app
 * that did not answer. Pure: the route gathers the parts, this decides what the answer says.
 */
import { z } from 'zod';
import { sortTimeline, type RelatedLink, type TimelineEvent, type TimelinePart, type TimelineSearchAnswer } from '@holdfast/shared';
import { hasAnyRole } from '../../domain/permissions';
import { ENTITY_ID_PATTERN, ENTITY_ID_WORDS } from '../../domain/ids';
import type { Role } from '../../domain/users';

export type TimelineSubject = 'bookings' | 'orders';
export type AnsweringApp = 'booking' | 'delivery' | 'fulfillment';

/** Which apps hold records of a booking or an order (docs/admin-console-design.md, Timeline). */
export const APPS_FOR: Readonly<Record<TimelineSubject | 'search', readonly AnsweringApp[]>> = {
  bookings: ['booking', 'delivery'],
  orders: ['fulfillment', 'delivery'],
  search: ['booking', 'delivery', 'fulfillment'],
};

/** An id as the apps issue them (uuids, order ids): what the console passes on in a path. */
export const subjectIdSchema = z.string().regex(ENTITY_ID_PATTERN, ENTITY_ID_WORDS);
/** A booking id, an order id, a customer email or a correlation id: one word, as the apps take it (shared/src/timeline-routes.ts). */
export const searchQuerySchema = z.string().trim()
  .min(1, 'Type a booking id, an order id, a customer email or a correlation id.')
  .max(320, 'That is too long for an id or an email address.')
  .regex(/^[^\s\u0000-\u001f]+$/, 'Type one id, email address or correlation id, without spaces.');

/**
 * The credential each app's timeline takes from the console: booking and delivery serve it to
 * admins; fulfillment serves orders (and their timeline) to the console's manager credential.
 */
export const TIMELINE_CREDENTIAL: Readonly<Record<AnsweringApp, 'admin' | 'manager'>> = { booking: 'admin', delivery: 'admin', fulfillment: 'manager' };

const relatedSchema = z.object({
  kind: z.enum(['show', 'booking', 'order', 'refund', 'dead-letter', 'manual-review', 'notification']),
  id: z.string().min(1).max(200),
  label: z.string().max(300).optional(),
});
const eventSchema = z.object({
  at: z.string().refine((t) => !Number.isNaN(Date.parse(t)), 'an ISO time'),
  app: z.enum(['booking', 'delivery', 'fulfillment', 'admin']),
  kind: z.string().min(1).max(100),
  summary: z.string().max(2000),
  correlationId: z.string().max(200).optional(),
  status: z.string().max(100).optional(),
  attempt: z.number().int().optional(),
  error: z.string().max(2000).optional(),
  providerId: z.string().max(300).optional(),
  actor: z.string().max(200).optional(),
  links: z.array(relatedSchema).optional(),
});
/** What another app answered, checked before it reaches a page: a malformed part is a gap, not a crash. */
export const timelinePartSchema = z.object({ events: z.array(eventSchema), related: z.array(relatedSchema).default([]) });
export const searchAnswerSchema = z.object({
  matches: z.array(z.object({ kind: z.enum(['booking', 'order']), id: z.string().min(1).max(200), label: z.string().max(300) })),
});

export interface Gap {
  /** An app, or the console itself when its own admin actions could not be read. */
  app: AnsweringApp | 'admin';
  reason: string;
}

/** One app's answer: its part, or why there is none. */
export type PartResult<T> = { app: AnsweringApp; ok: true; value: T } | { app: AnsweringApp; ok: false; reason: string };

export interface MergedTimeline {
  subject: { kind: 'booking' | 'order'; id: string };
  events: TimelineEvent[];
  related: RelatedLink[];
  /** Apps that did not answer: shown on the page as "delivery did not answer". */
  gaps: Gap[];
}

/** Related links once each (by kind and id), the first label kept. */
export function uniqueLinks(links: readonly RelatedLink[]): RelatedLink[] {
  const seen = new Map<string, RelatedLink>();
  for (const link of links) {
    const key = `${link.kind}:${link.id}`;
    if (!seen.has(key)) seen.set(key, link);
  }
  return [...seen.values()];
}

/** An admin action as the console stored it (admin_actions), the fields the timeline shows. */
export interface AdminActionFact {
  at: Date | string;
  userName: string;
  action: string;
  targetKind: string;
  targetId: string;
  outcome: string;
  detail?: unknown;
  correlationId?: string | null;
}

const OUTCOME_WORDS: Record<string, string> = { ok: 'done', refused: 'refused', failed: 'failed' };
const LINKABLE = new Set(['show', 'booking', 'order', 'refund', 'dead-letter', 'manual-review']);

/** One admin action as a timeline event: app admin, kind admin.action, the user as actor. */
export function adminActionEvent(fact: AdminActionFact): TimelineEvent {
  const detail = fact.detail && typeof fact.detail === 'object' ? fact.detail as Record<string, unknown> : {};
  const reason = typeof detail.reason === 'string' ? `: ${detail.reason}` : '';
  const code = typeof detail.code === 'string' ? detail.code : undefined;
  const at = fact.at instanceof Date ? fact.at.toISOString() : new Date(fact.at).toISOString();
  return {
    at,
    app: 'admin',
    kind: 'admin.action',
    summary: `${fact.userName} ${fact.action} (${fact.targetKind} ${fact.targetId}): ${OUTCOME_WORDS[fact.outcome] ?? fact.outcome}${reason}`,
    status: fact.outcome.toUpperCase(),
    actor: fact.userName,
    ...(code && fact.outcome !== 'ok' ? { error: code } : {}),
    ...(fact.correlationId ? { correlationId: fact.correlationId } : {}),
    ...(LINKABLE.has(fact.targetKind) ? { links: [{ kind: fact.targetKind as RelatedLink['kind'], id: fact.targetId }] } : {}),
  };
}

/** The apps' parts and the admin actions as one answer, in time order, with a gap per silent app. */
export function mergeTimeline(subject: MergedTimeline['subject'], parts: ReadonlyArray<PartResult<TimelinePart>>, adminEvents: readonly TimelineEvent[]): MergedTimeline {
  const events: TimelineEvent[] = [...adminEvents];
  const related: RelatedLink[] = [];
  const gaps: Gap[] = [];
  for (const part of parts) {
    if (!part.ok) {
      gaps.push({ app: part.app, reason: part.reason });
      continue;
    }
    events.push(...part.value.events);
    related.push(...part.value.related);
  }
  const self = `${subject.kind}:${subject.id}`;
  return {
    subject,
    events: sortTimeline(events),
    related: uniqueLinks(related).filter((l) => `${l.kind}:${l.id}` !== self),
    gaps,
  };
}

export interface MergedSearch {
  q: string;
  matches: TimelineSearchAnswer['matches'];
  gaps: Gap[];
}

/** The apps' matches once each (booking before order, then by id), with a gap per silent app. */
export function mergeSearch(q: string, answers: ReadonlyArray<PartResult<TimelineSearchAnswer>>): MergedSearch {
  const seen = new Map<string, TimelineSearchAnswer['matches'][number]>();
  const gaps: Gap[] = [];
  for (const answer of answers) {
    if (!answer.ok) {
      gaps.push({ app: answer.app, reason: answer.reason });
      continue;
    }
    for (const match of answer.value.matches) if (!seen.has(`${match.kind}:${match.id}`)) seen.set(`${match.kind}:${match.id}`, match);
  }
  const matches = [...seen.values()].sort((a, b) => a.kind.localeCompare(b.kind) || a.id.localeCompare(b.id));
  return { q, matches, gaps };
}

/** Where a related entity is shown in the console. */
export function linkHref(link: RelatedLink): string {
  const id = encodeURIComponent(link.id);
  switch (link.kind) {
    case 'show': return `/shows/${id}`;
    case 'booking': return `/timeline/bookings/${id}`;
    case 'order': return `/orders/${id}`;
    case 'refund': return '/refunds';
    case 'manual-review': return '/refunds';
    case 'dead-letter': return '/delivery';
    case 'notification': return `/delivery`;
  }
}

/** Who may open each related entity's console page (the routes' own requireRole). */
export const LINK_ROLES: Readonly<Record<RelatedLink['kind'], readonly Role[]>> = {
  show: ['admin'],
  booking: ['admin', 'manager'],
  order: ['manager'],
  refund: ['admin'],
  'manual-review': ['admin'],
  'dead-letter': ['admin'],
  notification: ['admin'],
};

/** The page of a related entity for a user holding `roles`, or null (shown as plain text) when none of them opens it. */
export function linkFor(link: RelatedLink, roles: readonly Role[]): string | null {
  return hasAnyRole(roles, LINK_ROLES[link.kind]) ? linkHref(link) : null;
}

/** A gap in words: "delivery did not answer (timeout)". */
export const gapSentence = (gap: Gap) => `${gap.app} did not answer${gap.reason ? ` (${gap.reason})` : ''}: its part of the story is missing.`;
