/**
 * The booking API as OpenAPI 3.1: request bodies, path ids and queries generated from the very zod
 * schemas that validate them; every status a route answers; the shapes of its answers.
 * routes.test.ts holds it to the routes the app registers.
 */
import { z } from 'zod';
import {
  ACTOR_HEADER_NOTE, timelineOpenApiPaths, arrayOf, bearerScheme, bool, dateTime, int, jsonBody, jsonResponse, nullable, object, openApiDocumentOf, pathParam, probePaths, problemOrSidecarResponse, problemResponse, queryParams, str,
} from '@holdfast/shared';
import { concessionItemSchema, createShowSchema, showIdSchema } from './shows.routes';
import { confirmSchema, placeHoldSchema } from './holds.routes';
import { adminCancelSchema, bookingIdSchema, seatIdSchema, verifySchema } from './bookings.routes';
import { cancelShowSchema, skuSchema } from './shows.routes';
import { listQuery } from './webhooks.routes';
import { escalationQuery } from './escalations.routes';
import { resolveReviewSchema, reviewIdSchema, reviewListQuery } from './manual-reviews.routes';
import { offlinePaymentSchema } from './offline-payments.routes';
import { idempotencyKeySchema } from '../domain/hold-commands';
import { policySchema } from '../domain/policy';

const admin = [{ adminBearer: [] }];
const uuid = z.string().uuid();
const showId = pathParam('showId', showIdSchema);
const holdId = pathParam('holdId', uuid);
const bookingId = pathParam('bookingId', bookingIdSchema);

/** Every operation may meet these: text PostgreSQL cannot store (400 VALIDATION_FAILED, or the sidecar's 400 for a NUL in the path). */
const common = { 400: problemOrSidecarResponse('VALIDATION_FAILED (or another reason named by `code`), or the sidecar refusing the request line') };
const withIds = { ...common, 404: problemResponse('Nothing under this id (`code` says what), or a path no route takes') };
const adminOnly = { 401: problemResponse('ADMIN_AUTH_REQUIRED: no or a wrong admin bearer token') };
const manualReview = object({
  id: str, bookingId: nullable(str), kind: str, reason: str, data: {}, status: { enum: ['OPEN', 'RESOLVED'] }, createdAt: dateTime,
  resolvedAt: nullable(dateTime), resolvedBy: nullable(str), resolution: nullable(str),
});

const policy = object({ currency: str, zonePrices: { type: 'object', additionalProperties: int }, defaultPrice: int, maxSeatsPerHold: int });
const hold = object({ holdId: str, showId: str, status: { enum: ['ACTIVE', 'EXPIRED', 'RELEASED', 'CONFIRMED'] }, seatIds: arrayOf(str), expiresAt: str, policyVersion: int, customerId: str });
const booking = object({
  bookingId: str, holdId: str, showId: str, status: str, amount: int, currency: str, seats: arrayOf(str),
  tickets: arrayOf(object({ seatId: str, qrPayload: str, usedAt: nullable(dateTime) }, ['usedAt'])), customerId: str, concessionOrderId: str,
}, ['customerId', 'concessionOrderId']);
/** Seed 000: the concessions order and its kitchen state (GET /api/bookings/:id), or null. */
const concessions = nullable(object({
  orderId: str, status: { enum: ['PENDING', 'PREPARING', 'CANCELLED'] }, amount: int, prepAt: dateTime, updatedAt: dateTime,
  items: arrayOf(object({ sku: str, name: str, quantity: int, price: int })),
}));
/** Issue 19: a refund's parts (refund = tickets + concessions - fee). */
const refundParts = object({ tickets: int, concessions: int, fee: int });
/** A cancellation taken, by its customer or by an admin's override, as the customer reads it (no actor, no admin's reason). */
const cancellationTaken = object({ by: { enum: ['CUSTOMER', 'ADMIN'] }, refundAmount: int, currency: str, at: dateTime, breakdown: refundParts });
/** The same as admins read it: who took it (the customer's id or the admin credential) and the override's reason. */
const cancellationTakenAudited = object({ ...cancellationTaken.properties, actor: str, reason: nullable(str) });
/** Issue 19: whether the customer may cancel now, until when and for how much (the policy's answer), and the cancellation once taken. */
const cancellationPolicy = object({
  allowed: bool, code: { enum: ['TICKET_USED', 'SHOW_STARTED', 'CANCELLATION_CLOSED', 'SHOW_CANCELLED', 'BOOKING_CANCELLED'] }, until: dateTime, refundAmount: int, breakdown: refundParts,
  cancelled: cancellationTaken,
}, ['code', 'cancelled']);
const cancelAnswer = (status: Record<string, unknown>, cancellation = cancellationTaken) => object({ bookingId: str, status, instanceId: str, refundAmount: int, cancellation }, ['refundAmount', 'cancellation']);
const offlineBooking = {
  ...booking,
  properties: {
    ...booking.properties,
    payment: object({ paymentId: str, method: { enum: ['cash', 'card_terminal', 'transfer'] }, amount: int, currency: str, recordedBy: str, reference: nullable(str), status: { const: 'RECORDED' }, recordedAt: dateTime }),
    duplicate: { const: true },
  },
  required: [...(booking.required ?? []), 'payment'],
};
const cancellationSummary = {
  showId: str, status: { const: 'CANCELLED' }, reason: str, cancelledAt: dateTime, bookings: int, ticketsSold: int, smsQueued: int, emailsQueued: int, refundsQueued: int, refundThreshold: int,
};
const channelProgress = object({ queued: int, sent: int, failed: int, pending: int });

export function openApiDocument() {
  return openApiDocumentOf({
    title: 'Holdfast booking API',
    description: 'Reached through the client gateway (Dapr service invocation): /v1.0/invoke/booking/method/<path> with the dapr-api-token header. '
      + 'Only /api/, /openapi.json and the probes are invocable, and only they are here; the payment provider\'s webhook (/webhooks/payments, '
      + 'paymentWebhookDocument) and /metrics are served on the app port alone, outside the client path.' + ACTOR_HEADER_NOTE,
    securitySchemes: { adminBearer: bearerScheme('ADMIN_API_TOKEN') },
    paths: {
      ...probePaths(true),
      '/openapi.json': { get: { summary: 'This document', responses: { 200: jsonResponse('OpenAPI 3.1', { type: 'object' }) } } },
      '/api/admin/shows': {
        post: {
          summary: 'Create a show with its venue and seat map', security: admin, requestBody: jsonBody(createShowSchema),
          responses: { 201: jsonResponse('created', object({ showId: str, seatCount: int })), ...common, ...adminOnly },
        },
      },
      '/api/admin/shows/{showId}/policy': {
        put: {
          summary: 'Set the pricing and seating policy (a new version when it changed)', security: admin, parameters: [showId], requestBody: jsonBody(policySchema),
          responses: { 200: jsonResponse('the policy version', object({ showId: str, policyVersion: int, policyHash: str, changed: bool })), ...withIds, ...adminOnly },
        },
      },
      '/api/admin/shows/{showId}/cancel': {
        post: {
          summary: 'Cancel a show: notices and (above the threshold) refunds are queued once; a repeated call answers the same summary',
          security: admin, parameters: [showId], requestBody: jsonBody(cancelShowSchema),
          responses: { 200: jsonResponse('the cancellation summary (cancelledBy: who, when named)', object({ ...cancellationSummary, cancelledBy: str }, ['cancelledBy'])), ...withIds, ...adminOnly },
        },
      },
      '/api/admin/shows/{showId}/cancellation': {
        get: {
          summary: 'A cancelled show\'s summary, how far its notices and refunds are, and its clean-up (SHOW_NOT_CANCELLED 409 otherwise)', security: admin, parameters: [showId],
          responses: {
            200: jsonResponse('progress', object({
              ...cancellationSummary,
              delivery: object({
                messages: object({ sent: int, failed: int, sms: channelProgress, email: channelProgress, whatsapp: object({ sent: int, failed: int }) }, ['whatsapp']),
                refunds: object({ queued: int, processed: int, failed: int, manualReview: int, pending: int }),
              }),
              cleanup: object({ status: str, holdsReleased: nullable(int), kitchenOrdersCancelled: nullable(int) }),
            })),
            ...withIds, ...adminOnly, 409: problemResponse('SHOW_NOT_CANCELLED: the show exists and is not cancelled'),
          },
        },
      },
      '/api/admin/concessions/{sku}': {
        put: {
          summary: 'Create or change a concession (price in minor units)', security: admin, parameters: [pathParam('sku', skuSchema)], requestBody: jsonBody(concessionItemSchema),
          responses: { 200: jsonResponse('the concession', object({ sku: str, name: str, price: int, active: bool })), ...common, ...adminOnly },
        },
      },
      '/api/shows': {
        get: {
          summary: 'List shows',
          responses: { 200: jsonResponse('the shows', object({ shows: arrayOf(object({ showId: str, title: str, startsAt: dateTime, status: str, venue: str, policyVersion: int })) })), ...common },
        },
      },
      '/api/shows/{showId}': {
        get: {
          summary: 'One show', parameters: [showId],
          responses: {
            200: jsonResponse('the show', object({
              showId: str, title: str, startsAt: dateTime, status: str, venue: object({ venueId: str, name: str }), policy, policyVersion: int, prepLeadMinutes: nullable(int),
              cancellationCutoffMinutes: int, cancellationCutoffSource: { enum: ['show', 'platform'] },
            })),
            ...withIds,
          },
        },
      },
      '/api/shows/{showId}/seats': {
        get: {
          summary: 'Seats with status AVAILABLE | HELD | SOLD', parameters: [showId],
          responses: {
            200: jsonResponse('the seats', object({
              showId: str,
              seats: arrayOf(object({ id: str, label: str, section: str, row: str, number: int, zone: str, adjacentIds: arrayOf(str), status: { enum: ['AVAILABLE', 'HELD', 'SOLD'] } })),
            })),
            ...withIds,
          },
        },
      },
      '/api/shows/{showId}/holds': {
        post: {
          summary: 'Hold seats (all or none); an Idempotency-Key makes a retry find the same hold',
          parameters: [showId, { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', minLength: 8, maxLength: 200 } }],
          requestBody: jsonBody(placeHoldSchema),
          responses: {
            201: jsonResponse('the hold', hold), ...withIds, 409: problemResponse('SEAT_UNAVAILABLE, SHOW_CANCELLED or HOLD_EXISTS'),
            503: problemResponse('HOLD_UNAVAILABLE: the placement did not answer in time; nothing is held (retry)'),
          },
        },
      },
      '/api/holds/{holdId}': {
        get: { summary: 'A hold: ACTIVE | EXPIRED | RELEASED | CONFIRMED', parameters: [holdId], responses: { 200: jsonResponse('the hold', hold), ...withIds } },
        delete: { summary: 'Release a hold', parameters: [holdId], responses: { 200: jsonResponse('the released hold', hold), ...withIds, 409: problemResponse('HOLD_NOT_ACTIVE') } },
      },
      '/api/holds/{holdId}/confirm': {
        post: {
          summary: 'Pay and confirm a hold. Without an Idempotency-Key the hold id is the key; a confirmed hold answers its booking (200) whatever the key',
          parameters: [holdId, { name: 'Idempotency-Key', in: 'header', required: false, description: 'Defaults to the hold id (seed 004)', schema: { type: 'string', minLength: idempotencyKeySchema.minLength, maxLength: idempotencyKeySchema.maxLength } }],
          requestBody: jsonBody(confirmSchema),
          responses: {
            201: jsonResponse('the booking with tickets (also the replay of that confirmation, same key)', booking),
            200: jsonResponse('the hold was already confirmed by another request: its existing booking, nothing charged', booking),
            ...withIds, 402: problemResponse('PAYMENT_DECLINED'), 409: problemResponse('the hold is not active, or its policy or show changed'),
            410: problemResponse('HOLD_EXPIRED: "Hold has expired. Please create a new booking."'), 422: problemResponse('HOLD_SNAPSHOT_INCOMPLETE or PAYMENT_REJECTED'), 503: problemResponse('PAYMENT_UNAVAILABLE: retry with the same Idempotency-Key'),
          },
        },
      },
      '/api/admin/holds/{holdId}/offline-payment': {
        post: {
          summary: 'A box office confirms a hold with an offline payment (cash, card_terminal, transfer): amount must equal the hold\'s price (minor units); '
            + '`staffId` is accepted for `recordedBy`. The same amount again within 5 minutes is the same payment (200, duplicate: true)',
          security: admin, parameters: [holdId], requestBody: jsonBody(offlinePaymentSchema),
          responses: {
            201: jsonResponse('the booking with tickets and the recorded payment', offlineBooking),
            200: jsonResponse('the same payment recorded within 5 minutes: nothing recorded again', offlineBooking),
            ...withIds, ...adminOnly,
            409: problemResponse('HOLD_ALREADY_CONFIRMED (paid otherwise or earlier), HOLD_NOT_ACTIVE, POLICY_CHANGED, SHOW_CANCELLED, RECORDED_BY_CONFLICT (recordedBy and staffId differ) or BOOKING_ID_MISMATCH (bookingId is not the path\'s hold)'),
            410: problemResponse('HOLD_EXPIRED'),
            422: problemResponse('AMOUNT_MISMATCH (`expected`, `currency`: the hold\'s price; nothing recorded) or HOLD_SNAPSHOT_INCOMPLETE'),
          },
        },
      },
      '/api/bookings/{bookingId}': {
        get: {
          summary: 'A booking, its tickets, and its concessions order with the kitchen state (seed 000)', parameters: [bookingId],
          responses: { 200: jsonResponse('the booking', { ...booking, required: [...booking.required, 'concessions', 'cancellation'], properties: { ...booking.properties, concessions, cancellation: nullable(cancellationPolicy) } }), ...withIds },
        },
      },
      '/api/bookings/{bookingId}/cancel': {
        post: {
          summary: 'Cancel a booking by its customer (a saga: release the seats, refund the amount the cancellation policy decided); asking again answers the same decision',
          parameters: [bookingId],
          responses: {
            200: jsonResponse('nothing left to cancel', cancelAnswer({ enum: ['CANCELLED', 'REFUNDING', 'REFUNDED'] })),
            202: jsonResponse('cancelling: refundAmount is what will be refunded', cancelAnswer({ const: 'CANCELLING' })),
            ...withIds,
            409: problemResponse('refused by the cancellation policy, nothing refunded: TICKET_USED, SHOW_STARTED or CANCELLATION_CLOSED (`cancellation`: the policy\'s answer)'),
            503: problemResponse('CANCELLATION_UNAVAILABLE: the safety-net job could not be scheduled; nothing changed (retry)'),
          },
        },
      },
      '/api/admin/bookings/{bookingId}/cancel': {
        post: {
          summary: 'An admin cancels a booking whatever the policy says (inside the cut-off, after a scan), refunding refundAmount (minor units, at most the amount paid); audited; a repeat answers the first cancellation',
          security: admin, parameters: [bookingId], requestBody: jsonBody(adminCancelSchema),
          responses: {
            200: jsonResponse('cancelled already (this override or an earlier cancellation): nothing refunded again', cancelAnswer({ enum: ['CANCELLED', 'REFUNDING', 'REFUNDED'] }, cancellationTakenAudited)),
            202: jsonResponse('cancelling: refundAmount is what will be refunded', cancelAnswer({ const: 'CANCELLING' }, cancellationTakenAudited)),
            ...withIds, ...adminOnly,
            422: problemResponse('REFUND_EXCEEDS_PAID: refundAmount is more than the amount paid (`amountPaid`)'),
            503: problemResponse('CANCELLATION_UNAVAILABLE: the safety-net job could not be scheduled; nothing changed (retry)'),
          },
        },
      },
      '/api/bookings/{bookingId}/tickets.pdf': {
        get: { summary: 'The ticket sheet (PDF)', parameters: [bookingId], responses: { 200: { description: 'the PDF', content: { 'application/pdf': { schema: { type: 'string', contentMediaType: 'application/pdf' } } } }, ...withIds } },
      },
      '/api/bookings/{bookingId}/tickets/{seatId}.png': {
        get: {
          summary: 'One ticket\'s QR code (PNG)', parameters: [bookingId, pathParam('seatId', seatIdSchema)],
          responses: { 200: { description: 'the QR code', content: { 'image/png': { schema: { type: 'string', contentMediaType: 'image/png' } } } }, ...withIds },
        },
      },
      '/api/tickets/verify': {
        post: {
          summary: 'Scan a ticket at the door: valid once, then already-used', security: admin, requestBody: jsonBody(verifySchema),
          responses: {
            200: jsonResponse('the verdict', object({ result: { enum: ['valid', 'already-used', 'invalid'] }, reason: str, bookingId: str, showId: str, seatId: str, usedAt: dateTime }, ['reason', 'bookingId', 'showId', 'seatId', 'usedAt'])),
            ...common, ...adminOnly,
          },
        },
      },
      '/api/admin/webhooks': {
        get: {
          summary: 'Recorded payment webhook events, newest first', security: admin, parameters: queryParams(listQuery),
          responses: {
            200: jsonResponse('the events', object({
              events: arrayOf(object({ id: str, type: str, status: str, error: nullable(str), deliveries: int, receivedAt: dateTime, processedAt: nullable(dateTime), payload: {} })),
            })),
            ...common, ...adminOnly,
          },
        },
      },
      ...timelineOpenApiPaths({ security: admin, errors: { ...common, ...adminOnly }, who: 'the booking app (hold, payment, booking, cancellation, manual reviews, audit lines, outbox events)' }),
      '/api/admin/manual-reviews': {
        get: {
          summary: 'Manual reviews, newest first (issue 13): refunds of holds that ended without a booking (hold-refund), failed cancellation refunds (REFUND), box-office pay-backs (OFFLINE_REFUND)',
          security: admin, parameters: queryParams(reviewListQuery),
          responses: { 200: jsonResponse('a page of reviews; nextCursor opens the next one', object({ reviews: arrayOf(manualReview), nextCursor: nullable(str) })), ...common, ...adminOnly },
        },
      },
      '/api/admin/manual-reviews/{id}/resolve': {
        post: {
          summary: 'Resolve an OPEN review; with retry: true the refund is asked for again first (the app\'s own key, never paid twice) and the review is resolved only if it is paid. resolvedBy: the body\'s, else X-Holdfast-Actor, else the admin credential. Audited.',
          security: admin, parameters: [pathParam('id', reviewIdSchema)], requestBody: jsonBody(resolveReviewSchema),
          responses: {
            200: jsonResponse('the resolved review (refundId when a retry paid it)', { ...manualReview, properties: { ...manualReview.properties, refundId: str } }),
            ...withIds, ...adminOnly,
            409: problemResponse('REVIEW_ALREADY_RESOLVED, or REVIEW_NOT_RETRYABLE (retry asked of a review with no refund to replay)'),
            502: problemResponse('REFUND_FAILED: the provider did not pay the retried refund; the review stays open'),
          },
        },
      },
      '/api/admin/policy-escalations': {
        get: {
          summary: 'Policy escalations, newest first (seed 001): holds whose show policy kept changing past 2 re-quotes; each was emailed to POLICY_ESCALATION_EMAIL',
          security: admin, parameters: queryParams(escalationQuery),
          responses: {
            200: jsonResponse('the escalations', object({
              escalations: arrayOf(object({
                id: str, holdId: str, showId: str, customerId: str, customerEmail: str, seatIds: arrayOf(str),
                oldPolicyVersion: int, newPolicyVersion: int, oldPolicyHash: str, newPolicyHash: str,
                changes: arrayOf({ type: 'object', properties: { path: str, from: {}, to: {} }, required: ['path'] }),
                oldAmount: nullable(int), newAmount: int, currency: str, recoveries: int, correlationId: nullable(str), createdAt: dateTime,
              })),
            })),
            ...common, ...adminOnly,
          },
        },
      },
    },
  });
}

/**
 * The payment provider's side of the app: its webhook (either path), called on the app port directly (never
 * through the gateway, where the route does not exist: the invocation guard answers 404). Not
 * served to clients: the contract the provider's deliveries are held to.
 */
export function paymentWebhookDocument(path: '/webhooks/payments' | '/webhooks/stripe' = '/webhooks/payments') {
  const webhookOperation = {
    summary: 'The payment provider\'s webhook (Stripe scheme), authenticated by its signature; each event id is processed once',
    parameters: [{ name: 'Stripe-Signature', in: 'header', required: true, schema: { type: 'string' }, description: 't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">' }],
    requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['id', 'type'], properties: { id: { type: 'string' }, type: { type: 'string' }, data: { type: 'object' } } } } } },
    responses: {
      200: jsonResponse('received', object({ received: { const: true }, status: { enum: ['PROCESSED', 'IGNORED'] }, duplicate: { const: true } }, ['status', 'duplicate'])),
      400: problemResponse('WEBHOOK_SIGNATURE_INVALID (missing, wrong or too old signature) or WEBHOOK_PAYLOAD_INVALID; nothing recorded'),
      500: problemResponse('WEBHOOK_PROCESSING_FAILED: recorded FAILED; a redelivery processes it again'),
      503: problemResponse('WEBHOOK_NOT_READY: the app is starting'),
    },
  };
  return openApiDocumentOf({
    title: 'Holdfast booking: payment webhook',
    description: 'Called by the payment provider on the booking app port (no sidecar, no app token): each delivery is authenticated by its Stripe-Signature. '
      + '/webhooks/stripe (seed 004\'s name) and /webhooks/payments are one endpoint: same signature, and an event id is processed once whichever path delivers it.',
    paths: {
      // /webhooks/stripe is seed 004's path for the same endpoint (a Stripe account configured from the document).
      [path]: { post: webhookOperation },
    },
  });
}
