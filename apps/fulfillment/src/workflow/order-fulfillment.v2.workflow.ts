/**
 * OrderFulfillmentV4 (new orders), OrderFulfillmentV3 and OrderFulfillmentV2 (orders placed before
 * them; OrderFulfillment, frozen, finishes the sagas started before V2): one function, the same
 * saga. V3 runs the steps that follow each other without a wait in one activity each (authorize,
 * reserve and capture; the label and the shipping), so a saga costs two scheduler round trips where
 * V2 spends five; V4 runs the label and the shipping in the same activity as the steps before them:
 * one round trip. A step that fails there goes on alone, on its own retry schedule
 * (docs/saga.md#versions). V2 is
 * the saga of OrderFulfillment, plus seed 003's jobs at the end of its two
 * down-payment timers. An unpaid down payment (DOWN_PAYMENT_EXPIRY_SECONDS) runs ORDER_EXPIRE_DP:
 * the stock and any authorization released, the order `cancelled`; a paid order not validated in
 * time (VALIDATION_TIMEOUT_SECONDS) runs ORDER_AUTO_REFUND: the down payment refunded, the stock
 * released, the order `rejected`. Each job is retried on the job schedule (JOB_RETRY_DELAYS_SECONDS,
 * 5 s / 30 s / 5 min) and recorded in order_jobs; then the customer gets a WhatsApp message when the
 * order has a phone (NOTIFICATION_SEND_WHATSAPP).
 *
 * A change to this function changes what a replaying instance does: once instances of V2 run in
 * production, a change in behaviour means a new version beside it (docs/saga.md#versions).
 *
 * The saga: authorize -> approval -> reserve -> capture -> label -> notify, and on any
 * stop (rejection, approval timeout, a step that failed for good, a cancellation) the completed
 * steps undone in reverse (domain/compensation.ts). Only ctx calls and pure helpers here: every
 * I/O is an activity, so the workflow replays deterministically after a crash.
 */
import type { Task, WorkflowContext } from '@dapr/dapr';
import { callActivityWithRetry, isNonRetryable, unseal, type RetryPolicy } from '@holdfast/shared';
import { compensationPlan, describeStop, finalStatusOf, noHoldings, recordCapture, type Stop } from '../domain/compensation';
import { PROGRESS_AFTER } from '../domain/order';
import { ORDER_RETRY_POLICIES } from '../domain/order-duration';
import { ORDER_EVENTS, type Decision, type PaymentOutcome } from '../actors/order.actor';
import { ORDER_ACTIVITIES as A, ORDER_CANCELLED, type CombinedStep, type LabelAndShipOutcome, type OrderRef, type PaymentStep, type StepFailure, type StepsOutcome } from './order-fulfillment.activities';
import { callJob } from './jobs';
import { jobId } from '../domain/jobs';

export const ORDER_FULFILLMENT_WORKFLOW_V2 = 'OrderFulfillmentV2';
export const ORDER_FULFILLMENT_WORKFLOW_V3 = 'OrderFulfillmentV3';
export const ORDER_FULFILLMENT_WORKFLOW_V4 = 'OrderFulfillmentV4';

export interface OrderWorkflowInputV2 extends OrderRef {
  amount: number;
  currency: string;
  items: Array<{ sku: string; quantity: number }>;
  address: Record<string, unknown>;
  customerEmail: string;
  approvalTimeoutSeconds: number;
  /** Set when the order needs no manager (under AUTO_APPROVE_MAX_AMOUNT): who approved it. */
  autoApprovedBy?: string;
  /** How often the label's progress is checked, and how long it may take in all. */
  labelPollSeconds: number;
  labelDeadlineSeconds: number;
  /** Orders paid by down payment: how much up front (minor units), and their two timers. */
  downPayment?: { amount: number; expirySeconds: number; validationTimeoutSeconds: number };
  /** Seed 003's jobs: the waits before each retry (their count is the most retries), fixed at the start. */
  jobRetryDelaysSeconds: number[];
  /** Where the order's WhatsApp notifications go, if anywhere (E.164). */
  customerPhone?: string;
}

export interface OrderWorkflowOutputV2 {
  status: 'shipped' | 'rejected' | 'failed' | 'cancelled';
  error?: string;
  compensations: string[];
}

/** Retry policies per provider (domain/order-duration.ts, where the worst case of an order is computed from them). */
const POLICIES = ORDER_RETRY_POLICIES;

/** What to ask again, under which key, when a provider step got no answer. */
interface UncertainStep {
  step: 'authorize' | 'reserve' | 'capture' | 'label';
  keyStep: string;
  amount: number;
  authorizationId?: string;
  /** The payment token the authorization carried: asking again must send the same request. */
  token?: string;
}

class Stopped {
  constructor(readonly stop: Stop) {}
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).replace('[non-retryable] ', '');

/**
 * The saga, acting only on events the OrderActor sealed with one of `eventKeys` (the order id as
 * subject, the event's name as action): an event raised through the workflow API by anyone else is
 * dropped, and the saga waits on. Verifying is pure (HMAC), so replays decide the same.
 */
export const createOrderFulfillmentV2 = (eventKeys: readonly string[]) => orderFulfillment(eventKeys, { combineSteps: false });
/** V2's saga with the steps that need no wait between them combined (one activity each run). */
export const createOrderFulfillmentV3 = (eventKeys: readonly string[]) => orderFulfillment(eventKeys, { combineSteps: true, labelWithSteps: false });
/** V3's saga with the label and the shipping in the same activity as the steps before them. */
export const createOrderFulfillmentV4 = (eventKeys: readonly string[]) => orderFulfillment(eventKeys, { combineSteps: true, labelWithSteps: true });

const orderFulfillment = (eventKeys: readonly string[], version: { combineSteps: boolean; labelWithSteps?: boolean }) => async function* orderFulfillmentV2(ctx: WorkflowContext, input: OrderWorkflowInputV2): AsyncGenerator<Task<unknown>, OrderWorkflowOutputV2, any> {
  const ref: OrderRef = { orderId: input.orderId, correlationId: input.correlationId };
  const opened = <T extends object>(name: string, task: Task<unknown>) => unseal<T>(eventKeys, input.orderId, name, task.getResult());
  // Raised by the OrderActor at any moment; looked at between steps and raced against every wait.
  let cancel = ctx.waitForExternalEvent(ORDER_EVENTS.cancel);
  /** Whether a sealed cancel has arrived; an unsealed one is dropped and a new wait takes its place. */
  const cancelled = (): boolean => {
    while (cancel.isComplete) {
      if (opened(ORDER_EVENTS.cancel, cancel)) return true;
      cancel = ctx.waitForExternalEvent(ORDER_EVENTS.cancel);
    }
    return false;
  };
  /** The next sealed `name` event, or Stopped on a sealed cancel. */
  async function* sealedEvent<T extends object>(name: string): AsyncGenerator<Task<unknown>, T, any> {
    let event = ctx.waitForExternalEvent(name);
    for (;;) {
      if (cancelled()) throw new Stopped({ reason: 'cancelled' });
      if (event.isComplete) {
        const body = opened<T>(name, event);
        if (body) return body;
        event = ctx.waitForExternalEvent(name);
        continue;
      }
      yield ctx.whenAny([event, cancel]);
    }
  }
  const holdings = noHoldings();
  let trackingNumber: string | undefined;
  let notificationError: string | undefined;
  /** A provider step whose last attempt got no answer (timeout, 5xx): it may have acted all the same. */
  let uncertain: UncertainStep | undefined;
  /** V4: the label (and the shipping) made in the activity that ran the steps before it. */
  let labelled: LabelAndShipOutcome | undefined;

  /**
   * A forward step: retried by its policy; a failure for good stops the saga. `spent`: its first
   * attempt failed in a combined activity (V3), so the schedule goes on from the second.
   */
  async function* step<O>(name: string, activity: string, stepInput: unknown, policy: RetryPolicy, ifUnanswered?: UncertainStep, spent?: StepFailure): AsyncGenerator<Task<unknown>, O, any> {
    if (spent && (spent.nonRetryable || policy.maxAttempts <= 1)) {
      if (!spent.nonRetryable) uncertain = ifUnanswered;
      throw new Stopped({ reason: 'step_failed', step: name, detail: messageOf(spent.message) });
    }
    if (cancelled()) throw new Stopped({ reason: 'cancelled' });
    try {
      return yield* callActivityWithRetry<unknown, O>(ctx, activity, stepInput, policy, spent ? 1 : 0);
    } catch (error) {
      if (!isNonRetryable(error)) uncertain = ifUnanswered;
      throw new Stopped({ reason: 'step_failed', step: name, detail: messageOf(error) });
    }
  }

  /** Authorizes `amount` under the step's name and key; optionally opens the manager's approval window after. */
  async function* authorize(payment: Omit<PaymentStep, 'currency'>, approvalTimeoutSeconds?: number, token?: string, spent?: StepFailure): AsyncGenerator<Task<unknown>, string | undefined, any> {
    const result = yield* step<{ authorizationId: string; approvalPhase?: string }>(payment.step, A.authorize, { ...ref, ...payment, currency: input.currency, approvalTimeoutSeconds, token }, POLICIES.payment,
      { step: 'authorize', keyStep: payment.step, amount: payment.amount, token }, spent);
    holdings.authorizations.push(result.authorizationId);
    return result.approvalPhase;
  }

  async function* capture(payment: Omit<PaymentStep, 'currency'>, spent?: StepFailure): AsyncGenerator<Task<unknown>, void, any> {
    const authorizationId = holdings.authorizations.at(-1)!;
    const { captureId } = yield* step<{ captureId: string }>(payment.step, A.capture, { ...ref, ...payment, authorizationId }, POLICIES.payment,
      { step: 'capture', keyStep: payment.step, amount: payment.amount, authorizationId }, spent);
    recordCapture(holdings, authorizationId, captureId);
  }

  /** Waits for the manager (or the timeout, or a cancel); answers who approved. */
  async function* managerDecision(phase: string | undefined, timedOut: Stop): AsyncGenerator<Task<unknown>, string, any> {
    if (phase === 'cancelled') throw new Stopped({ reason: 'cancelled' });
    const decided = yield* sealedEvent<Decision>(ORDER_EVENTS.decision);
    if (decided.outcome === 'rejected') throw new Stopped({ reason: 'rejected', detail: decided.reason });
    if (decided.outcome === 'timed_out') throw new Stopped(timedOut);
    return decided.approvedBy;
  }

  async function* reserve(approvedBy: string | undefined, progress: number, next: string, spent?: StepFailure): AsyncGenerator<Task<unknown>, void, any> {
    ({ reservationId: holdings.reservationId } = yield* step<{ reservationId: string }>('reserve', A.reserve, { ...ref, approvedBy, items: input.items, progress, next }, POLICIES.inventory,
      { step: 'reserve', keyStep: 'reserve', amount: 0 }, spent));
  }

  /** One step of a combined run, on its own activity (V2, or V3 after a step of the run failed). */
  async function* single(s: CombinedStep, spent?: StepFailure): AsyncGenerator<Task<unknown>, void, any> {
    if (s.kind === 'authorize') yield* authorize(s.payment, undefined, undefined, spent);
    else if (s.kind === 'reserve') yield* reserve(s.approvedBy, s.progress, s.next, spent);
    else yield* capture(s.payment, spent);
  }

  /**
   * Steps that follow each other without a wait: V3 runs them in one activity (orderRunSteps) and
   * keeps what it did; from a step that failed there, each goes on alone, as V2 runs them all.
   * `thenLabel`: the label comes next; V4 asks for it (and the shipping) in the same activity.
   */
  async function* steps(run: CombinedStep[], thenLabel = false): AsyncGenerator<Task<unknown>, void, any> {
    let from = 0;
    let failed: StepFailure | undefined;
    if (version.combineSteps) {
      if (cancelled()) throw new Stopped({ reason: 'cancelled' });
      let outcome: StepsOutcome;
      try {
        // A capture after a manager's approval captures the authorization made before the wait.
        const sent = run.map((s) => (s.kind === 'capture' && !run.some((r) => r.kind === 'authorize') ? { ...s, authorizationId: holdings.authorizations.at(-1) } : s));
        const thenLabelAndShip = thenLabel && version.labelWithSteps ? { address: input.address, customerEmail: input.customerEmail } : undefined;
        outcome = yield ctx.callActivity(A.runSteps as never, { ...ref, currency: input.currency, items: input.items, steps: sent, ...(thenLabelAndShip ? { thenLabelAndShip } : {}) });
      } catch (error) {
        // Not a step's failure (those are answered): start over step by step, under the same keys.
        outcome = { done: [], failed: { message: messageOf(error), nonRetryable: false } };
      }
      outcome.done.forEach((result, i) => {
        if (run[i]!.kind === 'authorize') holdings.authorizations.push(result.authorizationId!);
        else if (run[i]!.kind === 'reserve') holdings.reservationId = result.reservationId;
        else recordCapture(holdings, holdings.authorizations.at(-1)!, result.captureId!);
      });
      if (!outcome.failed) {
        labelled = outcome.labelled;
        return;
      }
      from = outcome.done.length;
      failed = outcome.failed;
    }
    for (let i = from; i < run.length; i++) yield* single(run[i]!, i === from ? failed : undefined);
  }

  /** The label, and from V3 on the shipping with it when the carrier makes the label at once (V4: done already, with the steps). */
  async function* startLabel(): AsyncGenerator<Task<unknown>, LabelAndShipOutcome & { label: NonNullable<LabelAndShipOutcome['label']> }, any> {
    let spent: StepFailure | undefined;
    if (version.combineSteps) {
      // V4: made with the steps. A cancel that came meanwhile is honoured by the OrderActor's close (shipFailed) or in the label's wait below.
      let outcome: LabelAndShipOutcome;
      if (labelled) {
        outcome = labelled;
      } else {
        if (cancelled()) throw new Stopped({ reason: 'cancelled' });
        try {
          outcome = yield ctx.callActivity(A.labelAndShip as never, { ...ref, address: input.address, customerEmail: input.customerEmail });
        } catch (error) {
          outcome = { failed: { message: messageOf(error), nonRetryable: false } };
        }
      }
      if (outcome.label) return { ...outcome, label: outcome.label };
      spent = outcome.failed;
    }
    const label = yield* step<{ labelId: string; trackingNumber?: string; status: string }>('label', A.startLabel, { ...ref, address: input.address }, POLICIES.shipping,
      { step: 'label', keyStep: 'label', amount: 0 }, spent);
    return { label };
  }

  try {
    const needsManager = !input.autoApprovedBy;
    if (!input.downPayment) {
      // authorize -> approval -> reserve -> capture
      const authorizeStep: CombinedStep = { kind: 'authorize', payment: { amount: input.amount, step: 'authorize', progress: PROGRESS_AFTER.authorize, next: 'approval' } };
      const afterApproval = (approvedBy: string): CombinedStep[] => [
        { kind: 'reserve', approvedBy, progress: PROGRESS_AFTER.reserve, next: 'capture' },
        { kind: 'capture', payment: { amount: input.amount, step: 'capture', progress: PROGRESS_AFTER.capture, next: 'label' } },
      ];
      if (needsManager) {
        const phase = yield* authorize(authorizeStep.payment, input.approvalTimeoutSeconds);
        yield* steps(afterApproval(yield* managerDecision(phase, { reason: 'approval_timed_out' })), true);
      } else {
        yield* steps([authorizeStep, ...afterApproval(input.autoApprovedBy!)], true);
      }
    } else {
      // reserve -> the customer pays the down payment (or it expires) -> validation by a manager
      // (or the down payment is refunded) -> the balance -> label
      const { amount: downPayment, expirySeconds, validationTimeoutSeconds } = input.downPayment;
      yield* reserve(undefined, PROGRESS_AFTER.authorize, 'down_payment');
      const opened = yield* step<{ paymentPhase: string }>('down_payment', A.openPayment, { ...ref, expirySeconds }, POLICIES.local);
      if (opened.paymentPhase === 'cancelled') throw new Stopped({ reason: 'cancelled' });
      const paid = yield* sealedEvent<PaymentOutcome>(ORDER_EVENTS.payment);
      if (paid.outcome === 'expired') throw new Stopped({ reason: 'unpaid' });
      yield* authorize({ amount: downPayment, step: 'down-payment-authorize', progress: PROGRESS_AFTER.authorize, next: 'down_payment' }, undefined, paid.token);
      yield* capture({ amount: downPayment, step: 'down-payment-capture', progress: PROGRESS_AFTER.authorize, next: 'approval' });
      let approvedBy = input.autoApprovedBy;
      if (needsManager) {
        const { approvalPhase } = yield* step<{ approvalPhase: string }>('approval', A.openApproval, { ...ref, timeoutSeconds: validationTimeoutSeconds }, POLICIES.local);
        approvedBy = yield* managerDecision(approvalPhase, { reason: 'not_validated' });
      }
      yield* step('approval', A.recordApproval, { ...ref, approvedBy, next: 'balance-authorize' }, POLICIES.local);
      const balance = input.amount - downPayment;
      yield* authorize({ amount: balance, step: 'balance-authorize', progress: PROGRESS_AFTER.reserve, next: 'balance-capture' });
      yield* capture({ amount: balance, step: 'balance-capture', progress: PROGRESS_AFTER.capture, next: 'label' });
    }

    const { label, shipped, shipFailed } = yield* startLabel();
    holdings.labelId = label.labelId;
    trackingNumber = label.trackingNumber;
    if (shipped) return { status: 'shipped', compensations: [] };
    // The label is made over time: check it until done (or the deadline), and stop waiting at once on a cancel.
    // The deadline is workflow time since the label started (replays see the same clock), so slow
    // checks count against it: the order's worst case stays bounded (domain/order-duration.ts).
    let labelStatus = label.status;
    const labelStartedMs = ctx.getCurrentUtcDateTime().getTime();
    for (let checks = 0; labelStatus === 'in_progress'; checks++) {
      const labelElapsedSeconds = (ctx.getCurrentUtcDateTime().getTime() - labelStartedMs) / 1000;
      if (checks * input.labelPollSeconds >= input.labelDeadlineSeconds || labelElapsedSeconds >= input.labelDeadlineSeconds) {
        throw new Stopped({ reason: 'step_failed', step: 'label', detail: `the label was not done within ${input.labelDeadlineSeconds} s` });
      }
      const pause = ctx.createTimer(input.labelPollSeconds);
      while (!pause.isComplete) {
        yield ctx.whenAny([pause, cancel]);
        if (cancelled()) throw new Stopped({ reason: 'cancelled' });
      }
      ({ status: labelStatus } = yield* step<{ status: string }>('label', A.checkLabel, { ...ref, labelId: label.labelId, trackingNumber }, POLICIES.shipping));
    }
    if (labelStatus !== 'created') throw new Stopped({ reason: 'step_failed', step: 'label', detail: `the label ended ${labelStatus}` });
    if (cancelled()) throw new Stopped({ reason: 'cancelled' });

    // Past this point the order ships (the OrderActor refuses cancels from here on): a notification
    // that cannot be sent is recorded, not undone.
    try {
      // V3 tried once already when the label was made at once: a refusal is final, else the schedule goes on.
      if (shipFailed?.nonRetryable) throw new Error(shipFailed.message);
      yield* callActivityWithRetry(ctx, A.ship, { ...ref, customerEmail: input.customerEmail, trackingNumber }, POLICIES.notification, shipFailed ? 1 : 0);
      return { status: 'shipped', compensations: [] };
    } catch (error) {
      if (messageOf(error).includes(ORDER_CANCELLED)) throw new Stopped({ reason: 'cancelled' });
      notificationError = `notification failed: ${messageOf(error)}`;
    }
    yield* callActivityWithRetry(ctx, A.finish, { ...ref, status: 'shipped', error: notificationError }, POLICIES.compensation);
    return { status: 'shipped', error: notificationError, compensations: [] };
  } catch (thrown) {
    if (!(thrown instanceof Stopped)) throw thrown;
    const done: string[] = [];
    const failed: string[] = [];
    const stop = thrown.stop;
    if (stop.reason === 'unpaid' || stop.reason === 'not_validated') {
      // Seed 003: ORDER_EXPIRE_DP (cancelled) or ORDER_AUTO_REFUND (auto-rejected), on the job schedule.
      const expired = stop.reason === 'unpaid';
      const type = expired ? 'ORDER_EXPIRE_DP' : 'ORDER_AUTO_REFUND';
      const status = expired ? 'cancelled' : 'rejected';
      const error = expired
        ? `ORDER_EXPIRE_DP: the down payment was not paid in time (${input.downPayment!.expirySeconds} s); the order is cancelled and its stock released`
        : `ORDER_AUTO_REFUND: not validated in time (${input.downPayment!.validationTimeoutSeconds} s); the down payment is refunded and the stock released`;
      const rejectionReason = expired ? undefined : 'not validated in time (ORDER_AUTO_REFUND)';
      const plan = compensationPlan(holdings);
      try {
        yield* callJob(ctx, A.expireOrRefundJob, { ...ref, compensations: plan, status, error, rejectionReason }, { id: jobId(type, input.orderId), type }, input.jobRetryDelaysSeconds);
        done.push(...plan.map((c) => c.action));
      } catch (jobError) {
        // Retries exhausted (the ledger says dead): the order ends all the same, naming what is left to undo by hand.
        yield* callActivityWithRetry(ctx, A.finish, { ...ref, status, error, rejectionReason, failedCompensations: [`${type} gave up: ${messageOf(jobError)}`] }, POLICIES.compensation);
      }
      if (input.customerPhone) {
        const message = expired ? `Your order ${input.orderId} was cancelled: its down payment was not paid in time.`
          : `Your order ${input.orderId} was not validated in time: your down payment is refunded.`;
        try {
          yield* callJob(ctx, A.sendWhatsApp, { ...ref, to: input.customerPhone, message }, { id: jobId('NOTIFICATION_SEND_WHATSAPP', `${input.orderId}:${status}`), type: 'NOTIFICATION_SEND_WHATSAPP' }, input.jobRetryDelaysSeconds);
        } catch {
          // Non-critical, as the document's notification: the ledger records the job dead.
        }
      }
      return { status, error, compensations: done };
    }
    if (uncertain) {
      // Did the unanswered step act? Asking again under its key tells, and what it holds is undone below.
      // A capture is not asked (asking could charge): releasing its authorization finds out instead.
      if (uncertain.step === 'capture') {
        holdings.uncertainCapture = { authorizationId: uncertain.authorizationId!, keyStep: uncertain.keyStep, amount: uncertain.amount };
      } else {
        try {
          const found = yield* callActivityWithRetry<unknown, { authorizationId?: string; reservationId?: string; labelId?: string }>(ctx, A.reconcile, {
            ...ref, ...uncertain, currency: input.currency, items: input.items, address: input.address,
          }, POLICIES.reconcile);
          if (found.authorizationId && !holdings.authorizations.includes(found.authorizationId)) holdings.authorizations.push(found.authorizationId);
          if (found.reservationId) holdings.reservationId = found.reservationId;
          if (found.labelId) holdings.labelId = found.labelId;
        } catch (error) {
          failed.push(`${uncertain.step} may have happened at the provider, which still does not answer (key ${uncertain.keyStep}): ${messageOf(error)}`);
        }
      }
    }
    for (const compensation of compensationPlan(holdings)) {
      try {
        yield* callActivityWithRetry(ctx, A.compensate, { ...ref, compensation }, POLICIES.compensation);
        done.push(compensation.action);
      } catch (error) {
        failed.push(`${compensation.action}: ${messageOf(error)}`);
      }
    }
    const status = finalStatusOf(thrown.stop);
    const error = describeStop(thrown.stop);
    yield* callActivityWithRetry(ctx, A.finish, {
      ...ref, status, error, failedCompensations: failed, rejectionReason: thrown.stop.reason === 'rejected' ? thrown.stop.detail : undefined,
    }, POLICIES.compensation);
    return { status, error, compensations: done };
  }
};
