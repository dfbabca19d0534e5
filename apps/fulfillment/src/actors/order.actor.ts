/**
 * OrderActor (one per order): owns the order's timers as reminders and is the one place that
 * decides between a manager's approval, a rejection, the approval timeout and a cancellation,
 * and, for orders paid by down payment, between the customer's payment and its expiry. They are
 * turns of this one actor, so exactly one decision wins, and a late one is refused (an approval
 * after the timeout is a 409). The winner is raised into the order's workflow.
 *
 * A decision is saved before it is raised: if raising fails (sidecar or app restarting), the
 * decision stands and is raised again by the caller's retry or the reminder's, never replaced by
 * another one.
 */
import { AbstractActor, Temporal } from '@dapr/dapr';
import type { Logger } from 'pino';
import { ACTOR_TYPES, getActorState, saveActorState, unsealFresh, type SidecarSettings } from '@holdfast/shared';

export const ORDER_EVENTS = {
  /** { outcome: 'approved', approvedBy } | { outcome: 'rejected', reason } | { outcome: 'timed_out' } */
  decision: 'decision',
  cancel: 'cancel',
  /** { outcome: 'paid', token } | { outcome: 'expired' } (down-payment orders) */
  payment: 'payment',
} as const;

export type Decision = { outcome: 'approved'; approvedBy: string } | { outcome: 'rejected'; reason: string } | { outcome: 'timed_out' };
export type PaymentOutcome = { outcome: 'paid'; token?: string } | { outcome: 'expired' };

type Phase = 'before_approval' | 'awaiting_payment' | 'paid' | 'unpaid' | 'awaiting_approval' | 'approved' | 'rejected' | 'timed_out' | 'cancelled' | 'finished';

/** An event decided and saved, and whether the workflow has it yet. */
interface PendingEvent {
  name: string;
  payload: unknown;
  raised: boolean;
}

interface OrderTimers {
  phase: Phase;
  approvalDueAt?: string;
  /** The last decision taken (approval, payment, cancel): raised again until the workflow has it. */
  event?: PendingEvent;
  /** Who cancelled (the route's authenticated caller), once a cancel was accepted. */
  cancelledBy?: Canceller;
}

/** Who cancelled an order: its own customer, or a manager (by credential name). */
export interface Canceller {
  kind: 'customer' | 'manager';
  id: string;
}

export type ActorAnswer =
  | { ok: true; phase: Phase; cancelledBy?: Canceller; approvalDueAt?: string }
  | { ok: false; reason: 'NOT_AWAITING_APPROVAL' | 'NOT_AWAITING_PAYMENT' | 'ORDER_FINISHED' | 'ORDER_ENDING' | 'DECISION_NOT_SIGNED'; phase: Phase };

/**
 * What the routes may ask of the actor, each sealed (shared/signed-intent) by the route that
 * authenticated it, with the order id as subject and the method as action: a caller that reaches
 * the actor API directly cannot approve, reject, cancel or pay.
 */
export type DecisionCommands = {
  approve: { approvedBy: string; issuedAt: string };
  reject: { reason: string; issuedAt: string };
  /** `by`: who the route authenticated (absent from decisions sealed before it existed). */
  cancel: { by?: Canceller; issuedAt: string };
  pay: { token?: string; issuedAt: string };
  /** Seed 003's POST /api/test-queue: a timer's job now (payment: ORDER_EXPIRE_DP; approval: ORDER_AUTO_REFUND). */
  runTimer: { timer: 'payment' | 'approval'; issuedAt: string };
};

const STATE = 'order';
const APPROVAL_REMINDER = 'approval-timeout';
const PAYMENT_REMINDER = 'payment-expiry';
/** When raising a timeout into the workflow failed (sidecar or app restarting), try again this much later. */
const RETRY_SECONDS = 2;
/** Phases in which the workflow is already undoing the order: a cancel changes nothing. */
const ENDING: ReadonlySet<Phase> = new Set(['rejected', 'timed_out', 'unpaid']);

export interface OrderActorDeps {
  /** Raises an event into the order's workflow (instance id = order id), sealed for the workflow to verify. */
  raiseEvent(instanceId: string, name: string, payload: unknown): Promise<void>;
  /** Keys that verify the routes' sealed decisions (the first one signs; see shared/signed-intent). */
  decisionKeys: readonly string[];
  /** The app's sidecar, for the actor's state (the SDK's state manager asks the sidecar twice to write a key it has not read). */
  sidecar: SidecarSettings;
  logger: Logger;
  now?: () => number;
}

export function createOrderActor(deps: OrderActorDeps) {
  const now = deps.now ?? Date.now;
  return class OrderActor extends AbstractActor {
    /**
     * The state as last read or saved in this activation: this actor is its only writer (one
     * activation in the cluster, one turn at a time), so it is read from the sidecar once per
     * activation, an order that has none (auto-approved, never waited) included.
     */
    private state?: OrderTimers;

    private async load(): Promise<OrderTimers> {
      this.state ??= (await getActorState<OrderTimers>(deps.sidecar, ACTOR_TYPES.order, this.orderId, STATE)) ?? { phase: 'before_approval' };
      return structuredClone(this.state);
    }

    private async save(state: OrderTimers): Promise<void> {
      try {
        await saveActorState(deps.sidecar, ACTOR_TYPES.order, this.orderId, { [STATE]: state });
      } catch (error) {
        // The write may have happened all the same (its answer lost): the next turn reads the sidecar again.
        this.state = undefined;
        throw error;
      }
      this.state = structuredClone(state);
    }

    private get orderId() {
      return this.getActorId().getId();
    }

    /** Saves the new phase with its event, then raises the event; a failed raise throws (the decision stays). */
    private async decideAndRaise(state: OrderTimers, phase: Phase, name: string, payload: unknown): Promise<ActorAnswer> {
      const decided: OrderTimers = { ...state, phase, event: { name, payload, raised: false } };
      await this.save(decided);
      await this.raise(decided);
      return { ok: true, phase };
    }

    private async raise(state: OrderTimers): Promise<void> {
      if (!state.event || state.event.raised) return;
      await deps.raiseEvent(this.orderId, state.event.name, state.event.payload);
      await this.save({ ...state, event: { ...state.event, raised: true } });
    }

    /** A retried call finds its decision taken but not yet raised: raise it, and answer as the first call would have. */
    private async retryRaise(state: OrderTimers, name: string): Promise<ActorAnswer | undefined> {
      if (state.event && !state.event.raised && state.event.name === name) {
        await this.raise(state);
        return { ok: true, phase: state.phase };
      }
      return undefined;
    }

    /** The workflow waits for a decision from now on; the timeout starts. Idempotent (a re-run activity keeps the first deadline). */
    async openApproval(command: { timeoutSeconds: number }): Promise<ActorAnswer> {
      const state = await this.load();
      if (state.phase !== 'before_approval' && state.phase !== 'paid') return { ok: true, phase: state.phase, ...(state.approvalDueAt ? { approvalDueAt: state.approvalDueAt } : {}) };
      await this.registerActorReminder(APPROVAL_REMINDER, Temporal.Duration.from({ seconds: command.timeoutSeconds }).round({ largestUnit: 'hours' }), undefined, undefined, JSON.stringify({ timer: 'approval' }));
      const approvalDueAt = new Date(now() + command.timeoutSeconds * 1000).toISOString();
      await this.save({ phase: 'awaiting_approval', approvalDueAt });
      return { ok: true, phase: 'awaiting_approval', approvalDueAt };
    }

    /** A down-payment order waits for the customer's payment from now on; the expiry starts. Idempotent. */
    async openPayment(command: { expirySeconds: number }): Promise<ActorAnswer> {
      const state = await this.load();
      if (state.phase !== 'before_approval') return { ok: true, phase: state.phase };
      await this.registerActorReminder(PAYMENT_REMINDER, Temporal.Duration.from({ seconds: command.expirySeconds }).round({ largestUnit: 'hours' }), undefined, undefined, JSON.stringify({ timer: 'payment' }));
      await this.save({ phase: 'awaiting_payment' });
      return { ok: true, phase: 'awaiting_payment' };
    }

    /** The command without its seal when the route sealed it for this order and method, recently. */
    private unsealed<M extends keyof DecisionCommands>(method: M, sealed: unknown): DecisionCommands[M] | undefined {
      const command = unsealFresh<DecisionCommands[M]>(deps.decisionKeys, this.orderId, method, sealed, now());
      if (!command) deps.logger.warn({ orderId: this.orderId, method }, 'refused an order decision without a valid seal');
      return command;
    }

    /** The customer pays the down payment: wins over the expiry, or is refused after it. */
    async pay(sealed: unknown): Promise<ActorAnswer> {
      const state = await this.load();
      const command = this.unsealed('pay', sealed);
      if (!command) return { ok: false, reason: 'DECISION_NOT_SIGNED', phase: state.phase };
      if (state.phase === 'paid') {
        const retried = await this.retryRaise(state, ORDER_EVENTS.payment);
        if (retried) return retried;
      }
      if (state.phase !== 'awaiting_payment') {
        return { ok: false, reason: state.phase === 'finished' ? 'ORDER_FINISHED' : 'NOT_AWAITING_PAYMENT', phase: state.phase };
      }
      await this.unregisterActorReminder(PAYMENT_REMINDER).catch(() => undefined);
      return this.decideAndRaise(state, 'paid', ORDER_EVENTS.payment, { outcome: 'paid', token: command.token } satisfies PaymentOutcome);
    }

    async approve(sealed: unknown): Promise<ActorAnswer> {
      const command = this.unsealed('approve', sealed);
      if (!command) return { ok: false, reason: 'DECISION_NOT_SIGNED', phase: (await this.load()).phase };
      return this.decide({ outcome: 'approved', approvedBy: command.approvedBy });
    }

    async reject(sealed: unknown): Promise<ActorAnswer> {
      const command = this.unsealed('reject', sealed);
      if (!command) return { ok: false, reason: 'DECISION_NOT_SIGNED', phase: (await this.load()).phase };
      return this.decide({ outcome: 'rejected', reason: command.reason });
    }

    /** Cancel at any moment before the order is closed: the workflow stops waiting and compensates. */
    async cancel(sealed: unknown): Promise<ActorAnswer> {
      const state = await this.load();
      const command = this.unsealed('cancel', sealed);
      if (!command) return { ok: false, reason: 'DECISION_NOT_SIGNED', phase: state.phase };
      // Cancelled already: the answer names who cancelled first (whoever asks again).
      if (state.phase === 'cancelled') {
        await this.retryRaise(state, ORDER_EVENTS.cancel);
        return { ok: true, phase: 'cancelled', cancelledBy: state.cancelledBy };
      }
      if (state.phase === 'finished') return { ok: false, reason: 'ORDER_FINISHED', phase: state.phase };
      // Rejected, timed out or unpaid: the workflow is undoing the order already.
      if (ENDING.has(state.phase)) return { ok: false, reason: 'ORDER_ENDING', phase: state.phase };
      await this.unregisterActorReminder(APPROVAL_REMINDER).catch(() => undefined);
      await this.unregisterActorReminder(PAYMENT_REMINDER).catch(() => undefined);
      await this.decideAndRaise({ ...state, cancelledBy: command.by }, 'cancelled', ORDER_EVENTS.cancel, { at: new Date(now()).toISOString(), by: command.by });
      return { ok: true, phase: 'cancelled', cancelledBy: command.by };
    }

    /**
     * The label is done and the order is about to ship: from now on a cancel is refused. A cancel
     * accepted before wins: the answer is then `cancelled`, and the workflow undoes the order.
     */
    async close(): Promise<ActorAnswer> {
      const state = await this.load();
      if (state.phase === 'cancelled') return { ok: true, phase: 'cancelled' };
      return this.finish();
    }

    /** The workflow ended: later decisions and cancellations are refused, no timer is left. */
    async finish(): Promise<ActorAnswer> {
      const state = await this.load();
      if (state.phase !== 'finished') {
        // An order that never waited (auto-approved, no down payment) has no timer to remove: two
        // scheduler calls saved per saga. A reminder left by a crash before its phase was saved
        // finds the order finished and does nothing.
        if (state.phase !== 'before_approval') {
          await this.unregisterActorReminder(APPROVAL_REMINDER).catch(() => undefined);
          await this.unregisterActorReminder(PAYMENT_REMINDER).catch(() => undefined);
        }
        await this.save({ phase: 'finished' });
      }
      return { ok: true, phase: 'finished' };
    }

    /**
     * A timer fired now by hand (a manager's POST /api/test-queue), exactly as its reminder would:
     * the same turn, the same decision, so a reminder that fires later finds it taken. Refused
     * (NOT_AWAITING_PAYMENT, NOT_AWAITING_APPROVAL, ORDER_FINISHED) when the order is not waiting on it.
     */
    async runTimer(sealed: unknown): Promise<ActorAnswer> {
      const command = this.unsealed('runTimer', sealed);
      if (!command) return { ok: false, reason: 'DECISION_NOT_SIGNED', phase: (await this.load()).phase };
      if (command.timer === 'payment') {
        const answer = await this.expirePayment();
        if (answer.ok) await this.unregisterActorReminder(PAYMENT_REMINDER).catch(() => undefined);
        return answer;
      }
      const answer = await this.decide({ outcome: 'timed_out' });
      if (answer.ok) await this.unregisterActorReminder(APPROVAL_REMINDER).catch(() => undefined);
      return answer;
    }

    async get(): Promise<OrderTimers> {
      return this.load();
    }

    override async receiveReminder(data: unknown): Promise<void> {
      const timer = timerOf(data);
      try {
        const result = timer === 'payment' ? await this.expirePayment() : await this.decide({ outcome: 'timed_out' });
        if (result.ok) deps.logger.info({ orderId: this.orderId, timer }, timer === 'payment' ? 'down payment expired unpaid' : 'approval timed out');
      } catch (error) {
        deps.logger.error({ err: error, orderId: this.orderId, timer }, 'raising a timeout into the workflow failed; retrying');
        await this.registerActorReminder(timer === 'payment' ? PAYMENT_REMINDER : APPROVAL_REMINDER, Temporal.Duration.from({ seconds: RETRY_SECONDS }), undefined, undefined, JSON.stringify({ timer }));
      }
    }

    private async expirePayment(): Promise<ActorAnswer> {
      const state = await this.load();
      if (state.phase === 'unpaid') return (await this.retryRaise(state, ORDER_EVENTS.payment)) ?? { ok: false, reason: 'NOT_AWAITING_PAYMENT', phase: state.phase };
      if (state.phase !== 'awaiting_payment') return { ok: false, reason: 'NOT_AWAITING_PAYMENT', phase: state.phase };
      return this.decideAndRaise(state, 'unpaid', ORDER_EVENTS.payment, { outcome: 'expired' } satisfies PaymentOutcome);
    }

    private async decide(decision: Decision): Promise<ActorAnswer> {
      const state = await this.load();
      // The same decision, taken but not raised (the raise failed): raise it now.
      if (state.phase === decision.outcome) {
        const retried = await this.retryRaise(state, ORDER_EVENTS.decision);
        if (retried) return retried;
      }
      if (state.phase !== 'awaiting_approval') {
        return { ok: false, reason: state.phase === 'finished' ? 'ORDER_FINISHED' : 'NOT_AWAITING_APPROVAL', phase: state.phase };
      }
      if (decision.outcome !== 'timed_out') await this.unregisterActorReminder(APPROVAL_REMINDER).catch(() => undefined);
      return this.decideAndRaise(state, decision.outcome, ORDER_EVENTS.decision, decision);
    }
  };
}

/** Which timer a reminder is: its state says (a JSON string, or already parsed); approval when it does not. */
function timerOf(data: unknown): 'approval' | 'payment' {
  let value = data;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return 'approval';
    }
  }
  return (value as { timer?: string } | null)?.timer === 'payment' ? 'payment' : 'approval';
}
