/**
 * The timeline: the console's JSON (GET /api/admin/timeline/bookings/:id, /orders/:id, /search?q=)
 * and its pages (/timeline, /timeline/bookings/:id, /timeline/orders/:id). Each app answers for its
 * own records through its own /api/admin/timeline endpoint, called in parallel; the console adds
 * its own admin actions; merge.ts puts them in order and turns a silent app into a visible gap.
 */
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { AppError, sendProblem, problem, type TimelineEvent, type TimelinePart, type TimelineSearchAnswer } from '@holdfast/shared';
import { AppCallError, type SectionContext } from '../../http/section';
import { signedInUser, requireRole } from '../../http/session';
import { ENTITY_ID_PATTERN } from '../../domain/ids';
import { pathForLog } from '../../http/apps-client';
import { actAndRedirect, refusalQuerySchema, withQuery } from '../../http/section-helpers';
import { describeProblem } from '../../domain/problem-words';
import { asClause } from '../../domain/recorded-words';
import { storyPathSchema, storyRows, subjectOfStoryPath } from './story-view';
import {
  adminActionEvent, APPS_FOR, gapSentence, linkFor, mergeSearch, mergeTimeline, searchAnswerSchema, searchQuerySchema, subjectIdSchema, TIMELINE_CREDENTIAL, timelinePartSchema,
  uniqueLinks, type AnsweringApp, type MergedTimeline, type PartResult, type TimelineSubject,
} from './merge';

/** Related entities whose admin actions belong in the story (a refund retried, a dead letter replayed...). */
const ACTION_TARGETS = new Set<string>(['show', 'booking', 'order', 'refund', 'dead-letter', 'manual-review']);

const SUBJECT_KIND = { bookings: 'booking', orders: 'order' } as const;

/** What a story page says after a resend: fixed words, never text from the query string. */
const RESEND_NOTICES: Record<string, string> = {
  resent: 'The email was sent again as a new message. Its attempts appear in the story as delivery makes them.',
};
const resendRefusal = refusalQuerySchema(['notification.resend'] as const);
const notificationIdSchema = z.string().uuid();

/** The story page's notice or refusal, from the redirect's fixed values. */
function outcomeOnStory(query: Request['query']): { notice?: string; error?: string } {
  if (typeof query.notice === 'string' && Object.hasOwn(RESEND_NOTICES, query.notice)) return { notice: RESEND_NOTICES[query.notice] };
  const refused = resendRefusal.safeParse(query);
  return refused.success ? { error: `The email was not resent: ${asClause(describeProblem(refused.data))}` } : {};
}

export function registerTimelineRoutes(router: Router, ctx: SectionContext): void {
  const reader = requireRole('admin', 'manager');

  /** One app's answer, or why there is none: never throws. */
  async function ask<T>(req: Request, app: AnsweringApp, path: string, parse: (body: unknown) => T): Promise<PartResult<T>> {
    try {
      const body = await ctx.apps.call<unknown>(signedInUser(req), app, { method: 'GET', path, credential: TIMELINE_CREDENTIAL[app] });
      const parsed = (() => { try { return { value: parse(body) }; } catch { return undefined; } })();
      if (!parsed) return { app, ok: false, reason: 'its answer was not a timeline' };
      return { app, ok: true, value: parsed.value };
    } catch (error) {
      ctx.logger.warn({ app, path: pathForLog(path), status: error instanceof AppCallError ? error.status : undefined, code: error instanceof AppCallError ? error.code : undefined }, 'timeline part missing');
      return { app, ok: false, reason: error instanceof AppCallError ? `answered ${error.status} ${error.code}` : 'no answer' };
    }
  }

  /** Admin actions on the subject and on what the apps say is related to it (the page's links or an event's). */
  async function adminEvents(subject: MergedTimeline['subject'], story: MergedTimeline): Promise<TimelineEvent[]> {
    const linked = [...story.related, ...story.events.flatMap((e) => e.links ?? [])].filter((l) => ACTION_TARGETS.has(l.kind));
    const targets = uniqueLinks([{ kind: subject.kind, id: subject.id }, ...linked]);
    if (!ctx.actions) throw new Error('the section context has no actions lookup');
    return (await ctx.actions.forTargets(targets)).map(adminActionEvent);
  }

  async function timeline(req: Request, subject: TimelineSubject, id: string): Promise<MergedTimeline> {
    const path = `/api/admin/timeline/${subject}/${encodeURIComponent(id)}`;
    const parts = await Promise.all(APPS_FOR[subject].map((app) => ask<TimelinePart>(req, app, path, (b) => timelinePartSchema.parse(b))));
    const kind = SUBJECT_KIND[subject];
    const first = mergeTimeline({ kind, id }, parts, []);
    let actions: TimelineEvent[] = [];
    try {
      actions = await adminEvents(first.subject, first);
    } catch (error) {
      // The console's own table not answering is a gap like any other app's.
      ctx.logger.error({ err: error }, 'admin actions unreadable');
      return { ...first, gaps: [...first.gaps, { app: 'admin' as const, reason: 'the console could not read its own actions' }] };
    }
    return mergeTimeline({ kind, id }, parts, actions);
  }

  const search = async (req: Request, q: string) =>
    mergeSearch(q, await Promise.all(APPS_FOR.search.map((app) => ask<TimelineSearchAnswer>(req, app, `/api/admin/timeline/search?q=${encodeURIComponent(q)}`, (b) => searchAnswerSchema.parse(b)))));

  const idOf = (req: Request) => {
    const id = subjectIdSchema.safeParse(req.params.id);
    if (!id.success) throw new AppError(400, 'INVALID_ID', 'A booking or order id is 1 to 100 letters, digits, _ . : -.');
    return id.data;
  };

  documentTimeline(ctx);

  // An admin sends a sent email again from its story page (delivery's resend); back to that page with words.
  router.post('/timeline/notifications/:id/resend', requireRole('admin'), async (req, res) => {
    const back = storyPathSchema.safeParse(req.query.back);
    if (!back.success) throw new AppError(400, 'INVALID_QUERY', 'back is the story page to return to.');
    const subject = subjectOfStoryPath(back.data);
    const id = notificationIdSchema.safeParse(req.params.id);
    if (!id.success) return res.redirect(303, withQuery(back.data, { refused: 'notification.resend', code: 'NOTIFICATION_NOT_FOUND', status: '404' }));
    await actAndRedirect(ctx, req, res, {
      record: { action: 'notification.resend', target: subject, detail: { notificationId: id.data } },
      run: () => ctx.apps.call<{ id?: string }>(signedInUser(req), 'delivery', { method: 'POST', path: `/api/admin/notifications/${id.data}/resend`, credential: 'admin', body: {} }),
      back: back.data, done: { query: { notice: 'resent' }, hash: 'events-heading' },
      doneDetail: (answer) => (typeof answer?.id === 'string' ? { resendId: answer.id } : {}),
    });
  });

  // JSON: the merged story, gaps included (an app that did not answer is not an error).
  for (const subject of ['bookings', 'orders'] as const) {
    router.get(`/api/admin/timeline/${subject}/:id`, reader, async (req, res) => {
      res.json(await timeline(req, subject, idOf(req)));
    });
  }
  router.get('/api/admin/timeline/search', reader, async (req, res) => {
    const q = searchQuerySchema.safeParse(req.query.q);
    if (!q.success) return sendProblem(req, res, problem(400, 'INVALID_QUERY', q.error.issues[0]?.message ?? 'q is one booking id, order id, customer email or correlation id.'));
    res.json(await search(req, q.data));
  });

  // Pages.
  router.get('/timeline', reader, async (req, res) => {
    if (req.query.q === undefined || req.query.q === '') return void res.render('timeline/search', { title: 'Timeline', q: '', result: null, error: null });
    const q = searchQuerySchema.safeParse(req.query.q);
    if (!q.success) return void res.status(400).render('timeline/search', { title: 'Timeline', q: '', result: null, error: q.error.issues[0]?.message ?? 'Type what you are looking for.' });
    const result = await search(req, q.data);
    const only = result.matches.length === 1 ? result.matches[0]! : undefined;
    // One match and every app answered: straight to its story.
    if (only && result.gaps.length === 0) return void res.redirect(303, `/timeline/${only.kind}s/${encodeURIComponent(only.id)}`);
    res.render('timeline/search', {
      title: 'Timeline', q: q.data, error: null,
      result: { ...result, matches: result.matches.map((m) => ({ ...m, href: `/timeline/${m.kind}s/${encodeURIComponent(m.id)}` })), gapSentences: result.gaps.map(gapSentence) },
    });
  });

  for (const subject of ['bookings', 'orders'] as const) {
    router.get(`/timeline/${subject}/:id`, reader, async (req: Request, res: Response) => {
      const id = subjectIdSchema.safeParse(req.params.id);
      if (!id.success) return void res.status(400).render('timeline/search', { title: 'Timeline', q: '', result: null, error: 'That is not a booking or order id.' });
      const story = await timeline(req, subject, id.data);
      const user = signedInUser(req);
      const correlationIds = [...new Set(story.events.map((e) => e.correlationId).filter((c): c is string => Boolean(c)))];
      const path = `/timeline/${subject}/${encodeURIComponent(id.data)}`;
      res.render('timeline/story', {
        title: `Timeline of ${SUBJECT_KIND[subject]} ${id.data}`,
        subject: story.subject, path, ...outcomeOnStory(req.query),
        subjectHref: subject === 'orders' && user.roles.includes('manager') ? `/orders/${encodeURIComponent(id.data)}` : null,
        // Words, never JSON; a link only where the user's roles open the page (the entity is still named in plain text).
        events: storyRows(story.events, user.roles),
        related: story.related.map((l) => ({ ...l, href: linkFor(l, user.roles) })),
        gapSentences: story.gaps.map(gapSentence),
        correlationIds,
      });
    });
  }
}

const LINK_SCHEMA = { type: 'object', required: ['kind', 'id'], properties: { kind: { type: 'string', enum: ['show', 'booking', 'order', 'refund', 'dead-letter', 'manual-review', 'notification'] }, id: { type: 'string' }, label: { type: 'string' } } };
const GAP_SCHEMA = { type: 'object', required: ['app', 'reason'], properties: { app: { type: 'string', enum: ['booking', 'delivery', 'fulfillment', 'admin'] }, reason: { type: 'string' } }, description: 'An app that did not answer: its part of the story is missing (not an error).' };
const EVENT_SCHEMA = {
  type: 'object', required: ['at', 'app', 'kind', 'summary'],
  properties: {
    at: { type: 'string', format: 'date-time', description: 'When the fact was recorded (never derived).' },
    app: { type: 'string', enum: ['booking', 'delivery', 'fulfillment', 'admin'] },
    kind: { type: 'string', examples: ['hold.placed', 'payment.authorized', 'email.attempt', 'saga.step', 'compensation', 'dead-letter', 'admin.action'] },
    summary: { type: 'string' }, correlationId: { type: 'string' }, status: { type: 'string' }, attempt: { type: 'integer' },
    error: { type: 'string' }, providerId: { type: 'string' }, actor: { type: 'string' }, links: { type: 'array', items: LINK_SCHEMA },
  },
};
const STORY_SCHEMA = {
  type: 'object', required: ['subject', 'events', 'related', 'gaps'],
  properties: {
    subject: { type: 'object', properties: { kind: { type: 'string', enum: ['booking', 'order'] }, id: { type: 'string' } } },
    events: { type: 'array', items: EVENT_SCHEMA, description: 'Every app\'s events and the console\'s admin actions, oldest first (ties: booking, fulfillment, delivery, admin, then kind).' },
    related: { type: 'array', items: LINK_SCHEMA },
    gaps: { type: 'array', items: GAP_SCHEMA },
  },
};

/** The timeline's JSON routes in the console's OpenAPI document. */
function documentTimeline(ctx: SectionContext): void {
  const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: ENTITY_ID_PATTERN.source } };
  const json = (schema: unknown, description: string) => ({ description, content: { 'application/json': { schema } } });
  const invalid = { description: 'INVALID_ID or INVALID_QUERY (problem)', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
  for (const [subject, apps] of [['bookings', 'booking and delivery'], ['orders', 'fulfillment and delivery']] as const) {
    ctx.openapi.add(`/api/admin/timeline/${subject}/{id}`, 'get', {
      summary: `A ${subject.slice(0, -1)}'s whole story`, tags: ['timeline'],
      description: `Role admin or manager. Asks ${apps} for their part (in parallel, by service invocation), adds the console's own admin actions on it and on its related entities, sorted by time. An app that does not answer is listed in gaps.`,
      parameters: [idParam],
      responses: { 200: json(STORY_SCHEMA, 'The merged timeline'), 400: invalid },
    });
  }
  ctx.openapi.add('/api/admin/timeline/search', 'get', {
    summary: 'Find bookings and orders by id, customer email or correlation id', tags: ['timeline'],
    description: 'Role admin or manager. Asks booking, delivery and fulfillment; each match once.',
    parameters: [{ name: 'q', in: 'query', required: true, schema: { type: 'string', minLength: 1, maxLength: 320, pattern: '^\\S+$' } }],
    responses: {
      200: json({ type: 'object', required: ['q', 'matches', 'gaps'], properties: { q: { type: 'string' }, matches: { type: 'array', items: { type: 'object', required: ['kind', 'id', 'label'], properties: { kind: { type: 'string', enum: ['booking', 'order'] }, id: { type: 'string' }, label: { type: 'string' } } } }, gaps: { type: 'array', items: GAP_SCHEMA } } }, 'The matches'),
      400: invalid,
    },
  });
}
