/** The words customers get: the ticket email and the show-cancellation notices. Pure. */

export interface TicketEmailInput {
  bookingId: string;
  showTitle: string;
  startsAt: Date | null;
  venue: string;
  tickets: Array<{ seatLabel: string }>;
  amount: number;
  currency: string;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function formatMoney(minor: number, currency: string): string {
  return `${(minor / 100).toFixed(2)} ${currency}`;
}

const when = (startsAt: Date | null) => (startsAt ? `${startsAt.toISOString().replace('T', ' ').slice(0, 16)} UTC` : 'see your booking');

/** Subject, plain text and HTML; the HTML shows each seat's QR code inline (cid:qr-<n>). */
export function ticketEmail(input: TicketEmailInput) {
  const seats = input.tickets.map((t) => t.seatLabel).join(', ');
  const subject = `Your tickets for ${input.showTitle}`;
  const text = [
    `Your booking ${input.bookingId} is confirmed.`,
    `${input.showTitle} - ${when(input.startsAt)}${input.venue ? ` - ${input.venue}` : ''}`,
    `Seats: ${seats}`,
    `Paid: ${formatMoney(input.amount, input.currency)}`,
    'Show the QR code of each seat at the door; the attached PDF holds them all.',
  ].join('\n');
  const qrImages = input.tickets.map((t, i) => `<figure><img src="cid:qr-${i}" alt="QR code for seat ${escapeHtml(t.seatLabel)}" width="240" height="240"><figcaption>${escapeHtml(t.seatLabel)}</figcaption></figure>`).join('');
  const html = `<h1>${escapeHtml(input.showTitle)}</h1><p>${escapeHtml(when(input.startsAt))}${input.venue ? ` &middot; ${escapeHtml(input.venue)}` : ''}</p>`
    + `<p>Booking <code>${escapeHtml(input.bookingId)}</code> &middot; seats ${escapeHtml(seats)} &middot; paid ${escapeHtml(formatMoney(input.amount, input.currency))}</p>${qrImages}`
    + '<p>Show the QR code of each seat at the door; the attached PDF holds them all.</p>';
  return { subject, text, html };
}

export interface CancellationNoticeInput {
  showTitle: string;
  startsAt: Date | null;
  reason: string;
  refund: boolean;
  amount: number;
  currency: string;
}

/** Short enough for one SMS segment in most cases (the gateway accepts up to 1,600 characters). */
export function cancellationText(input: CancellationNoticeInput): string {
  const money = input.refund ? ` You will be refunded ${formatMoney(input.amount, input.currency)}.` : ' Contact us about your tickets.';
  return `Holdfast: ${input.showTitle} (${when(input.startsAt)}) is cancelled: ${input.reason}.${money}`;
}

export function cancellationEmail(input: CancellationNoticeInput & { bookingId: string }) {
  const text = `${cancellationText(input)}\nBooking ${input.bookingId}.`;
  return { subject: `Cancelled: ${input.showTitle}`, text, html: `<p>${escapeHtml(cancellationText(input))}</p><p>Booking <code>${escapeHtml(input.bookingId)}</code>.</p>` };
}

/** The PDF renderer holds 12 tickets a page: larger bookings get one PDF per 12 seats. */
export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The idempotency key of one message: the same for every delivery and replay of the event asking for it. */
export const notificationKey = (bookingId: string, purpose: 'ticket' | 'show-cancelled', channel: string) => `booking-${bookingId}-${purpose}-${channel}`;

/** Amounts above this many minor units (threshold in major units) raise a refund.alert when their refund fails. */
export const needsRefundAlert = (amountMinor: number, thresholdMajor: number) => amountMinor > thresholdMajor * 100;
