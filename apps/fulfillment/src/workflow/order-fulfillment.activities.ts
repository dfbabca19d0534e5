/**
 * The saga's side effects. Each calls one provider with a key derived from the order and the step
 * (so a retried or replayed activity never acts twice) and records the result in the read model.
 * A provider's 4xx becomes a non-retryable error; 5xx and timeouts are retried by the workflow.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { WorkflowActivityContext } from '@dapr/dapr';
import type { Logger } from 'pino';
import { ACTOR_TYPES, invokeActor, isNonRetryable, NonRetryableError, type SidecarSettings } from '@holdfast/shared';
import { ProviderRefusal, type ProvidersClient } from '../adapters/providers.client';
import type { OrdersRepository, StepMove, StepRecord } from '../data/orders.repository';
import { labelProgress, PROGRESS_AFTER, stepKey, type OrderStatus } from '../domain/order';
import type { Compensation } from '../domain/compensation';
import type { ActorAnswer } from '../actors/order.actor';
import type { JobsRepository } from '../data/jobs.repository';
import type { JobType } from '../domain/jobs';

export const ORDER_ACTIVITIES = {
  authorize: 'orderAuthorizePayment',
  openApproval: 'orderOpenApproval',
  openPayment: 'orderOpenPayment',
  recordApproval: 'orderRecordApproval',
  reserve: 'orderReserveInventory',
  reconcile: 'orderReconcileUncertainStep',
  capture: 'orderCapturePayment',
  startLabel: 'orderStartLabel',
  checkLabel: 'orderCheckLabel',
  ship: 'orderShipAndNotify',
  compensate: 'orderCompensate',
  finish: 'orderFinish',
  /** Seed 003's jobs (OrderFulfillmentV2 and OrderJob): each attempt recorded in order_jobs. */
  expireOrRefundJob: 'orderExpireOrRefundJob',
  sendWhatsApp: 'orderSendWhatsApp',
  releaseStock: 'orderReleaseStock',
  /** OrderFulfillmentV3: several steps in one activity (each as its own activity would do it). */
  runSteps: 'orderRunSteps',
  labelAndShip: 'orderLabelAndShip',
} as const;

/** One step of a combined activity (OrderFulfillmentV3): what its own activity would be given, less the order. */
export type CombinedStep =
  | { kind: 'authorize'; payment: Omit<PaymentStep, 'currency'> }
  | { kind: 'reserve'; approvedBy?: string; progress: number; next: string }
  /** Captures the authorization made earlier in the same activity, or the one named. */
  | { kind: 'capture'; payment: Omit<PaymentStep, 'currency'>; authorizationId?: string };

/** Why a step of a combined activity failed: its error's message, and whether retrying can help. */
export interface StepFailure {
  message: string;
  nonRetryable: boolean;
}

/** What a combined activity did: the steps' results in order, up to the one that failed (if one did). */
export interface StepsOutcome {
  done: Array<{ authorizationId?: string; reservationId?: string; captureId?: string }>;
  failed?: StepFailure;
  /** OrderFulfillmentV4: every step done and the label asked for in the same activity (orderLabelAndShip's outcome). */
  labelled?: LabelAndShipOutcome;
}

/** OrderFulfillmentV4: after the steps, the label and the shipping in the same activity (what orderLabelAndShip takes, less the order). */
export interface LabelAndShipInput {
  address: Record<string, unknown>;
  customerEmail: string;
}

export interface LabelAndShipOutcome {
  /** The label, when it was asked for (failed is then absent). */
  label?: { labelId: string; trackingNumber?: string; status: string };
  /** The label failed: nothing else was tried. */
  failed?: StepFailure;
  /** Closed at the OrderActor, the customer told, the order finished. */
  shipped?: boolean;
  /** The label is created but shipping failed (ORDER_CANCELLED when a cancel came first). */
  shipFailed?: StepFailure;
}

const failureOf = (error: unknown): StepFailure => ({ message: error instanceof Error ? error.message : String(error), nonRetryable: isNonRetryable(error) });

/** What a job activity gets besides its own input: the job, which attempt this is, and whether a retry is left. */
export interface JobAttempt {
  job: { id: string; type: JobType };
  attempt: number;
  lastAttempt: boolean;
}

/** What every activity gets: the order, and the correlation id of the request that placed it. */
export interface OrderRef {
  orderId: string;
  correlationId: string;
}

const at = () => new Date().toISOString();

/** A payment step: how much, its name in the read model and its key, and where the order goes next. */
export interface PaymentStep {
  amount: number;
  currency: string;
  /** authorize, capture, down-payment-authorize, balance-capture...: the read model's step and the key's suffix. */
  step: string;
  progress: number;
  next: string;
}

/** The ship activity's error when the OrderActor had accepted a cancel first. */
export const ORDER_CANCELLED = 'ORDER_CANCELLED';

/** Orders finished, by status, and how long they took: counted once per order (the first finish wins). */
export interface OrderMetrics {
  finished(status: OrderStatus, durationMs: number): void;
}

/** The steps a combined activity has recorded so far, not yet written. */
interface HeldSteps {
  orderId: string;
  records: StepRecord[];
  moves: StepMove[];
}

/**
 * The read model as the activities write it: inside a combined activity (V3, V4: `holdingSteps`)
 * its completed steps are kept and written in one statement, before any other write of the order
 * (a finish must come after them) and at the activity's end, whatever happened. The steps inside
 * one activity are retried together (keys make their provider calls act once), so writing their
 * records together loses nothing: V4's auto-approved saga writes 2 statements, not 6.
 */
function holdingStepRecords(orders: OrdersRepository) {
  const held = new AsyncLocalStorage<HeldSteps>();
  const flush = async () => {
    const steps = held.getStore();
    if (!steps || steps.records.length === 0) return;
    const { records, moves } = steps;
    steps.records = [];
    steps.moves = [];
    await orders.completeSteps(steps.orderId, records, ...moves);
  };
  const afterHeld = <A extends unknown[], R>(write: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    await flush();
    return write(...args);
  };
  const recorder: OrdersRepository = {
    ...orders,
    async completeStep(orderId, record, next) {
      const steps = held.getStore();
      if (steps?.orderId !== orderId) return orders.completeStep(orderId, record, next);
      steps.records.push(record);
      steps.moves.push(next);
    },
    completeSteps: afterHeld(orders.completeSteps),
    reportProgress: afterHeld(orders.reportProgress),
    recordApprovalDue: afterHeld(orders.recordApprovalDue),
    recordCompensation: afterHeld(orders.recordCompensation),
    finish: afterHeld(orders.finish),
  };
  /** Runs a combined activity with its step records held (inside one already holding this order's, in that one). */
  const holdingSteps = async <T>(orderId: string, run: () => Promise<T>): Promise<T> => {
    if (held.getStore()?.orderId === orderId) return run();
    return held.run({ orderId, records: [], moves: [] }, async () => {
      try {
        return await run();
      } finally {
        await flush();
      }
    });
  };
  return { orders: recorder, holdingSteps };
}

export function createOrderActivities(deps: { providers: ProvidersClient; orders: OrdersRepository; jobs?: JobsRepository; sidecar: SidecarSettings; logger: Logger; metrics?: OrderMetrics }) {
  const { providers, logger } = deps;
  const { orders, holdingSteps } = holdingStepRecords(deps.orders);
  /** One line per step, with the order and its correlation id: grep either to follow an order across apps. */
  const stepDone = (ref: OrderRef, step: string, data: Record<string, unknown> = {}) => logger.info({ orderId: ref.orderId, correlationId: ref.correlationId, step, ...data }, 'order step done');
  const finishOrder = async (ref: OrderRef, outcome: Parameters<OrdersRepository['finish']>[1]) => {
    const finished = await orders.finish(ref.orderId, outcome);
    if (finished) {
      deps.metrics?.finished(outcome.status, finished.durationMs);
      logger.info({ orderId: ref.orderId, correlationId: ref.correlationId, status: outcome.status, error: outcome.error, durationMs: Math.round(finished.durationMs) }, 'order finished');
    }
  };
  const ctxOf = (ref: OrderRef, step: string) => ({ idempotencyKey: stepKey(ref.orderId, step), correlationId: ref.correlationId });
  const orderActor = (orderId: string, method: string, body?: unknown) => invokeActor<ActorAnswer>(deps.sidecar, ACTOR_TYPES.order, orderId, method, body);
  const openApproval = async (orderId: string, timeoutSeconds: number) => {
    const answer = await orderActor(orderId, 'openApproval', { timeoutSeconds });
    if (answer.phase === 'awaiting_approval') {
      // The actor's own deadline (the first, on a re-run), so the console counts down from a recorded time.
      if (answer.ok && answer.approvalDueAt) await orders.recordApprovalDue(orderId, new Date(answer.approvalDueAt));
      await orders.reportProgress(orderId, PROGRESS_AFTER.authorize, 'approval', 'awaiting_approval');
    }
    return answer.phase;
  };
  /**
   * Runs one attempt of a seed-003 job, recorded in the ledger: processing, then completed, or
   * failed (dead when no retry is left or the failure is for good). Its provider calls carry keys,
   * so an attempt that runs again acts once.
   */
  const jobAttempt = async <T>(input: JobAttempt & { orderId?: string; correlationId?: string }, payload: Record<string, unknown>, work: () => Promise<T>): Promise<T> => {
    await deps.jobs?.attempt({ id: input.job.id, type: input.job.type, orderId: input.orderId ?? null, payload }, input.attempt);
    try {
      const result = await work();
      await deps.jobs?.completed(input.job.id);
      logger.info({ job: input.job, attempt: input.attempt, orderId: input.orderId, correlationId: input.correlationId }, 'job completed');
      return result;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const dead = input.lastAttempt || error instanceof NonRetryableError;
      await deps.jobs?.failed(input.job.id, message, dead).catch(() => undefined);
      logger.warn({ job: input.job, attempt: input.attempt, dead, orderId: input.orderId, err: message }, dead ? 'job dead: no retry left' : 'job attempt failed; retrying');
      throw error;
    }
  };
  const recordApproval = (orderId: string, approvedBy: string, next: string) =>
    orders.completeStep(orderId, { step: 'approval', at: at(), data: { approvedBy } }, { status: 'approved', progress: PROGRESS_AFTER.approval, currentStep: next, approvedBy });

  const activities = {
    /**
     * Authorizes a payment (the order's total, or a down payment or a balance: `step` names it and
     * its key); for an order that waits for a manager, then hands the approval timeout to its OrderActor.
     */
    async [ORDER_ACTIVITIES.authorize](_ctx: WorkflowActivityContext, input: OrderRef & PaymentStep & { approvalTimeoutSeconds?: number; token?: string }) {
      const { authorizationId } = await providers.authorize({ amount: input.amount, currency: input.currency, reference: input.orderId, ...(input.token ? { token: input.token } : {}) }, ctxOf(input, input.step));
      // A paid down payment takes the order out of pending_dp.
      await orders.completeStep(input.orderId, { step: input.step, at: at(), data: { authorizationId, amount: input.amount } }, { progress: input.progress, currentStep: input.next, status: input.step === 'down-payment-authorize' ? 'processing' : undefined });
      stepDone(input, input.step, { authorizationId });
      if (input.approvalTimeoutSeconds === undefined) return { authorizationId };
      return { authorizationId, approvalPhase: await openApproval(input.orderId, input.approvalTimeoutSeconds) };
    },

    async [ORDER_ACTIVITIES.openApproval](_ctx: WorkflowActivityContext, input: OrderRef & { timeoutSeconds: number }) {
      return { approvalPhase: await openApproval(input.orderId, input.timeoutSeconds) };
    },

    /** A down-payment order waits for the customer's payment: the OrderActor starts the expiry. */
    async [ORDER_ACTIVITIES.openPayment](_ctx: WorkflowActivityContext, input: OrderRef & { expirySeconds: number }) {
      const answer = await orderActor(input.orderId, 'openPayment', { expirySeconds: input.expirySeconds });
      // Shown only once the OrderActor takes payments: a client that sees it can pay.
      if (answer.phase === 'awaiting_payment') await orders.reportProgress(input.orderId, PROGRESS_AFTER.authorize, 'awaiting_payment', 'pending_dp');
      return { paymentPhase: answer.phase };
    },

    /** Records who approved, then reserves the stock. */
    async [ORDER_ACTIVITIES.reserve](_ctx: WorkflowActivityContext, input: OrderRef & { approvedBy?: string; items: Array<{ sku: string; quantity: number }>; progress: number; next: string }) {
      if (input.approvedBy) await recordApproval(input.orderId, input.approvedBy, 'reserve');
      const { reservationId } = await providers.reserve({ reference: input.orderId, items: input.items }, ctxOf(input, 'reserve'));
      await orders.completeStep(input.orderId, { step: 'reserve', at: at(), data: { reservationId } }, { status: 'processing', progress: input.progress, currentStep: input.next });
      stepDone(input, 'reserve', { reservationId });
      return { reservationId };
    },

    /** Records a manager's validation of a down-payment order (its approval). */
    async [ORDER_ACTIVITIES.recordApproval](_ctx: WorkflowActivityContext, input: OrderRef & { approvedBy: string; next: string }) {
      await recordApproval(input.orderId, input.approvedBy, input.next);
    },

    /**
     * A step whose last attempt ended without an answer (timeout, 5xx) may still have acted at the
     * provider. Asking again under the same key tells: the provider answers the first success (or
     * acts now), so the saga learns what it holds and can undo it; a refusal means nothing is held.
     */
    async [ORDER_ACTIVITIES.reconcile](_ctx: WorkflowActivityContext, input: OrderRef & { step: 'authorize' | 'reserve' | 'capture' | 'label'; keyStep: string; amount: number; currency: string; authorizationId?: string; token?: string; items: Array<{ sku: string; quantity: number }>; address: Record<string, unknown> }) {
      const key = ctxOf(input, input.keyStep);
      try {
        switch (input.step) {
          case 'authorize': return { authorizationId: (await providers.authorize({ amount: input.amount, currency: input.currency, reference: input.orderId, ...(input.token ? { token: input.token } : {}) }, key)).authorizationId };
          case 'reserve': return { reservationId: (await providers.reserve({ reference: input.orderId, items: input.items }, key)).reservationId };
          case 'capture': return { captureId: (await providers.capture({ authorizationId: input.authorizationId!, amount: input.amount }, key)).captureId };
          case 'label': return { labelId: (await providers.createLabel({ reference: input.orderId, address: input.address }, key)).labelId };
        }
      } catch (error) {
        if (error instanceof ProviderRefusal) return {};
        throw error;
      }
    },

    async [ORDER_ACTIVITIES.capture](_ctx: WorkflowActivityContext, input: OrderRef & Omit<PaymentStep, 'currency'> & { authorizationId: string }) {
      const { captureId } = await providers.capture({ authorizationId: input.authorizationId, amount: input.amount }, ctxOf(input, input.step));
      await orders.completeStep(input.orderId, { step: input.step, at: at(), data: { captureId, amount: input.amount } }, { status: 'processing', progress: input.progress, currentStep: input.next });
      stepDone(input, input.step, { captureId });
      return { captureId };
    },

    /** Asks the carrier for a label: accepted at once, made over time (checkLabel follows it). */
    async [ORDER_ACTIVITIES.startLabel](_ctx: WorkflowActivityContext, input: OrderRef & { address: Record<string, unknown> }) {
      const label = await providers.createLabel({ reference: input.orderId, address: input.address }, ctxOf(input, 'label'));
      if (label.status === 'created') {
        await orders.completeStep(input.orderId, { step: 'label', at: at(), data: { labelId: label.labelId, trackingNumber: label.trackingNumber } }, { progress: PROGRESS_AFTER.label, currentStep: 'notify' });
      } else {
        await orders.reportProgress(input.orderId, labelProgress(label.progress ?? 0), 'label');
      }
      return { labelId: label.labelId, trackingNumber: label.trackingNumber, status: label.status };
    },

    async [ORDER_ACTIVITIES.checkLabel](_ctx: WorkflowActivityContext, input: OrderRef & { labelId: string; trackingNumber?: string }) {
      const label = await providers.labelStatus(input.labelId, { correlationId: input.correlationId });
      const progress = label.status === 'created' ? 100 : label.progress ?? 0;
      if (label.status === 'created') {
        await orders.completeStep(input.orderId, { step: 'label', at: at(), data: { labelId: input.labelId, trackingNumber: input.trackingNumber } }, { progress: PROGRESS_AFTER.label, currentStep: 'notify' });
      } else {
        await orders.reportProgress(input.orderId, labelProgress(progress), 'label');
      }
      return { status: label.status, progress };
    },

    /**
     * The label is done: the order is closed at its OrderActor (from now on a cancel is a 409),
     * marked shipped, and the customer told. If the OrderActor had accepted a cancel meanwhile,
     * the cancel wins and the order is undone instead.
     */
    async [ORDER_ACTIVITIES.ship](_ctx: WorkflowActivityContext, input: OrderRef & { customerEmail: string; trackingNumber?: string }) {
      const closed = await orderActor(input.orderId, 'close');
      if (closed.phase === 'cancelled') throw new NonRetryableError(ORDER_CANCELLED);
      const message = `Your order ${input.orderId} has shipped${input.trackingNumber ? ` (tracking ${input.trackingNumber})` : ''}.`;
      const { notificationId } = await providers.notify({ channel: 'email', recipient: input.customerEmail, message, reference: input.orderId }, ctxOf(input, 'notify'));
      await orders.completeStep(input.orderId, { step: 'notify', at: at(), data: { notificationId } }, { progress: PROGRESS_AFTER.notify, currentStep: null });
      await finishOrder(input, { status: 'shipped', progress: 100 });
      return { notificationId };
    },

    /**
     * OrderFulfillmentV3: authorize, reserve and capture (or the part of them an order is at) in
     * one activity, one scheduler round trip instead of three. Each step is its own activity's
     * code, with the same key and the same record; the first failure ends the activity, and the
     * workflow goes on with that step alone, on its retry schedule (the attempt made here counted).
     * OrderFulfillmentV4 (`thenLabelAndShip`): when every step is done, the label and the shipping
     * follow in the same activity, as orderLabelAndShip does them.
     */
    async [ORDER_ACTIVITIES.runSteps](ctx: WorkflowActivityContext, input: OrderRef & { currency: string; items: Array<{ sku: string; quantity: number }>; steps: CombinedStep[]; thenLabelAndShip?: LabelAndShipInput }): Promise<StepsOutcome> {
      return holdingSteps(input.orderId, async () => {
        const ref: OrderRef = { orderId: input.orderId, correlationId: input.correlationId };
        const done: StepsOutcome['done'] = [];
        let authorizationId: string | undefined;
        for (const step of input.steps) {
          try {
            if (step.kind === 'authorize') {
              ({ authorizationId } = await activities[ORDER_ACTIVITIES.authorize](ctx, { ...ref, ...step.payment, currency: input.currency }));
              done.push({ authorizationId });
            } else if (step.kind === 'reserve') {
              done.push(await activities[ORDER_ACTIVITIES.reserve](ctx, { ...ref, approvedBy: step.approvedBy, items: input.items, progress: step.progress, next: step.next }));
            } else {
              done.push(await activities[ORDER_ACTIVITIES.capture](ctx, { ...ref, ...step.payment, authorizationId: step.authorizationId ?? authorizationId! }));
            }
          } catch (error) {
            return { done, failed: failureOf(error) };
          }
        }
        if (!input.thenLabelAndShip) return { done };
        return { done, labelled: await activities[ORDER_ACTIVITIES.labelAndShip](ctx, { ...ref, ...input.thenLabelAndShip }) };
      });
    },

    /**
     * OrderFulfillmentV3: the label, and when the carrier makes it at once, the shipping (the
     * OrderActor closed, the customer told) in the same activity. A label made over time is
     * followed by the workflow as before.
     */
    async [ORDER_ACTIVITIES.labelAndShip](ctx: WorkflowActivityContext, input: OrderRef & { address: Record<string, unknown>; customerEmail: string }): Promise<LabelAndShipOutcome> {
      return holdingSteps(input.orderId, async () => {
        const ref: OrderRef = { orderId: input.orderId, correlationId: input.correlationId };
        let label: NonNullable<LabelAndShipOutcome['label']>;
        try {
          label = await activities[ORDER_ACTIVITIES.startLabel](ctx, { ...ref, address: input.address });
        } catch (error) {
          return { failed: failureOf(error) };
        }
        if (label.status !== 'created') return { label };
        try {
          await activities[ORDER_ACTIVITIES.ship](ctx, { ...ref, customerEmail: input.customerEmail, trackingNumber: label.trackingNumber });
          return { label, shipped: true };
        } catch (error) {
          return { label, shipFailed: failureOf(error) };
        }
      });
    },

    /** One undo action of the compensation plan, recorded in the read model. */
    async [ORDER_ACTIVITIES.compensate](_ctx: WorkflowActivityContext, input: OrderRef & { compensation: Compensation }) {
      await compensateOne(input, input.compensation);
    },

    /**
     * ORDER_EXPIRE_DP (the down payment expired: cancelled) and ORDER_AUTO_REFUND (not validated in
     * time: rejected): the undo plan (release the stock and any authorization, refund the down
     * payment), then the order's end. One attempt of the job; the workflow retries it on the job schedule.
     */
    async [ORDER_ACTIVITIES.expireOrRefundJob](_ctx: WorkflowActivityContext, input: OrderRef & JobAttempt & { compensations: Compensation[]; status: OrderStatus; error: string; rejectionReason?: string }) {
      return jobAttempt(input, { status: input.status }, async () => {
        for (const compensation of input.compensations) await compensateOne(input, compensation);
        await orderActor(input.orderId, 'finish');
        await finishOrder(input, { status: input.status, error: input.error, rejectionReason: input.rejectionReason });
        return { compensations: input.compensations.map((c) => c.action) };
      });
    },

    /** NOTIFICATION_SEND_WHATSAPP: one WhatsApp message through the notification provider, keyed by the job. */
    async [ORDER_ACTIVITIES.sendWhatsApp](_ctx: WorkflowActivityContext, input: Partial<OrderRef> & JobAttempt & { to: string; message: string }) {
      return jobAttempt(input, { to: input.to }, async () => {
        const { notificationId } = await providers.notify({ channel: 'whatsapp', recipient: input.to, message: input.message, reference: input.orderId ?? input.job.id },
          { idempotencyKey: `job-${input.job.id}`, correlationId: input.correlationId ?? input.job.id });
        return { notificationId };
      });
    },

    /** STOCK_RELEASE: locked stock of one product given back by quantity, keyed by the job. */
    async [ORDER_ACTIVITIES.releaseStock](_ctx: WorkflowActivityContext, input: JobAttempt & { productId: string; quantity: number; correlationId?: string }) {
      return jobAttempt(input, { productId: input.productId, quantity: input.quantity }, async () => {
        const { stockReleaseId } = await providers.releaseStock({ productId: input.productId, quantity: input.quantity },
          { idempotencyKey: `job-${input.job.id}`, correlationId: input.correlationId ?? input.job.id });
        return { stockReleaseId };
      });
    },

    /** The end: the final status in the read model, and the OrderActor told so (no timer left). */
    async [ORDER_ACTIVITIES.finish](_ctx: WorkflowActivityContext, input: OrderRef & { status: OrderStatus; error?: string; rejectionReason?: string; failedCompensations?: string[] }) {
      await orderActor(input.orderId, 'finish');
      const error = [input.error, ...(input.failedCompensations ?? []).map((f) => `compensation failed: ${f}`)].filter(Boolean).join('; ') || undefined;
      await finishOrder(input, { status: input.status, error, rejectionReason: input.rejectionReason, progress: input.status === 'shipped' ? 100 : undefined });
    },
  };

  /** One undo action of the compensation plan, recorded in the read model. */
  async function compensateOne(input: OrderRef, c: Compensation): Promise<void> {
    let target: string;
    let result: unknown;
    switch (c.action) {
      case 'cancelLabel':
        target = c.labelId;
        result = await providers.cancelLabel({ labelId: c.labelId }, ctxOf(input, `undo-label-${c.labelId}`));
        break;
      case 'refundCapture':
        target = c.captureId;
        result = await providers.refund({ captureId: c.captureId }, ctxOf(input, `undo-capture-${c.captureId}`));
        break;
      case 'releaseReservation':
        target = c.reservationId;
        result = await providers.releaseReservation({ reservationId: c.reservationId }, ctxOf(input, `undo-reserve-${c.reservationId}`));
        break;
      case 'releaseAuthorization':
        target = c.authorizationId;
        try {
          result = await providers.releaseAuthorization({ authorizationId: c.authorizationId }, ctxOf(input, `undo-authorize-${c.authorizationId}`));
        } catch (error) {
          // Refused as captured, after a capture that got no answer: it did happen. Its key
          // replays it (no second charge) and tells its id, which is refunded instead.
          if (!(c.ifCaptured && error instanceof ProviderRefusal && error.status === 409)) throw error;
          const { captureId } = await providers.capture({ authorizationId: c.authorizationId, amount: c.ifCaptured.amount }, ctxOf(input, c.ifCaptured.keyStep));
          result = await providers.refund({ captureId }, ctxOf(input, `undo-capture-${captureId}`));
          target = captureId;
          await orders.recordCompensation(input.orderId, { step: 'refundCapture', target, at: at(), data: result as Record<string, unknown> });
          stepDone(input, 'refundCapture', { target });
          return;
        }
        break;
    }
    await orders.recordCompensation(input.orderId, { step: c.action, target, at: at(), data: result as Record<string, unknown> });
    stepDone(input, c.action, { target });
  }
  return activities;
}

