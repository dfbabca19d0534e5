/**
 * The order API: place an order (a saga starts), the manager's actions through the OrderActor,
 * and the read model's status and search.
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import { actorNameSchema, ACTOR_TYPES, AppError, canonicalJson, CUSTOMER_HEADER, currentCorrelationId, headerActor, invokeActor, requireSameCustomer, seal, type SidecarSettings } from '@holdfast/shared';
import type { OrderModel as Order } from '@holdfast/shared';
import { amountProblems, carrierAddress, MAX_ORDER_AMOUNT, orderInputSchema, toMajorUnits, toMinorUnits, type OrderInput, type ShippingAddress } from '../domain/order';
import { documentProgress, type RecordedStep } from '../domain/order-view';
import { createdAtRange, intersect, SEARCH_STATUSES, statusesOf } from '../domain/order-search';
import type { OrdersRepository } from '../data/orders.repository';
import type { ActorAnswer, Canceller, DecisionCommands } from '../actors/order.actor';
import { approverOf, authenticatedManager, claimsManager, managerCredentials, managerOf, requireManager, type ManagerCredential } from './manager-auth';
import type { OrderWorkflowInput } from '../workflow/order-fulfillment.workflow';

export interface OrdersRouterDeps {
  orders: OrdersRepository;
  sidecar: SidecarSettings;
  managerToken: string;
  /** Who holds managerToken, as approvals and cancels record it (MANAGER_API_TOKEN_NAME; default "manager"). */
  managerName?: string;
  /** Managers with a token of their own (MANAGERS). */
  managers?: ManagerCredential[];
  /** Seal the managers' (and customers') decisions for the OrderActor: the first key signs. */
  decisionKeys: readonly string[];
  /** Starts the saga; resolves when scheduled (an instance that already exists counts as scheduled). */
  /** `customerPhone`: where the saga's WhatsApp notices go (the order's row, read already); `fresh`: this request inserted the order. */
  startWorkflow(instanceId: string, input: OrderWorkflowInput, customerPhone: string | null, fresh: boolean): Promise<void>;
  settings: {
    defaultApprovalTimeoutSeconds: number;
    /** The longest approvalTimeoutSeconds an order without a down payment may ask for (what WORKFLOW_TIMEOUT_SECONDS leaves; domain/order-duration.ts). */
    maxApprovalTimeoutSeconds?: number;
    autoApproveMaxAmountMinor: number; labelPollSeconds: number; labelDeadlineSeconds: number; downPaymentExpirySeconds: number; validationTimeoutSeconds: number };
}

export const orderIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/);
/** The document approves with no body (or `{}`): the approver is then the authenticated manager. */
export const approveSchema = z.object({ approvedBy: z.string().trim().min(1).max(100).optional() }).strict();
export const paySchema = z.object({ paymentToken: z.string().min(1).max(200).optional() }).strict();
/** A reason is optional (the document rejects without one). */
export const rejectSchema = z.object({ reason: z.string().trim().min(1).max(500).optional(), rejectedBy: actorNameSchema.optional() }).strict();
/** The reason recorded when a rejection gives none. */
export const NO_REASON = 'no reason given';
/** A customer cancels with its own id (or the X-Customer-Id header); a manager with the bearer token and no body. */
export const cancelSchema = z.object({ customerId: z.string().max(100).regex(/\S/, 'a customer id (not blank)').optional() }).strict();
/** Search bounds match what an order may hold, so no bound reaches the int4 column out of its range. */
const searchAmount = z.coerce.number().nonnegative().max(MAX_ORDER_AMOUNT, `at most ${MAX_ORDER_AMOUNT} (an order's largest amount)`);
/** Years 1 to 9999: JavaScript dates reach further than PostgreSQL's timestamptz. */
const searchDate = z.coerce.date().min(new Date('0001-01-01T00:00:00.000Z')).max(new Date('9999-12-31T23:59:59.999Z'));
export const searchSchema = z.object({
  /** The document's search attributes: orderId, customerId, orderStatus, totalAmount, createdAt. */
  orderId: orderIdSchema.optional(),
  customerId: z.string().min(1).max(100).optional(),
  orderStatus: z.enum(SEARCH_STATUSES).optional(),
  /** Exactly this total, in the input's units (109.97). */
  totalAmount: searchAmount.optional(),
  /** A date (YYYY-MM-DD: that UTC day) or a range from..to of dates or date-times, either side open. */
  createdAt: z.string().max(100).optional(),
  status: z.enum(SEARCH_STATUSES).optional(),
  minAmount: searchAmount.optional(),
  maxAmount: searchAmount.optional(),
  from: searchDate.optional(),
  to: searchDate.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** The `nextCursor` of the previous page. */
  cursor: z.string().max(300).optional(),
}).strict();

/**
 * The read model as clients see it, amounts back in major units: the design document's status
 * answer (status, progress, currentStep, completedSteps, compensations, error with its step names),
 * and beside it the saga's own records as they were before, under `steps` (completed steps),
 * `compensationSteps` and `step` (the current step by the saga's own name).
 */
export function orderView(order: Order) {
  const recorded = { currentStep: order.currentStep, completedSteps: order.completedSteps as unknown as RecordedStep[], compensations: order.compensations as unknown as RecordedStep[] };
  return {
    orderId: order.id, instanceId: order.instanceId, customerId: order.customerId, status: order.status, progress: order.progress,
    ...documentProgress(recorded), error: order.error,
    totalAmount: toMajorUnits(order.totalAmount), currency: order.currency,
    steps: recorded.completedSteps, compensationSteps: recorded.compensations, step: recorded.currentStep,
    approvedBy: order.approvedBy, rejectionReason: order.rejectionReason,
    cancelledBy: (order.cancelledBy ?? null) as Canceller | null, decidedBy: (order.decidedBy ?? null) as { kind: 'manager'; id: string; action: string; actor?: string } | null,
    downPayment: order.downPaymentAmount === null ? null : toMajorUnits(order.downPaymentAmount),
    // Only while the order waits for a manager (issue 13's countdown).
    approvalDueAt: order.status === 'awaiting_approval' && order.approvalDueAt ? order.approvalDueAt.toISOString() : null,
    createdAt: order.createdAt, updatedAt: order.updatedAt, finishedAt: order.finishedAt,
  };
}

/** Is a repeated order the same as the stored one (customer, items, amounts, address, email)? */
function sameOrder(stored: Order, input: OrderInput): boolean {
  return stored.customerId === input.customerId && stored.totalAmount === toMinorUnits(input.totalAmount) && stored.currency === input.currency
    && stored.customerEmail === input.customerEmail && canonicalJson(stored.items) === canonicalJson(input.items)
    && canonicalJson(stored.shippingAddress) === canonicalJson(input.shippingAddress)
    && stored.downPaymentAmount === (input.downPayment ? toMinorUnits(input.downPayment.amount) : null);
}

const encodeCursor = (order: Order) => Buffer.from(JSON.stringify([order.createdAt.toISOString(), order.id])).toString('base64url');
function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    // Decoded text reaches the query: an order id as we issue them, a date PostgreSQL can hold.
    return { createdAt: searchDate.parse(createdAt), id: orderIdSchema.parse(id) };
  } catch {
    throw new AppError(400, 'INVALID_CURSOR', 'cursor is not one this API returned.');
  }
}

const ACTOR_REFUSALS: Record<Extract<ActorAnswer, { ok: false }>['reason'], [number, string]> = {
  NOT_AWAITING_APPROVAL: [409, 'The order is not awaiting approval.'],
  NOT_AWAITING_PAYMENT: [409, 'The order is not awaiting a down payment.'],
  ORDER_FINISHED: [409, 'The order has already finished.'],
  ORDER_ENDING: [409, 'The order is already being undone (rejected, timed out or unpaid).'],
  // Never from these routes (they seal every decision); kept for completeness of the mapping.
  DECISION_NOT_SIGNED: [403, 'The decision was not signed by an authenticated route.'],
};

export function ordersRouter(deps: OrdersRouterDeps): Router {
  const router = Router();
  const credentials = managerCredentials(deps.managerToken, deps.managerName ?? 'manager', deps.managers ?? []);
  const manager = requireManager(credentials, 'Approving and rejecting orders needs a manager bearer token.');

  const existingOrder = async (req: Request) => {
    const id = orderIdSchema.safeParse(req.params.id);
    if (!id.success) throw new AppError(400, 'INVALID_ORDER_ID', 'An order id is 1 to 100 letters, digits, _ . : -.');
    const order = await deps.orders.find(id.data);
    if (!order) throw new AppError(404, 'ORDER_NOT_FOUND', `No order ${id.data}.`);
    return order;
  };
  /** The decision goes to the OrderActor sealed: it takes none that did not come through these routes. */
  const actorAction = async <M extends keyof DecisionCommands>(orderId: string, method: M, body: Omit<DecisionCommands[M], 'issuedAt'>) => {
    const sealed = seal(deps.decisionKeys, orderId, method, { ...body, issuedAt: new Date().toISOString() });
    const answer = await invokeActor<ActorAnswer>(deps.sidecar, ACTOR_TYPES.order, orderId, method, sealed);
    if (!answer.ok) {
      const [status, detail] = ACTOR_REFUSALS[answer.reason];
      throw new AppError(status, answer.reason, detail, { phase: answer.phase });
    }
    return answer;
  };

  router.post('/workflows/order', async (req, res) => {
    const input: OrderInput = orderInputSchema.parse(req.body);
    const problems = amountProblems(input);
    if (problems.length > 0) throw new AppError(400, 'TOTAL_MISMATCH', problems.join('; '));
    // Seed 002: an order ends within the workflow timeout (30 minutes); a down-payment order follows seed 003's timers instead.
    const maxApproval = deps.settings.maxApprovalTimeoutSeconds;
    if (!input.downPayment && maxApproval !== undefined && input.approvalTimeoutSeconds !== undefined && input.approvalTimeoutSeconds > maxApproval) {
      throw new AppError(400, 'APPROVAL_TIMEOUT_TOO_LONG',
        `approvalTimeoutSeconds ${input.approvalTimeoutSeconds} would let the order run past the workflow timeout (WORKFLOW_TIMEOUT_SECONDS): at most ${maxApproval} for an order without a down payment.`,
        { maxApprovalTimeoutSeconds: maxApproval });
    }
    const totalMinor = toMinorUnits(input.totalAmount);
    const approvalTimeoutSeconds = input.approvalTimeoutSeconds ?? deps.settings.defaultApprovalTimeoutSeconds;
    const correlationId = currentCorrelationId() ?? input.orderId;
    const { order, created } = await deps.orders.createOrFind({ input, totalMinor, approvalTimeoutSeconds, correlationId });
    if (!created && !sameOrder(order, input)) {
      throw new AppError(409, 'ORDER_EXISTS', `Order ${input.orderId} exists with other contents.`);
    }
    // Scheduled on every call until the order finishes, not only the first: if the first call died
    // between the insert and here, its retry starts the saga. A running instance is left alone.
    if (!order.finishedAt) await deps.startWorkflow(order.instanceId, {
      orderId: order.id, correlationId: order.correlationId ?? correlationId, amount: order.totalAmount, currency: order.currency,
      items: (order.items as unknown as OrderInput['items']).map((i) => ({ sku: i.sku, quantity: i.quantity })),
      address: carrierAddress(order.shippingAddress as unknown as ShippingAddress), customerEmail: order.customerEmail,
      approvalTimeoutSeconds: order.approvalTimeoutSeconds, labelPollSeconds: deps.settings.labelPollSeconds, labelDeadlineSeconds: deps.settings.labelDeadlineSeconds,
      autoApprovedBy: order.totalAmount <= deps.settings.autoApproveMaxAmountMinor ? 'auto-approval' : undefined,
      downPayment: order.downPaymentAmount === null ? undefined
        : { amount: order.downPaymentAmount, expirySeconds: deps.settings.downPaymentExpirySeconds, validationTimeoutSeconds: deps.settings.validationTimeoutSeconds },
    }, order.customerPhone, created);
    res.status(202).json({ orderId: order.id, instanceId: order.instanceId, status: order.status, created });
  });

  /** The customer pays the down payment (orders placed with one): before it expires, or a 409. */
  router.post('/workflows/:id/pay', async (req, res) => {
    const order = await existingOrder(req);
    requireSameCustomer(req, order.customerId, new AppError(404, 'ORDER_NOT_FOUND', `No order ${order.id}.`));
    const { paymentToken } = paySchema.parse(req.body ?? {});
    res.status(202).json({ orderId: order.id, ...(await actorAction(order.id, 'pay', { token: paymentToken })) });
  });

  /** The approver is the authenticated manager unless the body names one (approverOf says when it may). */
  router.post('/workflows/:id/approve', manager, async (req, res) => {
    const order = await existingOrder(req);
    const { approvedBy: body } = approveSchema.parse(req.body ?? {});
    // The console names its signed-in user in X-Holdfast-Actor; a body's approvedBy wins.
    const named = body ?? headerActor(req);
    const credential = authenticatedManager(res);
    const approvedBy = approverOf(credential, named);
    const answer = await actorAction(order.id, 'approve', { approvedBy });
    await deps.orders.recordDecidedBy(order.id, { kind: 'manager', id: credential.name, action: 'approve', ...(approvedBy !== credential.name ? { actor: approvedBy } : {}) });
    res.status(202).json({ orderId: order.id, approvedBy, ...answer });
  });

  router.post('/workflows/:id/reject', manager, async (req, res) => {
    const order = await existingOrder(req);
    const { reason, rejectedBy: body } = rejectSchema.parse(req.body ?? {});
    const credential = authenticatedManager(res);
    // Who rejected, checked like an approver (a personal token rejects only as its holder).
    const rejectedBy = approverOf(credential, body ?? headerActor(req));
    const answer = await actorAction(order.id, 'reject', { reason: reason ?? NO_REASON });
    await deps.orders.recordDecidedBy(order.id, { kind: 'manager', id: credential.name, action: 'reject', ...(rejectedBy !== credential.name ? { actor: rejectedBy } : {}) });
    res.status(202).json({ orderId: order.id, rejectedBy, ...answer });
  });

  /**
   * "The user cancels at any time": the order's own customer (its id in the body or X-Customer-Id,
   * through the client credential) or a manager (bearer token, any order). A request with an
   * Authorization header is a manager's and must carry a manager token.
   */
  router.post('/workflows/:id/cancel', async (req, res) => {
    let by: Canceller;
    if (claimsManager(req)) {
      const credential = managerOf(credentials, req.header('authorization'));
      if (!credential) throw new AppError(401, 'MANAGER_AUTH_REQUIRED', 'A cancel with an Authorization header needs a manager bearer token.');
      cancelSchema.parse(req.body ?? {});
      // The console's signed-in user when it names one (a personal token cancels only as its holder).
      by = { kind: 'manager', id: approverOf(credential, headerActor(req)) };
    } else {
      const customerId = cancelSchema.parse(req.body ?? {}).customerId?.trim();
      const header = req.header(CUSTOMER_HEADER)?.trim();
      if (!customerId && !header) throw new AppError(401, 'CANCEL_AUTH_REQUIRED', 'A cancel names the order\'s customer (customerId, or X-Customer-Id) or carries a manager bearer token.');
      if (customerId && header && customerId !== header) throw new AppError(403, 'CUSTOMER_MISMATCH', 'customerId and X-Customer-Id name different customers.');
      by = { kind: 'customer', id: (customerId ?? header)! };
    }
    const order = await existingOrder(req);
    if (by.kind === 'customer' && by.id !== order.customerId) throw new AppError(403, 'CUSTOMER_MISMATCH', 'Only the order\'s own customer (or a manager) can cancel it.');
    const answer = await actorAction(order.id, 'cancel', { by });
    const cancelledBy = answer.cancelledBy ?? by;
    await deps.orders.recordCancelledBy(order.id, cancelledBy);
    res.status(202).json({ orderId: order.id, ...answer, cancelledBy });
  });

  router.get('/workflows/:id/status', async (req, res) => {
    res.json(orderView(await existingOrder(req)));
  });

  /** Every customer's orders: managers only (the order id alone opens its status, above). */
  router.get('/workflows', requireManager(credentials, 'Searching orders needs a manager bearer token.'), async (req, res) => {
    const query = searchSchema.parse(req.query);
    const limit = query.limit;
    if (query.orderStatus && query.status && query.orderStatus !== query.status) throw new AppError(400, 'CONFLICTING_STATUS', 'orderStatus and status name different statuses: give one.');
    const status = query.orderStatus ?? query.status;
    let created: { from?: Date; to?: Date } = { from: query.from, to: query.to };
    if (query.createdAt !== undefined) {
      try {
        created = intersect(created, createdAtRange(query.createdAt));
      } catch (error) {
        throw new AppError(400, 'INVALID_CREATED_AT', `createdAt: ${(error as Error).message}.`);
      }
    }
    const found = await deps.orders.search({
      orderId: query.orderId, customerId: query.customerId, statuses: status ? statusesOf(status) : undefined, from: created.from, to: created.to, limit,
      amountMinor: query.totalAmount === undefined ? undefined : toMinorUnits(query.totalAmount),
      minAmountMinor: query.minAmount === undefined ? undefined : toMinorUnits(query.minAmount),
      maxAmountMinor: query.maxAmount === undefined ? undefined : toMinorUnits(query.maxAmount),
      after: query.cursor ? decodeCursor(query.cursor) : undefined,
    });
    const page = found.slice(0, limit);
    res.json({ orders: page.map(orderView), nextCursor: found.length > limit ? encodeCursor(page.at(-1)!) : null });
  });

  return router;
}
