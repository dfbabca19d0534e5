/**
 * An app's problem (RFC 9457 `code`, maybe a `detail`) as a sentence a person reads on a page.
 * Pages never show JSON: an unknown code still becomes words, with the app's own detail when it
 * gave one.
 */
const SENTENCES: Record<string, string> = {
  // The console's own
  SIGNIN_FAILED: 'That user name and password do not match. Try again.',
  SIGNIN_RATE_LIMITED: 'Too many failed sign-ins in the last minute. Wait a moment before trying again.',
  SIGNIN_BUSY: 'Too many sign-ins are being checked right now. Try again in a moment.',
  SIGNIN_REQUIRED: 'Please sign in to continue.',
  SESSION_EXPIRED: 'Your session has ended (it was idle too long, or open longer than its lifetime). Please sign in again.',
  CSRF_TOKEN_INVALID: 'This form has expired or did not come from this console. Reload the page and try again.',
  ROLE_REQUIRED: 'Your account does not have the role this page needs.',
  APP_UNREACHABLE: 'The service did not answer in time. Try again in a moment.',
  // The apps'
  VALIDATION_FAILED: 'Some of the values are not valid. Check the form and try again.',
  SHOW_NOT_FOUND: 'That show does not exist.',
  SHOW_IN_THE_PAST: 'A show cannot start in the past.',
  VENUE_TOO_LARGE: 'That venue has more seats than a show may have.',
  SHOW_CANCELLED: 'That show has been cancelled.',
  SHOW_NOT_CANCELLED: 'That show has not been cancelled.',
  CANCELLATION_UNAVAILABLE: 'The cancellation could not be started right now. Try again in a moment.',
  SEAT_UNAVAILABLE: 'That seat is no longer available.',
  BOOKING_NOT_FOUND: 'That booking does not exist.',
  ORDER_NOT_FOUND: 'That order does not exist.',
  NOT_AWAITING_APPROVAL: 'This order is no longer waiting for approval, so it cannot be approved or rejected now.',
  ORDER_FINISHED: 'This order has already finished, so it cannot be changed.',
  ORDER_CANCELLED: 'This order has been cancelled.',
  ORDER_ENDING: 'This order is already being wound up.',
  APPROVER_MISMATCH: 'This order is assigned to another approver.',
  DEAD_LETTER_NOT_FOUND: 'That dead letter does not exist.',
  DEAD_LETTER_ALREADY_REPLAYED: 'That dead letter has already been replayed.',
  REFUND_NOT_FOUND: 'That refund does not exist.',
  REFUND_NOT_IN_MANUAL_REVIEW: 'That refund is not waiting for a review, so it cannot be retried.',
  REFUND_NOT_REPLAYABLE: 'That refund cannot be sent again.',
  REFUND_EXCEEDS_PAID: 'The refund would be more than what was paid.',
  WEBHOOK_EVENT_NOT_FOUND: 'That webhook event does not exist.',
  NOTIFICATION_NOT_FOUND: 'That notification does not exist.',
  NOTIFICATION_NOT_SENT: 'That message has not been sent yet. Let its retries finish, then resend it if it is still needed.',
  NOTIFICATION_NOT_RESENDABLE: 'Only an email can be sent again; an SMS or WhatsApp message cannot.',
  RESEND_NOT_QUEUED: 'The message could not be queued again right now. Try again in a moment.',
  RATE_LIMITED: 'Too many requests right now. Wait a moment and try again.',
  MANAGER_AUTH_REQUIRED: 'The console is not allowed to act as a manager on the orders service. Ask an operator to check its configuration.',
  ADMIN_AUTH_REQUIRED: 'The console is not allowed to act as an admin on that service. Ask an operator to check its configuration.',
  CALLER_NOT_ALLOWED: 'That service does not take requests from the console. Ask an operator to check its configuration.',
  ROUTE_NOT_FOUND: 'That page or action does not exist.',
  INTERNAL_ERROR: 'Something went wrong on the server. Try again; if it keeps happening, tell an operator.',
};

const BY_STATUS: Array<[number, string]> = [
  [404, 'That item does not exist.'],
  [409, 'That cannot be done in the current state.'],
  [429, 'Too many requests right now. Wait a moment and try again.'],
  [400, 'The request was not accepted. Check the values and try again.'],
  [500, 'Something went wrong on the server. Try again; if it keeps happening, tell an operator.'],
];

/** A detail is shown only when it reads like a sentence (not JSON, not a stack, not too long). */
function usableDetail(detail: string | undefined): string | undefined {
  if (!detail) return undefined;
  const trimmed = detail.trim();
  if (trimmed.length === 0 || trimmed.length > 300 || /^[[{]/.test(trimmed) || /\n\s+at /.test(trimmed)) return undefined;
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

export function describeProblem(problem: { code?: string; detail?: string; status?: number }): string {
  const known = problem.code ? SENTENCES[problem.code] : undefined;
  if (known) return known;
  const detail = usableDetail(problem.detail);
  if (detail) return detail;
  const status = problem.status ?? 500;
  const byStatus = BY_STATUS.find(([s]) => status === s) ?? BY_STATUS.find(([s]) => s === (status >= 500 ? 500 : 400));
  return byStatus![1];
}
