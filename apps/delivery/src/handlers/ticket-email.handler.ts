/** booking.confirmed → the ticket email: text, HTML, each seat's QR code inline, and the PDF. */
import type { Logger } from 'pino';
import { renderQrPng, renderTicketPdf, TOPICS, type CloudEvent } from '@holdfast/shared';
import { chunk, notificationKey, ticketEmail } from '../domain/messages';
import type { BookingConfirmed } from '../domain/events';
import type { DeliveryStatus } from '../domain/outcome';
import type { EmailAttachment, EmailSender } from '../adapters/email.sender';
import type { NotificationsRepository } from '../data/notifications.repository';
import { recordNotification, sendWithRetries } from './send';

export interface TicketEmailDeps {
  notifications: NotificationsRepository;
  email: EmailSender;
  emailAttempts: number;
  emailRetryBaseMs: number;
  logger: Logger;
}

const safeName = (label: string) => label.replace(/[^A-Za-z0-9_-]+/g, '-');

export async function ticketAttachments(booking: BookingConfirmed, issuedAt: Date): Promise<EmailAttachment[]> {
  const tickets = booking.tickets.map((t) => ({ seatLabel: t.seatLabel ?? t.seatId, qrPayload: t.qrPayload }));
  const pngs = await Promise.all(tickets.map((t) => renderQrPng(t.qrPayload)));
  const sheets = chunk(tickets, 12);
  const pdfs = await Promise.all(sheets.map((sheet) => renderTicketPdf({
    bookingId: booking.bookingId, showTitle: booking.show?.title ?? 'Holdfast', startsAt: booking.show ? new Date(booking.show.startsAt) : new Date(0),
    venue: booking.show?.venue ?? '', customerEmail: booking.customerEmail, tickets: sheet, issuedAt,
  })));
  return [
    ...pngs.map((png, i) => ({ filename: `seat-${safeName(tickets[i]!.seatLabel)}.png`, type: 'image/png', content: png, contentId: `qr-${i}` })),
    ...pdfs.map((pdf, i) => ({ filename: pdfs.length > 1 ? `tickets-${booking.bookingId}-${i + 1}.pdf` : `tickets-${booking.bookingId}.pdf`, type: 'application/pdf', content: pdf })),
  ];
}

export function ticketEmailHandler(deps: TicketEmailDeps) {
  return async (booking: BookingConfirmed, event: CloudEvent): Promise<DeliveryStatus> => {
    const key = notificationKey(booking.bookingId, 'ticket', 'email');
    const row = await deps.notifications.open({
      key, channel: 'email', topic: TOPICS.bookingConfirmed, eventId: event.id, bookingId: booking.bookingId, showId: booking.showId,
      recipient: booking.customerEmail, correlationId: booking.correlationId,
    });
    if (row.status === 'SENT') return 'SUCCESS';
    const content = ticketEmail({
      bookingId: booking.bookingId, showTitle: booking.show?.title ?? 'your show', startsAt: booking.show ? new Date(booking.show.startsAt) : null,
      venue: booking.show?.venue ?? '', tickets: booking.tickets.map((t) => ({ seatLabel: t.seatLabel ?? t.seatId })), amount: booking.amount, currency: booking.currency,
    });
    // The event's time (the booking's commit): every delivery of this event renders the same bytes.
    const attachments = await ticketAttachments(booking, new Date(typeof event.time === 'string' ? event.time : 0));
    const result = await sendWithRetries(
      () => deps.email.send({ to: booking.customerEmail, ...content, attachments, key, correlationId: booking.correlationId }),
      deps.emailAttempts, deps.emailRetryBaseMs,
    );
    const kind = await recordNotification(deps.notifications, row.id, result);
    deps.logger.info({ bookingId: booking.bookingId, key, outcome: kind, attempts: result.attempts, ...(result.outcome.kind === 'sent' ? { messageId: result.outcome.providerId } : { reason: result.outcome.reason }) }, 'ticket email');
    return kind === 'sent' ? 'SUCCESS' : kind === 'refused' ? 'DROP' : 'RETRY';
  };
}
