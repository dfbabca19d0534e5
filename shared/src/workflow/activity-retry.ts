/**
 * ctx.callActivity with a retry policy, for workflow code: `const out = yield* callActivityWithRetry(...)`
 * inside an `async function*` workflow (the SDK runs only async generators: a plain `function*`
 * workflow "completes" at once without running, despite the SDK's own examples).
 * Deterministic on replay: the attempts and the waits between them are durable workflow history
 * (activity results and timers), so a restarted app resumes the same schedule.
 */
import type { Task, WorkflowActivityContext, WorkflowContext } from '@dapr/dapr';
import { retryDelayMs, type RetryPolicy } from './retry-policy';

/** Marks an activity error that retrying cannot fix (e.g. a provider's 400); matched by message. */
export const NON_RETRYABLE_MARKER = '[non-retryable]';

export class NonRetryableError extends Error {
  constructor(message: string) {
    super(`${NON_RETRYABLE_MARKER} ${message}`);
    this.name = 'NonRetryableError';
  }
}

/** Activity failures reach the workflow as a TaskFailedError carrying only the message text. */
export function isNonRetryable(error: unknown): boolean {
  return error instanceof Error && error.message.includes(NON_RETRYABLE_MARKER);
}

type Activity<I, O> = (context: WorkflowActivityContext, input: I) => Promise<O> | O;

export async function* callActivityWithRetry<I, O>(
  ctx: WorkflowContext,
  /** The activity function, or the name it was registered under. */
  activity: Activity<I, O> | string,
  input: I,
  policy: RetryPolicy,
  /**
   * Attempts already made elsewhere (OrderFulfillmentV3 runs a step's first attempt inside a
   * combined activity): the schedule goes on from there, the wait before the next attempt first,
   * so the step's attempts and waits in all are the policy's. None left: the caller has failed for good.
   */
  spentAttempts = 0,
): AsyncGenerator<Task<unknown>, O, unknown> {
  if (spentAttempts >= policy.maxAttempts) throw new Error(`no attempt left of ${policy.maxAttempts}`);
  if (spentAttempts > 0) yield ctx.createTimer(retryDelayMs(policy, spentAttempts) / 1000);
  for (let attempt = spentAttempts + 1; ; attempt++) {
    try {
      return (yield ctx.callActivity(activity as Activity<I, O>, input)) as O;
    } catch (error) {
      if (attempt >= policy.maxAttempts || isNonRetryable(error)) throw error;
      yield ctx.createTimer(retryDelayMs(policy, attempt) / 1000);
    }
  }
}
