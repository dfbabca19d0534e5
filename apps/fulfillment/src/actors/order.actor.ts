/**
 * OrderActor (one per order): owns the order's timers as reminders and is the one place that
 * decides between a manager's approval, a rejection, the approval timeout and a cancellation,
 * and, for orders paid by down payment, between the customer's payment and its expiry. They are
 * turns of this one actor, so exactly one decision wins, and a late one is refused (an approval
 * after the timeout is a 409). The winner is raised into the order's workflow.
 */
import { AbstractActor, Temporal } from '@dapr/dapr';
import type { Logger } from 'pino';

export const ORDER_EVENTS = {
  /** { outcome: 'approved', approvedBy } | { outcome: 'rejected', reason } | { outcome: 'timed_out' } */
  decision: 'decision',
  cancel: 'cancel',
  /** { outcome: 'paid', token } | { outcome: 'expired' } (down-payment orders) */
  payment: 'payment',
} as const;

export type PaymentOutcome = { outcome: 'paid'; token?: string } | { outcome: 'expired' };

export type Decision = { outcome: 'approved'; approvedBy: string } | { outcome: 'rejected'; reason: string } | { outcome: 'timed_out' };

type Phase = 'before_approval' | 'awaiting_payment' | 'paid' | 'unpaid' | 'awaiting_approval' | 'approved' | 'rejected' | 'timed_out' | 'cancelled' | 'finished';

interface OrderTimers {
  phase: Phase;
  approvalDueAt?: string;
}

export type ActorAnswer = { ok: true; phase: Phase } | { ok: false; reason: 'NOT_AWAITING_APPROVAL' | 'NOT_AWAITING_PAYMENT' | 'ORDER_FINISHED'; phase: Phase };

const STATE = 'order';
const APPROVAL_REMINDER = 'approval-timeout';
const PAYMENT_REMINDER = 'payment-expiry';
/** When raising the timeout into the workflow failed (sidecar or app restarting), try again this much later. */
const RETRY_SECONDS = 2;

export interface OrderActorDeps {
  /** Raises an event into the order's workflow (instance id = order id). */
  raiseEvent(instanceId: string, name: string, payload: unknown): Promise<void>;
  logger: Logger;
  now?: () => number;
}

export function createOrderActor(deps: OrderActorDeps) {
  const now = deps.now ?? Date.now;
  return class OrderActor extends AbstractActor {
    private async load(): Promise<OrderTimers> {
      const [found, state] = await this.getStateManager<OrderTimers>().tryGetState(STATE);
      return found && state ? { ...state } : { phase: 'before_approval' };
    }

    private async save(state: OrderTimers): Promise<void> {
      await this.getStateManager<OrderTimers>().setState(STATE, state);
      await this.getStateManager().saveState();
    }

    private get orderId() {
      return this.getActorId().getId();
    }

    /** The workflow waits for a decision from now on; the timeout starts. Idempotent (a re-run activity keeps the first deadline). */
    async openApproval(command: { timeoutSeconds: number }): Promise<ActorAnswer> {
      const state = await this.load();
      if (state.phase !== 'before_approval' && state.phase !== 'paid') return { ok: true, phase: state.phase };
      await this.registerActorReminder(APPROVAL_REMINDER, Temporal.Duration.from({ seconds: command.timeoutSeconds }).round({ largestUnit: 'hours' }), undefined, undefined, JSON.stringify({ timer: 'approval' }));
      await this.save({ phase: 'awaiting_approval', approvalDueAt: new Date(now() + command.timeoutSeconds * 1000).toISOString() });
      return { ok: true, phase: 'awaiting_approval' };
    }

    /** A down-payment order waits for the customer's payment from now on; the expiry starts. Idempotent. */
    async openPayment(command: { expirySeconds: number }): Promise<ActorAnswer> {
      const state = await this.load();
      if (state.phase !== 'before_approval') return { ok: true, phase: state.phase };
      await this.registerActorReminder(PAYMENT_REMINDER, Temporal.Duration.from({ seconds: command.expirySeconds }).round({ largestUnit: 'hours' }), undefined, undefined, JSON.stringify({ timer: 'payment' }));
      await this.save({ phase: 'awaiting_payment' });
      return { ok: true, phase: 'awaiting_payment' };
    }

    /** The customer pays the down payment: wins over the expiry, or is refused after it. */
    async pay(command: { token?: string }): Promise<ActorAnswer> {
      const state = await this.load();
      if (state.phase !== 'awaiting_payment') {
        return { ok: false, reason: state.phase === 'finished' ? 'ORDER_FINISHED' : 'NOT_AWAITING_PAYMENT', phase: state.phase };
      }
      await deps.raiseEvent(this.orderId, ORDER_EVENTS.payment, { outcome: 'paid', token: command.token } satisfies PaymentOutcome);
      await this.unregisterActorReminder(PAYMENT_REMINDER).catch(() => undefined);
      await this.save({ phase: 'paid' });
      return { ok: true, phase: 'paid' };
    }

    async approve(command: { approvedBy: string }): Promise<ActorAnswer> {
      return this.decide({ outcome: 'approved', approvedBy: command.approvedBy });
    }

    async reject(command: { reason: string }): Promise<ActorAnswer> {
      return this.decide({ outcome: 'rejected', reason: command.reason });
    }

    /** Cancel at any moment before the order finished: the workflow stops waiting and compensates. */
    async cancel(): Promise<ActorAnswer> {
      const state = await this.load();
      if (state.phase === 'cancelled') return { ok: true, phase: 'cancelled' };
      if (state.phase === 'finished') return { ok: false, reason: 'ORDER_FINISHED', phase: state.phase };
      // Raised first: if it fails the caller retries and finds the order still cancellable.
      await deps.raiseEvent(this.orderId, ORDER_EVENTS.cancel, { at: new Date(now()).toISOString() });
      await this.unregisterActorReminder(APPROVAL_REMINDER).catch(() => undefined);
      await this.unregisterActorReminder(PAYMENT_REMINDER).catch(() => undefined);
      await this.save({ ...state, phase: 'cancelled' });
      return { ok: true, phase: 'cancelled' };
    }

    /** The workflow ended: later decisions and cancellations are refused, no timer is left. */
    async finish(): Promise<ActorAnswer> {
      const state = await this.load();
      if (state.phase !== 'finished') {
        await this.unregisterActorReminder(APPROVAL_REMINDER).catch(() => undefined);
        await this.unregisterActorReminder(PAYMENT_REMINDER).catch(() => undefined);
        await this.save({ ...state, phase: 'finished' });
      }
      return { ok: true, phase: 'finished' };
    }

    async get(): Promise<OrderTimers> {
      return this.load();
    }

    override async receiveReminder(data: unknown): Promise<void> {
      const timer = timerOf(data);
      try {
        if (timer === 'payment') {
          const result = await this.expirePayment();
          if (result.ok) deps.logger.info({ orderId: this.orderId }, 'down payment expired unpaid');
        } else {
          const result = await this.decide({ outcome: 'timed_out' });
          if (result.ok) deps.logger.info({ orderId: this.orderId }, 'approval timed out');
        }
      } catch (error) {
        deps.logger.error({ err: error, orderId: this.orderId, timer }, 'raising a timeout into the workflow failed; retrying');
        await this.registerActorReminder(timer === 'payment' ? PAYMENT_REMINDER : APPROVAL_REMINDER, Temporal.Duration.from({ seconds: RETRY_SECONDS }), undefined, undefined, JSON.stringify({ timer }));
      }
    }

    private async expirePayment(): Promise<ActorAnswer> {
      const state = await this.load();
      if (state.phase !== 'awaiting_payment') return { ok: false, reason: 'NOT_AWAITING_PAYMENT', phase: state.phase };
      await deps.raiseEvent(this.orderId, ORDER_EVENTS.payment, { outcome: 'expired' } satisfies PaymentOutcome);
      await this.save({ phase: 'unpaid' });
      return { ok: true, phase: 'unpaid' };
    }

    private async decide(decision: Decision): Promise<ActorAnswer> {
      const state = await this.load();
      if (state.phase !== 'awaiting_approval') {
        return { ok: false, reason: state.phase === 'finished' ? 'ORDER_FINISHED' : 'NOT_AWAITING_APPROVAL', phase: state.phase };
      }
      await deps.raiseEvent(this.orderId, ORDER_EVENTS.decision, decision);
      if (decision.outcome !== 'timed_out') await this.unregisterActorReminder(APPROVAL_REMINDER).catch(() => undefined);
      const phase: Phase = decision.outcome;
      await this.save({ ...state, phase });
      return { ok: true, phase };
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
