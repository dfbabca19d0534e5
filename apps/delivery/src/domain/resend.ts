/**
 * Resending a notification (issue 13's admin action): the same message again to the same
 * recipient, as a notification of its own. Pure: what may be resent, the resend's key, and the
 * event it is queued with. The route and the repository do the rest.
 */

/** Why a notification cannot be resent, as the route's 409 code; or null when it can. */
export type ResendRefusal = 'NOTIFICATION_NOT_SENT' | 'NOTIFICATION_NOT_RESENDABLE';

export interface ResendCandidate {
  status: string;
  channel: string;
  kind: string | null;
  event: unknown;
}

/**
 * Only a SENT message is resent: one still under way has its own retries to finish, and a failed
 * one has its dead letter to replay. Only an email of the durable queue can be: it was recorded
 * with what it is (kind) and the event it renders from; an SMS or WhatsApp notice was not.
 */
export function resendRefusal(original: ResendCandidate): ResendRefusal | null {
  if (original.status !== 'SENT') return 'NOTIFICATION_NOT_SENT';
  if (original.channel !== 'email' || !original.kind || !isEvent(original.event)) return 'NOTIFICATION_NOT_RESENDABLE';
  return null;
}

/** The n-th resend's idempotency key: the provider sees a new message, and the same resend twice is one. */
export const resendKey = (originalKey: string, n: number) => `${originalKey}-resend-${n}`;

/** The CloudEvent attribute naming the resend's own key: the subscriber opens that row, not the original's. */
export const RESEND_KEY_ATTRIBUTE = 'resendkey';
/** The attribute naming the notification the event resends. */
export const RESEND_OF_ATTRIBUTE = 'resendof';

/** What Dapr added on delivery (it adds them again when published) and a replay's mark. */
const DAPR_ADDED = ['topic', 'pubsubname', 'traceid', 'traceparent', 'tracestate', 'replayof', 'time'];

/**
 * The event a resend is queued with: the original's data and type (the same message renders from
 * it), a new id (the resend's own dead letter and records never merge with the original's), and
 * the resend's key and origin as attributes.
 */
export function resendEvent(original: Record<string, unknown>, ids: { eventId: string; key: string; originalId: string }): Record<string, unknown> {
  const kept = Object.fromEntries(Object.entries(original).filter(([name]) => !DAPR_ADDED.includes(name) && name !== RESEND_KEY_ATTRIBUTE && name !== RESEND_OF_ATTRIBUTE));
  // The event's time stays: a ticket email renders its PDF with it, the same bytes as the first.
  return { ...kept, ...(typeof original.time === 'string' ? { time: original.time } : {}), id: ids.eventId, [RESEND_KEY_ATTRIBUTE]: ids.key, [RESEND_OF_ATTRIBUTE]: ids.originalId };
}

/** The resend key an event carries for a message whose own key is `openingKey`, or undefined (not a resend, or one of another message). */
export function resendKeyOf(event: Record<string, unknown>, openingKey: string): string | undefined {
  const key = event[RESEND_KEY_ATTRIBUTE];
  return typeof key === 'string' && key.startsWith(`${openingKey}-resend-`) ? key : undefined;
}

/** Whether an event is a resend (a handler sending several messages sends only the resent one). */
export const isResend = (event: Record<string, unknown>) => typeof event[RESEND_KEY_ATTRIBUTE] === 'string';

function isEvent(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'data' in value;
}
