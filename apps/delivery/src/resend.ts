/**
 * Resending a sent notification (issue 13): its new row is opened (data/notifications.repository's
 * openResend) and its event published to the original's topic, as a replayed dead letter is: the
 * subscriber takes it like any message (handlers/email-queue.ts opens the resend's own row by the
 * event's resendkey), so the first attempt, the scheduled retries and the dead letter all apply.
 */
import { AppError, publishCloudEvent, type SidecarSettings } from '@holdfast/shared';
import type { NotificationsRepository } from './data/notifications.repository';

export interface ResendAnswer {
  id: string;
  key: string;
  resendOf: string;
  status: 'PENDING';
  requestedBy: string;
}

export function createResender(deps: { notifications: Pick<NotificationsRepository, 'openResend' | 'dropUnqueuedResend'>; sidecar: SidecarSettings; pubsubName: string }) {
  return {
    async resend(id: string, requestedBy: string): Promise<ResendAnswer> {
      const opened = await deps.notifications.openResend(id, requestedBy);
      if ('refused' in opened) {
        if (opened.refused === 'NOTIFICATION_NOT_FOUND') throw new AppError(404, 'NOTIFICATION_NOT_FOUND', `No notification ${id}.`);
        if (opened.refused === 'NOTIFICATION_NOT_SENT') throw new AppError(409, 'NOTIFICATION_NOT_SENT', `Notification ${id} has not been sent yet: nothing to resend (let its retries finish, or replay its dead letter).`);
        throw new AppError(409, 'NOTIFICATION_NOT_RESENDABLE', `Notification ${id} is not an email of the queue: only an email can be resent.`);
      }
      const { row } = opened;
      try {
        await publishCloudEvent(deps.sidecar, deps.pubsubName, row.topic, row.event as Record<string, unknown>);
      } catch {
        await deps.notifications.dropUnqueuedResend(row.id);
        throw new AppError(503, 'RESEND_NOT_QUEUED', 'The resend could not be queued (the pub/sub did not take it); nothing was sent. Try again.');
      }
      return { id: row.id, key: row.key, resendOf: id, status: 'PENDING', requestedBy };
    },
  };
}
export type Resender = ReturnType<typeof createResender>;
