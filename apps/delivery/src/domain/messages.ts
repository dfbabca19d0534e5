/** The words customers get: the ticket email and the show-cancellation notices. Pure. */
import type { PolicyEscalated } from './events';

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

/** The request-received email's key: one per hold. */
export const requestReceivedKey = (holdId: string) => `hold-${holdId}-request-received-email`;

/** The escalation email's key: one per escalation (and admin address). */
export const policyEscalationKey = (escalationId: string) => `policy-escalation-${escalationId}-email`;

export interface RequestReceivedInput {
  holdId: string;
  showTitle: string;
  startsAt: Date | null;
  seatIds: string[];
  expiresAt: Date;
  amount?: number;
  currency?: string;
}

/** Seed 001's "request received": the seats are held for the customer until the hold expires; the tickets follow on confirmation. */
export function requestReceivedEmail(input: RequestReceivedInput) {
  const seats = input.seatIds.join(', ');
  const until = `${input.expiresAt.toISOString().replace('T', ' ').slice(0, 19)} UTC`;
  const price = input.amount !== undefined && input.currency ? ` (${formatMoney(input.amount, input.currency)})` : '';
  const text = [
    `We received your booking request ${input.holdId}.`,
    `${input.showTitle} - ${when(input.startsAt)}`,
    `Seats held for you: ${seats}${price}, until ${until}.`,
    'Confirm with your payment before then; your tickets follow by email once it is confirmed.',
  ].join('\n');
  const html = `<h1>${escapeHtml(input.showTitle)}</h1><p>We received your booking request <code>${escapeHtml(input.holdId)}</code>.</p>`
    + `<p>Seats held for you: ${escapeHtml(seats)}${escapeHtml(price)}, until ${escapeHtml(until)}.</p>`
    + '<p>Confirm with your payment before then; your tickets follow by email once it is confirmed.</p>';
  return { subject: `Request received: ${input.showTitle}`, text, html };
}

/** The escalation email's input is the policy.escalated event as its schema parses it: one definition, not a copy. */
export type PolicyEscalationInput = PolicyEscalated;

const shown = (value: unknown) => (value === undefined ? '(none)' : JSON.stringify(value));

/** To the admins: the policy hash diff (old -> new, what changed) and the booking's context (seed 001). */
export function policyEscalationEmail(input: PolicyEscalationInput) {
  const changes = input.changes.length > 0 ? input.changes.map((c) => `${c.path}: ${shown(c.from)} -> ${shown(c.to)}`) : ['(the hold predates recorded terms: compare the two versions)'];
  const context = [
    `Hold: ${input.holdId}`,
    `Show: ${input.showTitle ?? ''} ${input.showId}${input.startsAt ? ` at ${input.startsAt}` : ''}`.replace('  ', ' '),
    `Seats: ${input.seatIds.join(', ')}`,
    `Customer: ${input.customerId} <${input.customerEmail}>`,
    `Amount: ${input.oldAmount === null ? '?' : formatMoney(input.oldAmount, input.currency)} -> ${formatMoney(input.newAmount, input.currency)}`,
    `Re-quotes already made: ${input.recoveries}`,
  ];
  const diff = [`Policy hash: ${input.oldPolicyHash} -> ${input.newPolicyHash}`, `Policy version: ${input.oldPolicyVersion} -> ${input.newPolicyVersion}`, 'Changed:', ...changes.map((c) => `  ${c}`)];
  const text = ['The policy of a show kept changing while a customer was confirming; the hold was not confirmed.', '', ...diff, '', ...context, '', `Escalation ${input.escalationId}: GET /api/admin/policy-escalations?holdId=${input.holdId}`].join('\n');
  const html = `<p>The policy of a show kept changing while a customer was confirming; the hold was not confirmed.</p><pre>${escapeHtml([...diff, '', ...context].join('\n'))}</pre>`
    + `<p>Escalation <code>${escapeHtml(input.escalationId)}</code>.</p>`;
  return { subject: `Policy escalation: hold ${input.holdId} (${input.oldPolicyHash.slice(0, 8)} -> ${input.newPolicyHash.slice(0, 8)})`, text, html };
}

/** Amounts above this many minor units (threshold in major units) raise a refund.alert when their refund fails. */
export const needsRefundAlert = (amountMinor: number, thresholdMajor: number) => amountMinor > thresholdMajor * 100;
