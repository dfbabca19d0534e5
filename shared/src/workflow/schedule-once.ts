/**
 * Starts a workflow instance under a business id unless one exists, running or ended. Dapr lets a
 * new run take the id of an ended instance and overwrite its history, so "POST twice" must look
 * first; a concurrent request that started it in between counts as started.
 */
import type { DaprWorkflowClient } from '@dapr/dapr';

export type WorkflowStarter = Pick<DaprWorkflowClient, 'getWorkflowState' | 'scheduleNewWorkflow'>;

/** True when this call started it, false when it existed already. */
export async function scheduleWorkflowOnce(client: WorkflowStarter, workflowName: string, input: unknown, instanceId: string): Promise<boolean> {
  const exists = async () => Boolean(await client.getWorkflowState(instanceId, false).catch(() => undefined));
  if (await exists()) return false;
  try {
    await client.scheduleNewWorkflow(workflowName, input, instanceId);
    return true;
  } catch (error) {
    if (await exists()) return false;
    throw error;
  }
}
