/** booking.confirmed → the ticket email: text, HTML, each seat's QR code inline, and the PDF. */
import { renderQrPng, renderTicketPdf, TOPICS, type CloudEvent } from '@holdfast/shared';
import { chunk, notificationKey, ticketEmail } from '../domain/messages';
import { bookingConfirmedSchema, type BookingConfirmed } from '../domain/events';
import type { DeliveryStatus } from '../domain/outcome';
import type { EmailAttachment } from '../adapters/email.sender';
import type { EmailContent, EmailQueue } from './email-queue';

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

/** The ticket email (seed 001's `confirmed`: the confirmation email, one email not two), rendered from its booking.confirmed event. */
export async function renderTicketEmail(event: CloudEvent): Promise<EmailContent> {
  const booking = bookingConfirmedSchema.parse(event.data);
  const content = ticketEmail({
    bookingId: booking.bookingId, showTitle: booking.show?.title ?? 'your show', startsAt: booking.show ? new Date(booking.show.startsAt) : null,
    venue: booking.show?.venue ?? '', tickets: booking.tickets.map((t) => ({ seatLabel: t.seatLabel ?? t.seatId })), amount: booking.amount, currency: booking.currency,
  });
  // The event's time (the booking's commit): every attempt of this email renders the same bytes.
  const attachments = await ticketAttachments(booking, new Date(typeof event.time === 'string' ? event.time : 0));
  return { to: booking.customerEmail, ...content, attachments };
}

/** booking.confirmed → the ticket email, through the durable email queue (email-queue.ts). */
export function ticketEmailHandler(deps: { queue: EmailQueue }) {
  return (booking: BookingConfirmed, event: CloudEvent): Promise<DeliveryStatus> => deps.queue.accept({
    kind: 'confirmed', event,
    opening: {
      key: notificationKey(booking.bookingId, 'ticket', 'email'), channel: 'email', topic: TOPICS.bookingConfirmed, eventId: event.id,
      bookingId: booking.bookingId, showId: booking.showId, recipient: booking.customerEmail, correlationId: booking.correlationId,
    },
  });
}
