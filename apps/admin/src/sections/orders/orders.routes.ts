/**
 * The manager's order pages: /orders (search), /approvals (the queue with time left), /orders/:id
 * (progress, steps, compensations, label) and its Approve / Reject / Cancel forms. Thin: fulfillment
 * answers through ctx.apps with the manager credential; order-view.ts and order-search.ts decide
 * what the pages say. A POST redirects back to the order (or the queue) with what happened, so a
 * reload never repeats an action and a refusal is read against the order as it is now.
 */
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { AppCallError, type SectionContext, type SignedInUser } from '../../http/section';
import { actAndRedirect, firstOf, moreSentence, problemSentence, refusalQuerySchema, refuseAndRedirect } from '../../http/section-helpers';
import { ENTITY_ID_PATTERN } from '../../domain/ids';
import { signedInUser, requireRole } from '../../http/session';
import { describeProblem } from '../../domain/problem-words';
import { formatMoney, formatTime } from '../../domain/format';
import { dataFacts, recordedErrorInWords } from '../../domain/recorded-words';
import { allowedActions, FORM_REFUSALS, formRefusalCode, isFormRefusal, labelProgress, refusalSentence, statusLabel, timeLeft, type OrderAction, type OrderView } from './order-view';
import { formErrors, searchFormSchema, searchHref, sortHeaders, sortOrders, SEARCH_STATUSES, PAGE_SIZES, type SearchForm, fulfillmentQuery } from './order-search';

const orderIdSchema = z.string().regex(ENTITY_ID_PATTERN);
const rejectFormSchema = z.object({
  reason: z.string().trim().min(1, 'Give a reason for the rejection.').max(500, 'A reason is at most 500 characters.'),
  back: z.enum(['order', 'approvals']).optional(),
});
const actionFormSchema = z.object({ back: z.enum(['order', 'approvals']).optional() });
/** What the page was redirected with after an action: shown once, read against the order as it is now. */
const ORDER_ACTIONS = ['approve', 'reject', 'cancel'] as const;
const doneQuerySchema = z.object({ done: z.enum(ORDER_ACTIONS) });
const refusalQuery = refusalQuerySchema(ORDER_ACTIONS);
type Outcome = { done: OrderAction } | z.infer<typeof refusalQuery> | undefined;
const outcomeInQuery = (query: unknown): Outcome => doneQuerySchema.safeParse(query).data ?? refusalQuery.safeParse(query).data;

const DONE_SENTENCES: Record<OrderAction, string> = {
  approve: 'The order was approved. The saga goes on: reserve, capture, label, notify.',
  reject: 'The order was rejected. Its authorization is released.',
  cancel: 'The order was cancelled. Whatever it had done is undone.',
};

/** fulfillment's largest page of GET /workflows. */
const APPROVALS_LIMIT = 200;

type OrderSearchAnswer = { orders: OrderView[]; nextCursor: string | null };

export function registerOrderRoutes(router: Router, ctx: SectionContext): void {
  const manager = requireRole('manager');
  const fulfillment = <T>(req: Request, method: 'GET' | 'POST', path: string, body?: unknown) =>
    ctx.apps.call<T>(signedInUser(req), 'fulfillment', { method, path, body, credential: 'manager' });
  /** The order as fulfillment holds it now, or undefined when it could not be read. */
  const readOrder = (req: Request, id: string) => fulfillment<OrderView>(req, 'GET', `/workflows/${encodeURIComponent(id)}/status`).catch(() => undefined);

  router.get('/orders', manager, async (req, res) => {
    const parsed = searchFormSchema.safeParse(req.query);
    const form: SearchForm = parsed.success ? parsed.data : {};
    const errors = parsed.success ? {} : formErrors(parsed.error);
    let orders: OrderView[] = [];
    let nextCursor: string | null = null;
    let problem: string | undefined;
    if (parsed.success) {
      try {
        const answer = await fulfillment<OrderSearchAnswer>(req, 'GET', fulfillmentQuery(form));
        orders = sortOrders(answer.orders, form.sort, form.dir);
        nextCursor = answer.nextCursor;
      } catch (error) {
        problem = problemSentence(error);
      }
    }
    const page = form.page ?? 1;
    // A form with errors is this page again with its sentences (200): a 4xx page is a console error.
    res.render('orders/list', {
      title: 'Orders',
      form, errors, problem, statuses: SEARCH_STATUSES, pageSizes: PAGE_SIZES, statusLabel,
      headers: sortHeaders({ ...form, cursor: form.cursor, page: form.page }),
      orders: orders.map((o) => ({ ...o, money: formatMoney(o.totalAmount, o.currency), created: formatTime(o.createdAt), statusText: statusLabel(o.status) })),
      page,
      nextHref: nextCursor ? searchHref(form, { cursor: nextCursor, page: page + 1 }) : null,
      firstHref: form.cursor ? searchHref(form, { cursor: undefined, page: undefined }) : null,
    });
  });

  router.get('/approvals', manager, async (req, res) => {
    let orders: OrderView[] = [];
    let more: string | undefined;
    let problem: string | undefined;
    try {
      const answer = await fulfillment<OrderSearchAnswer>(req, 'GET', `/workflows?orderStatus=awaiting_approval&limit=${APPROVALS_LIMIT}`);
      // fulfillment's largest page: beyond it the queue says so and points at the paged search.
      const first = firstOf(answer.orders, APPROVALS_LIMIT, answer.nextCursor);
      orders = first.items;
      more = first.more ? moreSentence(APPROVALS_LIMIT, 'orders awaiting approval') : undefined;
    } catch (error) {
      problem = problemSentence(error);
    }
    const now = new Date();
    const outcome = outcomeInQuery(req.query);
    const acted = orderIdSchema.safeParse(req.query.order);
    // A refusal is put in words against the order as it is now (rejected, timed out...).
    const actedOn = outcome && 'refused' in outcome && acted.success ? await readOrder(req, acted.data) : undefined;
    const notice = outcomeNotice(outcome, actedOn);
    res.render('orders/approvals', {
      title: 'Approvals', scripts: ['/static/orders-actions.js'],
      problem, flash: notice, more,
      orders: orders
        .map((o) => ({ ...o, money: formatMoney(o.totalAmount, o.currency), created: formatTime(o.createdAt), left: timeLeft(o.approvalDueAt, now), due: o.approvalDueAt ? formatTime(o.approvalDueAt) : 'unknown' }))
        // The order closest to timing out first; unknown due times last.
        .sort((a, b) => (a.left.seconds ?? Infinity) - (b.left.seconds ?? Infinity)),
    });
  });

  router.get('/orders/:id', manager, async (req, res) => {
    const id = orderIdSchema.safeParse(req.params.id);
    if (!id.success) return void res.status(404).render('orders/missing', { title: 'Order not found', sentence: 'That is not an order id.' });
    let order: OrderView;
    try {
      order = await fulfillment<OrderView>(req, 'GET', `/workflows/${encodeURIComponent(id.data)}/status`);
    } catch (error) {
      const status = error instanceof AppCallError ? error.status : 502;
      return void res.status(status === 404 ? 404 : 502).render('orders/missing', { title: 'Order', sentence: problemSentence(error) });
    }
    const outcome = outcomeInQuery(req.query);
    res.render('orders/detail', {
      title: `Order ${order.orderId}`, scripts: ['/static/orders-actions.js'],
      order, statusText: statusLabel(order.status),
      // What fulfillment recorded, in words (a provider's JSON answer included).
      errorText: order.error ? recordedErrorInWords(order.error) : null,
      money: formatMoney(order.totalAmount, order.currency),
      created: formatTime(order.createdAt),
      finished: order.finishedAt ? formatTime(order.finishedAt) : null,
      steps: order.completedSteps.map((s) => ({ ...s, when: formatTime(s.timestamp), dataText: stepFacts(s.data, order.currency) })),
      compensations: order.compensations.map((s) => ({ ...s, when: formatTime(s.timestamp), dataText: stepFacts(s.data, order.currency) })),
      label: labelProgress(order),
      actions: allowedActions(order),
      left: order.status === 'awaiting_approval' ? timeLeft(order.approvalDueAt, new Date()) : null,
      due: order.approvalDueAt ? formatTime(order.approvalDueAt) : 'unknown',
      flash: outcomeNotice(outcome, order),
    });
  });

  const act = (action: OrderAction) => async (req: Request, res: Response) => {
    const id = orderIdSchema.safeParse(req.params.id);
    if (!id.success) return void res.status(404).render('orders/missing', { title: 'Order not found', sentence: 'That is not an order id.' });
    const user = signedInUser(req);
    const form = action === 'reject' ? rejectFormSchema.safeParse(req.body ?? {}) : actionFormSchema.safeParse(req.body ?? {});
    const back = (form.success ? form.data.back : undefined) === 'approvals' ? '/approvals' : `/orders/${encodeURIComponent(id.data)}`;
    const order: Record<string, string> = back === '/approvals' ? { order: id.data } : {};
    const record = { action: `order.${action}`, target: { kind: 'order' as const, id: id.data } };
    // A fixed code, put in words when the page is shown: the query string never carries text to show.
    if (!form.success) return refuseAndRedirect(ctx, req, res, record, back, formRefusalCode(form.error.issues[0]), order, action);
    const reason = action === 'reject' ? (form.data as z.infer<typeof rejectFormSchema>).reason : undefined;
    // approve names the signed-in user; reject and cancel take no name (fulfillment's schemas are strict) and record X-Holdfast-Actor.
    const body = action === 'approve' ? { approvedBy: user.name } : action === 'reject' ? { reason } : {};
    await actAndRedirect(ctx, req, res, {
      record: { ...record, ...(reason ? { detail: { reason } } : {}) },
      run: () => fulfillment(req, 'POST', `/workflows/${encodeURIComponent(id.data)}/${action}`, body),
      back, done: { query: { done: action, ...order } }, refusedAs: action, refusedExtra: order,
    });
  };
  router.post('/orders/:id/approve', manager, act('approve'));
  router.post('/orders/:id/reject', manager, act('reject'));
  router.post('/orders/:id/cancel', manager, act('cancel'));

  /** The sentence an outcome in the query stands for, read against the order now (when there is one). */
  function outcomeNotice(outcome: Outcome, order: OrderView | undefined): { kind: 'ok' | 'error'; text: string } | undefined {
    if (!outcome) return undefined;
    if ('done' in outcome) return { kind: 'ok', text: DONE_SENTENCES[outcome.done] };
    if (isFormRefusal(outcome.code)) return { kind: 'error', text: FORM_REFUSALS[outcome.code] };
    if (outcome.status === 409) return { kind: 'error', text: refusalSentence(outcome.refused, outcome, order) };
    return { kind: 'error', text: describeProblem(outcome) };
  }
}

/** A step's data as "key: value" pairs a person reads (amounts in the order's currency, ids, tracking numbers). */
const stepFacts = (data: Record<string, unknown> | undefined, currency: string): Array<{ key: string; value: string }> =>
  dataFacts(data ?? {}, currency, 'major').map((f) => ({ key: f.label, value: f.value }));

export type { SignedInUser };
