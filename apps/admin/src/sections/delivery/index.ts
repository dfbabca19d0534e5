/**
 * Delivery and money (admin): dead letters by topic with replay, the delivery figures with an
 * hour of samples for the charts, refunds and the two manual-review queues, failed webhooks.
 * Every POST is a form carrying `_csrf`; the answer is a redirect back with a fixed notice, or the
 * page again with the app's problem as a sentence.
 */
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { type ActionRecord, type AdminSection, type SectionContext, type SignedInUser, type TargetApp } from '../../http/section';
import { requireRole, signedInUser } from '../../http/session';
import { actAndRedirect, firstOf, moreSentence, readAnswer, refusalQuerySchema, refuseAndRedirect, withQuery } from '../../http/section-helpers';
import { describeProblem } from '../../domain/problem-words';
import { asClause, recordedErrorInWords } from '../../domain/recorded-words';
import {
  RingBuffer, deadLetterSchema, figuresSchema, groupByTopic, hourCapacity, letterSubject, money, readableError, refundSchema, refundTabSchema, resolveFormSchema, sampleOf,
  REFUND_STATUSES, type DeliveryFigures, type Sample,
} from './domain';

export const deliveryConfigSchema = z.object({
  /** How often the console samples GET /api/monitoring/delivery for the charts (seconds). */
  DELIVERY_SAMPLE_SECONDS: z.coerce.number().int().min(1).max(3600).default(15),
});
export type DeliveryConfig = z.infer<typeof deliveryConfigSchema>;

/** The sampler acts as no signed-in person: the apps record this name as the reader. */
const SAMPLER: SignedInUser = { name: 'admin-console', roles: ['admin'], sessionId: 'sampler' };

/** Notices a redirect may carry: fixed words, never text from the query string. */
const NOTICES: Record<string, string> = {
  replayed: 'The dead letter was sent again. It leaves the list once it is delivered.',
  'topic-replayed': 'The dead letters of that topic were sent again.',
  'refund-retried': 'The refund was sent again.',
  resolved: 'The review was resolved.',
  'retried-resolved': 'The review was retried and resolved.',
};

const manualReviewSchema = z.object({
  id: z.string(), kind: z.string(), bookingId: z.string().nullable().optional(), reason: z.string(), status: z.string(),
  createdAt: z.string().optional(), resolvedAt: z.string().nullable().optional(), resolvedBy: z.string().nullable().optional(), resolution: z.string().nullable().optional(),
});
const manualReviewsAnswer = z.union([
  z.object({ reviews: z.array(manualReviewSchema), nextCursor: z.string().nullable().optional() }).transform((a) => ({ reviews: a.reviews, nextCursor: a.nextCursor ?? null })),
  z.object({ manualReviews: z.array(manualReviewSchema), nextCursor: z.string().nullable().optional() }).transform((a) => ({ reviews: a.manualReviews, nextCursor: a.nextCursor ?? null })),
]);

/** How many rows each list shows; one more is asked for, so a longer list says it was cut. */
const LIST_LIMITS = { deadLetters: 500, refunds: 200, manualReviews: 100, webhooks: 200 } as const;
const webhookSchema = z.object({
  id: z.string(), type: z.string(), status: z.string(), error: z.string().nullable().optional(), deliveries: z.number().optional(),
  receivedAt: z.string().optional(), processedAt: z.string().nullable().optional(),
});

const uuid = z.string().uuid();
const notice = (req: Request): string | undefined => (typeof req.query.notice === 'string' && Object.hasOwn(NOTICES, req.query.notice) ? NOTICES[req.query.notice] : undefined);

/** What a refused action's redirect carries: the action, the app's code and status, maybe the review. */
const REFUSABLE = ['dead-letter.replay', 'dead-letter.replay-topic', 'refund.retry', 'manual-review.resolve', 'manual-review.retry-resolve'] as const;
const refusalQuery = refusalQuerySchema(REFUSABLE).extend({ review: z.string().uuid().optional() });
const REFUSED_WORDS: Record<z.infer<typeof refusalQuery>['refused'], string> = {
  'dead-letter.replay': 'The dead letter was not replayed',
  'dead-letter.replay-topic': 'The topic was not replayed',
  'refund.retry': 'The refund was not retried',
  'manual-review.resolve': 'The review was not resolved',
  'manual-review.retry-resolve': 'The review was not retried and resolved',
};
/** The refusal in the query as a sentence, and the review it concerns, if any. */
function refusal(req: Request): { error?: string; review?: string } {
  const parsed = refusalQuery.safeParse(req.query);
  if (!parsed.success) return {};
  const { refused, code, status, review } = parsed.data;
  const words = code === 'VALIDATION_FAILED' && refused.startsWith('manual-review') ? 'Say how the review was resolved.' : describeProblem({ code, status });
  return { error: `${REFUSED_WORDS[refused]}: ${asClause(words)}`, review };
}

export interface DeliverySection extends AdminSection {
  /** Stops the sampler (tests, shutdown). */
  stop(): void;
}

export function createDeliverySection(config: DeliveryConfig): DeliverySection {
  const series = new RingBuffer<Sample>(hourCapacity(config.DELIVERY_SAMPLE_SECONDS));
  let latest: { figures: DeliveryFigures; at: Date } | undefined;
  let timer: NodeJS.Timeout | undefined;

  return {
    label: 'Delivery and money',
    path: '/delivery',
    roles: ['admin'],
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
    register(router: Router, ctx: SectionContext) {
      const call = <T>(user: SignedInUser, app: TargetApp, method: 'GET' | 'POST', path: string, body?: unknown) =>
        ctx.apps.call<T>(user, app, { method, path, body, credential: 'admin' });
      const admin = requireRole('admin');
      ctx.openapi?.add('/delivery/series.json', 'get', {
        summary: "The last hour of delivery figures the console sampled (every DELIVERY_SAMPLE_SECONDS), oldest first: the charts' data", tags: ['delivery'],
        responses: { 200: { description: 'Samples', content: { 'application/json': { schema: { type: 'object', properties: {
          sampleSeconds: { type: 'integer' }, latestAt: { type: ['string', 'null'] },
          samples: { type: 'array', items: { type: 'object', properties: { at: { type: 'string', format: 'date-time' }, delivered: { type: 'integer' }, failed: { type: 'integer' }, retried: { type: 'integer' }, pending: { type: 'integer' }, deadLettered: { type: 'integer' }, outboxPending: { type: 'integer' } } } },
        } } } } } },
      });

      const sample = async () => {
        try {
          const figures = figuresSchema.parse(await call(SAMPLER, 'delivery', 'GET', '/api/monitoring/delivery'));
          const at = new Date();
          latest = { figures, at };
          series.push(sampleOf(figures, at));
        } catch (err) {
          ctx.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'delivery figures not sampled');
        }
      };
      // Started with the section: an hour of history builds up whether or not anyone looks.
      if (!timer) {
        timer = setInterval(() => void sample(), config.DELIVERY_SAMPLE_SECONDS * 1000);
        timer.unref();
        void sample();
      }

      /** Runs an action, records it, and redirects back with a fixed notice or the refusal (section-helpers). */
      const act = (req: Request, res: Response, record: Omit<ActionRecord, 'outcome'>, run: () => Promise<unknown>, done: string, back: string, extra: Record<string, string> = {}) =>
        actAndRedirect(ctx, req, res, { record, run, back, done: { query: { notice: done } }, refusedExtra: extra });

      // ---- /delivery: dead letters and figures
      async function renderDelivery(req: Request, res: Response) {
        const user = signedInUser(req);
        // Each part read on its own: a refusal or an answer of another shape is a sentence on the page, not a 500.
        const [letters, figures] = await Promise.all([
          readAnswer(call(user, 'delivery', 'GET', `/api/admin/dead-letters?limit=${LIST_LIMITS.deadLetters + 1}`), (a) => firstOf(z.object({ deadLetters: z.array(deadLetterSchema) }).parse(a).deadLetters, LIST_LIMITS.deadLetters), ctx.logger),
          readAnswer(call(user, 'delivery', 'GET', '/api/monitoring/delivery'), (a) => figuresSchema.parse(a), ctx.logger),
        ]);
        if ('ok' in figures && figures.ok) {
          latest = { figures: figures.ok, at: new Date() };
          if (series.length === 0) series.push(sampleOf(figures.ok, latest.at));
        }
        res.render('delivery/delivery', {
          title: 'Delivery', notice: notice(req), error: refusal(req).error,
          lettersMore: 'ok' in letters && letters.ok.more ? moreSentence(LIST_LIMITS.deadLetters, 'dead letters') : undefined,
          groups: 'ok' in letters && letters.ok ? groupByTopic(letters.ok.items).map((g) => ({ ...g, letters: g.letters.map((l) => ({ ...l, subject: letterSubject(l), error: readableError(l.lastError) })) })) : [],
          lettersError: 'error' in letters ? letters.error : undefined,
          figures: 'ok' in figures ? figures.ok : undefined, figuresError: 'error' in figures ? figures.error : undefined,
          sampleSeconds: config.DELIVERY_SAMPLE_SECONDS,
        });
      }

      router.get('/delivery', admin, (req, res) => renderDelivery(req, res));

      router.get('/delivery/series.json', admin, (_req, res) => {
        res.set('cache-control', 'no-store').json({ sampleSeconds: config.DELIVERY_SAMPLE_SECONDS, samples: series.toArray(), latestAt: latest?.at.toISOString() ?? null });
      });

      router.post('/delivery/dead-letters/:id/replay', admin, async (req, res) => {
        const id = uuid.safeParse(req.params.id);
        if (!id.success) return res.redirect(303, withQuery('/delivery', { refused: 'dead-letter.replay', code: 'DEAD_LETTER_NOT_FOUND', status: '404' }));
        await act(req, res, { action: 'dead-letter.replay', target: { kind: 'dead-letter', id: id.data } },
          () => call(signedInUser(req), 'delivery', 'POST', `/api/admin/dead-letters/${id.data}/replay`, {}), 'replayed', '/delivery');
      });

      router.post('/delivery/dead-letters/replay', admin, async (req, res) => {
        const topic = z.object({ topic: z.string().trim().min(1).max(200) }).safeParse(req.body ?? {});
        if (!topic.success) return res.redirect(303, withQuery('/delivery', { refused: 'dead-letter.replay-topic', code: 'VALIDATION_FAILED', status: '400' }));
        await act(req, res, { action: 'dead-letter.replay-topic', target: { kind: 'dead-letter', id: topic.data.topic }, detail: { topic: topic.data.topic } },
          () => call(signedInUser(req), 'delivery', 'POST', '/api/admin/dead-letters/replay', { topic: topic.data.topic }), 'topic-replayed', '/delivery');
      });

      // ---- /refunds: refunds by status, delivery's refund reviews, booking's manual reviews
      async function renderRefunds(req: Request, res: Response) {
        const user = signedInUser(req);
        const tab = refundTabSchema.parse(req.query.status);
        const [refunds, reviews, openReviews] = await Promise.all([
          readAnswer(call(user, 'delivery', 'GET', `/api/admin/refunds?status=${tab}&limit=${LIST_LIMITS.refunds + 1}`), (a) => firstOf(z.object({ refunds: z.array(refundSchema) }).parse(a).refunds, LIST_LIMITS.refunds), ctx.logger),
          // Delivery's refund reviews are its failed refunds that opened a manual review.
          tab === 'FAILED' ? Promise.resolve(undefined) : readAnswer(call(user, 'delivery', 'GET', `/api/admin/refunds?status=FAILED&limit=${LIST_LIMITS.refunds + 1}`), (a) => firstOf(z.object({ refunds: z.array(refundSchema) }).parse(a).refunds, LIST_LIMITS.refunds), ctx.logger),
          readAnswer(call(user, 'booking', 'GET', `/api/admin/manual-reviews?status=OPEN&limit=${LIST_LIMITS.manualReviews}`), (a) => {
            const answer = manualReviewsAnswer.parse(a);
            return firstOf(answer.reviews, LIST_LIMITS.manualReviews, answer.nextCursor);
          }, ctx.logger),
        ]);
        const failed = tab === 'FAILED' ? refunds : reviews!;
        const show = (r: z.infer<typeof refundSchema>) => ({ ...r, money: money(r.amount, r.currency), error: readableError(r.lastError), reason: recordedErrorInWords(r.reason) });
        const refused = refusal(req);
        res.render('delivery/refunds', {
          title: 'Refunds and reviews', notice: notice(req), error: refused.review ? undefined : refused.error,
          reviewErrors: refused.review && refused.error ? { [refused.review]: refused.error } : {}, tab, tabs: REFUND_STATUSES,
          refunds: 'ok' in refunds ? refunds.ok.items.map(show) : [], refundsError: 'error' in refunds ? refunds.error : undefined,
          refundsMore: 'ok' in refunds && refunds.ok.more ? moreSentence(LIST_LIMITS.refunds, `${tab.toLowerCase()} refunds`) : undefined,
          refundReviews: 'ok' in failed ? failed.ok.items.filter((r) => r.status === 'FAILED').map(show) : [], refundReviewsError: 'error' in failed ? failed.error : undefined,
          refundReviewsMore: 'ok' in failed && failed.ok.more ? moreSentence(LIST_LIMITS.refunds, 'failed refunds') : undefined,
          manualReviews: 'ok' in openReviews ? openReviews.ok.items.map((m) => ({ ...m, reason: recordedErrorInWords(m.reason) || m.reason })) : [], manualReviewsError: 'error' in openReviews ? openReviews.error : undefined,
          manualReviewsMore: 'ok' in openReviews && openReviews.ok.more ? moreSentence(LIST_LIMITS.manualReviews, 'open reviews') : undefined,
        });
      }

      router.get('/refunds', admin, (req, res) => renderRefunds(req, res));

      router.post('/refunds/:id/retry', admin, async (req, res) => {
        const id = uuid.safeParse(req.params.id);
        if (!id.success) return res.redirect(303, withQuery('/refunds', { refused: 'refund.retry', code: 'REFUND_NOT_FOUND', status: '404' }));
        await act(req, res, { action: 'refund.retry', target: { kind: 'refund', id: id.data } },
          () => call(signedInUser(req), 'delivery', 'POST', `/api/admin/refunds/${id.data}/retry`, {}), 'refund-retried', '/refunds');
      });

      router.post('/manual-reviews/:id/resolve', admin, async (req, res) => {
        const id = uuid.safeParse(req.params.id);
        if (!id.success) return res.redirect(303, withQuery('/refunds', { refused: 'manual-review.resolve', code: 'ROUTE_NOT_FOUND', status: '404' }));
        const form = resolveFormSchema.safeParse(req.body ?? {});
        if (!form.success) return refuseAndRedirect(ctx, req, res, { action: 'manual-review.resolve', target: { kind: 'manual-review', id: id.data } }, '/refunds', 'VALIDATION_FAILED', { review: id.data });
        const { resolution, retry } = form.data;
        await act(req, res, { action: retry ? 'manual-review.retry-resolve' : 'manual-review.resolve', target: { kind: 'manual-review', id: id.data }, detail: { resolution, retry } },
          () => call(signedInUser(req), 'booking', 'POST', `/api/admin/manual-reviews/${id.data}/resolve`, { resolution, ...(retry ? { retry: true } : {}) }),
          retry ? 'retried-resolved' : 'resolved', '/refunds', { review: id.data });
      });

      // ---- /webhooks: the payment provider's events booking could not process
      router.get('/webhooks', admin, async (req, res) => {
        const read = await readAnswer(call(signedInUser(req), 'booking', 'GET', `/api/admin/webhooks?status=FAILED&limit=${LIST_LIMITS.webhooks + 1}`), (a) => firstOf(z.object({ events: z.array(webhookSchema) }).parse(a).events, LIST_LIMITS.webhooks), ctx.logger);
        const events = 'ok' in read ? read.ok.items : [];
        res.render('delivery/webhooks', {
          title: 'Failed webhooks', events: events.map((e) => ({ ...e, error: readableError(e.error) })), error: 'error' in read ? read.error : undefined,
          more: 'ok' in read && read.ok.more ? moreSentence(LIST_LIMITS.webhooks, 'failed webhook events') : undefined,
        });
      });
    },
  };
}

export const deliverySection: DeliverySection = createDeliverySection(deliveryConfigSchema.parse(process.env));
