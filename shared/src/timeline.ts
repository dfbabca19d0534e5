/**
 * A booking's or an order's story, as each app tells its part: every event is a fact the app
 * recorded, with the time it recorded it (never a time derived from a counter). The admin console
 * merges the apps' parts (docs/admin-console-design.md); each app answers only for its own tables.
 */
export type TimelineApp = 'booking' | 'delivery' | 'fulfillment' | 'admin';

export type RelatedKind = 'show' | 'booking' | 'order' | 'refund' | 'dead-letter' | 'manual-review' | 'notification';

export interface RelatedLink {
  kind: RelatedKind;
  id: string;
  label?: string;
}

export interface TimelineEvent {
  /** ISO time the fact was recorded. */
  at: string;
  app: TimelineApp;
  /** e.g. hold.placed, payment.authorized, email.attempt, saga.step, compensation, dead-letter, admin.action */
  kind: string;
  /** One sentence a person reads. */
  summary: string;
  correlationId?: string;
  status?: string;
  attempt?: number;
  /** The recorded error, secret-free. */
  error?: string;
  /** The provider's id: payment intent, message id, refund id, label id. */
  providerId?: string;
  /** Who acted, for admin and customer actions. */
  actor?: string;
  links?: RelatedLink[];
}

/** One app's answer to GET /api/admin/timeline/bookings/:id or /orders/:id. */
export interface TimelinePart {
  events: TimelineEvent[];
  related: RelatedLink[];
}

/** One app's answer to GET /api/admin/timeline/search?q= */
export interface TimelineSearchAnswer {
  matches: Array<{ kind: 'booking' | 'order'; id: string; label: string }>;
}

/** Events in time order; ties keep a stable order by app then kind, so the page never reshuffles. */
export function sortTimeline(events: TimelineEvent[]): TimelineEvent[] {
  const order: Record<TimelineApp, number> = { booking: 0, fulfillment: 1, delivery: 2, admin: 3 };
  return events
    .map((event, index) => ({ event, index }))
    .sort((a, b) => Date.parse(a.event.at) - Date.parse(b.event.at)
      || order[a.event.app] - order[b.event.app]
      || a.event.kind.localeCompare(b.event.kind)
      || a.index - b.index)
    .map(({ event }) => event);
}
