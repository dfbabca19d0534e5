/** Side effects of the approval workflow, built from injected dependencies. */
import type { WorkflowActivityContext } from '@dapr/dapr';
import { NonRetryableError } from '@holdfast/shared';

export const ACTIVITY = { sendNotification: 'sendNotification' } as const;

export interface NotificationInput {
  requestId: string;
}

export function createApprovalActivities(deps: { providersUrl: string }) {
  /** Asks the providers app to notify an approver; the idempotency key makes a retry harmless. */
  async function sendNotification(_ctx: WorkflowActivityContext, input: NotificationInput): Promise<{ notificationId: string }> {
    const response = await fetch(`${deps.providersUrl}/notification/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `${input.requestId}:notify`, 'x-correlation-id': input.requestId },
      body: JSON.stringify({ channel: 'email', recipient: 'approver@example.com', message: `Please approve ${input.requestId}` }),
      signal: AbortSignal.timeout(5_000),
    });
    if (response.status >= 400 && response.status < 500) throw new NonRetryableError(`notification rejected with ${response.status}`);
    if (!response.ok) throw new Error(`notification failed with ${response.status}`);
    return (await response.json()) as { notificationId: string };
  }
  return { [ACTIVITY.sendNotification]: sendNotification };
}
