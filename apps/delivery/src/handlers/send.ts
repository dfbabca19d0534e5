/** Sending one message: in-process retries for transient failures, and recording the result. */
import type { SendOutcome, DeliveryStatus } from '../domain/outcome';
import type { NotificationsRepository } from '../data/notifications.repository';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Up to `attempts` tries, backing off from `baseMs` (x2 each time) on transient failures only.
 * For calls that no sidecar retries (SendGrid is reached directly); binding calls pass 1, since
 * the resiliency policy already retries them.
 */
export async function sendWithRetries(send: () => Promise<SendOutcome>, attempts: number, baseMs: number): Promise<{ outcome: SendOutcome; attempts: number }> {
  let outcome: SendOutcome = { kind: 'transient', reason: 'not attempted' };
  for (let attempt = 1; attempt <= attempts; attempt++) {
    outcome = await send();
    if (outcome.kind !== 'transient') return { outcome, attempts: attempt };
    if (attempt < attempts) await sleep(baseMs * 2 ** (attempt - 1));
  }
  return { outcome, attempts };
}

/** Writes what happened to a notification row and answers what Dapr should do with its message. */
export async function recordNotification(notifications: NotificationsRepository, id: string, result: { outcome: SendOutcome; attempts: number }): Promise<SendOutcome['kind']> {
  const { outcome, attempts } = result;
  if (outcome.kind === 'sent') await notifications.sent(id, attempts, outcome.providerId);
  else if (outcome.kind === 'refused') await notifications.refused(id, attempts, outcome.reason);
  else await notifications.stillPending(id, attempts, outcome.reason);
  return outcome.kind;
}

export type { DeliveryStatus };
