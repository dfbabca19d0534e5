/** booking.show-cancelled → the customer is told on every phone channel configured, and by email. */
import type { Logger } from 'pino';
import { COMPONENTS, TOPICS, type CloudEvent } from '@holdfast/shared';
import { cancellationEmail, cancellationText, notificationKey } from '../domain/messages';
import { combineOutcomes, type DeliveryStatus, type SendOutcome } from '../domain/outcome';
import type { ShowCancelledNotice } from '../domain/events';
import type { EmailSender } from '../adapters/email.sender';
import type { BindingsClient } from '../adapters/bindings.client';
import type { NotificationsRepository } from '../data/notifications.repository';
import { recordNotification, sendWithRetries } from './send';

export type PhoneChannel = 'sms' | 'whatsapp';

export interface CancellationNoticeDeps {
  notifications: NotificationsRepository;
  email: EmailSender;
  bindings: BindingsClient;
  phoneChannels: PhoneChannel[];
  emailAttempts: number;
  emailRetryBaseMs: number;
  logger: Logger;
}

export function cancellationNoticeHandler(deps: CancellationNoticeDeps) {
  return async (notice: ShowCancelledNotice, event: CloudEvent): Promise<DeliveryStatus> => {
    const words = {
      showTitle: notice.showTitle ?? 'your show', startsAt: notice.startsAt ? new Date(notice.startsAt) : null, reason: notice.reason,
      refund: notice.refund, amount: notice.amount, currency: notice.currency,
    };
    const sends: Array<{ channel: 'email' | PhoneChannel; recipient: string; send: (key: string) => Promise<{ outcome: SendOutcome; attempts: number }> }> = [];
    if (notice.customerPhone) {
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
    sends.push({
      channel: 'email', recipient: notice.customerEmail,
      send: (key) => sendWithRetries(() => deps.email.send({ to: notice.customerEmail, ...cancellationEmail({ ...words, bookingId: notice.bookingId }), key, correlationId: notice.correlationId }), deps.emailAttempts, deps.emailRetryBaseMs),
    });

    const outcomes = await Promise.all(sends.map(async ({ channel, recipient, send }) => {
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
    return combineOutcomes(outcomes);
  };
}
