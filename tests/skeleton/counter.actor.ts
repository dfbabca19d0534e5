/** A counter actor: state that must survive deactivation and restarts, and a reminder that adds to it. */
import { AbstractActor, Temporal } from '@dapr/dapr';
import type { Logger } from 'pino';
import { z } from 'zod';

const STATE_KEY = 'counter';
const ADD_REMINDER = 'add';

export interface CounterState {
  count: number;
  remindersFired: number;
  lastReminderAt: string | null;
}

const reminderSchema = z.object({ amount: z.number().int() });

/** Lifecycle events seen by this process, so tests can tell a deactivation happened. */
export const actorEvents: Array<{ event: 'activate' | 'deactivate'; actorId: string; at: string }> = [];

let log: Logger | undefined;
export function useCounterLogger(logger: Logger) {
  log = logger.child({ actorType: 'CounterActor' });
}

export class CounterActor extends AbstractActor {
  override async onActivate(): Promise<void> {
    actorEvents.push({ event: 'activate', actorId: this.getActorId().getId(), at: new Date().toISOString() });
  }

  override async onDeactivate(): Promise<void> {
    actorEvents.push({ event: 'deactivate', actorId: this.getActorId().getId(), at: new Date().toISOString() });
  }

  private async load(): Promise<CounterState> {
    const [found, state] = await this.getStateManager<CounterState>().tryGetState(STATE_KEY);
    // A copy: the state manager hands out its cached object, and changing that in place would
    // look saved to later calls of this activation even if setState were forgotten.
    return found && state ? { ...state } : { count: 0, remindersFired: 0, lastReminderAt: null };
  }

  async increment(by: number): Promise<CounterState> {
    const state = await this.load();
    state.count += by;
    await this.getStateManager<CounterState>().setState(STATE_KEY, state);
    return state;
  }

  async get(): Promise<CounterState> {
    return this.load();
  }

  /** Adds `amount` once, `dueSeconds` from now. */
  async addLater(input: { dueSeconds: number; amount: number }): Promise<void> {
    // State must be a JSON string: an object arrives in receiveReminder as "[object Object]".
    await this.registerActorReminder(ADD_REMINDER, Temporal.Duration.from({ seconds: input.dueSeconds }), undefined, undefined,
      JSON.stringify({ amount: input.amount }));
  }

  override async receiveReminder(data: unknown): Promise<void> {
    // A throw here would crash the process under the SDK's express handler: log instead.
    try {
      const { amount } = reminderSchema.parse(typeof data === 'string' ? JSON.parse(data) : data);
      const state = await this.load();
      state.count += amount;
      state.remindersFired += 1;
      state.lastReminderAt = new Date().toISOString();
      await this.getStateManager<CounterState>().setState(STATE_KEY, state);
      log?.info({ actorId: this.getActorId().getId(), amount }, 'reminder fired');
    } catch (error) {
      log?.error({ err: error }, 'reminder failed');
    }
  }
}
