/**
 * booking.show-cancelled → the customer is told on every phone channel configured (the sidecar's
 * resiliency policy and the inbound retries), and by email through the durable email queue
 * (email-queue.ts: seed 001's schedule, retried by scheduler jobs, not inside this delivery).
 */
import type { Logger } from 'pino';
import { COMPONENTS, TOPICS, type CloudEvent } from '@holdfast/shared';
import { cancellationEmail, cancellationText, notificationKey } from '../domain/messages';
import { combineOutcomes, type DeliveryStatus, type SendOutcome } from '../domain/outcome';
import type { ShowCancelledNotice } from '../domain/events';
import type { BindingsClient } from '../adapters/bindings.client';
import type { NotificationsRepository } from '../data/notifications.repository';
import { recordNotification } from './send';
import type { EmailContent, EmailQueue } from './email-queue';
import { showCancelledNoticeSchema } from '../domain/events';
import { isResend } from '../domain/resend';

export type PhoneChannel = 'sms' | 'whatsapp';

export interface CancellationNoticeDeps {
  notifications: NotificationsRepository;
  queue: EmailQueue;
  bindings: BindingsClient;
  phoneChannels: PhoneChannel[];
  logger: Logger;
}

const wordsOf = (notice: ShowCancelledNotice) => ({
  showTitle: notice.showTitle ?? 'your show', startsAt: notice.startsAt ? new Date(notice.startsAt) : null, reason: notice.reason,
  refund: notice.refund, amount: notice.amount, currency: notice.currency,
});

/** The notice's email, from the event it was recorded with (the email queue's renderer). */
export function renderCancellationEmail(event: CloudEvent): EmailContent {
  const notice = showCancelledNoticeSchema.parse(event.data);
  return { to: notice.customerEmail, ...cancellationEmail({ ...wordsOf(notice), bookingId: notice.bookingId }) };
}

export function cancellationNoticeHandler(deps: CancellationNoticeDeps) {
  return async (notice: ShowCancelledNotice, event: CloudEvent): Promise<DeliveryStatus> => {
    const words = wordsOf(notice);
    const sends: Array<{ channel: 'email' | PhoneChannel; recipient: string; send: (key: string) => Promise<{ outcome: SendOutcome; attempts: number }> }> = [];
    // A resend (issue 13) is the email alone: the phone notices were not asked for again.
    if (notice.customerPhone && !isResend(event as Record<string, unknown>)) {
      for (const channel of deps.phoneChannels) {
        sends.push({
          channel, recipient: notice.customerPhone,
          // One call: the sidecar's resiliency policy retries it.
          send: async (key) => ({
            outcome: await deps.bindings.post({ binding: COMPONENTS.smsBinding, body: { to: notice.customerPhone, body: cancellationText(words), channel }, idempotencyKey: key, correlationId: notice.correlationId }, 'messageId'),
            attempts: 1,
          }),
        });
      }
    }
    // The email goes to the queue: settled there (sent, retried by scheduler jobs, or dead-lettered), never retried by this delivery.
    const emailOnQueue = deps.queue.accept({
      kind: 'show_cancelled', event,
      opening: {
        key: notificationKey(notice.bookingId, 'show-cancelled', 'email'), channel: 'email', topic: TOPICS.bookingShowCancelled, eventId: event.id,
        bookingId: notice.bookingId, showId: notice.showId, recipient: notice.customerEmail, correlationId: notice.correlationId,
      },
    }).then(() => 'skipped' as const);

    const phoneOutcomes = Promise.all(sends.map(async ({ channel, recipient, send }) => {
      const key = notificationKey(notice.bookingId, 'show-cancelled', channel);
      const row = await deps.notifications.open({
        key, channel, topic: TOPICS.bookingShowCancelled, eventId: event.id, bookingId: notice.bookingId, showId: notice.showId, recipient, correlationId: notice.correlationId,
      });
      if (row.status === 'SENT') return 'skipped' as const;
      const result = await send(key);
      const kind = await recordNotification(deps.notifications, row.id, result);
      deps.logger.info({ bookingId: notice.bookingId, showId: notice.showId, key, channel, outcome: kind, ...(result.outcome.kind === 'sent' ? {} : { reason: result.outcome.reason }) }, 'cancellation notice');
      return kind;
    }));
    const [outcomes, emailed] = await Promise.all([phoneOutcomes, emailOnQueue]);
    return combineOutcomes([...outcomes, emailed]);
  };
}
