/**
 * Seed 001's other booking emails, through the durable email queue (email-queue.ts):
 * booking.hold.placed → "request received" to the customer (sent only while the hold is still
 * held); policy.escalated → the admins (POLICY_ESCALATION_EMAIL), with the policy hash diff and
 * the booking's context.
 */
import { TOPICS, type CloudEvent } from '@holdfast/shared';
import { policyEscalationEmail, policyEscalationKey, requestReceivedEmail, requestReceivedKey } from '../domain/messages';
import { holdPlacedSchema, policyEscalatedSchema, type HoldPlaced, type PolicyEscalated } from '../domain/events';
import type { EmailKind } from '../domain/email-schedule';
import type { DeliveryStatus } from '../domain/outcome';
import type { NotificationsRepository } from '../data/notifications.repository';
import type { EmailContent, EmailQueue } from './email-queue';
import { renderTicketEmail } from './ticket-email.handler';
import { renderCancellationEmail } from './cancellation-notice.handler';

export function requestReceivedHandler(deps: { queue: EmailQueue; enabled: boolean }) {
  return (hold: HoldPlaced, event: CloudEvent): Promise<DeliveryStatus> => deps.queue.accept({
    kind: 'request_received', event,
    opening: {
      key: requestReceivedKey(hold.holdId), channel: 'email', topic: TOPICS.bookingHoldPlaced, eventId: event.id,
      showId: hold.showId, recipient: hold.customerEmail, correlationId: hold.correlationId ?? (typeof event.correlationid === 'string' ? event.correlationid : undefined),
    },
    off: deps.enabled ? undefined : 'REQUEST_RECEIVED_EMAIL_ENABLED=false: the request-received email is turned off; recorded, not sent',
  });
}

export function policyEscalationHandler(deps: { queue: EmailQueue; adminEmail: string }) {
  return (escalation: PolicyEscalated, event: CloudEvent): Promise<DeliveryStatus> => deps.queue.accept({
    kind: 'policy_escalation', event,
    opening: {
      key: policyEscalationKey(escalation.escalationId), channel: 'email', topic: TOPICS.policyEscalated, eventId: event.id,
      showId: escalation.showId, recipient: deps.adminEmail,
    },
  });
}

/** Every kind's email, from the event it was recorded with. */
export function emailRenderer(deps: { adminEmail: string }) {
  return async (kind: EmailKind, event: CloudEvent): Promise<EmailContent> => {
    if (kind === 'confirmed') return renderTicketEmail(event);
    if (kind === 'show_cancelled') return renderCancellationEmail(event);
    if (kind === 'request_received') {
      const hold = holdPlacedSchema.parse(event.data);
      return {
        to: hold.customerEmail,
        ...requestReceivedEmail({
          holdId: hold.holdId, showTitle: hold.showTitle ?? 'your show', startsAt: hold.startsAt ? new Date(hold.startsAt) : null, seatIds: hold.seatIds,
          expiresAt: new Date(hold.expiresAt), amount: hold.amount, currency: hold.currency,
        }),
      };
    }
    const escalation = policyEscalatedSchema.parse(event.data);
    return { to: deps.adminEmail, ...policyEscalationEmail(escalation) };
  };
}

/** Seed 001: the worker "ensures status still pending before sending": a request-received email only for a hold still held. */
export function emailPrecheck(deps: { notifications: Pick<NotificationsRepository, 'holdState'>; now?: () => number }) {
  const now = deps.now ?? Date.now;
  return async (kind: EmailKind, event: CloudEvent): Promise<string | null> => {
    if (kind !== 'request_received') return null;
    const holdId = (event.data as { holdId?: unknown } | undefined)?.holdId;
    if (typeof holdId !== 'string') return 'the event names no hold';
    const hold = await deps.notifications.holdState(holdId);
    if (!hold) return 'the hold no longer exists';
    if (hold.status !== 'ACTIVE') return `the hold is ${hold.status.toLowerCase()}: no request is pending any more`;
    if (hold.expiresAt.getTime() <= now()) return 'the hold has expired: no request is pending any more';
    return null;
  };
}
