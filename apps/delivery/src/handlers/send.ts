/** Recording the result of one send (SMS and WhatsApp notices; emails record theirs on the email queue). */
import type { SendOutcome, DeliveryStatus } from '../domain/outcome';
import type { NotificationsRepository } from '../data/notifications.repository';

/** Writes what happened to a notification row and answers what Dapr should do with its message. */
export async function recordNotification(notifications: NotificationsRepository, id: string, result: { outcome: SendOutcome; attempts: number }): Promise<SendOutcome['kind']> {
  const { outcome, attempts } = result;
  if (outcome.kind === 'sent') await notifications.sent(id, attempts, outcome.providerId);
  else if (outcome.kind === 'refused') await notifications.refused(id, attempts, outcome.reason);
  else await notifications.stillPending(id, attempts, outcome.reason);
  return outcome.kind;
}

export type { DeliveryStatus };
