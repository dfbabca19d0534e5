/**
 * Starts a workflow instance under a business id unless one exists, running or ended. Dapr lets a
 * new run take the id of an ended instance and overwrite its history, so "POST twice" must look
 * first; a concurrent request that started it in between counts as started.
 */
import type { DaprWorkflowClient } from '@dapr/dapr';
import { daprSdk } from '../dapr-sdk';

export type WorkflowStarter = Pick<DaprWorkflowClient, 'getWorkflowState' | 'scheduleNewWorkflow'>;

/**
 * True when this call started it, false when it existed already. `restartFailed`: an instance that
 * crashed (FAILED) or was terminated is started again, for workflows whose every step is idempotent.
 * `fresh`: this very call created the record the id belongs to (an insert that took), so no
 * instance can hold the id yet and the look is skipped (a workflow-actor round trip, issue 15); a
 * concurrent start is still told apart by the start's refusal.
 */
export async function scheduleWorkflowOnce(client: WorkflowStarter, workflowName: string, input: unknown, instanceId: string, options: { restartFailed?: boolean; fresh?: boolean } = {}): Promise<boolean> {
  const stateOf = () => client.getWorkflowState(instanceId, false).catch(() => undefined);
  const exists = async () => Boolean(await stateOf());
  const current = options.fresh ? undefined : await stateOf();
  if (current && !(options.restartFailed && hasEnded(current.runtimeStatus))) return false;
  try {
    await client.scheduleNewWorkflow(workflowName, input, instanceId);
    return true;
  } catch (error) {
    if (await exists()) return false;
    throw error;
  }
}

/** Crashed or terminated: the SDK's statuses, read only for an instance that exists (a fresh order's start never asks). */
function hasEnded(status: number): boolean {
  const { WorkflowRuntimeStatus } = daprSdk();
  return [WorkflowRuntimeStatus.FAILED, WorkflowRuntimeStatus.TERMINATED].includes(status);
}
