/**
 * OrderActor (one per order): owns the order's timers as reminders and is the one place that
 * decides between a manager's approval, a rejection, the approval timeout and a cancellation.
 * They are turns of this one actor, so exactly one decision wins, and a late one is refused
 * (an approval after the timeout is a 409). The winner is raised into the order's workflow.
 */
import { AbstractActor, Temporal } from '@dapr/dapr';
import type { Logger } from 'pino';

export const ORDER_EVENTS = {
  /** { outcome: 'approved', approvedBy } | { outcome: 'rejected', reason } | { outcome: 'timed_out' } */
  decision: 'decision',
  cancel: 'cancel',
} as const;

export type Decision = { outcome: 'approved'; approvedBy: string } | { outcome: 'rejected'; reason: string } | { outcome: 'timed_out' };

type Phase = 'before_approval' | 'awaiting_approval' | 'approved' | 'rejected' | 'timed_out' | 'cancelled' | 'finished';

interface OrderTimers {
  phase: Phase;
  approvalDueAt?: string;
}

export type ActorAnswer = { ok: true; phase: Phase } | { ok: false; reason: 'NOT_AWAITING_APPROVAL' | 'ORDER_FINISHED'; phase: Phase };

const STATE = 'order';
const APPROVAL_REMINDER = 'approval-timeout';
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
      if (state.phase !== 'before_approval') return { ok: true, phase: state.phase };
      await this.registerActorReminder(APPROVAL_REMINDER, Temporal.Duration.from({ seconds: command.timeoutSeconds }).round({ largestUnit: 'hours' }));
      await this.save({ phase: 'awaiting_approval', approvalDueAt: new Date(now() + command.timeoutSeconds * 1000).toISOString() });
      return { ok: true, phase: 'awaiting_approval' };
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
      await this.save({ ...state, phase: 'cancelled' });
      return { ok: true, phase: 'cancelled' };
    }

    /** The workflow ended: later decisions and cancellations are refused, no timer is left. */
    async finish(): Promise<ActorAnswer> {
      const state = await this.load();
      if (state.phase !== 'finished') {
        await this.unregisterActorReminder(APPROVAL_REMINDER).catch(() => undefined);
        await this.save({ ...state, phase: 'finished' });
      }
      return { ok: true, phase: 'finished' };
    }

    async get(): Promise<OrderTimers> {
      return this.load();
    }

    override async receiveReminder(): Promise<void> {
      try {
        const result = await this.decide({ outcome: 'timed_out' });
        if (result.ok) deps.logger.info({ orderId: this.orderId }, 'approval timed out');
      } catch (error) {
        deps.logger.error({ err: error, orderId: this.orderId }, 'raising the approval timeout failed; retrying');
        await this.registerActorReminder(APPROVAL_REMINDER, Temporal.Duration.from({ seconds: RETRY_SECONDS }));
      }
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
