/**
 * The order API: place an order (a saga starts), the manager's actions through the OrderActor,
 * and the read model's status and search.
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import { ACTOR_TYPES, AppError, canonicalJson, currentCorrelationId, invokeActor, requireAdmin, requireSameCustomer, seal, type SidecarSettings } from '@holdfast/shared';
import type { OrderModel as Order } from '@holdfast/shared';
import { amountProblems, MAX_ORDER_AMOUNT, ORDER_STATUSES, orderInputSchema, toMajorUnits, toMinorUnits, type OrderInput } from '../domain/order';
import type { OrdersRepository, StepRecord } from '../data/orders.repository';
import type { ActorAnswer, DecisionCommands } from '../actors/order.actor';
import type { OrderWorkflowInput } from '../workflow/order-fulfillment.workflow';

export interface OrdersRouterDeps {
  orders: OrdersRepository;
  sidecar: SidecarSettings;
  managerToken: string;
  /** Seal the managers' (and customers') decisions for the OrderActor: the first key signs. */
  decisionKeys: readonly string[];
  /** Starts the saga; resolves when scheduled (an instance that already exists counts as scheduled). */
  startWorkflow(instanceId: string, input: OrderWorkflowInput): Promise<void>;
  settings: { defaultApprovalTimeoutSeconds: number; autoApproveMaxAmountMinor: number; labelPollSeconds: number; labelDeadlineSeconds: number; downPaymentExpirySeconds: number; validationTimeoutSeconds: number };
}

export const orderIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/);
export const approveSchema = z.object({ approvedBy: z.string().trim().min(1).max(100) }).strict();
export const paySchema = z.object({ paymentToken: z.string().min(1).max(200).optional() }).strict();
export const rejectSchema = z.object({ reason: z.string().trim().min(1).max(500) }).strict();
/** Search bounds match what an order may hold, so no bound reaches the int4 column out of its range. */
const searchAmount = z.coerce.number().nonnegative().max(MAX_ORDER_AMOUNT, `at most ${MAX_ORDER_AMOUNT} (an order's largest amount)`);
/** Years 1 to 9999: JavaScript dates reach further than PostgreSQL's timestamptz. */
const searchDate = z.coerce.date().min(new Date('0001-01-01T00:00:00.000Z')).max(new Date('9999-12-31T23:59:59.999Z'));
export const searchSchema = z.object({
  customerId: z.string().min(1).max(100).optional(),
  status: z.enum(ORDER_STATUSES).optional(),
  minAmount: searchAmount.optional(),
  maxAmount: searchAmount.optional(),
  from: searchDate.optional(),
  to: searchDate.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** The `nextCursor` of the previous page. */
  cursor: z.string().max(300).optional(),
}).strict();

/** The read model as clients see it: amounts back in major units. */
export function orderView(order: Order) {
  return {
    orderId: order.id, instanceId: order.instanceId, customerId: order.customerId, status: order.status, progress: order.progress,
    currentStep: order.currentStep, totalAmount: toMajorUnits(order.totalAmount), currency: order.currency,
    completedSteps: order.completedSteps as unknown as StepRecord[], compensations: order.compensations as unknown as StepRecord[],
    error: order.error, approvedBy: order.approvedBy, rejectionReason: order.rejectionReason,
    downPayment: order.downPaymentAmount === null ? null : toMajorUnits(order.downPaymentAmount),
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
  const manager = requireAdmin(deps.managerToken, 'MANAGER_AUTH_REQUIRED', 'Approving, rejecting and cancelling orders needs a manager bearer token.');

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
      address: order.shippingAddress as Record<string, unknown>, customerEmail: order.customerEmail,
      approvalTimeoutSeconds: order.approvalTimeoutSeconds, labelPollSeconds: deps.settings.labelPollSeconds, labelDeadlineSeconds: deps.settings.labelDeadlineSeconds,
      autoApprovedBy: order.totalAmount <= deps.settings.autoApproveMaxAmountMinor ? 'auto-approval' : undefined,
      downPayment: order.downPaymentAmount === null ? undefined
        : { amount: order.downPaymentAmount, expirySeconds: deps.settings.downPaymentExpirySeconds, validationTimeoutSeconds: deps.settings.validationTimeoutSeconds },
    });
    res.status(202).json({ orderId: order.id, instanceId: order.instanceId, status: order.status, created });
  });

  /** The customer pays the down payment (orders placed with one): before it expires, or a 409. */
  router.post('/workflows/:id/pay', async (req, res) => {
    const order = await existingOrder(req);
    requireSameCustomer(req, order.customerId, new AppError(404, 'ORDER_NOT_FOUND', `No order ${order.id}.`));
    const { paymentToken } = paySchema.parse(req.body ?? {});
    res.status(202).json({ orderId: order.id, ...(await actorAction(order.id, 'pay', { token: paymentToken })) });
  });

  router.post('/workflows/:id/approve', manager, async (req, res) => {
    const order = await existingOrder(req);
    const { approvedBy } = approveSchema.parse(req.body);
    res.status(202).json({ orderId: order.id, ...(await actorAction(order.id, 'approve', { approvedBy })) });
  });

  router.post('/workflows/:id/reject', manager, async (req, res) => {
    const order = await existingOrder(req);
    const { reason } = rejectSchema.parse(req.body);
    res.status(202).json({ orderId: order.id, ...(await actorAction(order.id, 'reject', { reason })) });
  });

  router.post('/workflows/:id/cancel', manager, async (req, res) => {
    const order = await existingOrder(req);
    res.status(202).json({ orderId: order.id, ...(await actorAction(order.id, 'cancel', {})) });
  });

  router.get('/workflows/:id/status', async (req, res) => {
    res.json(orderView(await existingOrder(req)));
  });

  /** Every customer's orders: managers only (the order id alone opens its status, above). */
  router.get('/workflows', requireAdmin(deps.managerToken, 'MANAGER_AUTH_REQUIRED', 'Searching orders needs a manager bearer token.'), async (req, res) => {
    const query = searchSchema.parse(req.query);
    const limit = query.limit;
    const found = await deps.orders.search({
      customerId: query.customerId, status: query.status, from: query.from, to: query.to, limit,
      minAmountMinor: query.minAmount === undefined ? undefined : toMinorUnits(query.minAmount),
      maxAmountMinor: query.maxAmount === undefined ? undefined : toMinorUnits(query.maxAmount),
      after: query.cursor ? decodeCursor(query.cursor) : undefined,
    });
    const page = found.slice(0, limit);
    res.json({ orders: page.map(orderView), nextCursor: found.length > limit ? encodeCursor(page.at(-1)!) : null });
  });

  return router;
}
