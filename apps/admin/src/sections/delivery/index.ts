/**
 * Delivery and money (admin): dead letters by topic with replay, the delivery figures with an
 * hour of samples for the charts, refunds and the two manual-review queues, failed webhooks.
 * Every POST is a form carrying `_csrf`; the answer is a redirect back with a fixed notice, or the
 * page again with the app's problem as a sentence.
 */
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { AppCallError, type ActionRecord, type AdminSection, type SectionContext, type SignedInUser, type TargetApp } from '../../http/section';
import { requireRole, signedInUser } from '../../http/session';
import { describeProblem } from '../../domain/problem-words';
import {
  RingBuffer, deadLetterSchema, figuresSchema, groupByTopic, hourCapacity, letterSubject, money, refundSchema, refundTabSchema, resolveFormSchema, sampleOf,
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
  z.object({ reviews: z.array(manualReviewSchema) }).transform((a) => a.reviews),
  z.object({ manualReviews: z.array(manualReviewSchema) }).transform((a) => a.manualReviews),
]);
const webhookSchema = z.object({
  id: z.string(), type: z.string(), status: z.string(), error: z.string().nullable().optional(), deliveries: z.number().optional(),
  receivedAt: z.string().optional(), processedAt: z.string().nullable().optional(),
});

const uuid = z.string().uuid();
const sentence = (err: unknown): string =>
  err instanceof AppCallError ? describeProblem({ code: err.code, detail: err.detail, status: err.status }) : describeProblem({ status: 500 });
const outcomeOf = (err: unknown): ActionRecord['outcome'] => (err instanceof AppCallError && err.status < 500 ? 'refused' : 'failed');
const statusOf = (err: unknown): number => (err instanceof AppCallError && err.status < 500 ? err.status : 502);
const codeOf = (err: unknown): string | undefined => (err instanceof AppCallError ? err.code : undefined);
const notice = (req: Request): string | undefined => (typeof req.query.notice === 'string' ? NOTICES[req.query.notice] : undefined);

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

      /** Runs an action, records it, and answers a redirect with a notice or the page again with the problem. */
      async function act(req: Request, res: Response, record: Omit<ActionRecord, 'outcome'>, run: () => Promise<unknown>, done: string, back: string, again: (error: string, status: number) => Promise<void>) {
        try {
          await run();
          await ctx.recordAction(req, { ...record, outcome: 'ok' });
          res.redirect(303, `${back}${back.includes('?') ? '&' : '?'}notice=${done}`);
        } catch (err) {
          ctx.logger.warn({ action: record.action, target: record.target, code: codeOf(err) }, 'admin action refused');
          await ctx.recordAction(req, { ...record, outcome: outcomeOf(err), detail: { ...record.detail, code: codeOf(err) } });
          await again(sentence(err), statusOf(err));
        }
      }

      // ---- /delivery: dead letters and figures
      async function renderDelivery(req: Request, res: Response, extra: { status?: number; error?: string } = {}) {
        const user = signedInUser(req);
        const [letters, figures] = await Promise.all([
          call(user, 'delivery', 'GET', '/api/admin/dead-letters?limit=500').then((a) => ({ ok: z.object({ deadLetters: z.array(deadLetterSchema) }).parse(a).deadLetters }), (err) => ({ error: sentence(err) })),
          call(user, 'delivery', 'GET', '/api/monitoring/delivery').then((a) => ({ ok: figuresSchema.parse(a) }), (err) => ({ error: sentence(err) })),
        ]);
        if ('ok' in figures && figures.ok) {
          latest = { figures: figures.ok, at: new Date() };
          if (series.length === 0) series.push(sampleOf(figures.ok, latest.at));
        }
        res.status(extra.status ?? 200).render('delivery/delivery', {
          title: 'Delivery', notice: notice(req), error: extra.error,
          groups: 'ok' in letters && letters.ok ? groupByTopic(letters.ok).map((g) => ({ ...g, letters: g.letters.map((l) => ({ ...l, subject: letterSubject(l) })) })) : [],
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
        if (!id.success) return renderDelivery(req, res, { status: 404, error: describeProblem({ code: 'DEAD_LETTER_NOT_FOUND' }) });
        await act(req, res, { action: 'dead-letter.replay', target: { kind: 'dead-letter', id: id.data } },
          () => call(signedInUser(req), 'delivery', 'POST', `/api/admin/dead-letters/${id.data}/replay`, {}),
          'replayed', '/delivery', (error, status) => renderDelivery(req, res, { status, error: `The dead letter was not replayed: ${error}` }));
      });

      router.post('/delivery/dead-letters/replay', admin, async (req, res) => {
        const topic = z.object({ topic: z.string().trim().min(1).max(200) }).safeParse(req.body ?? {});
        if (!topic.success) return renderDelivery(req, res, { status: 400, error: 'Choose a topic to replay.' });
        await act(req, res, { action: 'dead-letter.replay-topic', target: { kind: 'dead-letter', id: topic.data.topic }, detail: { topic: topic.data.topic } },
          () => call(signedInUser(req), 'delivery', 'POST', '/api/admin/dead-letters/replay', { topic: topic.data.topic }),
          'topic-replayed', '/delivery', (error, status) => renderDelivery(req, res, { status, error: `The topic was not replayed: ${error}` }));
      });

      // ---- /refunds: refunds by status, delivery's refund reviews, booking's manual reviews
      async function renderRefunds(req: Request, res: Response, extra: { status?: number; error?: string; reviewErrors?: Record<string, string> } = {}) {
        const user = signedInUser(req);
        const tab = refundTabSchema.parse(req.query.status);
        const [refunds, reviews, openReviews] = await Promise.all([
          call(user, 'delivery', 'GET', `/api/admin/refunds?status=${tab}&limit=200`).then((a) => ({ ok: z.object({ refunds: z.array(refundSchema) }).parse(a).refunds }), (err) => ({ error: sentence(err) })),
          // Delivery's refund reviews are its failed refunds that opened a manual review.
          tab === 'FAILED' ? Promise.resolve(undefined) : call(user, 'delivery', 'GET', '/api/admin/refunds?status=FAILED&limit=200').then((a) => ({ ok: z.object({ refunds: z.array(refundSchema) }).parse(a).refunds }), (err) => ({ error: sentence(err) })),
          call(user, 'booking', 'GET', '/api/admin/manual-reviews?status=OPEN').then((a) => ({ ok: manualReviewsAnswer.parse(a) }), (err) => ({ error: sentence(err) })),
        ]);
        const failed = tab === 'FAILED' ? refunds : reviews!;
        const show = (r: z.infer<typeof refundSchema>) => ({ ...r, money: money(r.amount, r.currency) });
        res.status(extra.status ?? 200).render('delivery/refunds', {
          title: 'Refunds and reviews', notice: notice(req), error: extra.error, reviewErrors: extra.reviewErrors ?? {}, tab, tabs: REFUND_STATUSES,
          refunds: 'ok' in refunds ? refunds.ok.map(show) : [], refundsError: 'error' in refunds ? refunds.error : undefined,
          refundReviews: 'ok' in failed ? failed.ok.filter((r) => r.status === 'FAILED').map(show) : [], refundReviewsError: 'error' in failed ? failed.error : undefined,
          manualReviews: 'ok' in openReviews ? openReviews.ok : [], manualReviewsError: 'error' in openReviews ? openReviews.error : undefined,
        });
      }

      router.get('/refunds', admin, (req, res) => renderRefunds(req, res));

      router.post('/refunds/:id/retry', admin, async (req, res) => {
        const id = uuid.safeParse(req.params.id);
        if (!id.success) return renderRefunds(req, res, { status: 404, error: describeProblem({ code: 'REFUND_NOT_FOUND' }) });
        await act(req, res, { action: 'refund.retry', target: { kind: 'refund', id: id.data } },
          () => call(signedInUser(req), 'delivery', 'POST', `/api/admin/refunds/${id.data}/retry`, {}),
          'refund-retried', '/refunds', (error, status) => renderRefunds(req, res, { status, error: `The refund was not retried: ${error}` }));
      });

      router.post('/manual-reviews/:id/resolve', admin, async (req, res) => {
        const id = uuid.safeParse(req.params.id);
        if (!id.success) return renderRefunds(req, res, { status: 404, error: 'That review does not exist.' });
        const form = resolveFormSchema.safeParse(req.body ?? {});
        if (!form.success) {
          await ctx.recordAction(req, { action: 'manual-review.resolve', target: { kind: 'manual-review', id: id.data }, outcome: 'refused', detail: { code: 'VALIDATION_FAILED' } });
          return renderRefunds(req, res, { status: 400, reviewErrors: { [id.data]: form.error.issues[0]!.message } });
        }
        const { resolution, retry } = form.data;
        await act(req, res, { action: retry ? 'manual-review.retry-resolve' : 'manual-review.resolve', target: { kind: 'manual-review', id: id.data }, detail: { resolution, retry } },
          () => call(signedInUser(req), 'booking', 'POST', `/api/admin/manual-reviews/${id.data}/resolve`, { resolution, ...(retry ? { retry: true } : {}) }),
          retry ? 'retried-resolved' : 'resolved', '/refunds', (error, status) => renderRefunds(req, res, { status, reviewErrors: { [id.data]: `The review was not resolved: ${error}` } }));
      });

      // ---- /webhooks: the payment provider's events booking could not process
      router.get('/webhooks', admin, async (req, res) => {
        let events: Array<z.infer<typeof webhookSchema>> = [];
        let error: string | undefined;
        try {
          events = z.object({ events: z.array(webhookSchema) }).parse(await call(signedInUser(req), 'booking', 'GET', '/api/admin/webhooks?status=FAILED&limit=200')).events;
        } catch (err) {
          error = sentence(err);
        }
        res.render('delivery/webhooks', { title: 'Failed webhooks', events, error });
      });
    },
  };
}

export const deliverySection: DeliverySection = createDeliverySection(deliveryConfigSchema.parse(process.env));
