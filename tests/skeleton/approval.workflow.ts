/**
 * notify (activity, retried by policy) -> wait for "approval" raced against a durable timer -> done.
 * Only ctx calls and pure helpers: every I/O is an activity.
 */
import type { Task, WorkflowContext } from '@dapr/dapr';
import { callActivityWithRetry, retryPolicySchema } from '@holdfast/shared';
import { ACTIVITY, type NotificationInput } from './approval.activities';

export const APPROVAL_EVENT = 'approval';

export interface ApprovalInput {
  requestId: string;
  approvalTimeoutSeconds: number;
}

export type ApprovalOutput =
  | { outcome: 'approved'; approvedBy: string; notificationId: string }
  | { outcome: 'timed-out'; notificationId: string }
  | { outcome: 'notification-failed'; error: string };

export const NOTIFY_POLICY = retryPolicySchema.parse({ maxAttempts: 4, firstRetryIntervalMs: 200, backoffCoefficient: 2 });

export async function* approvalWorkflow(ctx: WorkflowContext, input: ApprovalInput): AsyncGenerator<Task<unknown>, ApprovalOutput, any> {
  let notificationId: string;
  try {
    const receipt = yield* callActivityWithRetry<NotificationInput, { notificationId: string }>(
      ctx, ACTIVITY.sendNotification, { requestId: input.requestId }, NOTIFY_POLICY);
    notificationId = receipt.notificationId;
  } catch (error) {
    return { outcome: 'notification-failed', error: error instanceof Error ? error.message : String(error) };
  }

  ctx.setCustomStatus('awaiting-approval');
  const approval = ctx.waitForExternalEvent(APPROVAL_EVENT);
  const timeout = ctx.createTimer(input.approvalTimeoutSeconds);
  const winner = yield ctx.whenAny([approval, timeout]);
  if (winner === approval) {
    const event = approval.getResult() as { approvedBy?: string } | undefined;
    return { outcome: 'approved', approvedBy: event?.approvedBy ?? 'unknown', notificationId };
  }
  return { outcome: 'timed-out', notificationId };
}
