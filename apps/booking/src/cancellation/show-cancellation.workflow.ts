/**
 * After an admin cancelled a show (the database row and the outbox events are already written, in
 * one transaction): the ShowActor refuses new holds, active holds are released, and pending kitchen
 * orders are cancelled with their reminders. A workflow, so a crash halfway resumes; every step is
 * idempotent.
 */
import type { Task, WorkflowActivityContext, WorkflowContext } from '@dapr/dapr';
import { ACTOR_TYPES, callActivityWithRetry, invokeActor, retryPolicySchema, type SidecarSettings } from '@holdfast/shared';
import type { ShowsRepository } from '../data/shows.repository';

export const SHOW_CANCELLATION_WORKFLOW = 'showCancellation';
export const showCancellationInstanceId = (showId: string) => `cancel-show-${showId}`;

export const SHOW_CANCELLATION_ACTIVITIES = {
  closeShow: 'closeCancelledShow',
  releaseHolds: 'releaseCancelledShowHolds',
  cancelKitchen: 'cancelCancelledShowKitchenOrders',
} as const;

export interface ShowCancellationInput {
  showId: string;
}

export interface ShowCancellationOutput {
  showId: string;
  holdsReleased: number;
  kitchenOrdersCancelled: number;
}

/** Our own actors and database: quick retries ride out a restart, then keep trying for minutes. */
const LOCAL_POLICY = retryPolicySchema.parse({ maxAttempts: 10, firstRetryIntervalMs: 500, backoffCoefficient: 2, maxRetryIntervalMs: 30_000 });

export async function* showCancellation(ctx: WorkflowContext, input: ShowCancellationInput): AsyncGenerator<Task<unknown>, ShowCancellationOutput, any> {
  const A = SHOW_CANCELLATION_ACTIVITIES;
  const { holdIds, kitchenOrderIds } = yield* callActivityWithRetry<ShowCancellationInput, { holdIds: string[]; kitchenOrderIds: string[] }>(ctx, A.closeShow, input, LOCAL_POLICY);
  const holdsReleased = yield* callActivityWithRetry<{ holdIds: string[] }, number>(ctx, A.releaseHolds, { holdIds }, LOCAL_POLICY);
  const kitchenOrdersCancelled = yield* callActivityWithRetry<{ orderIds: string[] }, number>(ctx, A.cancelKitchen, { orderIds: kitchenOrderIds }, LOCAL_POLICY);
  return { showId: input.showId, holdsReleased, kitchenOrdersCancelled };
}

export function createShowCancellationActivities(deps: { shows: ShowsRepository; sidecar: SidecarSettings }) {
  const actor = <T>(type: string, id: string, method: string, body?: unknown) => invokeActor<T>(deps.sidecar, type, id, method, body);
  return {
    /** The ShowActor re-reads the show (now CANCELLED) and refuses every new hold; then: what is left to let go of. */
    async [SHOW_CANCELLATION_ACTIVITIES.closeShow](_ctx: WorkflowActivityContext, input: ShowCancellationInput) {
      await actor(ACTOR_TYPES.show, input.showId, 'cancel');
      return deps.shows.leftovers(input.showId);
    },
    /** Each through its HoldActor, so a confirmation racing the release still has exactly one outcome. */
    async [SHOW_CANCELLATION_ACTIVITIES.releaseHolds](_ctx: WorkflowActivityContext, input: { holdIds: string[] }) {
      let released = 0;
      for (const holdId of input.holdIds) {
        const result = await actor<{ ended: boolean }>(ACTOR_TYPES.hold, holdId, 'release');
        if (result.ended) released++;
      }
      return released;
    },
    async [SHOW_CANCELLATION_ACTIVITIES.cancelKitchen](_ctx: WorkflowActivityContext, input: { orderIds: string[] }) {
      let cancelled = 0;
      for (const orderId of input.orderIds) {
        if ((await actor<{ cancelled: boolean }>(ACTOR_TYPES.kitchenPrep, orderId, 'cancel')).cancelled) cancelled++;
      }
      return cancelled;
    },
  };
}
