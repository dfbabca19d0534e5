/**
 * Shows (admin): the list, the create form, a show's live seat map and its cancellation with a
 * live progress panel. Pages are thin: booking answers, domain.ts decides, the views render.
 */
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { AppError, problem, sendProblem } from '@holdfast/shared';
import type { AdminSection, SectionContext, SignedInUser } from '../../http/section';
import { actAndRedirect, outcomeOf, problemCode, problemSentence, problemStatus, refusalQuerySchema, refuseAndRedirect } from '../../http/section-helpers';
import { requireRole, signedInUser } from '../../http/session';
import { describeProblem } from '../../domain/problem-words';
import { asClause } from '../../domain/recorded-words';
import {
  canCancel, cancelFormSchema, cancellationAnswerSchema, cancellationProgress, confirmationMatches, createShowBody, refundPromise,
  seatCounts, seatRows, seatsAnswerSchema, showSummarySchema, splitShows, type SeatView, type ShowSummary,
} from './domain';

export const showsConfigSchema = z.object({
  /** How often the seat map asks again (ms): a hold shows within 2 s. */
  SEAT_MAP_POLL_MS: z.coerce.number().int().min(100).max(10_000).default(500),
  /**
   * booking's own setting, so the dialog can say whether refunds will be issued. booking serves it
   * only after a cancel (its summary's refundThreshold), so npm start (scripts/dapr-run) and the
   * browser tests' stack give the console booking's configured value; set both together elsewhere.
   */
  SHOW_CANCEL_REFUND_THRESHOLD: z.coerce.number().int().min(0).default(200),
  /** How many upcoming shows get their seat counts (one seats read each; half as many past ones): the page stays fast. */
  SHOWS_LIST_COUNTED: z.coerce.number().int().min(0).max(500).default(20),
});
export type ShowsConfig = z.infer<typeof showsConfigSchema>;

const showIdSchema = z.string().uuid();
const CANCEL_PROGRESS_POLL_MS = 1000;

/** A refused cancel, as the redirect carries it (section-helpers): a code and a status, put in words on the page. */
const refusalQuery = refusalQuerySchema(['show.cancel']);
function cancelRefusalSentence(code: string, status: number, title: string): string {
  if (code === 'CONFIRMATION_MISMATCH') return `The confirmation does not match the show's title ("${title}"). The show was not cancelled.`;
  if (code === 'REASON_REQUIRED') return 'Give a reason: customers are told why. The show was not cancelled.';
  return `The show was not cancelled: ${asClause(describeProblem({ code, status }))}`;
}

export function createShowsSection(config: ShowsConfig): AdminSection {
  return {
    label: 'Shows',
    path: '/shows',
    roles: ['admin'],
    register(router: Router, ctx: SectionContext) {
      const booking = <T>(user: SignedInUser, method: 'GET' | 'POST', path: string, body?: unknown) =>
        ctx.apps.call<T>(user, 'booking', { method, path, body, credential: 'admin' });
      const admin = requireRole('admin');
      const showParam = [{ name: 'showId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }];
      ctx.openapi?.add('/shows/{showId}/seats.json', 'get', {
        summary: "A show's seats and their status now (the live seat map polls it)", tags: ['shows'], parameters: showParam,
        responses: { 200: { description: 'Each seat id with AVAILABLE, HELD or SOLD, and the counts', content: { 'application/json': { schema: { type: 'object', properties: {
          seats: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, status: { type: 'string', enum: ['AVAILABLE', 'HELD', 'SOLD'] } } } },
          counts: { type: 'object', properties: { sold: { type: 'integer' }, held: { type: 'integer' }, available: { type: 'integer' }, total: { type: 'integer' } } },
        } } } } } },
      });
      ctx.openapi?.add('/shows/{showId}/cancellation.json', 'get', {
        summary: "A cancelled show's progress (the progress panel polls it): SMS and emails sent / failed, refunds processed / failed / in manual review, done", tags: ['shows'], parameters: showParam,
        responses: { 200: { description: 'The progress', content: { 'application/json': { schema: { type: 'object', properties: { progress: { type: 'object', properties: { done: { type: 'boolean' }, state: { type: 'string' } } } } } } } } },
      });

      const seatsOf = async (user: SignedInUser, showId: string): Promise<SeatView[]> =>
        seatsAnswerSchema.parse(await booking(user, 'GET', `/api/shows/${showId}/seats`)).seats;

      /**
       * The list, with seat counts for the first shows of each list (a few reads at a time). A form
       * with errors comes back as this page (200, values kept): a 4xx page is a console error.
       */
      async function renderList(req: Request, res: Response, extra: { errors?: Record<string, string>; values?: Record<string, unknown>; error?: string } = {}) {
        const user = signedInUser(req);
        let shows: ShowSummary[] = [];
        let listError: string | undefined;
        try {
          shows = z.object({ shows: z.array(showSummarySchema) }).parse(await booking(user, 'GET', '/api/shows')).shows;
        } catch (err) {
          listError = problemSentence(err);
        }
        const { upcoming, past } = splitShows(shows, new Date());
        const counted = [...upcoming.slice(0, config.SHOWS_LIST_COUNTED), ...past.slice(0, Math.ceil(config.SHOWS_LIST_COUNTED / 2))];
        const counts = new Map<string, ReturnType<typeof seatCounts> | null>();
        for (let i = 0; i < counted.length; i += 6) {
          await Promise.all(counted.slice(i, i + 6).map(async (s) => {
            counts.set(s.showId, await seatsOf(user, s.showId).then(seatCounts, () => null));
          }));
        }
        const row = (s: ShowSummary) => ({ ...s, counts: counts.get(s.showId) ?? null });
        res.render('shows/list', {
          title: 'Shows', upcoming: upcoming.map(row), past: past.map(row), listError,
          errors: extra.errors ?? {}, values: extra.values ?? {}, error: extra.error,
          created: typeof req.query.created === 'string' && showIdSchema.safeParse(req.query.created).success ? req.query.created : undefined,
        });
      }

      router.get('/shows', admin, (req, res) => renderList(req, res));

      router.post('/shows', admin, async (req, res) => {
        const values = z.record(z.string(), z.unknown()).catch({}).parse(req.body);
        const checked = createShowBody(values, new Date());
        if (!checked.ok) {
          await ctx.recordAction(req, { action: 'show.create', target: { kind: 'show', id: 'new' }, outcome: 'refused', detail: { code: 'VALIDATION_FAILED', fields: Object.keys(checked.errors) } });
          return renderList(req, res, { errors: checked.errors, values });
        }
        try {
          const created = z.object({ showId: z.string() }).passthrough().parse(await booking(signedInUser(req), 'POST', '/api/admin/shows', checked.body));
          await ctx.recordAction(req, { action: 'show.create', target: { kind: 'show', id: created.showId }, outcome: 'ok', detail: { title: checked.body.title } });
          res.redirect(303, `/shows/${created.showId}`);
        } catch (err) {
          ctx.logger.warn({ status: problemStatus(err), code: problemCode(err) }, 'show create refused');
          await ctx.recordAction(req, { action: 'show.create', target: { kind: 'show', id: 'new' }, outcome: outcomeOf(err), detail: { title: checked.body.title, code: problemCode(err) } });
          return renderList(req, res, { error: `The show was not created: ${asClause(problemSentence(err))}`, values });
        }
      });

      async function renderShow(req: Request, res: Response, showId: string, extra: { cancelError?: string } = {}) {
        const user = signedInUser(req);
        const show = showSummarySchema.parse(await booking(user, 'GET', `/api/shows/${showId}`));
        const seats = await seatsOf(user, showId);
        const counts = seatCounts(seats);
        let progress: ReturnType<typeof cancellationProgress> | undefined;
        let summary: { reason: string; cancelledAt: string; ticketsSold: number; refundsQueued: number; refundThreshold: number } | undefined;
        if (show.status === 'CANCELLED') {
          const answer = cancellationAnswerSchema.parse(await booking(user, 'GET', `/api/admin/shows/${showId}/cancellation`));
          progress = cancellationProgress(answer);
          summary = answer;
        }
        res.render('shows/show', {
          title: show.title, show, counts, sections: seatRows(seats), pollMs: config.SEAT_MAP_POLL_MS, progressPollMs: CANCEL_PROGRESS_POLL_MS,
          cancellable: canCancel(show, new Date()), promise: refundPromise(counts.sold, config.SHOW_CANCEL_REFUND_THRESHOLD),
          progress, summary, cancelError: extra.cancelError, cancelValues: {},
        });
      }

      /** A show id from the path, or a 404 page: booking would refuse it anyway. */
      const pathShowId = (req: Request, res: Response): string | undefined => {
        const id = showIdSchema.safeParse(req.params.showId);
        if (!id.success) {
          res.status(404).render('shows/missing', { title: 'No such show', message: describeProblem({ code: 'SHOW_NOT_FOUND' }) });
          return undefined;
        }
        return id.data;
      };

      router.get('/shows/:showId', admin, async (req, res) => {
        const showId = pathShowId(req, res);
        if (!showId) return;
        const refusal = refusalQuery.safeParse(req.query);
        try {
          const show = refusal.success ? showSummarySchema.parse(await booking(signedInUser(req), 'GET', `/api/shows/${showId}`)) : undefined;
          await renderShow(req, res, showId, { cancelError: refusal.success && show ? cancelRefusalSentence(refusal.data.code, refusal.data.status, show.title) : undefined });
        } catch (err) {
          res.status(problemStatus(err)).render('shows/missing', { title: 'Show', message: problemSentence(err) });
        }
      });

      router.get('/shows/:showId/seats.json', admin, async (req, res) => {
        const id = showIdSchema.safeParse(req.params.showId);
        if (!id.success) return sendProblem(req, res, problem(404, 'SHOW_NOT_FOUND', describeProblem({ code: 'SHOW_NOT_FOUND' })));
        try {
          const seats = await seatsOf(signedInUser(req), id.data);
          res.set('cache-control', 'no-store').json({ seats: seats.map((s) => ({ id: s.id, status: s.status })), counts: seatCounts(seats) });
        } catch (err) {
          sendProblem(req, res, problem(problemStatus(err), problemCode(err), problemSentence(err)));
        }
      });

      router.get('/shows/:showId/cancellation.json', admin, async (req, res) => {
        const id = showIdSchema.safeParse(req.params.showId);
        if (!id.success) return sendProblem(req, res, problem(404, 'SHOW_NOT_FOUND', describeProblem({ code: 'SHOW_NOT_FOUND' })));
        try {
          const answer = cancellationAnswerSchema.parse(await booking(signedInUser(req), 'GET', `/api/admin/shows/${id.data}/cancellation`));
          res.set('cache-control', 'no-store').json({ progress: cancellationProgress(answer) });
        } catch (err) {
          sendProblem(req, res, problem(problemStatus(err), problemCode(err), problemSentence(err)));
        }
      });

      router.post('/shows/:showId/cancel', admin, async (req, res) => {
        const showId = pathShowId(req, res);
        if (!showId) return;
        // Back to the show, done or not (section-helpers' flow): a refusal is a fixed code put in words there.
        const back = `/shows/${showId}`;
        const record = { action: 'show.cancel', target: { kind: 'show' as const, id: showId } };
        const values = z.object({ reason: z.string().catch(''), confirmTitle: z.string().catch('') }).parse(req.body ?? {});
        const form = cancelFormSchema.safeParse(values);
        if (!form.success) return refuseAndRedirect(ctx, req, res, record, back, form.error.issues[0]!.path[0] === 'reason' ? 'REASON_REQUIRED' : 'CONFIRMATION_MISMATCH');
        const { reason, confirmTitle } = form.data;
        await actAndRedirect(ctx, req, res, {
          record: { ...record, detail: { reason } },
          run: async () => {
            const show = showSummarySchema.parse(await booking(signedInUser(req), 'GET', `/api/shows/${showId}`));
            if (!confirmationMatches(show.title, confirmTitle)) throw new AppError(400, 'CONFIRMATION_MISMATCH', "The confirmation does not match the show's title.");
            return z.object({ ticketsSold: z.number(), refundsQueued: z.number() }).passthrough()
              .parse(await booking(signedInUser(req), 'POST', `/api/admin/shows/${showId}/cancel`, { reason }));
          },
          back, done: { query: {}, hash: 'cancel-progress' },
          doneDetail: (summary) => ({ ticketsSold: summary.ticketsSold, refundsQueued: summary.refundsQueued }),
        });
      });
    },
  };
}

export const showsSection: AdminSection = createShowsSection(showsConfigSchema.parse(process.env));
