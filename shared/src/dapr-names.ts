/**
 * Every Dapr name Holdfast uses, defined once. Each must match a `metadata.name` in components/
 * (and in k8s/), or an app-id in dapr.yaml; tests/unit/dapr-names.test.ts checks that they do.
 */
export const APP_IDS = {
  booking: 'booking',
  fulfillment: 'fulfillment',
  providers: 'providers',
  delivery: 'delivery',
  /** The client gateway: a sidecar alone whose API token is the client credential (docs/security.md). */
  gateway: 'gateway',
  /** The admin console (apps/admin): people's web app; it invokes the others, nobody invokes it. */
  admin: 'admin',
  /** The walking-skeleton app under tests/skeleton, started only by the integration tests. */
  skeleton: 'skeleton',
} as const;

export const COMPONENTS = {
  /** Actor and workflow state (PostgreSQL). */
  actorStateStore: 'actorstate',
  /** Pub/sub on Redis Streams. */
  pubsub: 'pubsub',
  /** Where components read connection strings and passwords. */
  secretStore: 'secretstore',
  /** HTTP output binding to the providers app's SMS gateway. */
  smsBinding: 'sms-gateway',
  /** HTTP output binding to the providers app's refund gateway. */
  refundBinding: 'refund-gateway',
} as const;

export const ACTOR_TYPES = {
  show: 'ShowActor',
  hold: 'HoldActor',
  kitchenPrep: 'KitchenPrepActor',
  order: 'OrderActor',
  holdExpiry: 'HoldExpiryActor',
} as const;

export const TOPICS = {
  skeletonGreetings: 'skeleton.greetings',
  skeletonAlwaysFails: 'skeleton.always-fails',
  skeletonDeadLetters: 'skeleton.dead-letters',
  // Published by the outbox relay: the topic is the outbox event's type.
  bookingConfirmed: 'booking.confirmed',
  /** A hold ran out (its reminder, or a confirmation arriving after expiresAt): seed 004's event for waitlists. */
  bookingHoldExpired: 'booking.hold.expired',
  bookingCancelled: 'booking.cancelled',
  bookingShowCancelled: 'booking.show-cancelled',
  showCancelled: 'show.cancelled',
  refundRequested: 'refund.requested',
  refundAlert: 'refund.alert',
  /** A hold was placed (seed 001's "request received" email). */
  bookingHoldPlaced: 'booking.hold.placed',
  /** A hold's policy kept changing past its re-quotes: admins are emailed (seed 001). */
  policyEscalated: 'policy.escalated',
} as const;

/** Where a subscription's given-up messages go: `<topic>.dead-letter`. */
export const deadLetterTopicOf = (topic: string) => `${topic}.dead-letter`;
