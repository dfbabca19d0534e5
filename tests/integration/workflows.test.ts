/**
 * Workflows against a real sidecar: an activity retried by its policy (asserted from the providers
 * app's record), an external event raced against a durable timer, and a run that survives the app
 * being killed and restarted while it waits.
 */
import { randomUUID } from 'node:crypto';
import { DaprWorkflowClient, WorkflowRuntimeStatus } from '@dapr/dapr';
import { NOTIFY_POLICY, type ApprovalOutput } from '../skeleton/approval.workflow';
import { eventually, startSkeletonStack, type SkeletonStack } from '../support/app-stack';
import { recordedCalls, resetProviders, setChaos } from '../support/providers-client';

let stack: SkeletonStack;
let workflows: DaprWorkflowClient;

beforeAll(async () => {
  stack = await startSkeletonStack({ logName: 'workflows' });
  workflows = new DaprWorkflowClient({ daprHost: '127.0.0.1', daprPort: String(stack.sidecarGrpcPort), daprApiToken: stack.run.daprApiToken });
});
afterAll(async () => {
  await workflows?.stop();
  await stack?.stop();
});
beforeEach(() => resetProviders());

async function start(approvalTimeoutSeconds: number): Promise<string> {
  const requestId = `approval-${randomUUID()}`;
  await workflows.scheduleNewWorkflow('approvalWorkflow', { requestId, approvalTimeoutSeconds }, requestId);
  return requestId;
}

async function awaitingApproval(id: string): Promise<void> {
  // Custom status comes back only with payloads: getWorkflowState(id, true).
  await eventually(() => workflows.getWorkflowState(id, true), (s) => s?.customStatus === 'awaiting-approval', 30_000);
}

async function outcome(id: string): Promise<ApprovalOutput> {
  const state = await workflows.waitForWorkflowCompletion(id, true, 120);
  expect(state?.runtimeStatus).toBe(WorkflowRuntimeStatus.COMPLETED);
  return JSON.parse(state!.serializedOutput!) as ApprovalOutput;
}

/**
 * While no app of the workflow's type is connected, daprd refuses events with FailedPrecondition
 * ("did not find address for actor"): a caller must retry until the app is back.
 */
async function raiseWhenHosted(id: string, event: string, payload: unknown): Promise<void> {
  await eventually(async () => {
    try {
      await workflows.raiseEvent(id, event, payload);
      return true;
    } catch (error) {
      if (String(error).includes('did not find address for actor')) return false;
      throw error;
    }
  }, (raised) => raised, 30_000);
}

const notifyCalls = (id: string) => recordedCalls({ domain: 'notification', operation: 'send', idempotencyKey: `${id}:notify` });

describe('approvalWorkflow on a real sidecar', () => {
  it('when the notification fails twice, then the retry policy calls it a third time and the approval event wins the race', async () => {
    await setChaos({ 'notification.send': { outcomes: { ok: 1 }, sequence: ['500', '500'] } });
    const id = await start(120);
    await awaitingApproval(id);
    await workflows.raiseEvent(id, 'approval', { approvedBy: 'manager-7' });

    expect(await outcome(id)).toMatchObject({ outcome: 'approved', approvedBy: 'manager-7' });
    expect((await notifyCalls(id)).map((c) => c.outcome)).toEqual(['500', '500', 'ok']);
  });

  it('when nobody approves, then the durable timer wins the race', async () => {
    const id = await start(2);
    expect(await outcome(id)).toMatchObject({ outcome: 'timed-out' });
  });

  it('when the notification keeps failing, then the workflow gives up after maxAttempts calls', async () => {
    await setChaos({ 'notification.send': { outcomes: { '503': 1 } } });
    const id = await start(60);
    expect(await outcome(id)).toMatchObject({ outcome: 'notification-failed' });
    expect(await notifyCalls(id)).toHaveLength(NOTIFY_POLICY.maxAttempts);
  });

  it('when the provider rejects the request (4xx), then it is not retried', async () => {
    await setChaos({ 'notification.send': { outcomes: { ok: 1 }, sequence: ['400'] } });
    const id = await start(60);
    expect(await outcome(id)).toMatchObject({ outcome: 'notification-failed' });
    expect(await notifyCalls(id)).toHaveLength(1);
  });

  it('when the app is killed while the workflow waits, then after its restart the approval still finishes the run', async () => {
    const id = await start(120);
    await awaitingApproval(id);
    await stack.killApp();
    // The kill landed mid-wait: the run had not finished (no approval raised, its 120 s timer far off).
    expect((await workflows.getWorkflowState(id, false))!.runtimeStatus).toBe(WorkflowRuntimeStatus.RUNNING);
    await stack.startApp();
    await raiseWhenHosted(id, 'approval', { approvedBy: 'manager-9' });

    expect(await outcome(id)).toMatchObject({ outcome: 'approved', approvedBy: 'manager-9' });
    // Replay after the restart reads the activity's result from history: no second notification.
    expect(await notifyCalls(id)).toHaveLength(1);
  });

  it('when the app is killed while the workflow waits on its timer, then the timer still fires in the restarted app', async () => {
    const timeoutSeconds = 15;
    const id = await start(timeoutSeconds);
    const waiting = await eventually(() => workflows.getWorkflowState(id, true), (s) => s?.customStatus === 'awaiting-approval', 30_000);
    // The timer is made after the run was created, so it cannot fire before createdAt + its timeout.
    const earliestFire = waiting!.createdAt.getTime() + timeoutSeconds * 1000;
    await stack.killApp();
    const killedAt = Date.now();
    // The kill landed mid-wait: the run was still running on its timer, whose due time was still ahead.
    expect(waiting!.runtimeStatus).toBe(WorkflowRuntimeStatus.RUNNING);
    expect(killedAt).toBeLessThan(earliestFire);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await stack.startApp();

    expect(await outcome(id)).toMatchObject({ outcome: 'timed-out' });
    // Timed out by the timer, not early.
    const done = await workflows.getWorkflowState(id, false);
    expect(done!.lastUpdatedAt.getTime()).toBeGreaterThanOrEqual(earliestFire);
    expect(await notifyCalls(id)).toHaveLength(1);
  });
});
